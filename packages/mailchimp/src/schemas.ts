/**
 * Zod schemas for the connector's config and the Mailchimp records it syncs,
 * with Mailchimp's own field names. The fake types its responses against
 * these, so a drift between the two fails the build.
 *
 * @see https://mailchimp.com/developer/marketing/api/
 */
import { z } from "zod";

/** Mailchimp timestamps: ISO 8601 with an offset, e.g. `2015-10-21T15:41:36+00:00`. */
const Timestamp = z.string();

/** Merge field values: strings, numbers, or an address object. */
const MergeFields = z.record(z.string(), z.json());

/**
 * Per-connection settings.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { listId: "a1b2c3d4e5" });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/
 */
export const MailchimpConfigSchema = z.object({
  listId: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The audience (list) to sync members of and to receive webhooks for. Pick one with the audiences model or the listAudiences action.",
    ),
  statusIfNew: z
    .enum(["subscribed", "pending", "unsubscribed", "transactional"])
    .default("subscribed")
    .describe(
      'Status given to a contact the host creates when the write does not say one ("pending" sends Mailchimp\'s double opt-in email).',
    ),
  activityWindowDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe(
      "Incremental email-activity syncs re-read campaigns sent within this many days of the newest one; full syncs read every sent campaign.",
    ),
});

/**
 * The connector's config, as stored (defaults applied).
 * @example
 * ```ts
 * const config: MailchimpConfig = readMailchimpConfig(connection.config);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/
 */
export type MailchimpConfig = z.output<typeof MailchimpConfigSchema>;

/**
 * An API key: 32 hex characters, a dash and the data center (`…-us6`).
 *
 * @example
 * ```ts
 * MailchimpApiKeySchema.parse("0123456789abcdef0123456789abcdef-us6");
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/quick-start/#generate-your-api-key
 */
export const MailchimpApiKeySchema = z
  .string()
  .trim()
  .regex(
    /^[0-9a-f]{32}-[a-z]{2}\d{1,3}$/i,
    'must be a Mailchimp API key: 32 hexadecimal characters, a dash and the data center, e.g. "0123456789abcdef0123456789abcdef-us6" (copy the whole key from Account → Extras → API keys)',
  )
  .describe("API key (ends with the data center, e.g. -us6)");

/**
 * The credential form of API-key mode.
 * @example
 * ```ts
 * MailchimpApiKeyFieldsSchema.parse({ apiKey: "0123456789abcdef0123456789abcdef-us6" });
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/fundamentals/#authentication-methods
 */
export const MailchimpApiKeyFieldsSchema = z.object({ apiKey: MailchimpApiKeySchema });

/**
 * An audience (Mailchimp calls them lists in the API): `GET /lists`.
 *
 * @example
 * ```ts
 * const audience: MailchimpAudience = MailchimpAudienceSchema.parse(page.lists[0]);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export const MailchimpAudienceSchema = z.object({
  id: z.string(),
  web_id: z.number().optional(),
  name: z.string(),
  date_created: Timestamp.optional(),
  list_rating: z.number().optional(),
  email_type_option: z.boolean().optional(),
  visibility: z.string().optional(),
  double_optin: z.boolean().optional(),
  stats: z
    .object({
      member_count: z.number(),
      unsubscribe_count: z.number().optional(),
      cleaned_count: z.number().optional(),
      campaign_count: z.number().optional(),
      last_sub_date: z.string().optional(),
      last_unsub_date: z.string().optional(),
    })
    .optional(),
});
/**
 * One audience.
 * @example
 * ```ts
 * const name = (record as MailchimpAudience).name;
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export type MailchimpAudience = z.infer<typeof MailchimpAudienceSchema>;

/**
 * Member statuses. `archived` members are hidden from listings unless asked for.
 * @example
 * ```ts
 * MAILCHIMP_MEMBER_STATUSES.includes("archived"); // true
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
 */
export const MAILCHIMP_MEMBER_STATUSES = [
  "subscribed",
  "unsubscribed",
  "cleaned",
  "pending",
  "transactional",
  "archived",
] as const;

/**
 * A tag on a member, as listings return it.
 *
 * @example
 * ```ts
 * const tag: MailchimpTag = { id: 5501, name: "radio" };
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-member-tags/
 */
export const MailchimpTagSchema = z.object({ id: z.number(), name: z.string() });
/**
 * One tag.
 * @example
 * ```ts
 * const names = member.tags?.map((tag: MailchimpTag) => tag.name);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-member-tags/
 */
export type MailchimpTag = z.infer<typeof MailchimpTagSchema>;

/**
 * An audience member: `GET /lists/{list_id}/members`. `id` is the subscriber
 * hash (MD5 of the lowercase email address).
 *
 * @example
 * ```ts
 * const member = MailchimpMemberSchema.parse(page.members[0]);
 * member.id === subscriberHash(member.email_address); // true
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
 */
export const MailchimpMemberSchema = z.object({
  id: z.string(),
  email_address: z.string(),
  unique_email_id: z.string().optional(),
  contact_id: z.string().optional(),
  full_name: z.string().optional(),
  web_id: z.number().optional(),
  email_type: z.string().optional(),
  status: z.enum(MAILCHIMP_MEMBER_STATUSES),
  merge_fields: MergeFields.optional(),
  ip_signup: z.string().optional(),
  timestamp_signup: z.string().optional(),
  ip_opt: z.string().optional(),
  timestamp_opt: z.string().optional(),
  member_rating: z.number().optional(),
  last_changed: Timestamp,
  language: z.string().optional(),
  vip: z.boolean().optional(),
  email_client: z.string().optional(),
  source: z.string().optional(),
  tags_count: z.number().optional(),
  tags: z.array(MailchimpTagSchema).optional(),
  list_id: z.string(),
});
/**
 * One member.
 * @example
 * ```ts
 * const email = (record as MailchimpMember).email_address;
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/
 */
export type MailchimpMember = z.infer<typeof MailchimpMemberSchema>;

/**
 * A campaign: `GET /campaigns`. `send_time` is `""` until it is sent.
 *
 * @example
 * ```ts
 * const sent = campaigns.filter((c: MailchimpCampaign) => c.status === "sent");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/
 */
export const MailchimpCampaignSchema = z.object({
  id: z.string(),
  web_id: z.number().optional(),
  type: z.string(),
  create_time: Timestamp,
  archive_url: z.string().optional(),
  long_archive_url: z.string().optional(),
  status: z.string(),
  emails_sent: z.number().optional(),
  send_time: z.string().optional(),
  content_type: z.string().optional(),
  recipients: z
    .object({
      list_id: z.string().optional(),
      list_is_active: z.boolean().optional(),
      list_name: z.string().optional(),
      segment_text: z.string().optional(),
      recipient_count: z.number().optional(),
    })
    .optional(),
  settings: z
    .object({
      subject_line: z.string().optional(),
      preview_text: z.string().optional(),
      title: z.string().optional(),
      from_name: z.string().optional(),
      reply_to: z.string().optional(),
    })
    .optional(),
  report_summary: z
    .object({
      opens: z.number(),
      unique_opens: z.number(),
      open_rate: z.number(),
      clicks: z.number(),
      subscriber_clicks: z.number(),
      click_rate: z.number(),
    })
    .optional(),
});
/**
 * One campaign.
 * @example
 * ```ts
 * const subject = (record as MailchimpCampaign).settings?.subject_line;
 * ```
 * @see https://mailchimp.com/developer/marketing/api/campaigns/
 */
export type MailchimpCampaign = z.infer<typeof MailchimpCampaignSchema>;

/**
 * One interaction of a recipient with a campaign.
 *
 * @example
 * ```ts
 * const opened = record.activity.some((a: MailchimpActivity) => a.action === "open");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/
 */
export const MailchimpActivitySchema = z.object({
  /** `open`, `click` or `bounce`. */
  action: z.string(),
  timestamp: Timestamp,
  /** For a click: the URL clicked. */
  url: z.string().optional(),
  ip: z.string().optional(),
  /** For a bounce: `hard` or `soft`. */
  type: z.string().optional(),
});
/**
 * One activity entry.
 * @example
 * ```ts
 * const clicks = record.activity.filter((a: MailchimpActivity) => a.action === "click");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/
 */
export type MailchimpActivity = z.infer<typeof MailchimpActivitySchema>;

/**
 * A recipient's activity on one sent campaign:
 * `GET /reports/{campaign_id}/email-activity`. Every recipient is listed, with
 * an empty `activity` until they open or click — so one record says both
 * "sent" and "opened".
 *
 * @example
 * ```ts
 * const record = MailchimpEmailActivitySchema.parse(page.emails[0]);
 * const key = `${record.campaign_id}:${record.email_id}`;
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/
 */
export const MailchimpEmailActivitySchema = z.object({
  campaign_id: z.string(),
  list_id: z.string(),
  list_is_active: z.boolean().optional(),
  /** The subscriber hash (MD5 of the lowercase email address). */
  email_id: z.string(),
  email_address: z.string(),
  activity: z.array(MailchimpActivitySchema),
});
/**
 * One email-activity record.
 * @example
 * ```ts
 * const opened = (record as MailchimpEmailActivity).activity.some((a) => a.action === "open");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/
 */
export type MailchimpEmailActivity = z.infer<typeof MailchimpEmailActivitySchema>;

/**
 * A list webhook: `POST /lists/{list_id}/webhooks`.
 *
 * @example
 * ```ts
 * const hook = MailchimpWebhookSchema.parse(response.data);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/
 */
export const MailchimpWebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  list_id: z.string(),
  events: z.object({
    subscribe: z.boolean().optional(),
    unsubscribe: z.boolean().optional(),
    profile: z.boolean().optional(),
    cleaned: z.boolean().optional(),
    upemail: z.boolean().optional(),
    campaign: z.boolean().optional(),
  }),
  sources: z.object({
    user: z.boolean().optional(),
    admin: z.boolean().optional(),
    api: z.boolean().optional(),
  }),
});
/**
 * One list webhook.
 * @example
 * ```ts
 * const secret = new URL((hook as MailchimpWebhook).url).searchParams.get("secret");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/
 */
export type MailchimpWebhook = z.infer<typeof MailchimpWebhookSchema>;

/**
 * What `https://login.mailchimp.com/oauth2/metadata` answers for a valid
 * token. For an invalid one it answers 200 with `{ error: "invalid_token" }`.
 *
 * @example
 * ```ts
 * const { dc, api_endpoint } = MailchimpOAuthMetadataSchema.parse(body);
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export const MailchimpOAuthMetadataSchema = z.object({
  dc: z.string(),
  api_endpoint: z.string(),
  accountname: z.string().optional(),
  user_id: z.number().optional(),
  role: z.string().optional(),
  login_url: z.string().optional(),
  login: z
    .object({
      email: z.string().optional(),
      login_id: z.number().optional(),
      login_name: z.string().optional(),
      login_email: z.string().optional(),
    })
    .optional(),
});
/**
 * The metadata of an OAuth grant.
 * @example
 * ```ts
 * const { dc } = body as MailchimpOAuthMetadata;
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/
 */
export type MailchimpOAuthMetadata = z.infer<typeof MailchimpOAuthMetadataSchema>;

/**
 * Mailchimp's error body (RFC 7807 `application/problem+json`).
 *
 * @example
 * ```ts
 * const problem = MailchimpProblemSchema.safeParse(body);
 * if (problem.success) console.log(problem.data.title, problem.data.detail);
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export const MailchimpProblemSchema = z.object({
  type: z.string().optional(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string().optional(), message: z.string() })).optional(),
});
/**
 * One error body.
 * @example
 * ```ts
 * const { title, detail } = body as MailchimpProblem;
 * ```
 * @see https://mailchimp.com/developer/marketing/docs/errors/
 */
export type MailchimpProblem = z.infer<typeof MailchimpProblemSchema>;

/**
 * `GET /lists`
 * @example
 * ```ts
 * const { data } = await http.get<MailchimpListsPage>("/lists", { query: { count: 1000 } });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
 */
export interface MailchimpListsPage {
  lists: unknown[];
  total_items: number;
}
/**
 * `GET /lists/{list_id}/members`
 * @example
 * ```ts
 * const { data } = await http.get<MailchimpMembersPage>(`/lists/${listId}/members`);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
 */
export interface MailchimpMembersPage {
  members: MailchimpMember[];
  list_id: string;
  total_items: number;
}
/**
 * `GET /campaigns`
 * @example
 * ```ts
 * const { data } = await http.get<MailchimpCampaignsPage>("/campaigns", { query: { status: "sent" } });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/
 */
export interface MailchimpCampaignsPage {
  campaigns: MailchimpCampaign[];
  total_items: number;
}
/**
 * `GET /reports/{campaign_id}/email-activity`
 * @example
 * ```ts
 * const { data } = await http.get<MailchimpEmailActivityPage>(`/reports/${campaignId}/email-activity`);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/
 */
export interface MailchimpEmailActivityPage {
  emails: MailchimpEmailActivity[];
  campaign_id: string;
  total_items: number;
}
/**
 * `GET /lists/{list_id}/webhooks`
 * @example
 * ```ts
 * const { data } = await http.get<MailchimpWebhooksPage>(`/lists/${listId}/webhooks`);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/list-webhooks/
 */
export interface MailchimpWebhooksPage {
  webhooks: MailchimpWebhook[];
  list_id: string;
  total_items: number;
}
