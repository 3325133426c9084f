import {
  type ActionDefinition,
  type AuthSpec,
  apiKey,
  type ConnectorDefinition,
  defineConnector,
  defineModel,
  oauth2,
  paginateCursor,
} from "@patchbay/core";
import { z } from "zod";
import {
  AIRTABLE_API_BASE_URL,
  AIRTABLE_DOCS_URL,
  AIRTABLE_OAUTH,
  AIRTABLE_SCOPES,
  BASES_PATH,
  tablesPath,
  WHOAMI_PATH,
} from "./endpoints.js";
import { AIRTABLE_RATE_LIMIT_WAIT_MS, airtableErrorParser } from "./error-parser.js";
import { AIRTABLE_RATE_LIMIT } from "./rate-limit.js";
import { configuredTable, readRecords } from "./records.js";
import {
  AIRTABLE_ID,
  type AirtableBase,
  type AirtableConfig,
  AirtableConfigSchema,
  AirtableRecordDataSchema,
  type AirtableTable,
  BaseSchemaResponseSchema,
  ListBasesResponseSchema,
  WhoamiResponseSchema,
} from "./schemas.js";
import { syncRecords } from "./sync.js";
import { fetchTable, mappableFields, TableSchemaCache } from "./table-schema.js";
import { airtableLifecycle, airtableWebhooks } from "./webhooks.js";
import { AIRTABLE_WRITE_BATCH_SIZE, writeRecords } from "./write.js";

/**
 * Options of {@link airtable}: the host's OAuth integration (the default), or
 * `auth: "pat"` for users who paste a personal access token.
 *
 * @example
 * ```ts
 * const oauth: AirtableOptions = { clientId: process.env.AIRTABLE_CLIENT_ID!, clientSecret: process.env.AIRTABLE_CLIENT_SECRET };
 * const pat: AirtableOptions = { auth: "pat" };
 * ```
 * @see https://airtable.com/developers/web/api/authentication
 */
export type AirtableOptions = AirtableOAuthOptions | AirtablePatOptions;

/**
 * OAuth: the integration registered at airtable.com/create/oauth.
 *
 * @example
 * ```ts
 * airtable({ clientId: "…", clientSecret: "…" });
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export interface AirtableOAuthOptions extends AirtableCommonOptions {
  auth?: "oauth";
  /** The integration's client id. */
  clientId: string;
  /**
   * The integration's client secret, when you generated one (a confidential
   * client: sent with HTTP Basic at the token endpoint). Omit it for a public
   * client; PKCE protects the code exchange either way.
   */
  clientSecret?: string;
}

/**
 * Personal access tokens: each user pastes a token created at airtable.com/create/tokens.
 *
 * @example
 * ```ts
 * airtable({ auth: "pat" });
 * ```
 * @see https://airtable.com/developers/web/guides/personal-access-tokens
 */
export interface AirtablePatOptions extends AirtableCommonOptions {
  auth: "pat";
}

/**
 * Options both auth modes take.
 *
 * @example
 * ```ts
 * airtable({ clientId, fullEvery: 12 });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export interface AirtableCommonOptions {
  /**
   * Run a full sync every N incremental runs of `records`, which catches hard
   * deletes when the connection has no webhook. Default 24.
   */
  fullEvery?: number;
  /**
   * How long to wait after Airtable answers 429, in ms. Airtable asks for
   * 30 seconds (the default); lower it only against the fake (tests, sandbox).
   */
  rateLimitWaitMs?: number;
}

const PAT_FIELD = z
  .string()
  .trim()
  .regex(/^pat[A-Za-z0-9]+\.[A-Za-z0-9]+$/, "must be a personal access token (pat….…)")
  .describe("Personal access token");

function checkOptions(options: unknown): AirtableOptions {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      '"options" must be an object: airtable({ clientId }) or airtable({ auth: "pat" })',
    );
  }
  const o = options as Record<string, unknown>;
  if (o.auth !== undefined && o.auth !== "oauth" && o.auth !== "pat") {
    throw new TypeError(`"auth" must be "oauth" or "pat", got ${JSON.stringify(o.auth)}`);
  }
  if (o.auth === "pat" && (o.clientId !== undefined || o.clientSecret !== undefined)) {
    throw new TypeError(
      '"clientId" and "clientSecret" are for auth "oauth"; a personal access token needs neither',
    );
  }
  if (
    o.rateLimitWaitMs !== undefined &&
    (typeof o.rateLimitWaitMs !== "number" ||
      !Number.isFinite(o.rateLimitWaitMs) ||
      o.rateLimitWaitMs < 0)
  ) {
    throw new TypeError('"rateLimitWaitMs" must be a non-negative number of milliseconds');
  }
  if (
    o.fullEvery !== undefined &&
    (!Number.isInteger(o.fullEvery) || (o.fullEvery as number) < 1)
  ) {
    throw new TypeError('"fullEvery" must be a positive integer');
  }
  return options as AirtableOptions;
}

function authFor(options: AirtableOptions): AuthSpec {
  if (options.auth === "pat") {
    return apiKey({ header: "Authorization", prefix: "Bearer ", field: PAT_FIELD });
  }
  return oauth2({
    authorizationUrl: AIRTABLE_OAUTH.authorizationUrl,
    tokenUrl: AIRTABLE_OAUTH.tokenUrl,
    clientId: options.clientId,
    ...(options.clientSecret !== undefined && { clientSecret: options.clientSecret }),
    scopes: [...AIRTABLE_SCOPES],
    // Airtable requires PKCE (S256) from every client.
    pkce: true,
    tokenEndpointAuthMethod: options.clientSecret === undefined ? "none" : "client_secret_basic",
    // Airtable rotates the refresh token on every refresh; the old one stops working.
    refreshTokenRotation: true,
  });
}

const ListTablesInput = z.object({
  baseId: z
    .string()
    .regex(AIRTABLE_ID.base, "must be an Airtable base id such as appA1b2C3d4E5f6G7"),
});

const listTables: ActionDefinition<
  typeof ListTablesInput,
  { tables: AirtableTable[] },
  AirtableConfig
> = {
  description: "The tables of a base, with their fields and views, to pick one for the config.",
  input: ListTablesInput,
  async run(ctx, input) {
    const { data } = await ctx.http.get(tablesPath(input.baseId));
    return { tables: BaseSchemaResponseSchema.parse(data).tables };
  },
};

/**
 * The Airtable connector: pick a base and a table, map fields, and sync
 * records both ways, with a webhook per connection so changes arrive within
 * seconds and hard deletes are seen without a full run.
 *
 * - Auth: OAuth with PKCE (default), or `auth: "pat"` for personal access
 *   tokens. Register one or the other: both use the id `airtable`.
 * - Config: `baseId`, `tableId` (pick them with the `listBases` and
 *   `listTables` actions), optional `view` and `mergeOn`.
 * - Model `records`: full and incremental sync, `read` for conflicts,
 *   `fields` from the table schema, write-back in batches of 10 (upserts on
 *   `mergeOn`).
 * - 5 requests per second per base, shared by every connection to that base;
 *   after a 429, the base's requests wait 30 seconds.
 *
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { airtable } from "@patchbay/airtable";
 *
 * const patchbay = createPatchbay({
 *   connectors: [airtable({ clientId: process.env.AIRTABLE_CLIENT_ID!, clientSecret: process.env.AIRTABLE_CLIENT_SECRET })],
 *   store, vault,
 *   webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 * });
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export function airtable(
  options: AirtableOptions,
): ConnectorDefinition<typeof AirtableConfigSchema> {
  const checked = checkOptions(options);
  const schemas = new TableSchemaCache();
  const waitMs = checked.rateLimitWaitMs ?? AIRTABLE_RATE_LIMIT_WAIT_MS;
  const ownKey = (connectionId: string) => `airtable:connection:${connectionId}`;

  return defineConnector({
    id: "airtable",
    name: "Airtable",
    category: "productivity",
    description:
      "Sync an Airtable table both ways: records in, host changes out, with webhooks for changes made in Airtable.",
    docsUrl: AIRTABLE_DOCS_URL,
    auth: authFor(checked),
    config: AirtableConfigSchema,
    http: {
      baseUrl: AIRTABLE_API_BASE_URL,
      rateLimits: [AIRTABLE_RATE_LIMIT],
      parseError: airtableErrorParser(waitMs),
    },
    async test(ctx) {
      const { data } = await ctx.http.get(WHOAMI_PATH, { rateLimitKey: ownKey(ctx.connection.id) });
      WhoamiResponseSchema.parse(data);
      const parsed = AirtableConfigSchema.safeParse(ctx.config ?? {});
      if (parsed.success) await fetchTable(ctx.http, parsed.data.baseId, parsed.data.tableId);
      return undefined;
    },
    models: {
      records: defineModel({
        description:
          "The configured table's records: cell values by field name, plus Airtable's id and createdTime.",
        schema: AirtableRecordDataSchema,
        key: "id",
        modes: ["full", "incremental"],
        fullEvery: checked.fullEvery ?? 24,
        writeBatchSize: AIRTABLE_WRITE_BATCH_SIZE,
        sync: syncRecords,
        async read(ctx, ids) {
          return readRecords(ctx.http, configuredTable(ctx.config), ids, ctx.signal);
        },
        async fields(ctx) {
          const config = configuredTable(ctx.config);
          return mappableFields(
            await schemas.get(ctx.http, ctx.connection.id, config.baseId, config.tableId),
          );
        },
        write: (ctx, changes) => writeRecords(ctx, changes, schemas),
      }),
    },
    actions: {
      listBases: {
        description: "The bases this connection can access, to pick one for the config.",
        input: z.object({}),
        async run(ctx): Promise<{ bases: AirtableBase[] }> {
          const bases: AirtableBase[] = [];
          const pages = paginateCursor<AirtableBase, z.infer<typeof ListBasesResponseSchema>>(
            ctx.http,
            { path: BASES_PATH, rateLimitKey: ownKey(ctx.connection.id) },
            {
              items: (page) => ListBasesResponseSchema.parse(page).bases,
              next: (page) => page.offset,
              param: "offset",
            },
          );
          for await (const page of pages) bases.push(...page);
          return { bases };
        },
      },
      listTables,
    },
    webhooks: airtableWebhooks(),
    lifecycle: airtableLifecycle(),
  });
}
