/**
 * Mailchimp Marketing API v3 URLs, shared by the connector and its fake.
 *
 * Paths are templates with `{name}` placeholders, filled with
 * {@link mailchimpPath} (values are URI-encoded) and turned into MSW patterns
 * by the fake, so both sides use one list.
 *
 * @see https://mailchimp.com/developer/marketing/api/
 */

/**
 * Mailchimp's OAuth 2.0 endpoints and the metadata endpoint that tells which
 * data center an account lives in.
 *
 * @example
 * ```ts
 * await fetch(MAILCHIMP_OAUTH.metadataUrl, { headers: { authorization: `OAuth ${token}` } });
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export const MAILCHIMP_OAUTH = {
  authorizationUrl: "https://login.mailchimp.com/oauth2/authorize",
  tokenUrl: "https://login.mailchimp.com/oauth2/token",
  metadataUrl: "https://login.mailchimp.com/oauth2/metadata",
} as const;

/**
 * The API's path prefix on every data-center host.
 *
 * @example
 * ```ts
 * `https://us6.api.mailchimp.com${MAILCHIMP_API_PREFIX}/ping`
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 */
export const MAILCHIMP_API_PREFIX = "/3.0";

/**
 * A data center ("server prefix"): `us` and a number, as in `us6` or `us21`.
 *
 * @example
 * ```ts
 * MAILCHIMP_DC_PATTERN.test("us21"); // true
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 */
export const MAILCHIMP_DC_PATTERN = /^[a-z]{2}\d{1,3}$/;

/**
 * The API base URL of a data center: `https://<dc>.api.mailchimp.com/3.0`.
 *
 * @throws TypeError when `dc` is not a data center such as `us6`.
 * @example
 * ```ts
 * mailchimpApiBase("us6"); // "https://us6.api.mailchimp.com/3.0"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
 */
export function mailchimpApiBase(dc: string): string {
  if (typeof dc !== "string" || !MAILCHIMP_DC_PATTERN.test(dc)) {
    throw new TypeError(
      `"dc" must be a Mailchimp data center such as "us6", got ${JSON.stringify(dc)}`,
    );
  }
  return `https://${dc}.api.mailchimp.com${MAILCHIMP_API_PREFIX}`;
}

/**
 * The API paths this package uses, relative to {@link mailchimpApiBase}.
 *
 * @example
 * ```ts
 * mailchimpPath(MAILCHIMP_PATHS.member, { list_id: "a1b2c3", subscriber_hash: hash });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export const MAILCHIMP_PATHS = {
  /** API health check: `{ health_status: "Everything's Chimpy!" }`. */
  ping: "/ping",
  /** Account information. */
  root: "/",
  lists: "/lists",
  list: "/lists/{list_id}",
  members: "/lists/{list_id}/members",
  member: "/lists/{list_id}/members/{subscriber_hash}",
  memberTags: "/lists/{list_id}/members/{subscriber_hash}/tags",
  webhooks: "/lists/{list_id}/webhooks",
  webhook: "/lists/{list_id}/webhooks/{webhook_id}",
  campaigns: "/campaigns",
  campaign: "/campaigns/{campaign_id}",
  emailActivity: "/reports/{campaign_id}/email-activity",
  memberEmailActivity: "/reports/{campaign_id}/email-activity/{subscriber_hash}",
} as const;

/**
 * One of {@link MAILCHIMP_PATHS}.
 * @example
 * ```ts
 * const path: MailchimpPath = MAILCHIMP_PATHS.members;
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export type MailchimpPath = (typeof MAILCHIMP_PATHS)[keyof typeof MAILCHIMP_PATHS];

/**
 * Fill a path template; each value is URI-encoded.
 *
 * @throws TypeError naming a placeholder that has no (non-empty) value.
 * @example
 * ```ts
 * mailchimpPath("/lists/{list_id}/members", { list_id: "a1b2c3" }); // "/lists/a1b2c3/members"
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/methods-parameters/#path-parameters
 */
export function mailchimpPath(
  template: MailchimpPath,
  params: Record<string, string> = {},
): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (typeof value !== "string" || value === "") {
      throw new TypeError(`"${name}" must be a non-empty string`);
    }
    return encodeURIComponent(value);
  });
}

/**
 * Mailchimp's reference pages, for docs and error messages.
 *
 * @example
 * ```ts
 * console.log(`See ${MAILCHIMP_DOCS.errors}`);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export const MAILCHIMP_DOCS = {
  reference: "https://mailchimp.com/developer/marketing/api/",
  oauth: "https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/",
  fundamentals: "https://mailchimp.com/developer/marketing/docs/fundamentals/",
  errors: "https://mailchimp.com/developer/marketing/docs/errors/",
  webhooks: "https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/",
  /** Swagger 2.0 description of the API (each path is a `$ref`; `?expand` inlines them). */
  openApi: "https://api.mailchimp.com/schema/3.0/Swagger.json?expand",
} as const;
