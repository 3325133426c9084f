import { AuthError, type ConnectorDefinition, defineConnector } from "@patchbay/core";
import { accountSidOf, expectData, twilioApi } from "./api-client.js";
import { twilioCredentials } from "./auth.js";
import { TWILIO_API_BASE_URL, TWILIO_DOCS_URL, TWILIO_PATHS } from "./endpoints.js";
import { MESSAGES_PAGE_SIZE, messagesModel } from "./messages.js";
import { TwilioConfigSchema } from "./schemas.js";
import { sendSmsAction } from "./send-sms.js";
import { parseTwilioError } from "./twilio-error.js";
import { twilioLifecycle, twilioWebhooks } from "./webhooks.js";

/**
 * Options of {@link twilio}.
 *
 * @example
 * ```ts
 * const options: TwilioOptions = { pageSize: 500, fullEvery: 12 };
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export interface TwilioOptions {
  /** Messages per page when syncing, 1 to 1000. Default 1000 (Twilio's maximum). */
  pageSize?: number;
  /** Run a full sync of `messages` every N incremental runs, to catch deleted messages. Default 24. */
  fullEvery?: number;
  /**
   * Requests in flight at once per connection. Twilio limits concurrent
   * requests per account and answers 429 (error 20429) beyond. Default 10.
   */
  maxConcurrent?: number;
}

/**
 * How many requests a connection keeps in flight by default: well under
 * Twilio's per-account concurrency limit, which Twilio does not publish as a
 * fixed number.
 *
 * @example
 * ```ts
 * twilio().http?.maxConcurrent?.limit === TWILIO_MAX_CONCURRENT; // true
 * ```
 * @see https://www.twilio.com/docs/api/errors/20429
 */
export const TWILIO_MAX_CONCURRENT = 10;

function checkOptions(options: unknown): TwilioOptions {
  if (options === null || typeof options !== "object")
    throw new TypeError('"options" must be an object, e.g. twilio({})');
  const o = options as Record<string, unknown>;
  if (
    o.pageSize !== undefined &&
    (!Number.isInteger(o.pageSize) || (o.pageSize as number) < 1 || (o.pageSize as number) > 1000)
  ) {
    throw new TypeError(`"pageSize" must be an integer from 1 to 1000, got ${String(o.pageSize)}`);
  }
  if (o.fullEvery !== undefined && (!Number.isInteger(o.fullEvery) || (o.fullEvery as number) < 1))
    throw new TypeError(`"fullEvery" must be a positive integer, got ${String(o.fullEvery)}`);
  if (
    o.maxConcurrent !== undefined &&
    (!Number.isInteger(o.maxConcurrent) || (o.maxConcurrent as number) < 1)
  ) {
    throw new TypeError(
      `"maxConcurrent" must be a positive integer, got ${String(o.maxConcurrent)}`,
    );
  }
  return options as TwilioOptions;
}

/**
 * The Twilio Messaging connector (REST API 2010-04-01).
 *
 * - **Auth**: a credential form: Account SID + Auth Token, or Account SID +
 *   API Key SID + API Key Secret (HTTP Basic). "Test connection" fetches the
 *   Account resource (an API key that may not read it is checked with a
 *   one-message list instead) before anything is saved.
 * - **Model** `messages`: sent and received texts; full and incremental
 *   (`DateSent>=`) sync paged with `next_page_uri`; deletes found by full runs.
 * - **Action** `sendSms`: E.164 and 1,600-character checks, then
 *   `POST Messages.json` with the host's webhook URL as `StatusCallback`.
 * - **Webhooks**: inbound texts and status callbacks, verified with
 *   `X-Twilio-Signature` (form and `bodySHA256` JSON variants).
 * - **Errors**: Twilio's `{ code, message, more_info, status }` → typed
 *   errors with `providerCode`; 20429 is a `RateLimitError`, retried with backoff.
 *
 * @throws TypeError naming the option when the options are invalid.
 * @example
 * ```ts
 * import { createPatchbay } from "@patchbay/core";
 * import { twilio } from "@patchbay/twilio";
 *
 * const patchbay = createPatchbay({
 *   connectors: [twilio()],
 *   webhookBaseUrl: "https://app.example.com/integrations/webhooks",
 *   store, vault,
 * });
 * await patchbay.connect.withCredentials({
 *   tenantId, connector: "twilio",
 *   credentials: { accountSid: "AC…", authToken: "…" },
 *   config: { from: "+15125550100" },
 * });
 * ```
 * @see https://www.twilio.com/docs/messaging/api/message-resource
 */
export function twilio(
  options: TwilioOptions = {},
): ConnectorDefinition<typeof TwilioConfigSchema> {
  const checked = checkOptions(options);
  return defineConnector({
    id: "twilio",
    name: "Twilio",
    category: "messaging",
    description:
      "Send texts to customers and keep every sent and received message, with its delivery status, in sync.",
    docsUrl: TWILIO_DOCS_URL,
    auth: twilioCredentials(),
    config: TwilioConfigSchema,
    http: {
      baseUrl: TWILIO_API_BASE_URL,
      parseError: parseTwilioError,
      maxConcurrent: { limit: checked.maxConcurrent ?? TWILIO_MAX_CONCURRENT },
    },
    async test(ctx) {
      const accountSid = accountSidOf(ctx.metadata);
      const api = twilioApi(ctx.http);
      try {
        const account = expectData(
          await api.GET(TWILIO_PATHS.account, { params: { path: { Sid: accountSid } } }),
          "Fetch Account",
        );
        if (account.status !== undefined && account.status !== "active") {
          return { ok: false, message: `the Twilio account is ${account.status}` };
        }
        return undefined;
      } catch (error) {
        // A Standard API key may not read the Account resource (Twilio answers
        // 20003); prove it can read this account's messages instead.
        if (!(error instanceof AuthError) || ctx.metadata.authMode !== "api_key") throw error;
      }
      expectData(
        await api.GET(TWILIO_PATHS.messages, {
          params: { path: { AccountSid: accountSid }, query: { PageSize: 1 } },
        }),
        "List Messages",
      );
      return undefined;
    },
    models: {
      messages: messagesModel({
        pageSize: checked.pageSize ?? MESSAGES_PAGE_SIZE,
        fullEvery: checked.fullEvery ?? 24,
      }),
    },
    actions: { sendSms: sendSmsAction },
    webhooks: twilioWebhooks(),
    lifecycle: twilioLifecycle(),
  });
}
