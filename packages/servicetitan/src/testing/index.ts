export {
  createServiceTitanFake,
  type FakeAddress,
  type FakeTenantRef,
  SERVICETITAN_SANDBOX_APP,
  SERVICETITAN_SANDBOX_TENANT,
  type ServiceTitanFake,
  type ServiceTitanFakeOptions,
} from "./fake.js";
export {
  createServiceTitanApiHandlers,
  customerFields,
  type FakeApiContext,
  type FakeRateLimitOptions,
  type FakeRequestLogEntry,
  jobFields,
  locationFields,
} from "./handlers.js";
export {
  serviceTitanProblem,
  serviceTitanTooManyRequests,
  serviceTitanValidationProblem,
} from "./problems.js";
export { type FakeKind, type FakeRow, FakeTenant, type FakeTenantSpec } from "./state.js";
