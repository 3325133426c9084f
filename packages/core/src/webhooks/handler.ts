/**
 * The one webhook endpoint: turns a provider's HTTP delivery into actions for
 * the connections it concerns. The connector declares the provider's rules
 * ({@link WebhookSpec}); this module enforces them in a fixed order, so a
 * forged, replayed or unroutable delivery never reaches the sync engine.
 */
import { randomUUID } from "node:crypto";
import type { ConnectorRegistry } from "../connector/registry.js";
import type { WebhookAction, WebhookDelivery, WebhookSpec } from "../connector/types.js";
import { type Logger, redactingLogger } from "../logger.js";
import { registerSecret } from "../redact.js";
import { publicConnection } from "../store/connection.js";
import type { Connection, Store, StoredConnection } from "../store/types.js";

/** Default cap on a delivery body: 1 MiB. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
/** How long a delivery id is remembered for deduplication: 24 hours. */
export const WEBHOOK_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;
/** Prefix of the lease keys that deduplicate deliveries (`patchbay:webhook:<connector>:<id>`). */
export const WEBHOOK_LEASE_PREFIX = "patchbay:webhook:";

/** What {@link createWebhookHandler} needs. */
export interface WebhookHandlerDeps {
  registry: ConnectorRegistry;
  /** Routing (`findConnections`) and delivery-id dedupe (`acquireLease`). */
  store: Store;
  /** Wrapped with `redactingLogger`; bodies and signature headers are never logged. */
  logger: Logger;
  /** The clock, epoch milliseconds (replay windows). */
  now: () => number;
  /**
   * The connection's webhook signing secret (opened from its sealed
   * credentials, `webhookSecret`), or `undefined` when it has none. Used only
   * by connectors whose `webhooks.secret` is `"connection"`. Receives the
   * stored row, so an implementation may read its sealed `credentials`.
   */
  connectionSecret: (connection: Connection) => Promise<string | undefined>;
  /** Hand the actions to the sync engine (enqueue; should return quickly). */
  dispatch: (
    connection: Connection,
    actions: WebhookAction[],
    delivery: WebhookDelivery,
  ) => Promise<void>;
  /** Largest body accepted, in bytes; larger deliveries get 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** Handles one delivery to `POST <webhook base>/<connectorId>`. */
export type WebhookHandler = (connectorId: string, request: Request) => Promise<Response>;

/**
 * Build the webhook endpoint. Mount it at one URL per connector
 * (`/webhooks/:connectorId`) and give providers that URL.
 *
 * Each delivery goes through these steps, and the first that fails answers:
 * 1. unknown connector, or one without `webhooks` → 404 `unknown_connector`;
 * 2. the body is read up to `maxBodyBytes` (never further) → 413 `payload_too_large`;
 *    it is parsed as JSON or form data (see {@link parseWebhookPayload}), and a
 *    body declared JSON that does not parse → 400 `invalid_payload`;
 * 3. `handshake` may answer (any method); its Response is returned as is;
 * 4. anything but POST → 405 `method_not_allowed`;
 * 5. `secret: "app"`: `verify` → 401 `invalid_signature`, then `route`;
 *    `secret: "connection"`: `route`, then `verify` with each candidate's
 *    secret, keeping those that verify → 401 `invalid_signature` when none do;
 *    `route` returning nothing (or `{}`), or no connection matching → 404 `no_matching_connection`;
 * 6. `replay`: a signed timestamp missing or outside the window → 401 `stale_delivery`;
 * 7. `deliveryId`: an id already seen (24 h lease) → 200 `{ status: "duplicate" }`;
 * 8. connections in `needs_reauth` are skipped; for each other one, `actions`
 *    then `dispatch`. One connection failing does not stop the others →
 *    202 `{ status: "accepted", connections: <dispatched> }`. When every
 *    dispatch fails the dedupe lease is released and the answer is 500, so the
 *    provider delivers again.
 *
 * Verification precedes the replay and dedupe checks, so a forged delivery
 * can neither learn about the window nor burn a genuine delivery's id. A
 * throwing `verify` counts as a failed check; a store or vault failure is a
 * 500 `internal_error`, so the provider retries. Every answer is JSON except
 * the handshake's. Logs carry the connector, route keys, connection ids and
 * the outcome; never the body or headers.
 *
 * @example
 * ```ts
 * const handleWebhook = createWebhookHandler({
 *   registry, store, logger, now: Date.now,
 *   connectionSecret: async (c) => (await openCredentials(c)).webhookSecret,
 *   dispatch: (connection, actions) => syncEngine.enqueue(connection, actions, "webhook"),
 * });
 * // Hono: app.all("/webhooks/:connector", (c) => handleWebhook(c.req.param("connector"), c.req.raw))
 * ```
 */
export function createWebhookHandler(deps: WebhookHandlerDeps): WebhookHandler {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new TypeError(`"maxBodyBytes" must be a positive integer; got ${String(maxBodyBytes)}`);
  for (const name of ["connectionSecret", "dispatch", "now"] as const) {
    if (typeof deps[name] !== "function") throw new TypeError(`"${name}" must be a function`);
  }
  const logger = redactingLogger(deps.logger);

  return async (connectorId, request) => {
    const spec =
      typeof connectorId === "string" && deps.registry.has(connectorId)
        ? deps.registry.get(connectorId).webhooks
        : undefined;
    if (spec === undefined) {
      logger.warn("webhook for an unknown connector", {
        connector: String(connectorId).slice(0, 100),
        outcome: "unknown_connector",
      });
      return json(404, { error: "unknown_connector" });
    }
    const log = { connector: connectorId };
    try {
      return await handle(spec, connectorId, request, log);
    } catch (error) {
      logger.error("webhook failed", { ...log, outcome: "internal_error", error });
      return json(500, { error: "internal_error" });
    }
  };

  async function handle(
    spec: WebhookSpec,
    connector: string,
    request: Request,
    log: Record<string, unknown>,
  ): Promise<Response> {
    const method = request.method.toUpperCase();
    if (method !== "POST" && spec.handshake === undefined) return methodNotAllowed(log);

    const rawBody = await readCapped(request, maxBodyBytes);
    if (rawBody === undefined) {
      logger.warn("webhook body too large", { ...log, maxBodyBytes, outcome: "payload_too_large" });
      return json(413, { error: "payload_too_large" });
    }
    const text = new TextDecoder().decode(rawBody);
    const parsed = parseWebhookPayload(request.headers.get("content-type"), text);
    if (!parsed.ok) {
      // The parser's message quotes the body: log the outcome only.
      logger.warn("webhook body is not valid JSON", { ...log, outcome: "invalid_payload" });
      return json(400, { error: "invalid_payload" });
    }
    const delivery: WebhookDelivery = {
      headers: request.headers,
      url: new URL(request.url),
      method,
      rawBody,
      text,
      payload: parsed.payload,
    };

    if (spec.handshake !== undefined) {
      const answer = await spec.handshake(request, delivery);
      if (answer !== undefined) {
        logger.info("webhook handshake answered", {
          ...log,
          status: answer.status,
          outcome: "handshake",
        });
        return answer;
      }
    }
    if (method !== "POST") return methodNotAllowed(log);

    let candidates: StoredConnection[];
    if (spec.secret === "app") {
      if (!(await verifies(spec, delivery, {}, log))) return invalidSignature(log);
      const found = await routed(spec, connector, delivery, log);
      if (found === undefined) return noMatch(log);
      candidates = found;
    } else {
      const found = await routed(spec, connector, delivery, log);
      if (found === undefined) return noMatch(log);
      candidates = [];
      let secretFailed = false;
      for (const connection of found) {
        let secret: string | undefined;
        try {
          secret = await deps.connectionSecret(connection);
        } catch (error) {
          secretFailed = true;
          logger.error("webhook: could not read the connection's signing secret", {
            ...log,
            connectionId: connection.id,
            error,
          });
          continue;
        }
        if (typeof secret !== "string" || secret === "") {
          logger.warn("webhook: the connection has no signing secret", {
            ...log,
            connectionId: connection.id,
          });
          continue;
        }
        registerSecret(secret);
        const ok = await verifies(
          spec,
          delivery,
          { connection: secret },
          {
            ...log,
            connectionId: connection.id,
          },
        );
        if (ok) candidates.push(connection);
      }
      if (candidates.length === 0) {
        // A vault failure is ours, not the sender's: 500 makes the provider retry.
        if (secretFailed) return json(500, { error: "internal_error" });
        return invalidSignature(log);
      }
      log.candidates = found.length;
    }

    if (spec.replay !== undefined) {
      let timestamp: number | undefined;
      try {
        timestamp = spec.replay.timestamp(delivery);
      } catch {
        timestamp = undefined;
      }
      const skewSeconds =
        typeof timestamp === "number" && Number.isFinite(timestamp)
          ? Math.abs(deps.now() / 1000 - timestamp)
          : Number.POSITIVE_INFINITY;
      if (!(skewSeconds <= spec.replay.toleranceSeconds)) {
        logger.warn("webhook outside the replay window", {
          ...log,
          toleranceSeconds: spec.replay.toleranceSeconds,
          skewSeconds: Number.isFinite(skewSeconds) ? Math.round(skewSeconds) : null,
          outcome: "stale_delivery",
        });
        return json(401, { error: "stale_delivery" });
      }
    }

    let lease: { key: string; holder: string } | undefined;
    if (spec.deliveryId !== undefined) {
      let id: string | undefined;
      try {
        id = spec.deliveryId(delivery);
      } catch {
        id = undefined;
      }
      if (typeof id === "string" && id !== "") {
        lease = { key: `${WEBHOOK_LEASE_PREFIX}${connector}:${id}`, holder: randomUUID() };
        log.deliveryId = id;
        if (!(await deps.store.acquireLease(lease.key, lease.holder, WEBHOOK_DEDUPE_TTL_MS))) {
          logger.info("webhook delivery already seen", { ...log, outcome: "duplicate" });
          return json(200, { status: "duplicate" });
        }
      } else {
        logger.debug("webhook delivery has no id; it cannot be deduplicated", log);
      }
    }

    let dispatched = 0;
    let failed = 0;
    for (const stored of candidates) {
      const at = { ...log, connectionId: stored.id, tenantId: stored.tenantId };
      if (stored.status === "needs_reauth") {
        logger.warn("webhook skipped: the connection needs to be reconnected", {
          ...at,
          outcome: "skipped_needs_reauth",
        });
        continue;
      }
      const connection = publicConnection(stored);
      try {
        const actions = await spec.actions(delivery, connection);
        await deps.dispatch(connection, actions, delivery);
        dispatched += 1;
        logger.debug("webhook dispatched", { ...at, actions: actions.length });
      } catch (error) {
        failed += 1;
        logger.error("webhook dispatch failed", { ...at, outcome: "dispatch_failed", error });
      }
    }
    if (dispatched === 0 && failed > 0) {
      if (lease !== undefined) await deps.store.releaseLease(lease.key, lease.holder);
      logger.error("webhook not applied to any connection", { ...log, outcome: "dispatch_failed" });
      return json(500, { error: "dispatch_failed" });
    }
    logger.info("webhook accepted", {
      ...log,
      connections: dispatched,
      failed,
      outcome: "accepted",
    });
    return json(202, { status: "accepted", connections: dispatched });
  }

  async function verifies(
    spec: WebhookSpec,
    delivery: WebhookDelivery,
    secrets: { connection?: string },
    log: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      return (await spec.verify(delivery, secrets)) === true;
    } catch (error) {
      logger.warn("webhook verify threw; treated as a bad signature", { ...log, error });
      return false;
    }
  }

  /** The candidate connections, or `undefined` when unroutable or nothing matches. */
  async function routed(
    spec: WebhookSpec,
    connector: string,
    delivery: WebhookDelivery,
    log: Record<string, unknown>,
  ): Promise<StoredConnection[] | undefined> {
    let keys: Record<string, string> | undefined;
    try {
      keys = spec.route(delivery);
    } catch (error) {
      logger.warn("webhook route threw; treated as unroutable", { ...log, error });
      return undefined;
    }
    if (!isRouteKeys(keys)) return undefined;
    log.route = keys;
    const found = await deps.store.findConnections(connector, keys);
    return found.length === 0 ? undefined : found;
  }

  function invalidSignature(log: Record<string, unknown>): Response {
    logger.warn("webhook signature rejected", { ...log, outcome: "invalid_signature" });
    return json(401, { error: "invalid_signature" });
  }

  function noMatch(log: Record<string, unknown>): Response {
    logger.warn("webhook matched no connection", { ...log, outcome: "no_matching_connection" });
    return json(404, { error: "no_matching_connection" });
  }

  function methodNotAllowed(log: Record<string, unknown>): Response {
    logger.info("webhook method not allowed", { ...log, outcome: "method_not_allowed" });
    return json(405, { error: "method_not_allowed" }, { allow: "POST" });
  }
}

/** Route keys must be a non-empty object of strings: `{}` would match every connection. */
function isRouteKeys(keys: unknown): keys is Record<string, string> {
  if (keys === null || typeof keys !== "object" || Array.isArray(keys)) return false;
  const entries = Object.entries(keys);
  return entries.length > 0 && entries.every(([, v]) => typeof v === "string");
}

/** The outcome of {@link parseWebhookPayload}. */
export type ParsedWebhookPayload = { ok: true; payload: unknown } | { ok: false };

/**
 * Parse a delivery body the way core fills `WebhookDelivery.payload`:
 * - a JSON content type (`application/json`, `application/*+json`): JSON; an
 *   empty body is `undefined`; anything else that does not parse is `{ ok: false }`;
 * - `application/x-www-form-urlencoded`: a plain object of strings, a key
 *   sent more than once becoming an array of its values in order. Keys are
 *   kept as sent: Mailchimp's `data[merges][EMAIL]` stays the one key
 *   `"data[merges][EMAIL]"`, with no nesting (so `data[id]` is `payload["data[id]"]`);
 * - any other type, or none: JSON when the body looks like a JSON object or
 *   array and parses, otherwise `undefined`.
 *
 * @example
 * ```ts
 * parseWebhookPayload("application/x-www-form-urlencoded", "type=subscribe&data[list_id]=a1&tag=x&tag=y");
 * // { ok: true, payload: { type: "subscribe", "data[list_id]": "a1", tag: ["x", "y"] } }
 * ```
 */
export function parseWebhookPayload(
  contentType: string | null,
  text: string,
): ParsedWebhookPayload {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (
    mediaType === "application/json" ||
    mediaType.endsWith("+json") ||
    mediaType === "text/json"
  ) {
    if (text.trim() === "") return { ok: true, payload: undefined };
    try {
      return { ok: true, payload: JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  }
  if (mediaType === "application/x-www-form-urlencoded") {
    const payload: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const previous = Object.hasOwn(payload, key) ? payload[key] : undefined;
      const next =
        previous === undefined
          ? value
          : Array.isArray(previous)
            ? [...previous, value]
            : [previous, value];
      // defineProperty: a "__proto__" key stays an ordinary key.
      Object.defineProperty(payload, key, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { ok: true, payload };
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { ok: true, payload: JSON.parse(text) };
    } catch {
      return { ok: true, payload: undefined };
    }
  }
  return { ok: true, payload: undefined };
}

/**
 * Read at most `limit` bytes of the body; `undefined` when it is larger. A
 * declared `content-length` over the limit is refused without reading, and
 * the stream is cancelled as soon as the running total passes the limit.
 */
async function readCapped(request: Request, limit: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    await request.body?.cancel().catch(() => {});
    return undefined;
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
