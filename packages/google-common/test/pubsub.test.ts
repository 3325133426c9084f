import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  checkGooglePubSubOptions,
  decodePubSubPush,
  GOOGLE_CERTS_URL,
  googleKeySource,
  PubSubPushError,
  pubSubPushWebhook,
  readPubSubPushJson,
  verifyPubSubPush,
  verifyPubSubPushToken,
} from "../src/index.js";
import { createPubSubPushSigner } from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const AUDIENCE = "https://app.example.com/webhooks/google";
const SERVICE_ACCOUNT = "push@patchbay-test.iam.gserviceaccount.com";
const SUBSCRIPTION = "projects/patchbay-test/subscriptions/push";

const signer = createPubSubPushSigner({ keyId: "patchbay-test-key-1" });
const other = createPubSubPushSigner({ keyId: "patchbay-test-key-2" });
const options = { audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT, jwks: signer.jwks() };
const pushes = () =>
  signer.subscription({
    subscription: SUBSCRIPTION,
    audience: AUDIENCE,
    serviceAccountEmail: SERVICE_ACCOUNT,
    firstMessageId: 41,
  });

/** The error a rejected push throws. */
async function refusal(promise: Promise<unknown>): Promise<PubSubPushError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PubSubPushError);
  return error as PubSubPushError;
}

describe("verifyPubSubPush", () => {
  it("accepts a genuine push and decodes its envelope", async () => {
    const request = pushes().deliver({ emailAddress: "sam@example.com", historyId: 9876 });
    const { message, claims } = await verifyPubSubPush(request, options);
    expect(JSON.parse(message.text)).toEqual({ emailAddress: "sam@example.com", historyId: 9876 });
    expect(new TextDecoder().decode(message.data)).toBe(message.text);
    expect(message).toMatchObject({
      messageId: "41",
      subscription: SUBSCRIPTION,
      deliveryId: `${SUBSCRIPTION}:41`,
      attributes: {},
    });
    expect(Date.parse(message.publishTime!)).not.toBeNaN();
    expect(claims).toMatchObject({
      iss: "https://accounts.google.com",
      aud: AUDIENCE,
      email: SERVICE_ACCOUNT,
      email_verified: true,
    });
  });

  it("takes a parsed delivery (headers + payload) as well as a Request", async () => {
    const request = pushes().deliver({ a: 1 });
    const delivery = { headers: request.headers, payload: await request.json() };
    expect((await verifyPubSubPush(delivery, options)).message.text).toBe('{"a":1}');
  });

  it("matches the service account case-insensitively", async () => {
    const request = pushes().deliver({}, { email: SERVICE_ACCOUNT.toUpperCase() });
    await expect(verifyPubSubPush(request, options)).resolves.toBeDefined();
  });

  it.each<[string, Parameters<ReturnType<typeof pushes>["deliver"]>[1], string, string, RegExp]>([
    [
      "another audience",
      { audience: "https://evil.example/webhooks" },
      "wrong_audience",
      "token.aud",
      /"aud" is "https:\/\/evil\.example\/webhooks", expected "https:\/\/app\.example\.com\/webhooks\/google": set the push subscription's audience/,
    ],
    [
      "another service account",
      { email: "attacker@evil.iam.gserviceaccount.com" },
      "wrong_service_account",
      "token.email",
      /"email" is "attacker@evil\.iam\.gserviceaccount\.com", expected "push@patchbay-test\.iam\.gserviceaccount\.com": the push subscription must authenticate as that service account/,
    ],
    [
      "an expired token",
      { issuedAt: Math.floor(Date.now() / 1000) - 7200, lifetimeSeconds: 3600 },
      "expired",
      "token.exp",
      /Push token expired at .* \(now .*, 60s tolerance\): a replayed or long-delayed delivery/,
    ],
    [
      "a forged signature",
      { forged: true },
      "bad_signature",
      "token.signature",
      /signature does not verify with key "patchbay-test-key-1": the token was forged or altered/,
    ],
    [
      "an unverified email",
      { emailVerified: false },
      "email_not_verified",
      "token.email_verified",
      /"email_verified" is not true/,
    ],
    [
      "another issuer",
      { issuer: "https://evil.example" },
      "wrong_issuer",
      "token.iss",
      /"iss" is "https:\/\/evil\.example", expected "https:\/\/accounts\.google\.com"/,
    ],
    [
      "a token issued in the future",
      { issuedAt: Math.floor(Date.now() / 1000) + 600 },
      "not_yet_valid",
      "token.iat",
      /issued for the future .* check the server clock/,
    ],
  ])("rejects %s with a clear error", async (_title, overrides, code, field, message) => {
    const error = await refusal(verifyPubSubPush(pushes().deliver({}, overrides), options));
    expect(error).toMatchObject({ name: "PubSubPushError", code, field });
    expect(error.message).toMatch(message);
  });

  it("rejects a token signed by a key not in the set", async () => {
    const stranger = other.subscription({
      subscription: SUBSCRIPTION,
      audience: AUDIENCE,
      serviceAccountEmail: SERVICE_ACCOUNT,
    });
    const error = await refusal(verifyPubSubPush(stranger.deliver({}), options));
    expect(error).toMatchObject({ code: "unknown_key", field: "token.kid" });
    expect(error.message).toContain(
      '"kid" "patchbay-test-key-2" is not one of the verification keys',
    );
  });

  it("rejects a token whose claims were altered after signing", async () => {
    const token = signer.sign({ audience: AUDIENCE, email: "attacker@evil.example" });
    const [h, , s] = token.split(".");
    const payload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()),
        email: SERVICE_ACCOUNT,
      }),
    ).toString("base64url");
    const error = await refusal(verifyPubSubPushToken(`${h}.${payload}.${s}`, options));
    expect(error.code).toBe("bad_signature");
  });

  it("rejects a request without a bearer token, naming the header and the fix", async () => {
    const genuine = pushes().deliver({});
    const stripped = new Request(genuine.url, { method: "POST", body: await genuine.text() });
    const error = await refusal(verifyPubSubPush(stripped, options));
    expect(error).toMatchObject({ code: "missing_token", field: "Authorization" });
    expect(error.message).toContain("--push-auth-service-account");
  });

  it.each([
    ["not a JWT", "abc", "token"],
    ["a header that is not JSON", "bm90IGpzb24.e30.sig", "token.header"],
    [
      "alg none",
      `${Buffer.from('{"alg":"none","kid":"k"}').toString("base64url")}.e30.`,
      "token.alg",
    ],
  ])("rejects a token that is %s", async (_title, token, field) => {
    const error = await refusal(verifyPubSubPushToken(token, options));
    expect(error.field).toBe(field);
    expect(error.message).not.toContain(token.length > 3 ? token : "\u0000");
  });

  it.each<[string, unknown, string]>([
    ["a body that is not an object", [1, 2], "body"],
    ["no message", { subscription: SUBSCRIPTION }, "message"],
    ["data that is not a string", { message: { data: 42, messageId: "1" } }, "message.data"],
    ["a non-string message id", { message: { data: "e30=", messageId: 7 } }, "message.messageId"],
    [
      "attributes that are not strings",
      { message: { data: "e30=", attributes: { a: 1 } } },
      "message.attributes",
    ],
    ["a non-string subscription", { message: { data: "e30=" }, subscription: {} }, "subscription"],
  ])("rejects a malformed envelope: %s", async (_title, payload, field) => {
    const { headers } = pushes().deliver({});
    const error = await refusal(verifyPubSubPush({ headers, payload }, options));
    expect(error).toMatchObject({ code: "malformed_envelope", field });
    expect(error.message).toContain(`Push body "${field}" must be`);
    expect(error.message).toContain(
      "{ message: { data, messageId, publishTime, attributes }, subscription }",
    );
  });

  it("rejects a Request whose body is not JSON", async () => {
    const genuine = pushes().deliver({});
    const request = new Request(genuine.url, {
      method: "POST",
      headers: genuine.headers,
      body: "{",
    });
    expect((await refusal(verifyPubSubPush(request, options))).code).toBe("malformed_envelope");
  });

  it("checks expiry against the injected clock, with the configured tolerance", async () => {
    const iat = 1_700_000_000;
    const token = signer.sign({ audience: AUDIENCE, email: SERVICE_ACCOUNT, issuedAt: iat });
    const at = (seconds: number, tolerance?: number) =>
      verifyPubSubPushToken(token, {
        ...options,
        now: () => seconds * 1000,
        clockToleranceSeconds: tolerance,
      });
    await expect(at(iat + 3600 + 30)).resolves.toMatchObject({ iat });
    expect((await refusal(at(iat + 3600 + 30, 0))).code).toBe("expired");
    expect((await refusal(at(iat + 3600 + 61))).code).toBe("expired");
    expect((await refusal(at(iat - 120))).code).toBe("not_yet_valid");
  });

  it("fetches Google's keys once and caches them when no jwks is given", async () => {
    let fetched = 0;
    const fetchKeys: typeof fetch = async (input) => {
      fetched += 1;
      expect(String(input)).toBe(GOOGLE_CERTS_URL);
      return Response.json(signer.jwks(), { headers: { "cache-control": "public, max-age=600" } });
    };
    const withFetch = {
      audience: AUDIENCE,
      serviceAccountEmail: SERVICE_ACCOUNT,
      fetch: fetchKeys,
    };
    await verifyPubSubPush(pushes().deliver({}), withFetch);
    await verifyPubSubPush(pushes().deliver({}), withFetch);
    expect(fetched).toBe(1);
  });

  it("fetches Google's keys through the global fetch by default (the fake serves them)", async () => {
    server.use(signer.certsHandler());
    const request = pushes().deliver({ ok: true });
    const { message } = await verifyPubSubPush(request, {
      audience: AUDIENCE,
      serviceAccountEmail: SERVICE_ACCOUNT,
    });
    expect(message.text).toBe('{"ok":true}');
  });

  it("says so when Google's keys cannot be loaded", async () => {
    const error = await refusal(
      verifyPubSubPush(pushes().deliver({}), {
        audience: AUDIENCE,
        serviceAccountEmail: SERVICE_ACCOUNT,
        fetch: async () => new Response("down", { status: 503 }),
      }),
    );
    expect(error).toMatchObject({ code: "keys_unavailable", field: "jwks" });
    expect(error.message).toContain("HTTP 503");
  });

  it("accepts a key resolver returning a CryptoKey, as jose's resolvers do", async () => {
    const [jwk] = signer.jwks().keys;
    const key = await crypto.subtle.importKey(
      "jwk",
      jwk!,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      true,
      ["verify"],
    );
    const seen: unknown[] = [];
    const resolver = (header: { kid?: string }) => {
      seen.push(header.kid);
      return key;
    };
    await verifyPubSubPush(pushes().deliver({}), { ...options, jwks: resolver });
    expect(seen).toEqual(["patchbay-test-key-1"]);
    const error = await refusal(
      verifyPubSubPush(pushes().deliver({}, { forged: true }), { ...options, jwks: resolver }),
    );
    expect(error.code).toBe("bad_signature");
  });

  it("treats a resolver that finds nothing as an unknown key", async () => {
    const error = await refusal(
      verifyPubSubPush(pushes().deliver({}), { ...options, jwks: () => undefined }),
    );
    expect(error.code).toBe("unknown_key");
  });
});

describe("decodePubSubPush and readPubSubPushJson", () => {
  it("reads the snake_case aliases and leaves absent fields undefined", () => {
    expect(
      decodePubSubPush({
        message: { data: "eyJhIjoxfQ==", message_id: "7", publish_time: "2026-01-01T00:00:00Z" },
      }),
    ).toMatchObject({
      text: '{"a":1}',
      messageId: "7",
      publishTime: "2026-01-01T00:00:00Z",
      subscription: undefined,
      deliveryId: ":7",
    });
    expect(decodePubSubPush({ message: { data: "" } }).deliveryId).toBeUndefined();
  });

  it("readPubSubPushJson is undefined for anything that is not a push of JSON", () => {
    expect(readPubSubPushJson({ message: { data: "eyJhIjoxfQ==" } })).toEqual({ a: 1 });
    expect(readPubSubPushJson({ message: { data: "not base64 json" } })).toBeUndefined();
    expect(readPubSubPushJson(undefined)).toBeUndefined();
    expect(readPubSubPushJson("text")).toBeUndefined();
  });
});

describe("pubSubPushWebhook", () => {
  const delivery = async (request: Request) => ({
    headers: request.headers,
    url: new URL(request.url),
    method: "POST",
    rawBody: new Uint8Array(),
    text: "",
    payload: await request.json(),
  });

  it("verifies the token (true/false, never throws) and dedupes by subscription and message id", async () => {
    const spec = pubSubPushWebhook(options);
    expect(spec.secret).toBe("app");
    const genuine = await delivery(pushes().deliver({}));
    expect(await spec.verify(genuine, {})).toBe(true);
    expect(spec.deliveryId!(genuine)).toBe(`${SUBSCRIPTION}:41`);
    expect(await spec.verify(await delivery(pushes().deliver({}, { forged: true })), {})).toBe(
      false,
    );
    expect(await spec.verify({ ...genuine, headers: new Headers() }, {})).toBe(false);
    expect(spec.deliveryId!({ ...genuine, payload: { nope: true } })).toBeUndefined();
  });
});

describe("checkGooglePubSubOptions", () => {
  const good = {
    topicName: "projects/p/topics/t",
    audience: AUDIENCE,
    serviceAccountEmail: SERVICE_ACCOUNT,
  };

  it("returns good options as they are", () => {
    expect(checkGooglePubSubOptions(good)).toBe(good);
    expect(checkGooglePubSubOptions({ ...good, jwks: () => undefined })).toBeDefined();
  });

  it.each<[object, string]>([
    [{ topicName: "t" }, '"pubsub.topicName" must look like projects/<project>/topics/<topic>'],
    [{ audience: "" }, '"pubsub.audience" must be the push subscription\'s audience'],
    [
      { serviceAccountEmail: "nobody" },
      '"pubsub.serviceAccountEmail" must be a service account email',
    ],
    [{ jwks: { nope: true } }, '"pubsub.jwks" must be a JSON Web Key Set or a jose key resolver'],
  ])("names the bad field: %o", (patch, message) => {
    expect(() => checkGooglePubSubOptions({ ...good, ...patch } as never)).toThrow(
      new TypeError(message),
    );
  });
});

describe("googleKeySource", () => {
  it("looks keys up by kid or by token header, from a fixed set", async () => {
    const keys = googleKeySource(signer.jwks());
    expect((await keys("patchbay-test-key-1"))?.asymmetricKeyType).toBe("rsa");
    expect(await keys({ alg: "RS256", kid: "patchbay-test-key-1" })).toBeDefined();
    expect(await keys("unknown")).toBeUndefined();
  });

  it("refetches for an unknown kid at most once a minute", async () => {
    let clock = 0;
    let fetched = 0;
    const keys = googleKeySource(
      undefined,
      async () => {
        fetched += 1;
        return Response.json(signer.jwks(), { headers: { "cache-control": "max-age=3600" } });
      },
      () => clock,
    );
    await keys("patchbay-test-key-1");
    await keys("unknown");
    expect(fetched).toBe(1);
    clock += 60_000;
    await keys("unknown");
    expect(fetched).toBe(2);
  });
});

describe("createPubSubPushSigner", () => {
  it("publishes one RS256 key under its kid and numbers deliveries", async () => {
    expect(signer.jwks().keys).toEqual([
      expect.objectContaining({ kid: "patchbay-test-key-1", alg: "RS256", use: "sig", kty: "RSA" }),
    ]);
    expect(signer.jwks().keys[0]).not.toHaveProperty("d");
    const sub = pushes();
    const first = await sub.deliver({}).json();
    const second = await sub.deliver({}, { url: "https://elsewhere.example/hook" });
    expect(first.message).toMatchObject({ messageId: "41", message_id: "41", attributes: {} });
    expect(second.url).toBe("https://elsewhere.example/hook");
    expect((await second.json()).message.messageId).toBe("42");
  });

  it("names a missing key id", () => {
    expect(() => createPubSubPushSigner({ keyId: "" })).toThrow(
      /"keyId" must be a non-empty string/,
    );
  });
});
