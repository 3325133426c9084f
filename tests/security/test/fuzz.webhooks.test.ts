/**
 * Webhook parsing and signature checks: random bodies and headers never
 * verify and never crash, for the payload parser, the HMAC helpers, and the
 * full handler of every provider that sends webhooks (with a real connection
 * routed, so only the signature stands between a random delivery and a sync).
 */
import {
  type Connection,
  createPatchbay,
  hmac,
  MemoryStore,
  type Patchbay,
  parseWebhookPayload,
  timingSafeEqual,
  Vault,
  verifyHmacSignature,
} from "@patchbay/core";
import fc from "fast-check";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNS } from "./support/fuzz.js";
import { DEFAULT_REDIRECT_URI, WEBHOOK_WORLDS } from "./support/webhook-worlds.js";
import { KEY_1 } from "./support/world.js";

const server = setupServer();

/** Providers whose signature does not cover the body, with the reason. */
const UNSIGNED_BODY: Record<string, string> = {
  "google-drive":
    "Drive push messages have no body; the per-channel X-Goog-Channel-Token authenticates them",
  mailchimp:
    "Mailchimp does not sign deliveries; the per-connection secret in the webhook URL authenticates them",
};
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/cloudevents+json",
    "",
  ),
  fc.string(),
);
const body = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.dictionary(fc.string(), fc.string()).map((d) => new URLSearchParams(d).toString()),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1")),
);

describe("fuzz: webhook parsing and signatures", () => {
  it("parseWebhookPayload never throws, and a JSON type answers ok:false only for unparsable text", () => {
    fc.assert(
      fc.property(fc.option(contentType, { nil: null }), body, (type, text) => {
        const parsed = parseWebhookPayload(type, text);
        if (!parsed.ok) {
          expect(() => JSON.parse(text)).toThrow();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("verifyHmacSignature: random signatures never verify; the true one does", () => {
    const algorithm = fc.constantFrom("sha1" as const, "sha256" as const, "sha512" as const);
    const encoding = fc.constantFrom("hex" as const, "base64" as const, "base64url" as const);
    fc.assert(
      fc.property(
        algorithm,
        encoding,
        fc.string({ minLength: 1 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.option(fc.string(), { nil: null }),
        fc.constantFrom("", "sha256=", "v1="),
        (alg, enc, secret, data, signature, prefix) => {
          const genuine = prefix + hmac(alg, secret, data, enc);
          const check = { algorithm: alg, encoding: enc, secret, data, prefix };
          expect(verifyHmacSignature({ ...check, signature: genuine })).toBe(true);
          fc.pre(
            signature !== genuine && signature?.trim().toLowerCase() !== genuine.toLowerCase(),
          );
          expect(verifyHmacSignature({ ...check, signature })).toBe(false);
          expect(verifyHmacSignature({ ...check, secret: "", signature: genuine })).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("timingSafeEqual agrees with === on any two strings", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(a === b);
        expect(timingSafeEqual(a, a)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  describe.each(Object.entries(WEBHOOK_WORLDS))("%s: the full handler", (id, entry) => {
    let patchbay: Patchbay;
    let genuine: Request;
    let genuineText: string;
    let headerNames: string[];

    beforeAll(async () => {
      const fake = entry.fake();
      server.use(...fake.handlers);
      const definition = entry.connector();
      patchbay = createPatchbay({
        connectors: [definition],
        store: new MemoryStore(),
        vault: new Vault({ keys: [KEY_1] }),
        webhookBaseUrl: "https://app.example.com/integrations/webhooks",
      });
      let connection: Connection;
      if (definition.auth.kind === "oauth2") {
        const { url } = await patchbay.connect.start({
          tenantId: "t",
          connector: id,
          redirectUri: entry.redirectUri ?? DEFAULT_REDIRECT_URI,
        });
        connection = await patchbay.connect.finish(fake.oauth!.approve(url), { tenantId: "t" });
      } else {
        connection = await patchbay.connect.withCredentials({
          tenantId: "t",
          connector: id,
          credentials: fake.credentials!,
        });
      }
      await entry.configure?.(patchbay, connection, fake);
      connection = await patchbay.connections.get("t", connection.id);
      genuine = await fake.webhook!(connection, { forged: false });
      genuineText = await genuine.clone().text();
      headerNames = [...genuine.headers.keys()];
    });

    /**
     * A delivery that is not genuine is refused (4xx) or answered by a
     * handshake (Drive's "sync" message); it is never accepted (202), never
     * counted as a seen delivery (200 duplicate: only verified deliveries get
     * that far), and never crashes the handler (5xx).
     */
    async function refused(response: Response): Promise<void> {
      const text = await response.text();
      expect(response.status, text).not.toBe(202);
      expect(response.status, text).toBeLessThan(500);
      expect(text).not.toContain("duplicate");
    }

    it("a random body under the genuine headers never verifies (or, unsigned, never crashes)", async () => {
      await fc.assert(
        fc.asyncProperty(body, async (text) => {
          fc.pre(text !== genuineText);
          const response = await patchbay.handleWebhook(
            id,
            new Request(genuine.url, { method: "POST", headers: genuine.headers, body: text }),
          );
          if (UNSIGNED_BODY[id] !== undefined) expect(response.status).toBeLessThan(500);
          else await refused(response);
        }),
        { numRuns: Math.max(20, Math.ceil(RUNS / 10)) },
      );
    });

    it("random values in what authenticates the genuine delivery never verify", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), async (values) => {
          // What authenticates the delivery: signature/token headers, else the URL's query (Mailchimp).
          const signing = headerNames.filter((n) => /sig|auth|token|hmac|mac/i.test(n));
          const headers = new Headers(genuine.headers);
          const url = new URL(genuine.url);
          let changed = false;
          values.forEach((value, i) => {
            if (signing.length > 0) {
              const name = signing[i % signing.length]!;
              try {
                const before = headers.get(name);
                headers.set(name, value);
                changed ||= headers.get(name) !== before;
              } catch {
                // not a valid header value
              }
            } else {
              const keys = [...url.searchParams.keys()];
              const name = keys[i % Math.max(keys.length, 1)] ?? "secret";
              const before = url.searchParams.get(name);
              url.searchParams.set(name, value);
              changed ||= url.searchParams.get(name) !== before;
            }
          });
          fc.pre(changed);
          const response = await patchbay.handleWebhook(
            id,
            new Request(url, { method: "POST", headers, body: genuineText }),
          );
          await refused(response);
        }),
        { numRuns: Math.max(20, Math.ceil(RUNS / 10)) },
      );
    });
  });
});
