import * as oauth from "oauth4webapi";
import { credentialsFromTokens, type StoredCredentials } from "./auth/credentials.js";
import {
  buildAuthorizationUrl,
  clientCredentialsToken,
  endpointOf,
  exchangeCode,
  revokeToken,
  serviceAccountToken,
  validateCallback,
} from "./auth/oauth.js";
import type { ServiceAccountFields } from "./auth/specs.js";
import {
  type ConnectionClientDeps,
  connectionHttpClient,
  staticAuthenticator,
} from "./connection-client.js";
import type { ConnectorRegistry } from "./connector/registry.js";
import type { ConnectorDefinition, OAuth2AuthSpec } from "./connector/types.js";
import { ConfigError, ConnectError, ErrorCode, PatchbayError } from "./errors.js";
import type { PatchbayEvents } from "./events.js";
import type { FetchLike } from "./http/types.js";
import type { Logger } from "./logger.js";
import { redactString, registerSecret } from "./redact.js";
import { publicConnection } from "./store/connection.js";
import { newId } from "./store/defaults.js";
import type { Connection, Json, Store } from "./store/types.js";
import { parseWith } from "./validation.js";
import type { Vault } from "./vault.js";

/** Input of `connect.start`. */
export interface ConnectStartInput {
  /** The host's tenant that will own the connection. */
  tenantId: string;
  /** Connector id, e.g. `google-sheets`. */
  connector: string;
  /** Your callback URL, registered with the provider's OAuth app. */
  redirectUri: string;
  /** Scopes to request instead of the connector's defaults. */
  scopes?: string[];
  /** Host data carried through the round trip and returned by `finish` (e.g. where to send the user back). */
  data?: Record<string, Json>;
  /** Initial connection settings, validated by the connector's config schema. */
  config?: Record<string, unknown>;
  /** Who is connecting, for the audit trail (a user id). */
  actor?: string;
}

/** What `connect.start` returns: send the user's browser to `url`. */
export interface ConnectStartResult {
  url: string;
  state: string;
  expiresAt: Date;
}

/** Input of `connect.withCredentials` (API key, basic, custom, client credentials, service account). */
export interface ConnectCredentialsInput {
  tenantId: string;
  connector: string;
  /** What the user entered, validated by the connector's credential form schema. */
  credentials: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Who is connecting, for the audit trail. */
  actor?: string;
}

/** What the connect flow needs from Patchbay. */
export interface ConnectDeps extends ConnectionClientDeps {
  registry: ConnectorRegistry;
  store: Store;
  vault: Vault;
  events: PatchbayEvents;
  logger: Logger;
  fetch: FetchLike;
  now: () => number;
  /** Lifetime of a pending authorization. Default 10 minutes. */
  sessionTtlMs: number;
  /** Throws (a `LimitError`) when the tenant's plan does not allow another connection to this connector. */
  admit?: (tenantId: string, connector: string) => Promise<void>;
  /** Called once a connection is stored: audit trail, then the connector's lifecycle `setup`. */
  established?: (connection: Connection, actor: string | null) => Promise<void>;
}

function requireNonEmpty(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string" || value.trim() === "")
    throw new TypeError(`"${name}" must be a non-empty string`);
}

/**
 * Connecting a tenant to a provider account: the OAuth redirect round trip
 * (`start` → provider consent → `finish`) and credential forms (`withCredentials`).
 * A connection is stored only after authorization, metadata and the
 * connector's test all succeed; on any failure nothing is stored.
 */
export class ConnectFlow {
  readonly #d: ConnectDeps;

  constructor(deps: ConnectDeps) {
    this.#d = deps;
  }

  /**
   * Begin an OAuth connection. Persists a one-time session (state, sealed
   * PKCE verifier, tenant, redirect URI; 10-minute expiry) and returns the
   * provider's authorization URL.
   *
   * @example
   * ```ts
   * const { url } = await patchbay.connect.start({ tenantId, connector: "google-sheets", redirectUri: "https://app.example.com/integrations/google-sheets/callback" });
   * res.redirect(url);
   * ```
   */
  async start(input: ConnectStartInput): Promise<ConnectStartResult> {
    requireNonEmpty(input?.tenantId, "tenantId");
    requireNonEmpty(input.connector, "connector");
    requireNonEmpty(input.redirectUri, "redirectUri");
    try {
      new URL(input.redirectUri);
    } catch {
      throw new TypeError(`"redirectUri" must be an absolute URL, got "${input.redirectUri}"`);
    }
    const definition = this.#d.registry.get(input.connector);
    const spec = oauthSpec(definition);
    await this.#d.admit?.(input.tenantId, definition.id);
    const scopes = input.scopes ?? spec.scopes;
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string" || s === "")) {
      throw new TypeError('"scopes" must be an array of non-empty strings');
    }
    const config = this.#config(definition, input.config);
    const state = oauth.generateRandomState();
    const { url, codeVerifier } = await buildAuthorizationUrl(spec, {
      redirectUri: input.redirectUri,
      scopes,
      state,
    });
    const now = this.#d.now();
    const expiresAt = new Date(now + this.#d.sessionTtlMs);
    await this.#d.store.createOAuthSession({
      state,
      tenantId: input.tenantId,
      connector: definition.id,
      sealedVerifier: this.#d.vault.seal(
        { codeVerifier },
        { tenantId: input.tenantId, oauthState: state },
      ),
      redirectUri: input.redirectUri,
      scopes,
      data: {
        ...(input.data ?? {}),
        ...(config === undefined ? {} : { [CONFIG_KEY]: config as Json }),
      },
      createdAt: new Date(now),
      expiresAt,
    });
    return { url: url.toString(), state, expiresAt };
  }

  /**
   * Complete an OAuth connection from the callback URL the provider sent
   * the user back to. Consumes the session exactly once; checks the tenant,
   * expiry and state; exchanges the code with PKCE; learns metadata; runs the
   * connector's test; stores an `active` connection.
   *
   * @throws ConnectError `PATCHBAY_CONNECT_STATE_INVALID` (unknown, replayed or other tenant's state),
   *   `PATCHBAY_CONNECT_STATE_EXPIRED`, `PATCHBAY_CONNECT_DENIED` (user declined),
   *   `PATCHBAY_CONNECT_FAILED`, `PATCHBAY_CONNECT_TEST_FAILED`.
   */
  async finish(
    callbackUrl: string | URL,
    options: { tenantId: string; actor?: string },
  ): Promise<Connection & { data: Record<string, Json> }> {
    requireNonEmpty(options?.tenantId, "tenantId");
    let url: URL;
    try {
      url = new URL(callbackUrl);
    } catch {
      throw new TypeError(
        `"callbackUrl" must be the full callback URL, got "${String(callbackUrl)}"`,
      );
    }
    const state = url.searchParams.get("state");
    if (state === null || state === "") {
      throw new ConnectError(
        ErrorCode.CONNECT_STATE_INVALID,
        "The callback has no state parameter: start the connection again",
      );
    }
    const session = await this.#d.store.takeOAuthSession(options.tenantId, state);
    if (session === null) {
      throw new ConnectError(
        ErrorCode.CONNECT_STATE_INVALID,
        "This authorization is unknown, was already used, or was started by another account: start the connection again",
      );
    }
    if (session.expiresAt.getTime() <= this.#d.now()) {
      throw new ConnectError(
        ErrorCode.CONNECT_STATE_EXPIRED,
        "This authorization took longer than allowed: start the connection again",
      );
    }
    const definition = this.#d.registry.get(session.connector);
    const spec = oauthSpec(definition);

    let params: URLSearchParams;
    try {
      params = validateCallback(spec, url, state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        const code = error.error;
        const description = error.error_description
          ? `: ${redactString(error.error_description)}`
          : "";
        throw new ConnectError(
          code === "access_denied" ? ErrorCode.CONNECT_DENIED : ErrorCode.CONNECT_FAILED,
          code === "access_denied"
            ? `Access to ${definition.name} was not granted${description}`
            : `${definition.name} returned an error on authorization (${code})${description}`,
          { providerCode: code },
        );
      }
      throw new ConnectError(
        ErrorCode.CONNECT_FAILED,
        `The callback from ${definition.name} is not valid: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }

    const { codeVerifier } = this.#d.vault.open<{ codeVerifier: string | null }>(
      session.sealedVerifier,
      {
        tenantId: session.tenantId,
        oauthState: state,
      },
    );
    let creds: StoredCredentials;
    try {
      const exchanged =
        spec.exchangeCode === undefined
          ? await exchangeCode(
              spec,
              { params, redirectUri: session.redirectUri, codeVerifier },
              this.#call(definition, spec),
            )
          : await spec.exchangeCode(
              { callback: params, redirectUri: session.redirectUri, codeVerifier },
              { fetch: this.#d.fetch, now: this.#d.now },
            );
      if (typeof exchanged?.accessToken !== "string" || exchanged.accessToken === "")
        throw new TypeError(
          `${definition.id}: "exchangeCode" must resolve to tokens with an accessToken`,
        );
      registerSecret(exchanged.accessToken);
      registerSecret(exchanged.refreshToken);
      const tokens =
        spec.afterCodeExchange === undefined
          ? exchanged
          : await spec.afterCodeExchange(exchanged, { fetch: this.#d.fetch, now: this.#d.now });
      if (typeof tokens?.accessToken !== "string" || tokens.accessToken === "")
        throw new TypeError(
          `${definition.id}: "afterCodeExchange" must resolve to tokens with an accessToken`,
        );
      creds = credentialsFromTokens("oauth2", tokens);
      const metadata: Record<string, Json> = {};
      for (const name of spec.callbackParams ?? []) {
        const value = url.searchParams.get(name);
        if (value !== null) metadata[name] = value;
      }
      for (const name of spec.tokenResponseMetadata ?? []) {
        if (tokens.extra[name] !== undefined) metadata[name] = tokens.extra[name]!;
      }
      const { [CONFIG_KEY]: config, [ACTOR_KEY]: startedBy, ...data } = session.data;
      await this.#d.admit?.(session.tenantId, definition.id);
      const connection = await this.#establish(definition, session.tenantId, creds, {
        actor: options.actor ?? (typeof startedBy === "string" ? startedBy : null),
        metadata,
        tokenExtra: tokens.extra,
        callbackParams: Object.fromEntries(url.searchParams),
        config: (config ?? undefined) as Record<string, Json> | undefined,
      });
      return { ...connection, data };
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      throw new ConnectError(
        ErrorCode.CONNECT_FAILED,
        `Connecting ${definition.name} failed: ${(error as Error).message}`,
        {
          cause: error,
          status: error instanceof PatchbayError ? error.status : undefined,
          providerCode: error instanceof PatchbayError ? error.providerCode : undefined,
        },
      );
    }
  }

  /**
   * Connect with a credential form (API key, basic, custom, client
   * credentials, service account). Validates the fields, obtains a token
   * where the kind uses one, learns metadata, runs the test, stores an
   * `active` connection.
   *
   * @example
   * ```ts
   * await patchbay.connect.withCredentials({ tenantId, connector: "mailchimp", credentials: { apiKey: "abc-us6" } });
   * ```
   */
  async withCredentials(input: ConnectCredentialsInput): Promise<Connection> {
    requireNonEmpty(input?.tenantId, "tenantId");
    requireNonEmpty(input.connector, "connector");
    const definition = this.#d.registry.get(input.connector);
    const auth = definition.auth;
    await this.#d.admit?.(input.tenantId, definition.id);
    if (auth.kind === "oauth2") {
      throw new ConfigError(
        `${definition.name} connects with OAuth: use connect.start() and connect.finish(), not withCredentials()`,
      );
    }
    const fields = parseWith(auth.fields, input.credentials, "credentials") as Record<string, Json>;
    const config = this.#config(definition, input.config);
    const call = { fetch: this.#d.fetch, now: this.#d.now, connector: definition.id };
    let creds: StoredCredentials;
    try {
      if (auth.kind === "client_credentials") {
        creds = credentialsFromTokens(
          "client_credentials",
          await clientCredentialsToken(auth, fields, call),
          { v: 1, kind: "client_credentials", fields },
        );
      } else if (auth.kind === "service_account") {
        creds = credentialsFromTokens(
          "service_account",
          await serviceAccountToken(auth, fields as unknown as ServiceAccountFields, call),
          { v: 1, kind: "service_account", fields },
        );
      } else {
        creds = { v: 1, kind: "credentials", fields };
      }
    } catch (error) {
      throw new ConnectError(
        ErrorCode.CONNECT_FAILED,
        `${definition.name} rejected the credentials: ${(error as Error).message}`,
        {
          cause: error,
          status: error instanceof PatchbayError ? error.status : undefined,
          providerCode: error instanceof PatchbayError ? error.providerCode : undefined,
        },
      );
    }
    return this.#establish(definition, input.tenantId, creds, {
      actor: input.actor ?? null,
      metadata: {},
      tokenExtra: {},
      callbackParams: {},
      config,
      fields,
    });
  }

  #call(definition: ConnectorDefinition, spec: OAuth2AuthSpec) {
    return {
      fetch: this.#d.fetch,
      now: this.#d.now,
      connector: definition.id,
      zeroExpiresInMeansNever: spec.zeroExpiresInMeansNever,
    };
  }

  #config(
    definition: ConnectorDefinition,
    config: Record<string, unknown> | undefined,
  ): Record<string, Json> | undefined {
    if (config === undefined) return undefined;
    if (definition.config === undefined) {
      throw new ConfigError(`${definition.name} takes no config, but "config" was given`);
    }
    return parseWith(definition.config, config, "config") as Record<string, Json>;
  }

  /** Metadata hook, test, then store. Nothing is stored unless all pass; tokens are revoked on failure. */
  async #establish(
    definition: ConnectorDefinition,
    tenantId: string,
    creds: StoredCredentials,
    input: {
      actor: string | null;
      metadata: Record<string, Json>;
      tokenExtra: Record<string, Json>;
      callbackParams: Record<string, string>;
      config: Record<string, Json> | undefined;
      fields?: Record<string, Json>;
    },
  ): Promise<Connection> {
    const id = newId("conn");
    const authFor = (connection: Pick<Connection, "id" | "config" | "metadata">) =>
      staticAuthenticator(definition, creds, {
        fetch: this.#d.fetch,
        now: this.#d.now,
        connection,
      });
    let metadata = { ...input.metadata };
    const hook = definition.auth.metadata;
    if (hook !== undefined) {
      const bare = { id, config: {}, metadata };
      const http = connectionHttpClient(definition, bare, authFor(bare), this.#d);
      metadata = {
        ...metadata,
        ...(await hook({
          http,
          tokenExtra: input.tokenExtra,
          callbackParams: input.callbackParams,
          fields: input.fields ?? {},
        })),
      };
    }
    const config = input.config ?? defaultConfig(definition);
    const now = new Date(this.#d.now());
    const draft: Connection = {
      id,
      tenantId,
      connector: definition.id,
      status: "pending",
      statusReason: null,
      config,
      metadata,
      fieldMappings: {},
      credentialsVersion: 0,
      createdAt: now,
      updatedAt: now,
    };
    if (definition.test !== undefined) {
      const http = connectionHttpClient(definition, draft, authFor(draft), this.#d);
      let failure: string | undefined;
      try {
        const result = await definition.test({
          connection: draft,
          config,
          metadata,
          http,
          logger: this.#d.logger,
        });
        if (result && result.ok === false)
          failure = result.message ?? "the connector's test reported a failure";
      } catch (error) {
        failure = (error as Error).message;
      }
      if (failure !== undefined) {
        await this.#revoke(definition, creds);
        throw new ConnectError(
          ErrorCode.CONNECT_TEST_FAILED,
          `Connected to ${definition.name}, but the connection test failed: ${redactString(failure)}`,
        );
      }
    }
    const row = await this.#d.store.createConnection({
      id,
      tenantId,
      connector: definition.id,
      status: "active",
      config,
      metadata,
      credentials: this.#d.vault.seal(creds as unknown as Json, { tenantId, connectionId: id }),
    });
    const connection = publicConnection(row);
    this.#d.logger.info("connection created", {
      connector: definition.id,
      connectionId: id,
      tenantId,
    });
    this.#d.events.emit("connection.created", { connection });
    if (this.#d.established === undefined) return connection;
    await this.#d.established(connection, input.actor);
    // Setup may have added metadata (webhook ids): hand back what is stored now.
    const latest = await this.#d.store.getConnection(tenantId, id);
    return latest === null ? connection : publicConnection(latest);
  }

  async #revoke(definition: ConnectorDefinition, creds: StoredCredentials): Promise<void> {
    if (definition.auth.kind !== "oauth2") return;
    const token = creds.refreshToken ?? creds.accessToken;
    if (token === undefined) return;
    await revokeToken(endpointOf(definition.auth), token, this.#call(definition, definition.auth));
  }
}

/** Keys under which initial config and the actor ride in the OAuth session's data. */
const CONFIG_KEY = "__patchbayConfig";
const ACTOR_KEY = "__patchbayActor";

function oauthSpec(definition: ConnectorDefinition): OAuth2AuthSpec {
  if (definition.auth.kind !== "oauth2") {
    throw new ConfigError(
      `${definition.name} does not use OAuth: connect it with connect.withCredentials()`,
    );
  }
  return definition.auth;
}

/** The config schema's defaults, or `{}` when the schema has required fields the user must fill in. */
export function defaultConfig(definition: ConnectorDefinition): Record<string, Json> {
  if (definition.config === undefined) return {};
  const parsed = definition.config.safeParse({});
  return parsed.success ? (parsed.data as Record<string, Json>) : {};
}
