/**
 * Registry-wide invariants (STYLE rule 10): every connector package, checked
 * the same way. A new provider is added to CONNECTORS below and must pass.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { airtable } from "@patchbay/airtable";
import { createAirtableFake } from "@patchbay/airtable/testing";
import {
  CONNECTOR_ID_PATTERN,
  type ConnectorDefinition,
  ConnectorRegistry,
  describeConnector,
} from "@patchbay/core";
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
import { describe, expect, it } from "vitest";
import { z } from "zod";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const APP = { clientId: "sandbox-client", clientSecret: "sandbox-secret" };

interface Entry {
  connector: ConnectorDefinition;
  handlers: () => RequestHandler[];
  /** Metadata a connection would carry, to resolve a base URL that depends on it. */
  metadata?: Record<string, string>;
}

const CONNECTORS: Entry[] = [
  { connector: googleSheets(APP), handlers: () => createGoogleSheetsFake().handlers },
  { connector: gmail(APP), handlers: () => createGmailFake().handlers },
  { connector: airtable(APP), handlers: () => createAirtableFake().handlers },
  {
    connector: mailchimp(APP),
    handlers: () => createMailchimpFake().handlers,
    metadata: { dc: "us6", api_endpoint: "https://us6.api.mailchimp.com" },
  },
  { connector: googleDrive(APP), handlers: () => createGoogleDriveFake().handlers },
  {
    connector: serviceTitan(SERVICETITAN_SANDBOX_APP),
    handlers: () => createServiceTitanFake().handlers,
  },
  { connector: jobber(APP), handlers: () => createJobberFake().handlers },
  {
    connector: quickbooks({ ...APP, environment: "sandbox" }),
    handlers: () => createQuickBooksFake().handlers,
    metadata: { realmId: "9130", environment: "sandbox" },
  },
  {
    connector: googleBusinessProfile(APP),
    handlers: () => createGoogleBusinessProfileFake().handlers,
  },
  { connector: yelp(), handlers: () => createYelpFake().handlers },
  { connector: serpApi(), handlers: () => createSerpApiFake().handlers },
  { connector: indeed(INDEED_SANDBOX_APP), handlers: () => createIndeedFake().handlers },
  { connector: twilio(), handlers: () => createTwilioFake().handlers },
  { connector: klaviyo(KLAVIYO_SANDBOX_APP), handlers: () => createKlaviyoFake().handlers },
  { connector: goHighLevel(GHL_SANDBOX_APP), handlers: () => createGhlFake().handlers },
  {
    connector: googleAnalytics({ mode: "data-api", ...GA_SANDBOX_CLIENT }),
    handlers: () => createGoogleAnalyticsFake().handlers,
  },
  {
    connector: googleAnalytics({ mode: "measurement-protocol" }),
    handlers: () => createGoogleAnalyticsFake().handlers,
  },
  { connector: metaPixel(), handlers: () => createMetaPixelFake().handlers },
  { connector: tiktokPixel(), handlers: () => createTiktokPixelFake().handlers },
  { connector: googleAds(GOOGLE_ADS_SANDBOX_APP), handlers: () => createGoogleAdsFake().handlers },
  { connector: metaAds(META_SANDBOX_APP), handlers: () => createMetaAdsFake().handlers },
  { connector: tiktokAds(TIKTOK_SANDBOX_APP), handlers: () => createTikTokAdsFake().handlers },
];

const SECTIONS = ["Credentials", "Configure", "Models", "Actions", "Webhooks", "Limits and quirks"];

/** The URL patterns a fake's MSW handlers answer. */
function handledPaths(handlers: RequestHandler[]): string[] {
  return handlers
    .map((h) => String((h.info as { path?: unknown }).path ?? ""))
    .filter((p) => p.startsWith("http"));
}

/** Whether some handler pattern (MSW syntax: `*` wildcards, e.g. `https://*.api.mailchimp.com/3.0/*`) serves this URL's origin. */
function covered(url: string, paths: string[]): boolean {
  const origin = new URL(url).origin;
  return paths.some((pattern) => {
    const patternOrigin = /^https?:\/\/[^/]+/.exec(pattern)?.[0] ?? "";
    const regex = new RegExp(
      `^${patternOrigin.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+")}$`,
    );
    return regex.test(origin);
  });
}

describe("connector registry", () => {
  it("registers every connector together: unique kebab-case ids", () => {
    // Google Analytics is listed once per mode; a host registers one of them.
    const registry = new ConnectorRegistry(
      CONNECTORS.filter(
        (e, i) => CONNECTORS.findIndex((o) => o.connector.id === e.connector.id) === i,
      ).map((e) => e.connector),
    );
    expect(registry.list().map((c) => c.id)).toEqual([
      "google-sheets",
      "gmail",
      "airtable",
      "mailchimp",
      "google-drive",
      "servicetitan",
      "jobber",
      "quickbooks",
      "google-business-profile",
      "yelp",
      "serpapi",
      "indeed",
      "twilio",
      "klaviyo",
      "gohighlevel",
      "google-analytics",
      "meta-pixel",
      "tiktok-pixel",
      "google-ads",
      "meta-ads",
      "tiktok-ads",
    ]);
  });

  describe.each(CONNECTORS.map((e) => [e.connector.id, e] as const))("%s", (id, entry) => {
    const c = entry.connector;
    const docs = join(ROOT, "docs/providers", `${id}.md`);

    it("has an id that matches its package folder", () => {
      expect(id).toMatch(CONNECTOR_ID_PATTERN);
      expect(existsSync(join(ROOT, "packages", id, "package.json"))).toBe(true);
      expect(
        JSON.parse(readFileSync(join(ROOT, "packages", id, "package.json"), "utf8")).name,
      ).toBe(`@patchbay/${id}`);
    });

    it("exports its config, credential forms, models and actions as JSON Schema", () => {
      const info = describeConnector(c);
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
      for (const model of Object.values(c.models ?? {}))
        expect(() => z.toJSONSchema(model.schema, { unrepresentable: "any" })).not.toThrow();
      // Something to do: models to sync, or actions (event-sending connectors are action-only).
      expect(info.models.length + info.actions.length).toBeGreaterThan(0);
    });

    it("declares its scopes, and its docs page names each one", () => {
      const text = readFileSync(docs, "utf8");
      if (c.auth.kind === "oauth2") {
        for (const scope of c.auth.scopes)
          expect(text, `docs mention scope ${scope}`).toContain(
            scope.replace("https://www.googleapis.com/auth/", ""),
          );
      }
    });

    it("has a docs page with the fixed sections, in order", () => {
      expect(existsSync(docs)).toBe(true);
      const headings = readFileSync(docs, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("## "))
        .map((l) => l.slice(3).trim());
      expect(headings).toEqual(SECTIONS);
    });

    it("has a fake for every endpoint it calls: API base, OAuth endpoints", () => {
      const paths = handledPaths(entry.handlers());
      expect(paths.length).toBeGreaterThan(0);
      const base = c.http?.baseUrl;
      const resolved =
        typeof base === "function" ? base({ config: {}, metadata: entry.metadata ?? {} }) : base;
      if (resolved !== undefined)
        expect(covered(resolved, paths), `base URL ${resolved}`).toBe(true);
      if (c.auth.kind === "oauth2") {
        expect(covered(c.auth.tokenUrl, paths), `token URL ${c.auth.tokenUrl}`).toBe(true);
        expect(
          covered(c.auth.authorizationUrl, paths),
          `authorize URL ${c.auth.authorizationUrl}`,
        ).toBe(true);
      }
    });

    it("declares webhooks only together with a way to verify them", () => {
      if (c.webhooks === undefined) return;
      expect(typeof c.webhooks.verify).toBe("function");
      expect(["app", "connection"]).toContain(c.webhooks.secret);
    });
  });
});
