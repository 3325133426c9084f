import { z } from "zod";
import { ConfigError } from "../errors.js";
import type {
  ActionDefinition,
  ConnectorCategory,
  ConnectorDefinition,
  ModelDefinition,
} from "./types.js";

/** Connector ids: lowercase kebab-case, as the package folder (`google-sheets`). */
export const CONNECTOR_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const CATEGORIES: ReadonlySet<ConnectorCategory> = new Set<ConnectorCategory>([
  "spreadsheets",
  "email",
  "crm",
  "marketing",
  "accounting",
  "field-service",
  "storage",
  "analytics",
  "ads",
  "messaging",
  "calendar",
  "ecommerce",
  "productivity",
  "other",
]);

const AUTH_KINDS = new Set(["oauth2", "client_credentials", "service_account", "credentials"]);

/**
 * Declare a connector. Returns the definition unchanged (typed), after
 * checking its shape so a mistake fails when the provider package loads, with
 * a `TypeError` that names the field.
 *
 * @example
 * ```ts
 * export function acmeCrm(options: { clientId: string; clientSecret: string }) {
 *   return defineConnector({
 *     id: "acme-crm",
 *     name: "Acme CRM",
 *     category: "crm",
 *     auth: oauth2({ ...ACME_OAUTH, clientId: options.clientId, clientSecret: options.clientSecret, scopes: ["contacts.read"] }),
 *     http: { baseUrl: "https://api.acme.test/v1", rateLimits: [{ requests: 10, intervalMs: 1000 }] },
 *     config: z.object({ pipeline: z.string().default("default") }),
 *     test: async ({ http }) => { await http.get("/me") },
 *   });
 * }
 * ```
 */
export function defineConnector<TConfig extends z.ZodType = z.ZodType>(
  definition: ConnectorDefinition<TConfig>,
): ConnectorDefinition<TConfig> {
  const d = definition as ConnectorDefinition<TConfig> | undefined;
  if (d === null || typeof d !== "object")
    throw new TypeError("defineConnector() needs a definition object");
  const where = typeof d.id === "string" ? `connector "${d.id}"` : "connector";
  if (typeof d.id !== "string" || !CONNECTOR_ID_PATTERN.test(d.id)) {
    throw new TypeError(
      `${where}: "id" must be lowercase kebab-case (e.g. "google-sheets"), got ${JSON.stringify(d.id)}`,
    );
  }
  if (typeof d.name !== "string" || d.name.trim() === "")
    throw new TypeError(`${where}: "name" must be a non-empty string`);
  if (!CATEGORIES.has(d.category)) {
    throw new TypeError(
      `${where}: "category" must be one of ${[...CATEGORIES].join(", ")}; got ${JSON.stringify(d.category)}`,
    );
  }
  if (d.logo !== undefined && !/^(https:|data:image\/)/.test(d.logo)) {
    throw new TypeError(`${where}: "logo" must be an https: URL or a data:image/ URI`);
  }
  if (d.auth === null || typeof d.auth !== "object" || !AUTH_KINDS.has(d.auth.kind)) {
    throw new TypeError(
      `${where}: "auth" must be built with oauth2(), clientCredentials(), serviceAccount(), apiKey(), basicAuth() or customCredentials()`,
    );
  }
  if (d.config !== undefined) {
    if (!(d.config instanceof z.ZodType))
      throw new TypeError(`${where}: "config" must be a zod schema`);
    try {
      z.toJSONSchema(d.config, { unrepresentable: "throw", io: "input" });
    } catch (error) {
      throw new TypeError(
        `${where}: "config" must be representable as JSON Schema for forms: ${(error as Error).message}`,
      );
    }
  }
  if (
    d.http !== undefined &&
    typeof d.http.baseUrl !== "string" &&
    typeof d.http.baseUrl !== "function"
  ) {
    throw new TypeError(
      `${where}: "http.baseUrl" must be a URL string or a function of the connection`,
    );
  }
  if (d.test !== undefined && typeof d.test !== "function")
    throw new TypeError(`${where}: "test" must be a function`);
  for (const [name, model] of Object.entries(d.models ?? {})) {
    const at = `${where} model "${name}"`;
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(name))
      throw new TypeError(`${at}: model names must be identifiers (letters, digits, _)`);
    if (!(model?.schema instanceof z.ZodType))
      throw new TypeError(`${at}: "schema" must be a zod schema`);
    if (typeof model.key !== "string" && typeof model.key !== "function") {
      throw new TypeError(
        `${at}: "key" must be a field name or a function returning the external id`,
      );
    }
    if (typeof model.sync !== "function")
      throw new TypeError(`${at}: "sync" must be an async generator function`);
    if (model.write !== undefined && typeof model.write !== "function")
      throw new TypeError(`${at}: "write" must be a function`);
    if (
      model.fullEvery !== undefined &&
      (!Number.isInteger(model.fullEvery) || model.fullEvery < 1)
    ) {
      throw new TypeError(`${at}: "fullEvery" must be a positive integer`);
    }
    if (model.deleteMissing !== undefined && typeof model.deleteMissing !== "boolean") {
      throw new TypeError(`${at}: "deleteMissing" must be true or false`);
    }
  }
  for (const [name, action] of Object.entries(d.actions ?? {})) {
    const at = `${where} action "${name}"`;
    if (!(action?.input instanceof z.ZodType))
      throw new TypeError(`${at}: "input" must be a zod schema`);
    if (typeof action.run !== "function") throw new TypeError(`${at}: "run" must be a function`);
  }
  if (d.destination !== undefined) {
    if (d.destination === null || typeof d.destination.writeFile !== "function")
      throw new TypeError(`${where}: "destination.writeFile" must be a function`);
    const max = d.destination.maxBytes;
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 1))
      throw new TypeError(`${where}: "destination.maxBytes" must be a positive integer`);
  }
  return definition;
}

/**
 * Declare a model with its record type inferred from `schema`, so `sync`,
 * `read`, `write`, `key` and `updatedAt` see typed records. Checked by
 * `defineConnector` with the rest of the connector.
 *
 * @example
 * ```ts
 * models: {
 *   contacts: defineModel({
 *     schema: z.object({ id: z.string(), email: z.string(), updated_at: z.string() }),
 *     key: "id",
 *     updatedAt: (c) => c.updated_at,
 *     async *sync(ctx) {
 *       for await (const page of paginateCursor(ctx.http, { path: "/contacts" }, { items: (d) => d.data, next: (d) => d.next, param: "cursor" })) {
 *         yield { records: page };
 *       }
 *     },
 *   }),
 * }
 * ```
 */
export function defineModel<S extends z.ZodType, TConfig = Record<string, unknown>>(
  model: ModelDefinition<S, TConfig>,
): ModelDefinition<S, TConfig> {
  return model;
}

/**
 * Declare an action with its input type inferred from `input`.
 *
 * @example
 * ```ts
 * actions: {
 *   createSpreadsheet: defineAction({
 *     input: z.object({ title: z.string() }),
 *     async run(ctx, { title }) { return (await ctx.http.post("/", { json: { properties: { title } } })).data; },
 *   }),
 * }
 * ```
 */
export function defineAction<I extends z.ZodType, O, TConfig = Record<string, unknown>>(
  action: ActionDefinition<I, O, TConfig>,
): ActionDefinition<I, O, TConfig> {
  return action;
}

/** Thrown-error helper for hosts: an unknown connector id. */
export function unknownConnector(id: string, known: string[]): ConfigError {
  const list = known.length === 0 ? "none are registered" : `registered: ${known.join(", ")}`;
  return new ConfigError(
    `Unknown connector "${id}" (${list}). Pass it to createPatchbay({ connectors: [...] }).`,
  );
}
