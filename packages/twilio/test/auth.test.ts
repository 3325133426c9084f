import { ConnectError, createPatchbay, ErrorCode, MemoryStore, Vault } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { TwilioCredentialsSchema, twilio } from "../src/index.js";
import {
  createTwilioFake,
  TWILIO_SANDBOX_API_KEY,
  TWILIO_SANDBOX_CREDENTIALS,
  TWILIO_SANDBOX_MAIN_API_KEY,
} from "../src/testing/index.js";
import { calls, TENANT, WEBHOOK_URL, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function host() {
  const fake = createTwilioFake();
  server.use(...fake.handlers);
  const store = new MemoryStore();
  const patchbay = createPatchbay({
    connectors: [twilio()],
    store,
    vault: new Vault({ keys: [{ kid: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }),
  });
  const connect = (credentials: Record<string, unknown>) =>
    patchbay.connect.withCredentials({ tenantId: TENANT, connector: "twilio", credentials });
  return { fake, store, patchbay, connect };
}

describe("the credential form", () => {
  it("exports titled fields with help text for generated forms", () => {
    const schema = z.toJSONSchema(TwilioCredentialsSchema, { io: "input" }) as {
      properties: Record<string, { title?: string; description?: string }>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual([
      "accountSid",
      "authToken",
      "keySid",
      "keySecret",
    ]);
    expect(schema.required).toEqual(["accountSid"]);
    expect(schema.properties.accountSid).toMatchObject({
      title: "Account SID",
      description: expect.stringContaining("Account Info"),
    });
    expect(schema.properties.keySid?.title).toBe("API Key SID");
    expect(schema.properties.authToken?.description).toMatch(
      /Leave empty when you connect with an API key/,
    );
  });

  it.each([
    [
      { accountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid },
      '"credentials.authToken" is required (or give an API Key SID and Secret instead)',
    ],
    [
      { ...TWILIO_SANDBOX_CREDENTIALS, accountSid: "SK1b2c3d4e5f60718293a4b5c6d7e8f901" },
      '"credentials.accountSid" must be an Account SID: AC followed by 32 hex characters',
    ],
    [
      { accountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid, keySid: TWILIO_SANDBOX_API_KEY.keySid },
      '"credentials.keySecret" is required with an API Key SID',
    ],
    [
      { ...TWILIO_SANDBOX_API_KEY, authToken: TWILIO_SANDBOX_CREDENTIALS.authToken },
      '"credentials.authToken" must be empty when you connect with an API key',
    ],
  ])("refuses a bad form before calling Twilio: %j", async (credentials, message) => {
    const h = host();
    await expect(h.connect(credentials)).rejects.toThrow(message);
    expect(h.fake.requests).toEqual([]);
  });
});

describe("test connection", () => {
  it("proves Account SID + Auth Token with GET /Accounts/{Sid}.json before saving", async () => {
    const h = host();
    const connection = await h.connect({ ...TWILIO_SANDBOX_CREDENTIALS });
    expect(connection.status).toBe("active");
    expect(connection.metadata).toMatchObject({
      accountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
      authMode: "auth_token",
    });
    expect(calls(h.fake)[0]).toBe(
      `GET /2010-04-01/Accounts/${TWILIO_SANDBOX_CREDENTIALS.accountSid}.json`,
    );
    expect(await h.patchbay.connections.test(TENANT, connection.id)).toEqual({ ok: true });
  });

  it("a wrong Auth Token fails the test and nothing is stored", async () => {
    const h = host();
    const error = await h
      .connect({ ...TWILIO_SANDBOX_CREDENTIALS, authToken: "0".repeat(32) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
    expect((error as Error).message).toMatch(/Authenticate \(Twilio error 20003\)/);
    expect((error as Error).message).not.toContain("0".repeat(32));
    expect(await h.patchbay.connections.list(TENANT)).toEqual([]);
  });

  it("a suspended account fails the test with its status", async () => {
    const h = host();
    h.fake.state.account(TWILIO_SANDBOX_CREDENTIALS.accountSid)!.status = "suspended";
    await expect(h.connect({ ...TWILIO_SANDBOX_CREDENTIALS })).rejects.toThrow(
      "the Twilio account is suspended",
    );
  });

  it("a Main API key passes the Account fetch", async () => {
    const h = host();
    const connection = await h.connect({ ...TWILIO_SANDBOX_MAIN_API_KEY });
    expect(connection.metadata).toMatchObject({
      authMode: "api_key",
      keySid: TWILIO_SANDBOX_MAIN_API_KEY.keySid,
    });
    expect(h.fake.requests[0]).toMatchObject({
      principal: TWILIO_SANDBOX_MAIN_API_KEY.keySid,
      status: 200,
    });
  });

  it("a Standard API key (refused on /Accounts, error 20003) is proven with a one-message list instead", async () => {
    const h = host();
    const connection = await h.connect({ ...TWILIO_SANDBOX_API_KEY });
    expect(connection.status).toBe("active");
    expect(calls(h.fake).slice(0, 2)).toEqual([
      `GET /2010-04-01/Accounts/${TWILIO_SANDBOX_API_KEY.accountSid}.json`,
      `GET /2010-04-01/Accounts/${TWILIO_SANDBOX_API_KEY.accountSid}/Messages.json?PageSize=1`,
    ]);
  });

  it("an API key with a wrong secret fails both checks", async () => {
    const h = host();
    await expect(h.connect({ ...TWILIO_SANDBOX_API_KEY, keySecret: "nope" })).rejects.toMatchObject(
      {
        code: ErrorCode.CONNECT_TEST_FAILED,
      },
    );
  });

  it("an API key of another account is refused (the Account SID in the path must be the key's)", async () => {
    const h = host();
    const other = h.fake.addAccount();
    const key = h.fake.addApiKey({ accountSid: other.sid, type: "main" });
    await expect(
      h.connect({
        accountSid: TWILIO_SANDBOX_CREDENTIALS.accountSid,
        keySid: key.sid,
        keySecret: key.secret,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.CONNECT_TEST_FAILED });
  });
});

describe("webhook signing key", () => {
  it("setup seals the account's Auth Token and records the status-callback URL", async () => {
    const w = await world(server);
    expect((await w.current()).metadata).toMatchObject({
      webhookSigning: "verified",
      statusCallbackUrl: WEBHOOK_URL,
    });
    expect(JSON.stringify(await w.current())).not.toContain(TWILIO_SANDBOX_CREDENTIALS.authToken);
  });
});
