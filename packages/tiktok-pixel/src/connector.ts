import {
  type ConnectorContext,
  type ConnectorDefinition,
  customCredentials,
  defineAction,
  defineConnector,
} from "@patchbay/core";
import { tiktokErrorParser } from "./api-errors.js";
import {
  EVENT_TRACK_PATH,
  TIKTOK_BUSINESS_API_BASE,
  TIKTOK_CONNECTION_TEST_CODE,
  TIKTOK_EVENTS_API_DOCS_URL,
} from "./endpoints.js";
import {
  SendEventsInputSchema,
  type TiktokPixelConfig,
  TiktokPixelConfigSchema,
  TiktokPixelCredentialsSchema,
  type TiktokTrackRequest,
} from "./schemas.js";
import { buildTrackRequests, parseTrackResponse, type SendEventsResult } from "./web-events.js";

/**
 * Options of {@link tiktokPixel}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: TiktokPixelOptions = { requestsPerSecond: 10 };
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export interface TiktokPixelOptions {
  /** Requests per second per connection (TikTok answers 40100 past its QPS limit). Default 10. */
  requestsPerSecond?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

function checkOptions(options: unknown): TiktokPixelOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object, e.g. tiktokPixel({})');
  const o = options as TiktokPixelOptions;
  if (
    o.requestsPerSecond !== undefined &&
    (!Number.isInteger(o.requestsPerSecond) ||
      o.requestsPerSecond < 1 ||
      o.requestsPerSecond > 1000)
  )
    throw new TypeError('"requestsPerSecond" must be an integer from 1 to 1000');
  if (o.now !== undefined && typeof o.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
  return o;
}

function pixelCodeOf(metadata: Record<string, unknown>): string {
  const code = metadata.pixelCode;
  if (typeof code !== "string")
    throw new TypeError("the connection has no pixelCode: reconnect it");
  return code;
}

async function track(
  ctx: ConnectorContext<unknown>,
  body: TiktokTrackRequest,
): Promise<string | undefined> {
  const { data } = await ctx.http.post(EVENT_TRACK_PATH, { json: body });
  return parseTrackResponse(data);
}

/**
 * The TikTok Pixel connector: send web events to a TikTok pixel through the
 * Events API 2.0, deduplicated with the browser pixel by `eventId`.
 *
 * - **Auth**: a form with the pixel code and an Events API access token
 *   (sent as the `Access-Token` header). "Test connection" sends one
 *   `ViewContent` test event (`test_event_code`: the connection's, else
 *   `TEST_PATCHBAY`), which TikTok shows only in the pixel's Test events.
 * - **Action `sendEvents`**: email, phone (E.164) and external id SHA-256
 *   hashed; `ip`, `user_agent`, `ttp`, `ttclid` plain; batches of at most
 *   1000; `testEventCode` from the config or the call.
 * - **Models**: none; the Events API is write-only.
 * - TikTok answers errors in the body (`code` ≠ 0, usually with HTTP 200):
 *   40100 → `RateLimitError`, 40104/40105 → `AuthError`, others `ProviderError`.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * const patchbay = createPatchbay({ connectors: [tiktokPixel()], store, vault });
 * const connection = await patchbay.connect.withCredentials({
 *   tenantId, connector: "tiktok-pixel",
 *   credentials: { pixelCode: "C4A1B2C3D4E5F6G7H8I9", accessToken: process.env.TIKTOK_EVENTS_TOKEN! },
 * });
 * await patchbay.actions.run({ tenantId, connectionId: connection.id, action: "sendEvents", input: { events } });
 * ```
 * @see https://business-api.tiktok.com/portal/docs?id=1771100865818625
 */
export function tiktokPixel(
  options: TiktokPixelOptions = {},
): ConnectorDefinition<typeof TiktokPixelConfigSchema> {
  const checked = checkOptions(options);
  const now = checked.now ?? Date.now;
  return defineConnector({
    id: "tiktok-pixel",
    name: "TikTok Pixel (Events API)",
    category: "ads",
    description:
      "Send purchases, leads and other conversions to a TikTok pixel from the server, hashed and deduplicated with the browser pixel.",
    docsUrl: TIKTOK_EVENTS_API_DOCS_URL,
    auth: customCredentials({
      fields: TiktokPixelCredentialsSchema,
      apply: ({ accessToken }, request) => {
        request.headers.set("Access-Token", accessToken);
      },
      metadata: async ({ fields }) => ({ pixelCode: String(fields.pixelCode) }),
    }),
    config: TiktokPixelConfigSchema,
    http: {
      baseUrl: TIKTOK_BUSINESS_API_BASE,
      parseError: tiktokErrorParser,
      rateLimits: [{ requests: checked.requestsPerSecond ?? 10, intervalMs: 1000 }],
    },
    async test(ctx) {
      const config = TiktokPixelConfigSchema.parse(ctx.config ?? {});
      const nowMs = now();
      const [body] = buildTrackRequests(
        [
          {
            event: "ViewContent",
            eventTime: Math.floor(nowMs / 1000),
            eventId: `patchbay-connection-test-${nowMs}`,
            user: {},
          },
        ],
        {
          pixelCode: pixelCodeOf(ctx.metadata),
          now: nowMs,
          config: {},
          testEventCode: config.testEventCode ?? TIKTOK_CONNECTION_TEST_CODE,
        },
      );
      await track(ctx, body!);
      return { ok: true };
    },
    actions: {
      sendEvents: defineAction({
        description:
          "Send web events (CompletePayment, SubmitForm, ...) to the pixel through the Events API: user data hashed, batches of 1000.",
        input: SendEventsInputSchema,
        async run(ctx, input): Promise<SendEventsResult> {
          const config: TiktokPixelConfig = TiktokPixelConfigSchema.parse(ctx.config ?? {});
          const requests = buildTrackRequests(input.events, {
            pixelCode: pixelCodeOf(ctx.metadata),
            now: now(),
            config,
            ...(input.testEventCode !== undefined && { testEventCode: input.testEventCode }),
          });
          const result: SendEventsResult = {
            eventsSent: 0,
            requests: 0,
            requestIds: [],
            testEventCode: requests[0]?.test_event_code ?? null,
          };
          for (const body of requests) {
            const requestId = await track(ctx, body);
            result.eventsSent += body.data.length;
            result.requests++;
            if (requestId !== undefined) result.requestIds.push(requestId);
          }
          return result;
        },
      }),
    },
  });
}
