import { z } from "zod";
import { defineConnector, unknownConnector } from "./define.js";
import type { AuthSpec, ConnectorCategory, ConnectorDefinition } from "./types.js";

/** JSON Schema, as produced by zod for forms. */
export type JsonSchema = Record<string, unknown>;

/** A connector as a catalogue shows it: JSON only, no functions, no secrets. */
export interface ConnectorInfo {
  id: string;
  name: string;
  category: ConnectorCategory;
  logo: string | null;
  description: string | null;
  docsUrl: string | null;
  auth: {
    kind: AuthSpec["kind"];
    /** For credential forms: `api_key`, `basic` or `custom`. */
    style: "api_key" | "basic" | "custom" | null;
    /** Default scopes requested (OAuth kinds). */
    scopes: string[];
    /** JSON Schema of the credential form the user fills in (non-OAuth kinds). */
    fields: JsonSchema | null;
  };
  /** JSON Schema of the connection settings form. */
  config: JsonSchema | null;
  models: Array<{
    name: string;
    description: string | null;
    writable: boolean;
    modes: Array<"full" | "incremental">;
  }>;
  actions: Array<{ name: string; description: string | null; input: JsonSchema }>;
  webhooks: boolean;
  /** Whether scheduled exports can write files to its connections. */
  destination: boolean;
}

function toJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as JsonSchema;
}

/**
 * The connectors a host registered, by id. Built by `createPatchbay` from
 * `connectors: [...]`; registration is explicit, never by import side effect.
 *
 * @example
 * ```ts
 * const registry = new ConnectorRegistry([googleSheets(opts), airtable(opts)]);
 * registry.get("airtable").name; // "Airtable"
 * registry.catalogue(); // JSON for a connect page, with config forms as JSON Schema
 * ```
 */
export class ConnectorRegistry {
  readonly #byId = new Map<string, ConnectorDefinition>();

  constructor(connectors: ReadonlyArray<ConnectorDefinition>) {
    if (!Array.isArray(connectors))
      throw new TypeError('"connectors" must be an array of connector definitions');
    for (const [index, connector] of connectors.entries()) {
      if (connector === undefined || connector === null) {
        throw new TypeError(
          `"connectors[${index}]" is ${connector}: pass a connector definition (e.g. googleSheets({...}))`,
        );
      }
      defineConnector(connector);
      if (this.#byId.has(connector.id))
        throw new TypeError(`"connectors" lists "${connector.id}" twice`);
      this.#byId.set(connector.id, connector);
    }
  }

  /** The connector with this id; throws `ConfigError` naming the registered ones. */
  get(id: string): ConnectorDefinition {
    const connector = this.#byId.get(id);
    if (connector === undefined) throw unknownConnector(id, [...this.#byId.keys()]);
    return connector;
  }

  /** Whether a connector with this id is registered. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** All registered connectors, in registration order. */
  list(): ConnectorDefinition[] {
    return [...this.#byId.values()];
  }

  /** The catalogue as JSON: what a "Connect an app" page renders. */
  catalogue(): ConnectorInfo[] {
    return this.list().map(describeConnector);
  }
}

/** Describe one connector as JSON (see {@link ConnectorInfo}). */
export function describeConnector(c: ConnectorDefinition): ConnectorInfo {
  const auth = c.auth;
  return {
    id: c.id,
    name: c.name,
    category: c.category,
    logo: c.logo ?? null,
    description: c.description ?? null,
    docsUrl: c.docsUrl ?? null,
    auth: {
      kind: auth.kind,
      style: auth.kind === "credentials" ? auth.style : null,
      scopes:
        auth.kind === "oauth2" || auth.kind === "service_account"
          ? [...auth.scopes]
          : auth.kind === "client_credentials"
            ? [...(auth.scopes ?? [])]
            : [],
      fields: auth.kind === "oauth2" ? null : toJsonSchema(auth.fields),
    },
    config: c.config === undefined ? null : toJsonSchema(c.config),
    models: Object.entries(c.models ?? {}).map(([name, m]) => ({
      name,
      description: m.description ?? null,
      writable: m.write !== undefined,
      modes: m.modes ?? ["full"],
    })),
    actions: Object.entries(c.actions ?? {}).map(([name, a]) => ({
      name,
      description: a.description ?? null,
      input: toJsonSchema(a.input),
    })),
    webhooks: c.webhooks !== undefined,
    destination: c.destination !== undefined,
  };
}
