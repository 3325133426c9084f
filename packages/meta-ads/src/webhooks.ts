/**
 * Meta webhooks: the `hub.challenge` verification GET, and event POSTs
 * signed with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
 * keyed with the app secret>`. Ad account events route to the connection
 * whose configured ad account they name.
 *
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started
 */
import { type ConnectorLifecycle, hmac, timingSafeEqual, type WebhookSpec } from "@patchbay/core";
import { MetaAdsConfigSchema } from "./schemas.js";

/**
 * The signature header of Meta's event deliveries.
 *
 * @example
 * ```ts
 * request.headers.get(META_SIGNATURE_HEADER); // "sha256=5f2b…"
 * ```
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
 */
export const META_SIGNATURE_HEADER = "x-hub-signature-256";

/**
 * Whether a delivery's `X-Hub-Signature-256` matches the raw body.
 *
 * @example
 * ```ts
 * verifyMetaSignature(delivery.rawBody, delivery.headers.get("x-hub-signature-256"), appSecret);
 * ```
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads
 */
export function verifyMetaSignature(
  rawBody: Uint8Array,
  header: string | null,
  appSecret: string,
): boolean {
  if (header === null || !header.startsWith("sha256=")) return false;
  return timingSafeEqual(header.slice("sha256=".length), hmac("sha256", appSecret, rawBody, "hex"));
}

/**
 * Answer Meta's verification request: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
 * gets 200 with the bare challenge when the token matches, 403 otherwise.
 *
 * @example
 * ```ts
 * answerMetaHandshake(new URL(request.url), verifyToken); // Response "1158201444"
 * ```
 * @see https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */
export function answerMetaHandshake(url: URL, verifyToken: string | undefined): Response {
  const mode = url.searchParams.get("hub.mode");
  const token = url.searchParams.get("hub.verify_token") ?? "";
  const challenge = url.searchParams.get("hub.challenge") ?? "";
  if (mode !== "subscribe" || verifyToken === undefined || !timingSafeEqual(token, verifyToken))
    return new Response("verify token mismatch", { status: 403 });
  return new Response(challenge, { status: 200, headers: { "content-type": "text/plain" } });
}

interface AdAccountEvent {
  object?: string;
  entry?: Array<{ id?: string; time?: number; changes?: Array<{ field?: string }> }>;
}

/**
 * The webhook declaration: handshake, signature, routing by ad account
 * (metadata `adAccountId`, set from the config), and a `campaigns` sync for
 * each verified ad account event.
 *
 * @example
 * ```ts
 * webhooks: metaWebhooks({ appSecret, verifyToken })
 * ```
 * @see https://developers.facebook.com/docs/graph-api/webhooks/reference/ad-account
 */
export function metaWebhooks(options: { appSecret: string; verifyToken?: string }): WebhookSpec {
  return {
    secret: "app",
    handshake: (request) =>
      request.method.toUpperCase() === "GET"
        ? answerMetaHandshake(new URL(request.url), options.verifyToken)
        : undefined,
    verify: (delivery) =>
      verifyMetaSignature(
        delivery.rawBody,
        delivery.headers.get(META_SIGNATURE_HEADER),
        options.appSecret,
      ),
    route: (delivery) => {
      const payload = delivery.payload as AdAccountEvent | undefined;
      const id = payload?.object === "ad_account" ? payload.entry?.[0]?.id : undefined;
      return id === undefined ? undefined : { adAccountId: String(id).replace(/^act_/, "") };
    },
    actions: () => [{ kind: "sync", model: "campaigns" }],
  };
}

/**
 * Keeps metadata `adAccountId` (digits) equal to the configured ad account,
 * so webhook deliveries find the connection.
 *
 * @example
 * ```ts
 * lifecycle: metaLifecycle()
 * ```
 * @see https://developers.facebook.com/docs/graph-api/webhooks/reference/ad-account
 */
export function metaLifecycle(): ConnectorLifecycle {
  return {
    async setup(ctx) {
      const config = MetaAdsConfigSchema.safeParse(ctx.config ?? {});
      const known = ctx.metadata.adAccountIds;
      const id =
        (config.success ? config.data.adAccountId : undefined) ??
        (Array.isArray(known) && known.length === 1 ? String(known[0]) : undefined);
      return id === undefined ? undefined : { metadata: { adAccountId: id.replace(/^act_/, "") } };
    },
  };
}
