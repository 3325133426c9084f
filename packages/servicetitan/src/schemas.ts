/**
 * Zod schemas: the credential form, the connection's config, the records the
 * models sync and ServiceTitan's wire types, with ServiceTitan's own field
 * names (camelCase JSON of the v2 APIs).
 */
import { z } from "zod";

/**
 * ServiceTitan ids are int64; every id this connector sees fits in a double.
 */
const id = z.number().int().positive();
const idIn = (what: string) =>
  z
    .number({
      error: (issue) =>
        issue.input === undefined
          ? "is required"
          : `must be the ServiceTitan ${what} id (a positive integer)`,
    })
    .int(`must be the ServiceTitan ${what} id (a positive integer)`)
    .positive(`must be the ServiceTitan ${what} id (a positive integer)`);
const text = z.string().nullable().optional();
const when = z.string().nullable().optional();

/**
 * What the user types to connect: the tenant's client ID and secret (from
 * Settings → Integrations → API Application Access in ServiceTitan), the
 * numeric tenant ID and the environment the credentials belong to.
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({
 *   tenantId: "acme",
 *   connector: "servicetitan",
 *   credentials: { clientId: "cid.…", clientSecret: "cs1.…", tenantId: "1011756844", environment: "integration" },
 * });
 * ```
 * @see https://developer.servicetitan.io/docs/oauth20/
 */
export function serviceTitanCredentialFields(defaultEnvironment: "production" | "integration") {
  return z.object({
    clientId: z.string().trim().min(1, "is required").describe("Client ID"),
    clientSecret: z.string().trim().min(1, "is required").describe("Client secret"),
    tenantId: z
      .string()
      .trim()
      .regex(/^\d{1,19}$/, "must be the numeric ServiceTitan tenant ID")
      .describe("Tenant ID"),
    environment: z
      .enum(["production", "integration"])
      .default(defaultEnvironment)
      .describe("Environment the client ID and secret belong to"),
  });
}

/**
 * The credential form's values. See {@link serviceTitanCredentialFields}.
 *
 * @example
 * ```ts
 * const fields: ServiceTitanCredentials = { clientId: "cid.x", clientSecret: "cs1.y", tenantId: "1011756844", environment: "production" };
 * ```
 * @see https://developer.servicetitan.io/docs/oauth20/
 */
export type ServiceTitanCredentials = z.infer<ReturnType<typeof serviceTitanCredentialFields>>;

/**
 * Job priorities ServiceTitan accepts when booking a job.
 *
 * @example
 * ```ts
 * JOB_PRIORITIES.includes("Urgent"); // true
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export const JOB_PRIORITIES = ["Low", "Normal", "High", "Urgent"] as const;

/**
 * Job statuses, as `jobStatus` reports them (`Jpm.V2.JobStatus`).
 *
 * @example
 * ```ts
 * JOB_STATUSES.includes("InProgress"); // true
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_GetList
 */
export const JOB_STATUSES = [
  "Scheduled",
  "Dispatched",
  "InProgress",
  "Hold",
  "Completed",
  "Canceled",
] as const;

/**
 * Customer types (`Crm.V2.Customers.CustomerType`).
 *
 * @example
 * ```ts
 * CUSTOMER_TYPES[0]; // "Residential"
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export const CUSTOMER_TYPES = ["Residential", "Commercial"] as const;

/**
 * Per-connection settings: defaults used when a job is booked without them.
 * Every field is optional; a job booked without a value and without a
 * default is refused with an error naming the field.
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, { defaultBusinessUnitId: 101, defaultCampaignId: 301, defaultPriority: "Normal" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export const ServiceTitanConfigSchema = z.object({
  defaultBusinessUnitId: id
    .optional()
    .describe("Business unit for booked jobs that name none (see the listBookingOptions action)"),
  defaultJobTypeId: id.optional().describe("Job type for booked jobs that name none"),
  defaultCampaignId: id.optional().describe("Campaign for booked jobs that name none"),
  defaultPriority: z
    .enum(JOB_PRIORITIES)
    .optional()
    .describe("Priority for booked jobs that name none"),
});

/**
 * The connection's config. See {@link ServiceTitanConfigSchema}.
 *
 * @example
 * ```ts
 * const config: ServiceTitanConfig = { defaultPriority: "High" };
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export type ServiceTitanConfig = z.infer<typeof ServiceTitanConfigSchema>;

/**
 * A street address as ServiceTitan returns it.
 *
 * @example
 * ```ts
 * AddressSchema.parse({ street: "12 Elm St", city: "Denver", state: "CO", zip: "80203", country: "USA" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Get
 */
export const AddressSchema = z.looseObject({
  street: text,
  unit: text,
  city: text,
  state: text,
  zip: text,
  country: text,
  latitude: z.number().nullable().optional(),
  longitude: z.number().nullable().optional(),
});

const CustomFieldSchema = z.looseObject({
  typeId: z.number().int(),
  name: text,
  value: text,
});

/**
 * A customer, as the `export/customers` feed returns it, without `active`
 * (inactive customers are tombstones, never records).
 *
 * @example
 * ```ts
 * CustomerRecordSchema.parse({ id: 2001, name: "Ada Lovelace", type: "Residential", modifiedOn: "2024-05-01T10:00:00Z" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Export_Customers
 */
export const CustomerRecordSchema = z.looseObject({
  id,
  name: z.string(),
  type: z.enum(CUSTOMER_TYPES).nullable().optional(),
  address: AddressSchema.nullable().optional(),
  customFields: z.array(CustomFieldSchema).nullable().optional(),
  balance: z.number().nullable().optional(),
  tagTypeIds: z.array(z.number().int()).nullable().optional(),
  doNotMail: z.boolean().nullable().optional(),
  doNotService: z.boolean().nullable().optional(),
  createdOn: when,
  createdById: z.number().int().nullable().optional(),
  modifiedOn: z.string(),
  mergedToId: z.number().int().nullable().optional(),
});

/**
 * A synced customer. See {@link CustomerRecordSchema}.
 *
 * @example
 * ```ts
 * const c: CustomerRecord = { id: 2001, name: "Ada Lovelace", modifiedOn: "2024-05-01T10:00:00Z" };
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Export_Customers
 */
export type CustomerRecord = z.infer<typeof CustomerRecordSchema>;

/**
 * A job, as the `export/jobs` feed returns it, without `active`. `jobStatus`
 * is one of {@link JOB_STATUSES}; `jobTypeId` names one of the tenant's job
 * types (the `jobTypes` model).
 *
 * @example
 * ```ts
 * JobRecordSchema.parse({ id: 5001, jobNumber: "5001", customerId: 2001, locationId: 2101, jobStatus: "Scheduled", businessUnitId: 101, jobTypeId: 201, priority: "Normal", campaignId: 301, modifiedOn: "2024-05-01T10:00:00Z" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Export_Jobs
 */
export const JobRecordSchema = z.looseObject({
  id,
  jobNumber: z.string(),
  projectId: z.number().int().nullable().optional(),
  customerId: id,
  locationId: id,
  jobStatus: z.enum(JOB_STATUSES),
  completedOn: when,
  businessUnitId: id,
  jobTypeId: id,
  priority: z.string(),
  campaignId: z.number().int().nullable().optional(),
  summary: text,
  customFields: z.array(CustomFieldSchema).nullable().optional(),
  appointmentCount: z.number().int().nullable().optional(),
  firstAppointmentId: z.number().int().nullable().optional(),
  lastAppointmentId: z.number().int().nullable().optional(),
  recallForId: z.number().int().nullable().optional(),
  warrantyId: z.number().int().nullable().optional(),
  noCharge: z.boolean().nullable().optional(),
  notificationsEnabled: z.boolean().nullable().optional(),
  createdOn: when,
  createdById: z.number().int().nullable().optional(),
  modifiedOn: z.string(),
  tagTypeIds: z.array(z.number().int()).nullable().optional(),
  bookingId: z.number().int().nullable().optional(),
  soldById: z.number().int().nullable().optional(),
  customerPo: text,
});

/**
 * A synced job. See {@link JobRecordSchema}.
 *
 * @example
 * ```ts
 * const done = (job: JobRecord) => job.jobStatus === "Completed";
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Export_Jobs
 */
export type JobRecord = z.infer<typeof JobRecordSchema>;

const NamedRefSchema = z.looseObject({ id: z.number().int(), name: text });

/**
 * An invoice, as the `export/invoices` feed returns it, without `active`.
 * Amounts are decimal strings, as ServiceTitan sends them.
 *
 * @example
 * ```ts
 * InvoiceRecordSchema.parse({ id: 7001, referenceNumber: "7001", total: "189.00", balance: "0.00", modifiedOn: "2024-05-01T10:00:00Z" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-accounting-v2&operation=Export_Invoices
 */
export const InvoiceRecordSchema = z.looseObject({
  id,
  syncStatus: text,
  summary: text,
  referenceNumber: text,
  invoiceDate: when,
  dueDate: when,
  subTotal: text,
  salesTax: text,
  total: text,
  balance: text,
  customer: NamedRefSchema.nullable().optional(),
  customerAddress: AddressSchema.nullable().optional(),
  locationAddress: AddressSchema.nullable().optional(),
  businessUnit: NamedRefSchema.nullable().optional(),
  termName: text,
  createdBy: text,
  modifiedOn: z.string(),
  adjustmentToId: z.number().int().nullable().optional(),
  job: z.looseObject({ id: z.number().int(), number: text, type: text }).nullable().optional(),
  projectId: z.number().int().nullable().optional(),
  items: z.array(z.looseObject({})).nullable().optional(),
});

/**
 * A synced invoice. See {@link InvoiceRecordSchema}.
 *
 * @example
 * ```ts
 * const unpaid = (invoice: InvoiceRecord) => Number(invoice.balance ?? 0) > 0;
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-accounting-v2&operation=Export_Invoices
 */
export type InvoiceRecord = z.infer<typeof InvoiceRecordSchema>;

/**
 * A technician, as the `export/technicians` feed returns it, without `active`.
 *
 * @example
 * ```ts
 * TechnicianRecordSchema.parse({ id: 401, userId: 9401, name: "Maria Lopez", modifiedOn: "2024-05-01T10:00:00Z" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-settings-v2&operation=Export_Technicians
 */
export const TechnicianRecordSchema = z.looseObject({
  id,
  userId: z.number().int().nullable().optional(),
  name: z.string(),
  businessUnitId: z.number().int().nullable().optional(),
  email: text,
  phoneNumber: text,
  loginName: text,
  team: text,
  createdOn: when,
  modifiedOn: z.string(),
});

/**
 * A synced technician. See {@link TechnicianRecordSchema}.
 *
 * @example
 * ```ts
 * const label = (tech: TechnicianRecord) => `${tech.name} (${tech.team ?? "no team"})`;
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-settings-v2&operation=Export_Technicians
 */
export type TechnicianRecord = z.infer<typeof TechnicianRecordSchema>;

/**
 * A job type, as the `job-types` list returns it, without `active`.
 *
 * @example
 * ```ts
 * JobTypeRecordSchema.parse({ id: 201, name: "AC Tune-Up", modifiedOn: "2024-05-01T10:00:00Z" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=JobTypes_GetList
 */
export const JobTypeRecordSchema = z.looseObject({
  id,
  name: z.string(),
  businessUnitIds: z.array(z.number().int()).nullable().optional(),
  priority: text,
  duration: z.number().nullable().optional(),
  summary: text,
  noCharge: z.boolean().nullable().optional(),
  modifiedOn: z.string(),
});

/**
 * A synced job type. See {@link JobTypeRecordSchema}.
 *
 * @example
 * ```ts
 * const option = (t: JobTypeRecord) => ({ value: t.id, label: t.name });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=JobTypes_GetList
 */
export type JobTypeRecord = z.infer<typeof JobTypeRecordSchema>;

/**
 * An export feed page: `data` in modification order, `hasMore`, and the
 * `continueFrom` token to pass as `from` next time.
 *
 * @example
 * ```ts
 * const page = ExportPageSchema.parse(await http.get(path, { query: { from } }).then((r) => r.data));
 * ```
 * @see https://developer.servicetitan.io/docs/transactional-and-export-apis/
 */
export const ExportPageSchema = z.looseObject({
  data: z.array(z.looseObject({})),
  hasMore: z.boolean(),
  continueFrom: z.string(),
});

/**
 * A list page: `page` (from 1), `pageSize`, `hasMore`, `totalCount` (with
 * `includeTotal=true`) and `data`.
 *
 * @example
 * ```ts
 * ListPageSchema.parse({ page: 1, pageSize: 50, hasMore: false, data: [] });
 * ```
 * @see https://developer.servicetitan.io/docs/timeouts-and-pagination/
 */
export const ListPageSchema = z.looseObject({
  page: z.number().int(),
  pageSize: z.number().int(),
  hasMore: z.boolean(),
  totalCount: z.number().int().nullable().optional(),
  data: z.array(z.looseObject({})),
});

/**
 * ServiceTitan's error body (`ApiErrorResponse`, after RFC 7807): `type`,
 * `title`, `status`, `traceId`, and `errors` by field.
 *
 * @example
 * ```ts
 * ServiceTitanProblemSchema.parse({ type: "https://tools.ietf.org/html/rfc7231#section-6.5.1", title: "One or more validation errors occurred.", status: 400, traceId: "00-…", errors: { name: ["The Name field is required."] } });
 * ```
 * @see https://developer.servicetitan.io/docs/api-response-codes/
 */
export const ServiceTitanProblemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string(),
  status: z.number().int().optional(),
  traceId: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).nullable().optional(),
  data: z.record(z.string(), z.unknown()).nullable().optional(),
});

/**
 * An error body. See {@link ServiceTitanProblemSchema}.
 *
 * @example
 * ```ts
 * const fields = (p: ServiceTitanProblem) => Object.keys(p.errors ?? {});
 * ```
 * @see https://developer.servicetitan.io/docs/api-response-codes/
 */
export type ServiceTitanProblem = z.infer<typeof ServiceTitanProblemSchema>;

const AddressInputSchema = z.object(
  {
    street: z.string({ error: "is required" }).trim().min(1, "is required"),
    unit: z.string().optional(),
    city: z.string({ error: "is required" }).trim().min(1, "is required"),
    state: z.string({ error: "is required" }).trim().min(1, "is required"),
    zip: z.string({ error: "is required" }).trim().min(1, "is required"),
    country: z.string().trim().min(1).default("USA"),
    latitude: z.number().optional(),
    longitude: z.number().optional(),
  },
  { error: "is required (street, city, state, zip)" },
);

/**
 * Creating a customer (`POST /crm/v2/tenant/{tenant}/customers`): a name, a
 * billing address and at least one service location. `locations` may be
 * left out: one location named after the customer, at the billing address,
 * is sent (a homeowner's service address is usually their own).
 *
 * @example
 * ```ts
 * CustomerCreateInputSchema.parse({ name: "Ada Lovelace", address: { street: "12 Elm St", city: "Denver", state: "CO", zip: "80203" } });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export const CustomerCreateInputSchema = z.object({
  name: z.string({ error: "is required" }).trim().min(1, "is required"),
  type: z.enum(CUSTOMER_TYPES).default("Residential"),
  doNotMail: z.boolean().optional(),
  doNotService: z.boolean().optional(),
  address: AddressInputSchema,
  locations: z
    .array(
      z.object({
        name: z.string({ error: "is required" }).trim().min(1, "is required"),
        address: AddressInputSchema,
        contacts: z
          .array(z.object({ type: z.string().min(1), value: z.string().min(1) }))
          .optional(),
      }),
    )
    .min(1, "needs at least one service location")
    .optional(),
  contacts: z
    .array(
      z.object({
        type: z.enum(["Phone", "Email", "Fax", "MobilePhone"]),
        value: z.string().trim().min(1, "is required"),
        memo: z.string().optional(),
      }),
    )
    .optional(),
});

/**
 * A customer to create. See {@link CustomerCreateInputSchema}.
 *
 * @example
 * ```ts
 * const input: CustomerCreateInput = { name: "Ada", type: "Residential", address: { street: "1 A St", city: "X", state: "CO", zip: "80000", country: "USA" } };
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Customers_Create
 */
export type CustomerCreateInput = z.infer<typeof CustomerCreateInputSchema>;

const isoDateTime = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" });

/**
 * An appointment of a job being booked: start and end (UTC), an optional
 * arrival window and technicians.
 *
 * @example
 * ```ts
 * AppointmentInputSchema.parse({ start: "2024-06-03T15:00:00Z", end: "2024-06-03T17:00:00Z" });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export const AppointmentInputSchema = z
  .object({
    start: isoDateTime,
    end: isoDateTime,
    arrivalWindowStart: isoDateTime.optional(),
    arrivalWindowEnd: isoDateTime.optional(),
    technicianIds: z.array(idIn("technician")).optional(),
  })
  .refine((a) => Date.parse(a.end) > Date.parse(a.start), {
    message: "must end after it starts",
    path: ["end"],
  });

/**
 * Booking a job (`POST /jpm/v2/tenant/{tenant}/jobs`): ServiceTitan needs
 * the customer, one of the customer's locations, a business unit, a job
 * type, a priority, a campaign and at least one appointment.
 *
 * @example
 * ```ts
 * JobCreateInputSchema.parse({
 *   customerId: 2001, locationId: 2101, businessUnitId: 101, jobTypeId: 201, priority: "Normal", campaignId: 301,
 *   appointments: [{ start: "2024-06-03T15:00:00Z", end: "2024-06-03T17:00:00Z" }],
 * });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export const JobCreateInputSchema = z.object({
  customerId: idIn("customer"),
  locationId: idIn("location"),
  businessUnitId: idIn("business unit"),
  jobTypeId: idIn("job type"),
  priority: z.enum(JOB_PRIORITIES, {
    error: (issue) =>
      issue.input === undefined ? "is required" : `must be one of ${JOB_PRIORITIES.join(", ")}`,
  }),
  campaignId: idIn("campaign"),
  appointments: z
    .array(AppointmentInputSchema, { error: "is required (at least one appointment)" })
    .min(1, "needs at least one appointment"),
  summary: z.string().optional(),
  tagTypeIds: z.array(idIn("tag type")).optional(),
  customerPo: z.string().optional(),
});

/**
 * A job to book. See {@link JobCreateInputSchema}.
 *
 * @example
 * ```ts
 * const booking: JobCreateInput = { customerId: 1, locationId: 2, businessUnitId: 3, jobTypeId: 4, priority: "Normal", campaignId: 5, appointments: [{ start: "2024-06-03T15:00:00Z", end: "2024-06-03T17:00:00Z" }] };
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export type JobCreateInput = z.infer<typeof JobCreateInputSchema>;

/**
 * The `bookJob` action's input: {@link JobCreateInputSchema} where the
 * business unit, job type, campaign and priority may come from the
 * connection's config defaults instead.
 *
 * @example
 * ```ts
 * await patchbay.actions.run({ tenantId, connectionId, action: "bookJob", input: { customerId: 2001, locationId: 2101, appointments } });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-jpm-v2&operation=Jobs_Create
 */
export const JobBookingInputSchema = JobCreateInputSchema.partial({
  businessUnitId: true,
  jobTypeId: true,
  campaignId: true,
  priority: true,
});

/**
 * A business unit, campaign or job type offered when booking.
 *
 * @example
 * ```ts
 * BookingOptionSchema.parse({ id: 101, name: "HVAC Service", active: true });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-settings-v2&operation=BusinessUnits_GetList
 */
export const BookingOptionSchema = z.looseObject({
  id,
  name: z.string(),
  active: z.boolean().optional(),
});

/**
 * A service location, as the locations list returns it.
 *
 * @example
 * ```ts
 * LocationSchema.parse({ id: 2101, customerId: 2001, name: "Home", address: { street: "12 Elm St" } });
 * ```
 * @see https://developer.servicetitan.io/api-details/#api=tenant-crm-v2&operation=Locations_GetList
 */
export const LocationSchema = z.looseObject({
  id,
  customerId: id,
  name: z.string(),
  address: AddressSchema.nullable().optional(),
  active: z.boolean().optional(),
});
