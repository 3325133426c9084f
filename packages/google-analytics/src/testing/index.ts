export {
  createGoogleAnalyticsFake,
  type FakeCollectedEvent,
  type FakeReportRow,
  GA_SANDBOX_CLIENT,
  GA_SANDBOX_PROPERTY,
  GA_SANDBOX_STREAM,
  type GoogleAnalyticsFake,
  type GoogleAnalyticsFakeOptions,
} from "./fake.js";
