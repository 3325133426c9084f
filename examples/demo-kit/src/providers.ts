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
import { googleBusinessProfile } from "@patchbay/google-business-profile";
import { createGoogleBusinessProfileFake } from "@patchbay/google-business-profile/testing";
import { createGoogleOAuthFake, GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-common/testing";
import { googleDrive } from "@patchbay/google-drive";
import { createGoogleDriveFake } from "@patchbay/google-drive/testing";
import { googleSheets } from "@patchbay/google-sheets";
import { createGoogleSheetsFake } from "@patchbay/google-sheets/testing";
import { jobber } from "@patchbay/jobber";
import { createJobberFake, JOBBER_SANDBOX_APP } from "@patchbay/jobber/testing";
import { mailchimp } from "@patchbay/mailchimp";
import { createMailchimpFake, MAILCHIMP_SANDBOX_APP } from "@patchbay/mailchimp/testing";
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
import { yelp } from "@patchbay/yelp";
import { createYelpFake } from "@patchbay/yelp/testing";

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
      redirectUris: ["google-sheets", "gmail", "google-drive", "google-business-profile"].map(
        callback,
      ),
    });
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

  return { connectors, sandboxProviders, fakes, sandboxed, sandboxCredentials };
}
