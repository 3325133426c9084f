export {
  accountSidOf,
  expectData,
  FORM_ENCODED,
  type TwilioApiClient,
  twilioApi,
} from "./api-client.js";
export { authModeOf, basicAuthorization, type TwilioAuthMode, twilioCredentials } from "./auth.js";
export { TWILIO_MAX_CONCURRENT, type TwilioOptions, twilio } from "./connector.js";
export {
  messagePath,
  messagesPath,
  TWILIO_API_BASE_URL,
  TWILIO_DOCS_URL,
  TWILIO_PATHS,
  twilioErrorUrl,
} from "./endpoints.js";
export type { components, operations, paths } from "./generated/twilio-api-v2010.js";
export {
  dateSentDay,
  INCREMENTAL_LOOKBACK_DAYS,
  inboundMessageRecord,
  incrementalDateSentFrom,
  MESSAGES_PAGE_SIZE,
  messagesModel,
  syncMessages,
} from "./messages.js";
export {
  E164_PATTERN,
  E164PhoneNumberSchema,
  type InboundMessageWebhook,
  InboundMessageWebhookSchema,
  MAX_BODY_CHARS,
  MESSAGE_STATUSES,
  MessageBodySchema,
  SenderSchema,
  type SendSmsInput,
  SendSmsInputSchema,
  type StatusCallbackWebhook,
  StatusCallbackWebhookSchema,
  TWILIO_SID,
  type TwilioConfig,
  TwilioConfigSchema,
  type TwilioCredentials,
  TwilioCredentialsSchema,
  type TwilioErrorBody,
  TwilioErrorBodySchema,
  type TwilioMessage,
  TwilioMessageSchema,
} from "./schemas.js";
export { type SentMessage, sendSmsAction, sendSmsForm } from "./send-sms.js";
export { parseTwilioError, TWILIO_ERROR } from "./twilio-error.js";
export {
  formParams,
  TWILIO_SIGNATURE_HEADER,
  type TwilioSignedParams,
  twilioBodyHash,
  twilioSignature,
  verifyTwilioRequest,
  verifyTwilioSignature,
} from "./webhook-signature.js";
export {
  ensureWebhookSecret,
  twilioLifecycle,
  twilioWebhookKind,
  twilioWebhooks,
} from "./webhooks.js";
