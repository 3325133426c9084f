import type { z } from "zod";
import type {
  FetchLike,
  HttpClient,
  HttpRequest,
  ProviderErrorParser,
  RateLimitSpec,
  RetryPolicy,
} from "../http/types.js";
import type { Logger } from "../logger.js";
import type { Connection, Json } from "../store/types.js";

/** Where a connector appears in a catalogue. */
export type ConnectorCategory =
  | "spreadsheets"
  | "email"
  | "crm"
  | "marketing"
  | "accounting"
  | "field-service"
  | "storage"
  | "analytics"
  | "ads"
  | "messaging"
  | "calendar"
  | "ecommerce"
  | "productivity"
  | "other";

/** How the token endpoint authenticates the client (RFC 6749 §2.3). */
export type TokenEndpointAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

/** Tokens from a token endpoint, normalised. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds, or `null` when the token does not expire. */
  expiresAt: number | null;
  scope?: string;
  tokenType: string;
  /** Extra fields of the token response that are not secrets (e.g. `realmId`, `instance_url`). */
  extra: Record<string, Json>;
}

/** What a post-connect metadata hook receives. */
export interface MetadataContext {
  /** An HTTP client already authenticated as the new connection. Absolute URLs allowed. */
  http: HttpClient;
  /** Non-secret fields of the token response (`instance_url`, ...). */
  tokenExtra: Record<string, Json>;
  /** Values captured from the callback URL, per `callbackParams`. */
  callbackParams: Record<string, string>;
  /** Fields the user entered (credential-form auth kinds), already validated. */
  fields: Record<string, unknown>;
}

/** Learns facts about the account right after connecting (data center, account id). */
export type MetadataHook = (ctx: MetadataContext) => Promise<Record<string, Json>>;

/**
 * OAuth 2.0 authorization code grant with PKCE S256 and one-time state.
 * Provider quirks are declared here as data.
 */
export interface OAuth2AuthSpec {
  kind: "oauth2";
  authorizationUrl: string;
  tokenUrl: string;
  /** RFC 7009 revocation endpoint; used on disconnect when present. */
  revocationUrl?: string;
  /** The host's OAuth app client id. */
  clientId: string;
  /** The host's OAuth app client secret (omit for public clients). */
  clientSecret?: string;
  /** Scopes requested by default; hosts may ask for fewer or more at `connect.start`. */
  scopes: string[];
  /** How scopes are joined in the authorize URL. Default `" "`; some providers use `","`. */
  scopeSeparator?: string;
  /** Send PKCE S256. Default `true`. */
  pkce?: boolean;
  /** Extra authorize parameters, e.g. `{ access_type: "offline", prompt: "consent" }`. */
  authorizeParams?: Record<string, string>;
  /** Extra token-endpoint parameters on the code exchange. */
  tokenParams?: Record<string, string>;
  /** Default `client_secret_basic` when there is a secret, `none` otherwise. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** The provider issues a new refresh token on each refresh (QuickBooks, Xero). Documentation and checks only: a returned refresh token is always persisted. */
  refreshTokenRotation?: boolean;
  /** `expires_in: 0` means the token never expires (Mailchimp). Default `false`. */
  zeroExpiresInMeansNever?: boolean;
  /** Statuses meaning "token expired" on API calls. Default `[401]`. */
  expiredStatuses?: number[];
  /** Callback URL parameters to keep as metadata (QuickBooks `realmId`). */
  callbackParams?: string[];
  /** Non-secret token-response fields to keep as metadata (Salesforce `instance_url`). */
  tokenResponseMetadata?: string[];
  /** Post-connect metadata call (Mailchimp data center). */
  metadata?: MetadataHook;
  /**
   * Replace the tokens of the code exchange before anything is stored: Meta
   * trades its short-lived user token for a long-lived one. A throw fails
   * the connection (nothing is stored) with the error's message.
   */
  afterCodeExchange?: (
    tokens: TokenSet,
    context: { fetch: FetchLike; now: () => number },
  ) => Promise<TokenSet>;
  /**
   * Exchange the callback's code yourself, for a provider whose flow is
   * OAuth-shaped but not RFC 6749 on the wire (TikTok: the callback carries
   * `auth_code`, the token request is a JSON body `{ app_id, secret,
   * auth_code }`, and the token comes wrapped in `{ code, message, data }`).
   * Replaces the standard exchange; state, expiry and the one-time session
   * are still checked by core first, and `afterCodeExchange` still runs
   * after it. Throw (a `ConnectError` names the cause best) to refuse: nothing
   * is stored.
   */
  exchangeCode?: (
    input: {
      /** Every parameter of the callback URL (`state` already checked). */
      callback: URLSearchParams;
      redirectUri: string;
      /** The PKCE verifier, or `null` when `pkce` is `false`. */
      codeVerifier: string | null;
    },
    context: { fetch: FetchLike; now: () => number },
  ) => Promise<TokenSet>;
  /**
   * Put the access token on a request. Default `Authorization: Bearer
   * <token>`; TikTok's Marketing API wants an `Access-Token` header.
   */
  applyToken?: (token: string, request: { headers: Headers; url: URL }) => void;
  /**
   * Trade the connection's token for the one API calls use (HighLevel: an
   * agency token asks `POST /oauth/locationToken` for the chosen
   * sub-account's token). Resolve `null` to use the connection's own token.
   * The derived token is kept in this process until it expires, the
   * connection's token or config changes, or the provider rejects it (then
   * it is derived again). Throw an `AuthError` with code
   * `PATCHBAY_AUTH_UNAUTHORIZED` when the provider rejects the connection's
   * own token: core refreshes that token once and derives again.
   */
  deriveToken?: (
    token: string,
    context: {
      connection: Pick<Connection, "id" | "config" | "metadata">;
      fetch: FetchLike;
      now: () => number;
    },
  ) => Promise<DerivedToken | null>;
  /**
   * Which requests carry the derived token (default: all of them). The
   * others carry the connection's own token: HighLevel's agency-level
   * endpoints (`/oauth/installedLocations`) want the agency token itself.
   */
  deriveTokenFor?: (request: { url: URL }) => boolean;
}

/** What {@link OAuth2AuthSpec.deriveToken} resolves: a token for API calls and when it expires. */
export interface DerivedToken {
  accessToken: string;
  /** Epoch milliseconds, or `null` when the provider gives no expiry. */
  expiresAt: number | null;
}

/** OAuth 2.0 client credentials grant (machine-to-machine). */
export interface ClientCredentialsAuthSpec<F extends z.ZodType = z.ZodType> {
  kind: "client_credentials";
  /** Token URL, or a function of the entered fields (per-environment hosts). */
  tokenUrl: string | ((fields: z.infer<F>) => string);
  /**
   * The form the user fills in. Must yield `clientId` and `clientSecret`
   * unless the host's app credentials below are used.
   */
  fields: F;
  /** Host-level app credentials, when the provider issues them to the host rather than the user. */
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
  scopeSeparator?: string;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  tokenParams?: Record<string, string>;
  expiredStatuses?: number[];
  /** Extra per-request credentials from the fields (ServiceTitan `ST-App-Key`). */
  apply?: (fields: z.infer<F>, request: { headers: Headers; url: URL }) => void;
  metadata?: MetadataHook;
}

/** Google-style service account: a signed JWT exchanged for an access token (RFC 7523). */
export interface ServiceAccountAuthSpec<F extends z.ZodType = z.ZodType> {
  kind: "service_account";
  /** Defaults to the key file's `token_uri`. */
  tokenUrl?: string;
  scopes: string[];
  /** The form: must yield `clientEmail`, `privateKey` (PKCS#8 PEM) and optionally `subject`, `tokenUri`. */
  fields: F;
  expiredStatuses?: number[];
  metadata?: MetadataHook;
}

/** API key, basic auth or any custom credential form, applied to each request. */
export interface CredentialsAuthSpec<F extends z.ZodType = z.ZodType> {
  kind: "credentials";
  /** What the form is, for UIs and docs. */
  style: "api_key" | "basic" | "custom";
  /** The form the user fills in, validated with zod. */
  fields: F;
  /** Put the credentials on a request. */
  apply: (fields: z.infer<F>, request: { headers: Headers; url: URL }) => void;
  metadata?: MetadataHook;
}

/** Every auth kind. Build them with `oauth2()`, `clientCredentials()`, `serviceAccount()`, `apiKey()`, `basicAuth()`, `customCredentials()`. */
export type AuthSpec =
  | OAuth2AuthSpec
  | ClientCredentialsAuthSpec
  | ServiceAccountAuthSpec
  | CredentialsAuthSpec;

/** How a connector talks HTTP. */
export interface HttpSpec {
  /** The API base URL, or a function of the connection (Mailchimp's data center). */
  baseUrl:
    | string
    | ((connection: { config: Record<string, Json>; metadata: Record<string, Json> }) => string);
  headers?: Record<string, string>;
  rateLimits?: RateLimitSpec[];
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Map the provider's error bodies to messages, codes and kinds. */
  parseError?: ProviderErrorParser;
  /**
   * At most this many requests in flight at once (Mailchimp: 10 per account),
   * per connection (default) or for the whole provider in this process.
   */
  maxConcurrent?: { limit: number; scope?: "connection" | "provider" };
}

/** What connector functions receive. */
export interface ConnectorContext<TConfig = Record<string, unknown>> {
  /** The connection (no secrets). */
  connection: Connection;
  /** The connection's validated config. */
  config: TConfig;
  metadata: Record<string, Json>;
  /** Authenticated client with the connector's base URL, rate limits and retries. */
  http: HttpClient;
  logger: Logger;
  signal?: AbortSignal;
}

/** One page a model's `sync` yields. */
export interface SyncPage<T> {
  /**
   * Records as the provider sent them. The engine validates each one with
   * the model's schema (failures are counted, not thrown), so raw API data
   * can be yielded as is.
   */
  records: ReadonlyArray<T> | ReadonlyArray<unknown>;
  /** External ids the provider reports deleted (tombstones). */
  deleted?: string[];
  /** Where to resume if the run stops after this page commits. */
  checkpoint?: Json;
  /** On the last page of a run: the incremental cursor to keep for the next run. */
  cursor?: Json;
}

/** What a model's `sync` receives. */
export interface SyncContext<TConfig = Record<string, unknown>> extends ConnectorContext<TConfig> {
  mode: "full" | "incremental";
  /** The committed incremental cursor, or `null` on the first run. */
  cursor: Json | null;
  /** The checkpoint of an interrupted run being resumed, or `null`. */
  checkpoint: Json | null;
  lastSyncedAt: Date | null;
}

/** A host change to apply at the provider. */
export type WriteChange<T> =
  | { op: "create"; internalId: string; data: T }
  | { op: "update"; internalId: string; externalId: string; data: T }
  | { op: "delete"; internalId: string; externalId: string };

/** The provider's answer to one change. */
export type WriteOutcome<T> =
  | { ok: true; externalId: string; data?: T }
  | { ok: false; error: string; retryable?: boolean };

/** The external id of a record: a field name, or a function of the record. */
export type RecordKey<T> = string | { key(record: T): string | number }["key"];

/**
 * Something a connector can sync. Build it with `defineModel()` so the record
 * type is inferred from `schema` in `sync`, `read` and `write`.
 *
 * Functions use method syntax on purpose: a model typed for its own records
 * still fits a connector's `models` map.
 */
export interface ModelDefinition<
  S extends z.ZodType = z.ZodType,
  TConfig = Record<string, unknown>,
> {
  description?: string;
  /** The record schema, with the provider's field names. */
  schema: S;
  /** The external id: a field name, or a function of the record. */
  key: RecordKey<z.infer<S>>;
  /** Fields excluded from the change hash (fetch timestamps, view counters). */
  volatile?: string[];
  /** The provider's modified time of a record, for the "newest wins" conflict policy. */
  updatedAt?(record: z.infer<S>): Date | string | number | undefined;
  /** Which modes the model supports. Default `["full"]`. */
  modes?: Array<"full" | "incremental">;
  /** Run a full sync every N incremental runs to catch hard deletes. */
  fullEvery?: number;
  /**
   * Whether a complete full run marks the records it did not see deleted.
   * Default `true`. `false` for a model whose listing is not the whole set
   * but a window of history (today's rank checks, recent events): absence
   * from it proves nothing, and only tombstones delete.
   */
  deleteMissing?: boolean;
  /** Yield pages of records. */
  sync(ctx: SyncContext<TConfig>): AsyncIterable<SyncPage<z.infer<S>>>;
  /**
   * Fetch the current provider version of some records, by external id
   * (missing ones omitted). Lets write-back detect conflicts: a record whose
   * provider version changed since the last sync was changed on both sides.
   */
  read?(ctx: ConnectorContext<TConfig>, externalIds: string[]): Promise<z.infer<S>[]>;
  /**
   * The provider fields a mapping may name, when they are dynamic (a
   * sheet's header row). Default: the keys of `schema` when it is an object.
   */
  fields?(ctx: ConnectorContext<TConfig>): Promise<string[]>;
  /** Default field mapping, host field → provider field. */
  defaultMapping?: Record<string, string>;
  /** Abort the run when more records than this fail validation. Default: never abort. */
  maxFailures?: number;
  /** Records per write call the provider accepts (Airtable: 10). Default 50. */
  writeBatchSize?: number;
  /**
   * Apply host changes at the provider, one outcome per change, in order.
   * `data` is in provider field names; updates carry the whole record (the
   * last synced version with the host's changes applied).
   */
  write?(
    ctx: ConnectorContext<TConfig>,
    changes: WriteChange<z.infer<S>>[],
  ): Promise<WriteOutcome<z.infer<S>>[]>;
}

/** A one-off operation (send an email, create a file). */
export interface ActionDefinition<
  I extends z.ZodType = z.ZodType,
  O = unknown,
  TConfig = Record<string, unknown>,
> {
  description?: string;
  input: I;
  run(ctx: ConnectorContext<TConfig>, input: z.infer<I>): Promise<O>;
}

/**
 * A file for a destination to write: what `destination.writeFile` receives.
 *
 * @example
 * ```ts
 * const file: DestinationFile = {
 *   folderId: "1AbC...", name: "Promo report.xlsx", body,
 *   mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
 *   replace: true, previousFileId: "1XyZ...",
 * };
 * ```
 */
export interface DestinationFile {
  /** The folder; `null`: the connection's configured folder, else its root. */
  folderId: string | null;
  /** The file name, with its extension. */
  name: string;
  mimeType: string;
  /** The file's bytes. */
  body: Uint8Array;
  /**
   * `true`: replace the previous file in place, keeping its id and link (the
   * file `previousFileId` names; when it is `null` or gone, the newest file
   * with this name in the folder; when there is none, create one).
   * `false`: always add a new file.
   */
  replace: boolean;
  /** The file the last successful write returned, when known. */
  previousFileId: string | null;
}

/**
 * What a destination wrote.
 *
 * @example
 * ```ts
 * const written: DestinationWriteResult = { fileId: "1XyZ...", url: "https://drive.google.com/file/d/1XyZ.../view", replaced: true };
 * ```
 */
export interface DestinationWriteResult {
  fileId: string;
  /** A link the user can open, when the provider has one. */
  url: string | null;
  /** Whether an existing file was replaced (else a new one was created). */
  replaced: boolean;
}

/**
 * The connector can receive files (scheduled exports): a storage provider
 * such as Google Drive. Core renders the file; the connector only writes it.
 * Errors follow the usual family (a 5xx `ProviderError` is retried on the
 * export's backoff; an `AuthError` needs the user to reconnect).
 *
 * @example
 * ```ts
 * destination: {
 *   async writeFile(ctx, file) {
 *     const { data } = await ctx.http.post("/files", { query: { folder: file.folderId }, body: file.body });
 *     return { fileId: data.id, url: data.link, replaced: false };
 *   },
 * },
 * ```
 */
export interface DestinationCapability<TConfig = Record<string, unknown>> {
  /** Write (or replace) one file. */
  writeFile(ctx: ConnectorContext<TConfig>, file: DestinationFile): Promise<DestinationWriteResult>;
  /** The largest file it accepts, in bytes (checked before calling `writeFile`). */
  maxBytes?: number;
}

/** One webhook delivery, as core hands it to the connector's functions. */
export interface WebhookDelivery {
  headers: Headers;
  url: URL;
  method: string;
  /** The body exactly as received: signatures are computed over these bytes. */
  rawBody: Uint8Array;
  /** The body as UTF-8 text. */
  text: string;
  /**
   * The body parsed: JSON for a JSON content type (or, with another or no
   * type, a body that looks like JSON and parses); for
   * `application/x-www-form-urlencoded`, a plain object of strings where a
   * repeated key becomes an array and keys stay flat as sent (Mailchimp's
   * `data[merges][EMAIL]` is the one key `"data[merges][EMAIL]"`);
   * `undefined` otherwise.
   */
  payload: unknown;
}

/** Secrets a webhook signature can be checked with. */
export interface WebhookSecrets {
  /**
   * The connection's own signing secret (e.g. Airtable's per-webhook MAC
   * secret), kept sealed in its credentials as `webhookSecret`. Absent for
   * app-level secrets, which the connector holds from its options.
   */
  connection?: string;
}

/** What a delivery should cause for one connection. */
export type WebhookAction =
  /** Run an incremental sync of the model soon (deduplicated: one pending run per connection and model). */
  | { kind: "sync"; model: string }
  /** Apply records carried by the payload directly, as a sync page would. */
  | { kind: "apply"; model: string; records?: unknown[]; deleted?: string[] }
  /**
   * The user removed the app at the provider (Jobber `APP_DISCONNECT`, an
   * uninstall): the grant is gone, so the connection is marked
   * `disconnected` with `reason`, its credentials destroyed and its
   * scheduled work dropped, without calling the provider (no teardown, no
   * revocation: there is nothing left to remove). Synced data is kept.
   */
  | { kind: "disconnected"; reason: string };

/**
 * Declared webhook handling. Core reads the raw body, answers handshakes,
 * checks the signature (the connector's `verify`, which must compare with
 * `timingSafeEqual`), enforces the replay window, routes to connections and
 * dispatches the actions. Forged, replayed or unroutable deliveries apply nothing.
 */
export interface WebhookSpec {
  /**
   * Whose secret signs deliveries: the host's app (`"app"`, verified before
   * routing) or each connection (`"connection"`, verified after routing with
   * that connection's secret).
   */
  secret: "app" | "connection";
  /**
   * Answer verification handshakes (Meta's `hub.challenge`, Mailchimp's
   * validation GET). Called for every method, before `verify`; return a
   * Response to short-circuit (sent as is), `undefined` to go on. Only POST
   * goes on: other methods get 405. The request's body is already read: use
   * `delivery.rawBody` / `delivery.text`.
   */
  handshake?: (
    request: Request,
    delivery: WebhookDelivery,
  ) => Response | undefined | Promise<Response | undefined>;
  /** Check the signature. Return `true` only for a genuine delivery. */
  verify: (delivery: WebhookDelivery, secrets: WebhookSecrets) => boolean | Promise<boolean>;
  /**
   * The signed timestamp (epoch seconds) and the window it must fall in
   * (± `toleranceSeconds` of now), where the provider signs one. Checked
   * after `verify`; a missing timestamp fails the check.
   */
  replay?: {
    timestamp: (delivery: WebhookDelivery) => number | undefined;
    toleranceSeconds: number;
  };
  /**
   * A unique delivery id, so a delivery seen twice is applied once
   * (remembered 24 hours, after `verify`). Ids are deduplicated per
   * connector across all accounts: prefix one that is only unique per
   * account. `undefined` skips deduplication for that delivery.
   */
  deliveryId?: (delivery: WebhookDelivery) => string | undefined;
  /**
   * Metadata values naming the connection(s) the delivery is for
   * (`{ baseId: "app123" }`): every key must equal the connection's metadata
   * string exactly. `undefined` (or `{}`, which would match everyone) when
   * unroutable.
   */
  route: (delivery: WebhookDelivery) => Record<string, string> | undefined;
  /** What to do for each matched, verified connection (not called for `needs_reauth` ones). */
  actions: (
    delivery: WebhookDelivery,
    connection: Connection,
  ) => WebhookAction[] | Promise<WebhookAction[]>;
}

/** What a lifecycle hook may hand back to core. */
export interface LifecycleResult {
  /** Merged into the connection's metadata (webhook id, watch expiry, ...). */
  metadata?: Record<string, Json>;
  /** Stored sealed with the credentials; given to `webhooks.verify` as `secrets.connection`. */
  webhookSecret?: string;
}

/** What lifecycle hooks receive. */
export interface LifecycleContext<TConfig = Record<string, unknown>>
  extends ConnectorContext<TConfig> {
  /**
   * The host's public URL for this connector's webhooks
   * (`createPatchbay({ webhookBaseUrl })` + `/<connector id>`), or
   * `undefined` when the host set none (then create no webhooks).
   */
  webhookUrl: string | undefined;
}

/**
 * Provider-side resources a connection owns: webhooks, push channels,
 * watches. Core calls these; failures are logged and recorded, and never
 * lose the connection.
 */
export interface ConnectorLifecycle<TConfig = Record<string, unknown>> {
  /**
   * After the connection is created and after every configure or field
   * mapping change. Must be idempotent: create what is missing, update what
   * changed (e.g. the Airtable webhook for the chosen base).
   */
  setup?(ctx: LifecycleContext<TConfig>): Promise<LifecycleResult | undefined> | Promise<void>;
  /** On disconnect, before the grant is revoked: remove what `setup` created. */
  teardown?(ctx: LifecycleContext<TConfig>): Promise<void>;
  /** Periodic upkeep: refresh webhooks before they expire, renew watches. */
  maintenance?: {
    /** How often, in minutes. */
    everyMinutes: number;
    run(ctx: LifecycleContext<TConfig>): Promise<LifecycleResult | undefined> | Promise<void>;
  };
}

/** A connector: data plus small functions. Build it with {@link defineConnector}. */
export interface ConnectorDefinition<TConfig extends z.ZodType = z.ZodType> {
  /** Unique kebab-case id, equal to the package folder name (`google-sheets`). */
  id: string;
  /** Display name (`Google Sheets`). */
  name: string;
  category: ConnectorCategory;
  /** Logo: an `https:` URL or a `data:` URI. */
  logo?: string;
  description?: string;
  /** The provider's API reference. */
  docsUrl?: string;
  auth: AuthSpec;
  /** Settings the host collects per connection; exported as JSON Schema for forms. */
  config?: TConfig;
  http?: HttpSpec;
  /** Test the connection; throw (or return `{ ok: false }`) when it does not work. */
  test?: (
    ctx: ConnectorContext<z.infer<TConfig>>,
  ) => Promise<undefined | { ok: boolean; message?: string }> | Promise<void>;
  models?: Record<string, ModelDefinition<z.ZodType, z.infer<TConfig>>>;
  actions?: Record<string, ActionDefinition<z.ZodType, unknown, z.infer<TConfig>>>;
  webhooks?: WebhookSpec;
  /** The connector can receive files: scheduled exports write to it. */
  destination?: DestinationCapability<z.infer<TConfig>>;
  /** Provider-side resources (webhooks, watches) created, maintained and removed with the connection. */
  lifecycle?: ConnectorLifecycle<z.infer<TConfig>>;
}

/** Re-exported for declaration sites. */
export type { HttpRequest };
