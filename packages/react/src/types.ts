import type {
  Connection,
  ConnectionHealth,
  ConnectionTestResult,
  ConnectorInfo,
  ErrorCode,
  LimitName,
  SyncOutcome,
  SyncRun,
} from "@patchbay/core";

/**
 * A value as it arrives over HTTP: every `Date` becomes its ISO-8601 string,
 * everything else keeps its JSON shape.
 *
 * @example
 * ```ts
 * import type { SyncRun } from "@patchbay/core";
 * type RunOnTheWire = Serialized<SyncRun>; // startedAt: string, finishedAt: string | null
 * ```
 */
export type Serialized<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Serialized<U>[]
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;

/**
 * A connector of the catalogue (`GET /connectors`): name, category, logo,
 * auth kind, and the config and credential forms as JSON Schema.
 *
 * @example
 * ```ts
 * const connectors: CatalogueConnector[] = await client.catalogue();
 * connectors.filter((c) => c.category === "spreadsheets");
 * ```
 */
export type CatalogueConnector = ConnectorInfo;

/**
 * A connection as the routes return it (no secrets), dates as ISO strings.
 *
 * @example
 * ```ts
 * const connection: PublicConnection = await client.configure(id, { spreadsheetId: "1AbC…" });
 * connection.config.spreadsheetId;
 * ```
 */
export type PublicConnection = Serialized<Connection>;

/**
 * A connection's health (`lastSuccessAt`, `lastError`, per-model sync state), dates as ISO strings.
 *
 * @example
 * ```ts
 * const { health } = await client.connection(id);
 * health.lastSuccessAt; // "2026-05-01T10:00:00.000Z" or null
 * ```
 */
export type WireConnectionHealth = Serialized<ConnectionHealth>;

/**
 * A connection with its health, as `GET /connections` and `GET /connections/:id` return it.
 *
 * @example
 * ```ts
 * const connections: ConnectionWithHealth[] = await client.connections();
 * connections.filter((c) => c.health.status === "needs_reauth");
 * ```
 */
export type ConnectionWithHealth = PublicConnection & { health: WireConnectionHealth };

/**
 * One sync run of the history (`GET /connections/:id/runs`), dates as ISO strings.
 *
 * @example
 * ```ts
 * const runs: WireSyncRun[] = await client.runs(id, { limit: 20 });
 * runs[0]?.status; // "succeeded"
 * ```
 */
export type WireSyncRun = Serialized<SyncRun>;

/**
 * The outcome of one model's sync, as `POST /connections/:id/sync` returns it.
 *
 * @example
 * ```ts
 * const outcomes: WireSyncOutcome[] = await client.syncNow(id);
 * outcomes.every((o) => o.status === "succeeded");
 * ```
 */
export type WireSyncOutcome = Serialized<SyncOutcome>;

/**
 * The outcome of `POST /connections/:id/test`.
 *
 * @example
 * ```ts
 * const result: TestResult = await client.test(id);
 * if (!result.ok) console.warn(result.message);
 * ```
 */
export type TestResult = ConnectionTestResult;

/**
 * The error body every route answers with when it fails:
 * `{ error: { code, message, limit? } }`.
 *
 * @example
 * ```ts
 * const body: ApiErrorBody = await response.json();
 * body.error.message; // "Your plan allows 1 connection. Disconnect one or upgrade to add more."
 * ```
 */
export interface ApiErrorBody {
  error: {
    /** A Patchbay {@link ErrorCode} or a route code such as `unauthenticated`, `not_found`. */
    code: ErrorCode | string;
    /** Safe to show to the user; plan-limit messages are written for end users. */
    message: string;
    /** Which plan limit was hit, for `PATCHBAY_LIMIT_EXCEEDED`. */
    limit?: LimitName;
    name?: string;
    status?: number;
    providerCode?: string;
    retryable?: boolean;
    retryAfterMs?: number;
  };
}

/**
 * Host field ↔ provider field choices for the mapping editor, per model of
 * one connector: the host's own field names (`host`) and, when you know
 * them, the provider's (`provider`). The routes do not list provider fields;
 * when a saved mapping names an unknown one, the server's error lists the
 * available fields and the editor offers them from then on.
 *
 * @example
 * ```ts
 * const sheetsFields: MappingFields = { rows: { host: ["artist", "station", "status"] } };
 * ```
 */
export type MappingFields = Record<string, { host?: string[]; provider?: string[] }>;
