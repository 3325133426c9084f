/**
 * Indeed Apply: applications POSTed by Indeed to each job's `postUrl`,
 * verified with `X-Indeed-Signature` and stored as `applicants` records.
 */
import {
  ConfigError,
  type SyncContext,
  type SyncPage,
  verifyHmacSignature,
  type WebhookDelivery,
  type WebhookSpec,
} from "@patchbay/core";
import { INDEED_APPLY_ROUTE_PARAM, INDEED_SIGNATURE_HEADER } from "./endpoints.js";
import type { IndeedApplication } from "./schemas.js";

/**
 * Whether a delivery carries Indeed's signature: `X-Indeed-Signature` must
 * be the base64 HMAC-SHA1 of the raw body keyed with the Indeed Apply API
 * secret (compared in constant time).
 *
 * @example
 * ```ts
 * verifyIndeedApplySignature(delivery, process.env.INDEED_APPLY_SECRET); // true or false
 * ```
 * @see https://docs.indeed.com/indeed-apply/message-signature-generation
 */
export function verifyIndeedApplySignature(
  delivery: Pick<WebhookDelivery, "headers" | "rawBody">,
  secret: string | undefined,
): boolean {
  return verifyHmacSignature({
    algorithm: "sha1",
    secret,
    data: delivery.rawBody,
    signature: delivery.headers.get(INDEED_SIGNATURE_HEADER),
    encoding: "base64",
  });
}

/**
 * Webhook handling for Indeed Apply deliveries: app-level secret, routed by
 * the `employer` query parameter of the `postUrl` to the connection of that
 * employer, deduplicated by the application `id`, applied directly to the
 * `applicants` model. Indeed signs no timestamp, so there is no replay
 * window beyond the id deduplication.
 *
 * @example
 * ```ts
 * defineConnector({ ..., webhooks: indeedApplyWebhooks(options.applySecret) });
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-delivery
 */
export function indeedApplyWebhooks(secret: string | undefined): WebhookSpec {
  return {
    secret: "app",
    verify: (delivery) => verifyIndeedApplySignature(delivery, secret),
    deliveryId: (delivery) => {
      const id = (delivery.payload as { id?: unknown } | undefined)?.id;
      return typeof id === "string" && id !== "" ? `indeed-apply:${id}` : undefined;
    },
    route: (delivery) => {
      const employer = delivery.url.searchParams.get(INDEED_APPLY_ROUTE_PARAM);
      return employer === null || employer === "" ? undefined : { employerId: employer };
    },
    actions: (delivery) => {
      if (delivery.payload === null || typeof delivery.payload !== "object") return [];
      return [{ kind: "apply", model: "applicants", records: [delivery.payload] }];
    },
  };
}

/**
 * The `applicants` model's sync: Indeed has no API to list Indeed Apply
 * applications (they only arrive as deliveries), and a full sync that saw
 * nothing would mark every delivered applicant deleted, so it refuses.
 *
 * @throws ConfigError always, naming the fix.
 * @example
 * ```ts
 * // Applicants arrive through patchbay.handleWebhook("indeed", request); do not schedule this model.
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-delivery
 */
// biome-ignore lint/correctness/useYield: refuses before the first page on purpose
export async function* syncApplicants(_ctx: SyncContext): AsyncGenerator<SyncPage<unknown>> {
  throw new ConfigError(
    'Indeed has no API to list Indeed Apply applicants: they arrive as deliveries to patchbay.handleWebhook("indeed", request). Do not schedule syncs of "applicants".',
  );
}

/**
 * The applicant's answers to screener (and demographic) questions, flattened
 * from whichever container Indeed used (`screenerQuestionsAndAnswers`,
 * `demographicQuestionsAndAnswers`, or the older `questions`).
 *
 * @example
 * ```ts
 * for (const { question, answer } of indeedApplyAnswers(application)) console.log(question, answer);
 * ```
 * @see https://docs.indeed.com/indeed-apply/application-data
 */
export function indeedApplyAnswers(
  application: IndeedApplication,
): Array<{ id: string; question: string | undefined; answer: unknown; demographic: boolean }> {
  const out: Array<{
    id: string;
    question: string | undefined;
    answer: unknown;
    demographic: boolean;
  }> = [];
  const screener = application.screenerQuestionsAndAnswers ?? application.questions;
  for (const qa of screener?.questionsAndAnswers ?? []) {
    out.push({
      id: qa.question.id,
      question: qa.question.question,
      answer: qa.answer,
      demographic: false,
    });
  }
  for (const qa of application.demographicQuestionsAndAnswers?.questionsAndAnswers ?? []) {
    out.push({
      id: qa.question.id,
      question: qa.question.question,
      answer: qa.answer,
      demographic: true,
    });
  }
  return out;
}
