/**
 * Every connector package with its fake, listed the way
 * tests/registry/test/registry.test.ts lists them. A new provider is added
 * there and here.
 */
import { airtable } from "@patchbay/airtable";
import { createAirtableFake } from "@patchbay/airtable/testing";
import type { ConnectorDefinition } from "@patchbay/core";
import { gmail } from "@patchbay/gmail";
import { createGmailFake } from "@patchbay/gmail/testing";
import { goHighLevel } from "@patchbay/gohighlevel";
import { createGhlFake, GHL_SANDBOX_APP } from "@patchbay/gohighlevel/testing";
import { googleAds } from "@patchbay/google-ads";
import { createGoogleAdsFake, GOOGLE_ADS_SANDBOX_APP } from "@patchbay/google-ads/testing";
import { googleAnalytics } from "@patchbay/google-analytics";
import { createGoogleAnalyticsFake, GA_SANDBOX_CLIENT } from "@patchbay/google-analytics/testing";
import { googleBusinessProfile } from "@patchbay/google-business-profile";
import { createGoogleBusinessProfileFake } from "@patchbay/google-business-profile/testing";
import { googleDrive } from "@patchbay/google-drive";
import { createGoogleDriveFake } from "@patchbay/google-drive/testing";
import { googleSheets } from "@patchbay/google-sheets";
import { createGoogleSheetsFake } from "@patchbay/google-sheets/testing";
import { indeed } from "@patchbay/indeed";
import { createIndeedFake, INDEED_SANDBOX_APP } from "@patchbay/indeed/testing";
import { jobber } from "@patchbay/jobber";
import { createJobberFake } from "@patchbay/jobber/testing";
import { klaviyo } from "@patchbay/klaviyo";
import { createKlaviyoFake, KLAVIYO_SANDBOX_APP } from "@patchbay/klaviyo/testing";
import { mailchimp } from "@patchbay/mailchimp";
import { createMailchimpFake } from "@patchbay/mailchimp/testing";
import { metaAds } from "@patchbay/meta-ads";
import { createMetaAdsFake, META_SANDBOX_APP } from "@patchbay/meta-ads/testing";
import { metaPixel } from "@patchbay/meta-pixel";
import { createMetaPixelFake } from "@patchbay/meta-pixel/testing";
import { quickbooks } from "@patchbay/quickbooks";
import { createQuickBooksFake } from "@patchbay/quickbooks/testing";
import { serpApi } from "@patchbay/serpapi";
import { createSerpApiFake } from "@patchbay/serpapi/testing";
import { serviceTitan } from "@patchbay/servicetitan";
import { createServiceTitanFake, SERVICETITAN_SANDBOX_APP } from "@patchbay/servicetitan/testing";
import { tiktokAds } from "@patchbay/tiktok-ads";
import { createTikTokAdsFake, TIKTOK_SANDBOX_APP } from "@patchbay/tiktok-ads/testing";
import { tiktokPixel } from "@patchbay/tiktok-pixel";
import { createTiktokPixelFake } from "@patchbay/tiktok-pixel/testing";
import { twilio } from "@patchbay/twilio";
import { createTwilioFake } from "@patchbay/twilio/testing";
import { yelp } from "@patchbay/yelp";
import { createYelpFake } from "@patchbay/yelp/testing";
import type { RequestHandler } from "msw";

export const APP_CREDENTIALS = { clientId: "sandbox-client", clientSecret: "sandbox-secret" };
const APP = APP_CREDENTIALS;

export interface RegistryEntry {
  connector: ConnectorDefinition;
  /** A fresh fake of the provider (its `oauth` server, for OAuth connectors). */
  fake: () => { handlers: readonly RequestHandler[] };
  metadata?: Record<string, string>;
}

export const CONNECTORS: RegistryEntry[] = [
  { connector: googleSheets(APP), fake: () => createGoogleSheetsFake() },
  { connector: gmail(APP), fake: () => createGmailFake() },
  { connector: airtable(APP), fake: () => createAirtableFake() },
  {
    connector: mailchimp(APP),
    fake: () => createMailchimpFake(),
    metadata: { dc: "us6", api_endpoint: "https://us6.api.mailchimp.com" },
  },
  { connector: googleDrive(APP), fake: () => createGoogleDriveFake() },
  {
    connector: serviceTitan(SERVICETITAN_SANDBOX_APP),
    fake: () => createServiceTitanFake(),
  },
  { connector: jobber(APP), fake: () => createJobberFake() },
  {
    connector: quickbooks({ ...APP, environment: "sandbox" }),
    fake: () => createQuickBooksFake(),
    metadata: { realmId: "9130", environment: "sandbox" },
  },
  {
    connector: googleBusinessProfile(APP),
    fake: () => createGoogleBusinessProfileFake(),
  },
  { connector: yelp(), fake: () => createYelpFake() },
  { connector: serpApi(), fake: () => createSerpApiFake() },
  { connector: indeed(INDEED_SANDBOX_APP), fake: () => createIndeedFake() },
  { connector: twilio(), fake: () => createTwilioFake() },
  { connector: klaviyo(KLAVIYO_SANDBOX_APP), fake: () => createKlaviyoFake() },
  { connector: goHighLevel(GHL_SANDBOX_APP), fake: () => createGhlFake() },
  {
    connector: googleAnalytics({ mode: "data-api", ...GA_SANDBOX_CLIENT }),
    fake: () => createGoogleAnalyticsFake(),
  },
  {
    connector: googleAnalytics({ mode: "measurement-protocol" }),
    fake: () => createGoogleAnalyticsFake(),
  },
  { connector: metaPixel(), fake: () => createMetaPixelFake() },
  { connector: tiktokPixel(), fake: () => createTiktokPixelFake() },
  { connector: googleAds(GOOGLE_ADS_SANDBOX_APP), fake: () => createGoogleAdsFake() },
  { connector: metaAds(META_SANDBOX_APP), fake: () => createMetaAdsFake() },
  { connector: tiktokAds(TIKTOK_SANDBOX_APP), fake: () => createTikTokAdsFake() },
];
