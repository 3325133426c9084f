export { runSend, runTrack, type SendResult, type TrackResult } from "./actions.js";
export {
  addressOf,
  type ClassifiableReply,
  classifyReply,
  headerValue,
  INTERESTED_PHRASES,
  NOT_INTERESTED_PHRASES,
  normalizeSubject,
  OUT_OF_OFFICE_PHRASES,
  REPLY_LABELS,
  type ReplyClassification,
  type ReplyHeaders,
  type ReplyLabel,
  stripQuotedText,
} from "./classify.js";
export { type GmailOptions, gmail } from "./connector.js";
export {
  GMAIL_API_BASE,
  GMAIL_PUSH_PUBLISHER,
  GMAIL_SCOPES,
  GMAIL_USERS_URL,
  GMAIL_WEB_URL,
  GOOGLE_CERTS_URL,
  GOOGLE_ISSUERS,
} from "./endpoints.js";
export {
  buildRfc2822,
  decodeEntities,
  encodeRaw,
  htmlToText,
  messageText,
  type OutgoingMessage,
  payloadHeader,
} from "./mime.js";
export {
  checkPubSubOptions,
  type GmailPubSubOptions,
  gmailPushWebhooks,
  gmailWatchLifecycle,
} from "./push.js";
export { syncReplies } from "./replies.js";
export {
  type GmailConnectionRef,
  type GmailReplyTracking,
  gmailReplyTracking,
} from "./reply-tracking.js";
export {
  type GmailConfig,
  GmailConfigSchema,
  type GmailMessage,
  type GmailMessagePart,
  GmailMessagePartSchema,
  GmailMessageSchema,
  type GmailReply,
  GmailReplySchema,
  MAX_TRACKED_THREADS,
  type SendInput,
  SendInputSchema,
  type TrackedThread,
  TrackedThreadSchema,
  type TrackInput,
  TrackInputSchema,
} from "./schemas.js";
export {
  gmailThreadUrl,
  isOwnMessage,
  readGmailConfig,
  replyRecord,
  TrackedIndex,
  withoutTrackedThread,
  withTrackedThread,
} from "./tracking.js";
