export { apiBaseUrlOf, environmentOf, tenantOf } from "./connection-metadata.js";
export { type ServiceTitanOptions, serviceTitan } from "./connector.js";
export {
  customerCreateRequest,
  customerRecordOf,
  postCustomer,
  writeCustomers,
} from "./customer-write.js";
export {
  APP_KEY_HEADER,
  SERVICETITAN_DOCS_URL,
  SERVICETITAN_ENVIRONMENTS,
  SERVICETITAN_HOSTS,
  SERVICETITAN_PATHS,
  type ServiceTitanEnvironment,
  servicetitanApiUrl,
  servicetitanTokenUrl,
  tenantOfPath,
} from "./endpoints.js";
export {
  type ExportFeed,
  type ExportPosition,
  exportRowToRecord,
  syncExportFeed,
} from "./export-feed.js";
export { bookJob, checkBooking, postJob, writeJobs } from "./job-booking.js";
export { LIST_PAGE_SIZE, listAll, listPage, syncListFeed } from "./list-feed.js";
export { parseServiceTitanError, problemFieldErrors } from "./problem.js";
export {
  appKeyLabel,
  SERVICETITAN_REQUESTS_PER_SECOND,
  serviceTitanRateLimit,
} from "./rate-limit.js";
export {
  AddressSchema,
  AppointmentInputSchema,
  BookingOptionSchema,
  CUSTOMER_TYPES,
  type CustomerCreateInput,
  CustomerCreateInputSchema,
  type CustomerRecord,
  CustomerRecordSchema,
  ExportPageSchema,
  type InvoiceRecord,
  InvoiceRecordSchema,
  JOB_PRIORITIES,
  JOB_STATUSES,
  JobBookingInputSchema,
  type JobCreateInput,
  JobCreateInputSchema,
  type JobRecord,
  JobRecordSchema,
  type JobTypeRecord,
  JobTypeRecordSchema,
  ListPageSchema,
  LocationSchema,
  type ServiceTitanConfig,
  ServiceTitanConfigSchema,
  type ServiceTitanCredentials,
  type ServiceTitanProblem,
  ServiceTitanProblemSchema,
  serviceTitanCredentialFields,
  type TechnicianRecord,
  TechnicianRecordSchema,
} from "./schemas.js";
