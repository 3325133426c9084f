/**
 * The connectors the demo registers, each either real (its credentials are
 * in the environment) or sandboxed (its fake answers in this process and the
 * consent page stands in for the provider's).
 */
import { airtable } from "@patchbay/airtable";
import {
  AIRTABLE_SANDBOX_CLIENT,
  createAirtableFake,
  createAirtableOAuthFake,
} from "@patchbay/airtable/testing";
import type { ConnectorDefinition, Patchbay } from "@patchbay/core";
import { gmail } from "@patchbay/gmail";
import {
  createGmailFake,
  fakeGoogleJwks,
  GMAIL_SANDBOX_ADDRESS,
  GMAIL_SANDBOX_PUBSUB,
} from "@patchbay/gmail/testing";
import { goHighLevel } from "@patchbay/gohighlevel";
import { createGhlFake, GHL_SANDBOX_APP } from "@patchbay/gohighlevel/testing";
import { googleAds } from "@patchbay/google-ads";
import { createGoogleAdsFake } from "@patchbay/google-ads/testing";
import { googleAnalytics } from "@patchbay/google-analytics";
import { createGoogleAnalyticsFake } from "@patchbay/google-analytics/testing";
import { googleBusinessProfile } from "@patchbay/google-business-profile";
import { createGoogleBusinessProfileFake } from "@patchbay/google-business-profile/testing";
import { createGoogleOAuthFake, GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
import { googleDrive } from "@patchbay/google-drive";
import { createGoogleDriveFake } from "@patchbay/google-drive/testing";
import { googleSheets } from "@patchbay/google-sheets";
import { createGoogleSheetsFake } from "@patchbay/google-sheets/testing";
import { indeed } from "@patchbay/indeed";
import { createIndeedFake, INDEED_SANDBOX_APP } from "@patchbay/indeed/testing";
import { jobber } from "@patchbay/jobber";
import { createJobberFake, JOBBER_SANDBOX_APP } from "@patchbay/jobber/testing";
import { klaviyo } from "@patchbay/klaviyo";
import { createKlaviyoFake, KLAVIYO_SANDBOX_APP } from "@patchbay/klaviyo/testing";
import { mailchimp } from "@patchbay/mailchimp";
import { createMailchimpFake, MAILCHIMP_SANDBOX_APP } from "@patchbay/mailchimp/testing";
import { metaAds } from "@patchbay/meta-ads";
import { createMetaAdsFake, META_SANDBOX_APP } from "@patchbay/meta-ads/testing";
import { metaPixel } from "@patchbay/meta-pixel";
import { createMetaPixelFake, META_PIXEL_SANDBOX } from "@patchbay/meta-pixel/testing";
import { quickbooks } from "@patchbay/quickbooks";
import {
  createQuickBooksFake,
  QUICKBOOKS_SANDBOX_APP,
  QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
} from "@patchbay/quickbooks/testing";
import { serpApi } from "@patchbay/serpapi";
import { createSerpApiFake } from "@patchbay/serpapi/testing";
import { serviceTitan } from "@patchbay/servicetitan";
import { createServiceTitanFake, SERVICETITAN_SANDBOX_APP } from "@patchbay/servicetitan/testing";
import type { SandboxProvider } from "@patchbay/testing";
import { tiktokAds } from "@patchbay/tiktok-ads";
import { createTikTokAdsFake, TIKTOK_SANDBOX_APP } from "@patchbay/tiktok-ads/testing";
import { tiktokPixel } from "@patchbay/tiktok-pixel";
import { createTiktokPixelFake } from "@patchbay/tiktok-pixel/testing";
import { twilio } from "@patchbay/twilio";
import { createTwilioFake } from "@patchbay/twilio/testing";
import { yelp } from "@patchbay/yelp";
import { createYelpFake } from "@patchbay/yelp/testing";
import { getResponse, http, type RequestHandler } from "msw";

/** The fakes serving sandboxed providers, for the provider console. */
export interface SandboxFakes {
  sheets?: ReturnType<typeof createGoogleSheetsFake>;
  gmail?: ReturnType<typeof createGmailFake>;
  drive?: ReturnType<typeof createGoogleDriveFake>;
  airtable?: ReturnType<typeof createAirtableFake>;
  mailchimp?: ReturnType<typeof createMailchimpFake>;
  businessProfile?: ReturnType<typeof createGoogleBusinessProfileFake>;
  jobber?: ReturnType<typeof createJobberFake>;
  quickbooks?: ReturnType<typeof createQuickBooksFake>;
  serviceTitan?: ReturnType<typeof createServiceTitanFake>;
  yelp?: ReturnType<typeof createYelpFake>;
  serpApi?: ReturnType<typeof createSerpApiFake>;
  twilio?: ReturnType<typeof createTwilioFake>;
  klaviyo?: ReturnType<typeof createKlaviyoFake>;
  highLevel?: ReturnType<typeof createGhlFake>;
  analytics?: ReturnType<typeof createGoogleAnalyticsFake>;
  googleAds?: ReturnType<typeof createGoogleAdsFake>;
  metaAds?: ReturnType<typeof createMetaAdsFake>;
  metaPixel?: ReturnType<typeof createMetaPixelFake>;
  tiktokAds?: ReturnType<typeof createTikTokAdsFake>;
  tiktokPixel?: ReturnType<typeof createTiktokPixelFake>;
  indeed?: ReturnType<typeof createIndeedFake>;
}

/** What {@link buildProviders} returns. */
export interface DemoProviders {
  connectors: ConnectorDefinition[];
  sandboxProviders: SandboxProvider[];
  fakes: SandboxFakes;
  /** Connector ids running against their fake. */
  sandboxed: string[];
  /** What to type into the credential forms of sandboxed providers, by connector id. */
  sandboxCredentials: Record<string, Record<string, unknown>>;
}

/**
 * Two fakes on one API host (Meta's Graph API, TikTok's Business API): the
 * pixel's handlers answer only the requests that are the pixel's, and pass
 * the rest on to the ads fake behind them.
 */
function onlyFor(
  handlers: readonly RequestHandler[],
  owns: (url: URL) => boolean,
): RequestHandler[] {
  return [
    http.all("*", async ({ request }) =>
      owns(new URL(request.url)) ? await getResponse([...handlers], request) : undefined,
    ),
  ];
}

/** Environment variables per provider group; `.env.example` documents them. */
export const PROVIDER_ENV = {
  google: ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
  airtable: ["AIRTABLE_CLIENT_ID", "AIRTABLE_CLIENT_SECRET"],
  mailchimp: ["MAILCHIMP_CLIENT_ID", "MAILCHIMP_CLIENT_SECRET"],
  jobber: ["JOBBER_CLIENT_ID", "JOBBER_CLIENT_SECRET"],
  quickbooks: ["QUICKBOOKS_CLIENT_ID", "QUICKBOOKS_CLIENT_SECRET"],
  servicetitan: ["SERVICETITAN_APP_KEY"],
  // Users paste their own keys for these; set to 1 to reach the real APIs.
  yelp: ["YELP_LIVE"],
  serpapi: ["SERPAPI_LIVE"],
} as const;

function real(env: NodeJS.ProcessEnv, group: keyof typeof PROVIDER_ENV): boolean {
  if (env.PATCHBAY_SANDBOX === "1" || env.PATCHBAY_SANDBOX === "true") return false;
  return PROVIDER_ENV[group].every((name) => (env[name] ?? "") !== "");
}

/**
 * Builds the connectors. `patchbay()` is read late: the fakes deliver
 * webhooks to it once it exists.
 */
export async function buildProviders(input: {
  origin: string;
  integrationsPath: string;
  env: NodeJS.ProcessEnv;
  patchbay: () => Patchbay;
}): Promise<DemoProviders> {
  const { origin, integrationsPath, env } = input;
  const callback = (id: string) => `${origin}${integrationsPath}/${id}/callback`;
  const webhookUrl = (id: string) => `${origin}${integrationsPath}/webhooks/${id}`;
  const deliver = (id: string) => (request: Request) => input.patchbay().handleWebhook(id, request);

  const connectors: ConnectorDefinition[] = [];
  const sandboxProviders: SandboxProvider[] = [];
  const fakes: SandboxFakes = {};
  const sandboxed: string[] = [];
  const sandboxCredentials: Record<string, Record<string, unknown>> = {};
  /** The fake Google authorization server, when Google is sandboxed (Analytics and Ads share it). */
  let googleOAuth: ReturnType<typeof createGoogleOAuthFake> | undefined;

  // Google: one OAuth client for Sheets, Gmail, Drive and Business Profile.
  if (real(env, "google")) {
    const app = {
      clientId: env.GOOGLE_CLIENT_ID ?? "",
      clientSecret: env.GOOGLE_CLIENT_SECRET ?? "",
    };
    const pubsub =
      env.GMAIL_PUBSUB_TOPIC && env.GMAIL_PUBSUB_SERVICE_ACCOUNT
        ? {
            topicName: env.GMAIL_PUBSUB_TOPIC,
            audience: env.GMAIL_PUBSUB_AUDIENCE ?? webhookUrl("gmail"),
            serviceAccountEmail: env.GMAIL_PUBSUB_SERVICE_ACCOUNT,
          }
        : undefined;
    connectors.push(
      googleSheets(app),
      gmail({ ...app, pubsub }),
      googleDrive(app),
      googleBusinessProfile(app),
    );
  } else {
    const oauth = createGoogleOAuthFake({
      redirectUris: [
        "google-sheets",
        "gmail",
        "google-drive",
        "google-business-profile",
        "google-analytics",
        "google-ads",
      ].map(callback),
    });
    googleOAuth = oauth;
    const pubsub = { ...GMAIL_SANDBOX_PUBSUB, audience: webhookUrl("gmail") };
    fakes.sheets = createGoogleSheetsFake({ oauth });
    fakes.gmail = createGmailFake({ oauth, pubsub });
    fakes.drive = createGoogleDriveFake({ oauth });
    fakes.businessProfile = createGoogleBusinessProfileFake({ oauth });
    fakes.businessProfile.seedSandbox();
    connectors.push(
      googleSheets(GOOGLE_SANDBOX_CLIENT),
      gmail({ ...GOOGLE_SANDBOX_CLIENT, pubsub: { ...pubsub, jwks: await fakeGoogleJwks() } }),
      googleDrive(GOOGLE_SANDBOX_CLIENT),
      googleBusinessProfile(GOOGLE_SANDBOX_CLIENT),
    );
    sandboxProviders.push(
      {
        connector: "google-sheets",
        providerName: "Google",
        handlers: fakes.sheets.handlers,
        oauth,
        account: GMAIL_SANDBOX_ADDRESS,
      },
      {
        connector: "gmail",
        providerName: "Google",
        handlers: fakes.gmail.handlers,
        oauth,
        account: GMAIL_SANDBOX_ADDRESS,
      },
      {
        connector: "google-drive",
        providerName: "Google",
        handlers: fakes.drive.handlers,
        oauth,
        account: GMAIL_SANDBOX_ADDRESS,
      },
      {
        connector: "google-business-profile",
        providerName: "Google",
        handlers: fakes.businessProfile.handlers,
        oauth,
        account: GMAIL_SANDBOX_ADDRESS,
      },
    );
    sandboxed.push("google-sheets", "gmail", "google-drive", "google-business-profile");
  }

  if (real(env, "airtable")) {
    connectors.push(
      airtable({
        clientId: env.AIRTABLE_CLIENT_ID ?? "",
        clientSecret: env.AIRTABLE_CLIENT_SECRET ?? "",
      }),
    );
  } else {
    const oauth = createAirtableOAuthFake({ redirectUris: [callback("airtable")] });
    fakes.airtable = createAirtableFake({ oauth, notify: deliver("airtable") });
    connectors.push(airtable(AIRTABLE_SANDBOX_CLIENT));
    sandboxProviders.push({
      connector: "airtable",
      providerName: "Airtable",
      handlers: fakes.airtable.handlers,
      oauth,
      account: GMAIL_SANDBOX_ADDRESS,
    });
    sandboxed.push("airtable");
  }

  if (real(env, "mailchimp")) {
    connectors.push(
      mailchimp({
        clientId: env.MAILCHIMP_CLIENT_ID ?? "",
        clientSecret: env.MAILCHIMP_CLIENT_SECRET ?? "",
      }),
    );
  } else {
    fakes.mailchimp = createMailchimpFake({ redirectUris: [callback("mailchimp")] });
    fakes.mailchimp.seedSandbox();
    connectors.push(mailchimp(MAILCHIMP_SANDBOX_APP));
    sandboxProviders.push({
      connector: "mailchimp",
      providerName: "Mailchimp",
      handlers: fakes.mailchimp.handlers,
      oauth: fakes.mailchimp.oauth,
    });
    sandboxed.push("mailchimp");
  }

  // Field-service and local-business providers (issue #8).
  if (real(env, "jobber")) {
    connectors.push(
      jobber({
        clientId: env.JOBBER_CLIENT_ID ?? "",
        clientSecret: env.JOBBER_CLIENT_SECRET ?? "",
      }),
    );
  } else {
    fakes.jobber = createJobberFake({
      redirectUris: [callback("jobber")],
      notify: deliver("jobber"),
    });
    fakes.jobber.seedSandbox();
    connectors.push(jobber(JOBBER_SANDBOX_APP));
    sandboxProviders.push({
      connector: "jobber",
      providerName: "Jobber",
      handlers: fakes.jobber.handlers,
      oauth: fakes.jobber.oauth,
    });
    sandboxed.push("jobber");
  }
  if (real(env, "quickbooks")) {
    connectors.push(
      quickbooks({
        clientId: env.QUICKBOOKS_CLIENT_ID ?? "",
        clientSecret: env.QUICKBOOKS_CLIENT_SECRET ?? "",
        environment: env.QUICKBOOKS_ENVIRONMENT === "production" ? "production" : "sandbox",
        webhookVerifierToken: env.QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN || undefined,
      }),
    );
  } else {
    fakes.quickbooks = createQuickBooksFake({
      redirectUris: [callback("quickbooks")],
      notify: deliver("quickbooks"),
    });
    fakes.quickbooks.seedSandbox();
    connectors.push(
      quickbooks({
        ...QUICKBOOKS_SANDBOX_APP,
        environment: "sandbox",
        webhookVerifierToken: QUICKBOOKS_SANDBOX_VERIFIER_TOKEN,
      }),
    );
    sandboxProviders.push({
      connector: "quickbooks",
      providerName: "Intuit QuickBooks",
      handlers: fakes.quickbooks.handlers,
      oauth: fakes.quickbooks.oauth,
    });
    sandboxed.push("quickbooks");
  }
  if (real(env, "servicetitan")) {
    connectors.push(serviceTitan({ appKey: env.SERVICETITAN_APP_KEY ?? "" }));
  } else {
    fakes.serviceTitan = createServiceTitanFake();
    fakes.serviceTitan.seedSandbox();
    connectors.push(serviceTitan(SERVICETITAN_SANDBOX_APP));
    sandboxProviders.push({
      connector: "servicetitan",
      providerName: "ServiceTitan",
      handlers: fakes.serviceTitan.handlers,
    });
    sandboxCredentials.servicetitan = fakes.serviceTitan.credentials;
    sandboxed.push("servicetitan");
  }
  connectors.push(yelp(), serpApi());
  if (!real(env, "yelp")) {
    fakes.yelp = createYelpFake();
    fakes.yelp.seedSandbox();
    sandboxProviders.push({
      connector: "yelp",
      providerName: "Yelp",
      handlers: fakes.yelp.handlers,
    });
    sandboxCredentials.yelp = fakes.yelp.credentials;
    sandboxed.push("yelp");
  }
  if (!real(env, "serpapi")) {
    fakes.serpApi = createSerpApiFake();
    fakes.serpApi.seedSandbox();
    sandboxProviders.push({
      connector: "serpapi",
      providerName: "SerpApi",
      handlers: fakes.serpApi.handlers,
    });
    sandboxCredentials.serpapi = fakes.serpApi.credentials;
    sandboxed.push("serpapi");
  }

  // Marketing, ads, analytics and messaging (issue #9) and Indeed: sandbox-only in the demo.
  // Set PATCHBAY_SANDBOX_EXTRAS=0 to leave them out.
  if (env.PATCHBAY_SANDBOX_EXTRAS !== "0" && fakes.sheets !== undefined) {
    fakes.twilio = createTwilioFake({ notify: deliver("twilio") });
    fakes.twilio.seedSandbox();
    fakes.klaviyo = createKlaviyoFake({
      redirectUris: [callback("klaviyo")],
      notify: deliver("klaviyo"),
    });
    fakes.klaviyo.seedSandbox();
    fakes.highLevel = createGhlFake({
      redirectUris: [callback("gohighlevel")],
      notify: deliver("gohighlevel"),
    });
    fakes.highLevel.seedSandbox();
    fakes.analytics = createGoogleAnalyticsFake({ oauth: googleOAuth });
    fakes.analytics.seedSandbox();
    fakes.googleAds = createGoogleAdsFake({ oauth: googleOAuth });
    fakes.googleAds.seedSandbox();
    fakes.metaAds = createMetaAdsFake({
      redirectUris: [callback("meta-ads")],
      notify: deliver("meta-ads"),
    });
    fakes.metaAds.seedSandbox();
    fakes.metaPixel = createMetaPixelFake();
    fakes.tiktokAds = createTikTokAdsFake({ redirectUris: [callback("tiktok-ads")] });
    fakes.tiktokAds.seedSandbox();
    fakes.tiktokPixel = createTiktokPixelFake();
    fakes.indeed = createIndeedFake({ notify: deliver("indeed") });
    fakes.indeed.seedSandbox();
    connectors.push(
      twilio(),
      klaviyo(KLAVIYO_SANDBOX_APP),
      goHighLevel(GHL_SANDBOX_APP),
      googleAnalytics({ mode: "data-api", ...GOOGLE_SANDBOX_CLIENT }),
      googleAds(GOOGLE_SANDBOX_CLIENT),
      metaAds(META_SANDBOX_APP),
      metaPixel(),
      tiktokAds(TIKTOK_SANDBOX_APP),
      tiktokPixel(),
      indeed(INDEED_SANDBOX_APP),
    );
    sandboxProviders.push(
      { connector: "twilio", providerName: "Twilio", handlers: fakes.twilio.handlers },
      {
        connector: "klaviyo",
        providerName: "Klaviyo",
        handlers: fakes.klaviyo.handlers,
        oauth: fakes.klaviyo.oauth || undefined,
      },
      {
        connector: "gohighlevel",
        providerName: "HighLevel",
        handlers: fakes.highLevel.handlers,
        oauth: fakes.highLevel.oauth || undefined,
      },
      {
        connector: "google-analytics",
        providerName: "Google",
        handlers: fakes.analytics.handlers,
        oauth: googleOAuth,
        account: GMAIL_SANDBOX_ADDRESS,
      },
      {
        connector: "google-ads",
        providerName: "Google",
        handlers: fakes.googleAds.handlers,
        oauth: googleOAuth,
        account: GMAIL_SANDBOX_ADDRESS,
      },
      {
        connector: "meta-pixel",
        providerName: "Meta",
        handlers: onlyFor(
          fakes.metaPixel.handlers,
          (url) => url.pathname.split("/")[2] === META_PIXEL_SANDBOX.pixelId,
        ),
      },
      {
        connector: "meta-ads",
        providerName: "Facebook",
        handlers: fakes.metaAds.handlers,
        oauth: fakes.metaAds.oauth,
      },
      {
        connector: "tiktok-pixel",
        providerName: "TikTok",
        handlers: onlyFor(fakes.tiktokPixel.handlers, (url) =>
          url.pathname.endsWith("/event/track/"),
        ),
      },
      {
        connector: "tiktok-ads",
        providerName: "TikTok",
        handlers: fakes.tiktokAds.handlers,
        oauth: fakes.tiktokAds.consent,
      },
      { connector: "indeed", providerName: "Indeed", handlers: fakes.indeed.handlers },
    );
    sandboxCredentials.twilio = fakes.twilio.credentials;
    sandboxCredentials["meta-pixel"] = fakes.metaPixel.credentials;
    sandboxCredentials["tiktok-pixel"] = fakes.tiktokPixel.credentials;
    sandboxCredentials.indeed = fakes.indeed.credentials;
    sandboxed.push(
      "twilio",
      "klaviyo",
      "gohighlevel",
      "google-analytics",
      "google-ads",
      "meta-ads",
      "meta-pixel",
      "tiktok-ads",
      "tiktok-pixel",
      "indeed",
    );
  }

  return { connectors, sandboxProviders, fakes, sandboxed, sandboxCredentials };
}
