/**
 * Twilio's request signature, checked against the official SDK: every
 * expected signature here is computed by `twilio`'s own
 * `getExpectedTwilioSignature`, and `validateRequest` /
 * `validateRequestWithBody` must agree with `verifyTwilioRequest` on every
 * accept and reject case.
 */
import type { WebhookDelivery } from "@patchbay/core";
import { parseWebhookPayload } from "@patchbay/core";
import twilioSdk from "twilio";
import { describe, expect, it } from "vitest";
import {
  twilioBodyHash,
  twilioSignature,
  verifyTwilioRequest,
  verifyTwilioSignature,
} from "../src/index.js";

const { getExpectedTwilioSignature, validateRequest, validateRequestWithBody } = twilioSdk;

const TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const OTHER_TOKEN = "ffffffffffffffffffffffffffffffff";
const URL_ = "https://app.example.com/integrations/webhooks/twilio";

const INBOUND = {
  AccountSid: "AC5a7d0b1c2e3f405162738495a6b7c8d9",
  ApiVersion: "2010-04-01",
  Body: "Can you come at 2pm instead? ¿Sí? 👍",
  From: "+15125550111",
  MessageSid: "SM0123456789abcdef0123456789abcdef",
  NumMedia: "0",
  SmsStatus: "received",
  To: "+15125550100",
};

async function delivery(request: Request): Promise<WebhookDelivery> {
  const rawBody = new Uint8Array(await request.arrayBuffer());
  const text = new TextDecoder().decode(rawBody);
  const parsed = parseWebhookPayload(request.headers.get("content-type"), text);
  return {
    headers: request.headers,
    url: new URL(request.url),
    method: request.method,
    rawBody,
    text,
    payload: parsed.ok ? parsed.payload : undefined,
  };
}

function formRequest(url: string, body: string, signature: string): Request {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": signature,
    },
    body,
  });
}

describe("X-Twilio-Signature (form bodies), against the official SDK", () => {
  it("computes the signature the SDK computes, and both accept the genuine request", async () => {
    const expected = getExpectedTwilioSignature(TOKEN, URL_, INBOUND);
    expect(twilioSignature(TOKEN, URL_, INBOUND)).toBe(expected);
    expect(validateRequest(TOKEN, expected, URL_, INBOUND)).toBe(true);
    const request = formRequest(URL_, new URLSearchParams(INBOUND).toString(), expected);
    expect(verifyTwilioRequest(await delivery(request), TOKEN)).toBe(true);
  });

  it.each([
    ["a changed parameter", URL_, { ...INBOUND, Body: "C" }, TOKEN],
    ["an added parameter", URL_, { ...INBOUND, Extra: "1" }, TOKEN],
    ["another URL", `${URL_}?connection=2`, INBOUND, TOKEN],
    ["another Auth Token", URL_, INBOUND, OTHER_TOKEN],
  ])("both reject %s", async (_case, url, params, token) => {
    const signature = getExpectedTwilioSignature(TOKEN, URL_, INBOUND);
    expect(validateRequest(token, signature, url, params)).toBe(false);
    const request = formRequest(url, new URLSearchParams(params).toString(), signature);
    expect(verifyTwilioRequest(await delivery(request), token)).toBe(false);
  });

  it("both reject a missing or empty signature, and a missing token", async () => {
    const body = new URLSearchParams(INBOUND).toString();
    const unsigned = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    expect(validateRequest(TOKEN, "", URL_, INBOUND)).toBe(false);
    expect(verifyTwilioRequest(await delivery(unsigned), TOKEN)).toBe(false);
    const signature = getExpectedTwilioSignature(TOKEN, URL_, INBOUND);
    const signed = await delivery(formRequest(URL_, body, signature));
    expect(verifyTwilioRequest(signed, TOKEN)).toBe(true);
    expect(verifyTwilioRequest(signed, undefined)).toBe(false);
    expect(verifyTwilioRequest(signed, "")).toBe(false);
  });

  it("signs repeated parameters by their sorted distinct values, as the SDK does", async () => {
    const params = { ...INBOUND, MediaUrl: ["https://b.example/2.jpg", "https://a.example/1.jpg"] };
    const expected = getExpectedTwilioSignature(TOKEN, URL_, params);
    expect(twilioSignature(TOKEN, URL_, params)).toBe(expected);
    const body = new URLSearchParams(INBOUND);
    body.append("MediaUrl", "https://b.example/2.jpg");
    body.append("MediaUrl", "https://a.example/1.jpg");
    const request = formRequest(URL_, body.toString(), expected);
    expect(verifyTwilioRequest(await delivery(request), TOKEN)).toBe(true);
  });

  it("accepts a signature made over the URL with its default port, as the SDK does", async () => {
    const signedWithPort = getExpectedTwilioSignature(
      TOKEN,
      "https://app.example.com:443/integrations/webhooks/twilio",
      INBOUND,
    );
    expect(validateRequest(TOKEN, signedWithPort, URL_, INBOUND)).toBe(true);
    const request = formRequest(URL_, new URLSearchParams(INBOUND).toString(), signedWithPort);
    expect(verifyTwilioRequest(await delivery(request), TOKEN)).toBe(true);
    expect(
      verifyTwilioSignature({
        authToken: TOKEN,
        url: URL_,
        params: INBOUND,
        signature: signedWithPort,
      }),
    ).toBe(true);
  });

  it("agrees with the SDK on a URL with a query string", async () => {
    const url = `${URL_}?tenant=acme&note=a%20b`;
    const expected = getExpectedTwilioSignature(TOKEN, url, INBOUND);
    expect(twilioSignature(TOKEN, url, INBOUND)).toBe(expected);
    expect(validateRequest(TOKEN, expected, url, INBOUND)).toBe(true);
    const request = formRequest(url, new URLSearchParams(INBOUND).toString(), expected);
    expect(verifyTwilioRequest(await delivery(request), TOKEN)).toBe(true);
  });
});

describe("X-Twilio-Signature with bodySHA256 (JSON bodies), against the official SDK", () => {
  const body = JSON.stringify({ AccountSid: INBOUND.AccountSid, event: "message.delivered" });
  const url = `${URL_}?bodySHA256=${twilioBodyHash(body)}`;

  function jsonRequest(target: string, text: string, signature: string): Request {
    return new Request(target, {
      method: "POST",
      headers: { "content-type": "application/json", "x-twilio-signature": signature },
      body: text,
    });
  }

  it("hashes the body as the SDK does, and both accept the genuine request", async () => {
    expect(twilioBodyHash(body)).toBe(twilioSdk.getExpectedBodyHash(body));
    const signature = getExpectedTwilioSignature(TOKEN, url, {});
    expect(twilioSignature(TOKEN, url)).toBe(signature);
    expect(validateRequestWithBody(TOKEN, signature, url, body)).toBe(true);
    expect(verifyTwilioRequest(await delivery(jsonRequest(url, body, signature)), TOKEN)).toBe(
      true,
    );
  });

  it("both reject a body that does not match bodySHA256", async () => {
    const signature = getExpectedTwilioSignature(TOKEN, url, {});
    const tampered = body.replace("delivered", "failed");
    expect(validateRequestWithBody(TOKEN, signature, url, tampered)).toBe(false);
    expect(verifyTwilioRequest(await delivery(jsonRequest(url, tampered, signature)), TOKEN)).toBe(
      false,
    );
  });

  it("both reject a bodySHA256 swapped for the tampered body's hash (the URL is signed)", async () => {
    const signature = getExpectedTwilioSignature(TOKEN, url, {});
    const tampered = body.replace("delivered", "failed");
    const swapped = `${URL_}?bodySHA256=${twilioBodyHash(tampered)}`;
    expect(validateRequestWithBody(TOKEN, signature, swapped, tampered)).toBe(false);
    expect(
      verifyTwilioRequest(await delivery(jsonRequest(swapped, tampered, signature)), TOKEN),
    ).toBe(false);
  });

  it("both reject another Auth Token", async () => {
    const signature = getExpectedTwilioSignature(OTHER_TOKEN, url, {});
    expect(validateRequestWithBody(TOKEN, signature, url, body)).toBe(false);
    expect(verifyTwilioRequest(await delivery(jsonRequest(url, body, signature)), TOKEN)).toBe(
      false,
    );
  });
});
