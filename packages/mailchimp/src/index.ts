export {
  dataCenterOfApiKey,
  learnApiKeyDataCenter,
  learnOAuthDataCenter,
  type MailchimpConnectionMetadata,
  type MailchimpOAuthApp,
  mailchimpApiKey,
  mailchimpOAuth,
} from "./auth.js";
export { readMailchimpConfig, requireListId } from "./config.js";
export { type MailchimpOptions, mailchimp } from "./connector.js";
export {
  MAILCHIMP_API_PREFIX,
  MAILCHIMP_DC_PATTERN,
  MAILCHIMP_DOCS,
  MAILCHIMP_OAUTH,
  MAILCHIMP_PATHS,
  type MailchimpPath,
  mailchimpApiBase,
  mailchimpPath,
} from "./endpoints.js";
export { formatMailchimpTime, laterOf, sinceWithOverlap } from "./mailchimp-time.js";
export {
  type AudienceChoice,
  audiencesModel,
  listAudiencePages,
  listAudiencesAction,
  MAILCHIMP_MAX_COUNT,
} from "./models/audiences.js";
export { campaignPages, campaignsModel } from "./models/campaigns.js";
export { emailActivityKey, emailActivityModel } from "./models/email-activity.js";
export { membersModel } from "./models/members.js";
export { parseMailchimpError } from "./problem.js";
export {
  MAILCHIMP_MEMBER_STATUSES,
  type MailchimpActivity,
  MailchimpActivitySchema,
  MailchimpApiKeyFieldsSchema,
  MailchimpApiKeySchema,
  type MailchimpAudience,
  MailchimpAudienceSchema,
  type MailchimpCampaign,
  MailchimpCampaignSchema,
  type MailchimpCampaignsPage,
  type MailchimpConfig,
  MailchimpConfigSchema,
  type MailchimpEmailActivity,
  type MailchimpEmailActivityPage,
  MailchimpEmailActivitySchema,
  type MailchimpListsPage,
  type MailchimpMember,
  MailchimpMemberSchema,
  type MailchimpMembersPage,
  type MailchimpOAuthMetadata,
  MailchimpOAuthMetadataSchema,
  type MailchimpProblem,
  MailchimpProblemSchema,
  type MailchimpTag,
  MailchimpTagSchema,
  type MailchimpWebhook,
  MailchimpWebhookSchema,
  type MailchimpWebhooksPage,
} from "./schemas.js";
export { subscriberHash } from "./subscriber-hash.js";
export {
  MAILCHIMP_WEBHOOK_EVENTS,
  MAILCHIMP_WEBHOOK_SECRET_PARAM,
  MAILCHIMP_WEBHOOK_SOURCES,
  mailchimpLifecycle,
  mailchimpWebhooks,
  setupMailchimpWebhook,
  teardownMailchimpWebhook,
} from "./webhooks.js";
