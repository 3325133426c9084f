import {
  type ConnectorDefinition,
  customCredentials,
  defineAction,
  defineConnector,
} from "@patchbay/core";
import { z } from "zod";
import {
  META_CAPI_DOCS_URL,
  META_GRAPH_API_BASE,
  META_GRAPH_API_VERSION,
  pixelEventsPath,
  pixelPath,
} from "./endpoints.js";
import { metaGraphErrorParser } from "./graph-errors.js";
import {
  type MetaPixelConfig,
  MetaPixelConfigSchema,
  MetaPixelCredentialsSchema,
  PixelSchema,
  SendEventsInputSchema,
} from "./schemas.js";
import {
  buildEventsRequests,
  parseEventsResponse,
  type SendEventsResult,
} from "./server-events.js";

/**
 * Options of {@link metaPixel}. Every option is optional.
 *
 * @example
 * ```ts
 * const options: MetaPixelOptions = { graphApiVersion: "v25.0" };
 * ```
 * @see https://developers.facebook.com/docs/graph-api/changelog/versions
 */
export interface MetaPixelOptions {
  /** The Graph API version in every path, `vNN.0`. Default {@link META_GRAPH_API_VERSION}. */
  graphApiVersion?: string;
  /** The clock (epoch ms), for the 7-day age check. Default `Date.now`. */
  now?: () => number;
}

function checkOptions(options: unknown): MetaPixelOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object, e.g. metaPixel({})');
  const o = options as MetaPixelOptions;
  if (o.graphApiVersion !== undefined && !/^v\d{1,3}\.0$/.test(String(o.graphApiVersion)))
    throw new TypeError(
      `"graphApiVersion" must look like "v25.0", got ${JSON.stringify(o.graphApiVersion)}`,
    );
  if (o.now !== undefined && typeof o.now !== "function")
    throw new TypeError('"now" must be a function returning epoch milliseconds');
  return o;
}

/**
 * The Meta Pixel connector: send server events to a Meta pixel through the
 * Conversions API, deduplicated with the browser pixel by `eventId`.
 *
 * - **Auth**: a form with the Pixel ID and a Conversions API access token
 *   (`access_token` on each request). "Test connection" reads
 *   `GET /{pixel-id}?fields=id,name`, which proves the token can see the
 *   pixel without sending an event.
 * - **Action `sendEvents`**: contact fields normalised and SHA-256 hashed as
 *   Meta specifies; events older than 7 days refused before sending
 *   (Meta would reject the whole batch); batches of at most 1000;
 *   `testEventCode` from the config or the call.
 * - **Models**: none; the Conversions API is write-only.
 * - Graph API errors mapped: codes 4/17/32/613 and 80000–80014 are rate
 *   limits (retried), 190 asks the user to reconnect.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * const patchbay = createPatchbay({ connectors: [metaPixel()], store, vault });
 * const connection = await patchbay.connect.withCredentials({
 *   tenantId, connector: "meta-pixel",
 *   credentials: { pixelId: "1234567890123456", accessToken: process.env.META_CAPI_TOKEN! },
 * });
 * await patchbay.actions.run({ tenantId, connectionId: connection.id, action: "sendEvents", input: { events } });
 * ```
 * @see https://developers.facebook.com/docs/marketing-api/conversions-api
 */
export function metaPixel(
  options: MetaPixelOptions = {},
): ConnectorDefinition<typeof MetaPixelConfigSchema> {
  const checked = checkOptions(options);
  const version = checked.graphApiVersion ?? META_GRAPH_API_VERSION;
  const now = checked.now ?? Date.now;
  const pixelIdOf = (metadata: Record<string, unknown>): string => {
    const id = metadata.pixelId;
    if (typeof id !== "string") throw new TypeError("the connection has no pixelId: reconnect it");
    return id;
  };

  return defineConnector({
    id: "meta-pixel",
    name: "Meta Pixel (Conversions API)",
    category: "ads",
    description:
      "Send purchases, leads and other conversions to a Meta pixel from the server, hashed and deduplicated with the browser pixel.",
    docsUrl: META_CAPI_DOCS_URL,
    auth: customCredentials({
      fields: MetaPixelCredentialsSchema,
      apply: ({ accessToken }, request) => {
        request.url.searchParams.set("access_token", accessToken);
      },
      metadata: async ({ fields }) => ({ pixelId: String(fields.pixelId) }),
    }),
    config: MetaPixelConfigSchema,
    http: { baseUrl: `${META_GRAPH_API_BASE}/${version}`, parseError: metaGraphErrorParser },
    async test(ctx) {
      const pixelId = pixelIdOf(ctx.metadata);
      const { data } = await ctx.http.get(pixelPath(pixelId), { query: { fields: "id,name" } });
      const pixel = PixelSchema.parse(data);
      if (pixel.id !== pixelId)
        return { ok: false, message: `Meta answered for pixel ${pixel.id}, not ${pixelId}` };
      return { ok: true };
    },
    actions: {
      sendEvents: defineAction({
        description:
          "Send server events (Purchase, Lead, ...) to the pixel through the Conversions API: user data hashed, batches of 1000, events older than 7 days refused.",
        input: SendEventsInputSchema,
        async run(ctx, input): Promise<SendEventsResult> {
          const config: MetaPixelConfig = MetaPixelConfigSchema.parse(ctx.config ?? {});
          const pixelId = pixelIdOf(ctx.metadata);
          const { requests, phonesWithoutCountryCode } = buildEventsRequests(input.events, {
            now: now(),
            config,
            ...(input.testEventCode !== undefined && { testEventCode: input.testEventCode }),
          });
          if (phonesWithoutCountryCode > 0)
            ctx.logger.warn(
              `${phonesWithoutCountryCode} phone number(s) had no country code; Meta cannot match them. Set the connection's defaultPhoneCountryCode.`,
            );
          const result: SendEventsResult = {
            eventsReceived: 0,
            requests: 0,
            fbtraceIds: [],
            messages: [],
            testEventCode: requests[0]?.test_event_code ?? null,
          };
          for (const body of requests) {
            const { data } = await ctx.http.post(pixelEventsPath(pixelId), { json: body });
            const answer = parseEventsResponse(data, body.data.length);
            result.eventsReceived += answer.eventsReceived;
            result.requests++;
            if (answer.fbtraceId !== undefined) result.fbtraceIds.push(answer.fbtraceId);
            result.messages.push(...answer.messages);
          }
          return result;
        },
      }),
      getPixel: defineAction({
        description: "The connected pixel's id and name, as Meta has it.",
        input: z.object({}),
        async run(ctx) {
          const { data } = await ctx.http.get(pixelPath(pixelIdOf(ctx.metadata)), {
            query: { fields: "id,name" },
          });
          return PixelSchema.parse(data);
        },
      }),
    },
  });
}
