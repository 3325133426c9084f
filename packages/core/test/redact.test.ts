import { describe, expect, it } from "vitest";
import {
  AuthError,
  ErrorCode,
  ProviderError,
  REDACTED,
  redactingLogger,
  redactString,
  redactValue,
  registerSecret,
} from "../src/index.js";

describe("redaction", () => {
  it("scrubs bearer tokens, basic credentials and secret query parameters from text", () => {
    const text =
      "GET https://api.x.test/v1?access_token=abc123xyz&page=2 with Authorization: Bearer eyJhbGciOi.payload.sig and Basic dXNlcjpwYXNz";
    const out = redactString(text);
    expect(out).not.toContain("abc123xyz");
    expect(out).not.toContain("eyJhbGciOi");
    expect(out).not.toContain("dXNlcjpwYXNz");
    expect(out).toContain("page=2");
  });

  it("scrubs any registered secret value wherever it appears", () => {
    registerSecret("sk_live_registered_42");
    expect(redactString('{"note":"key is sk_live_registered_42"}')).toBe(
      `{"note":"key is ${REDACTED}"}`,
    );
  });

  it("replaces secret fields in nested objects, headers and errors", () => {
    const value = redactValue({
      body: { access_token: "t1-abcdef", nested: [{ client_secret: "s1-abcdef", ok: "visible" }] },
      headers: new Headers({ authorization: "Bearer zzz-abcdef", "x-request-id": "r1" }),
      error: new Error("refresh failed", { cause: { refresh_token: "r1-abcdef" } }),
    });
    const json = JSON.stringify(value, (_k, v) =>
      v instanceof Error ? { message: v.message, cause: v.cause } : v,
    );
    for (const secret of ["t1-abcdef", "s1-abcdef", "zzz-abcdef", "r1-abcdef"])
      expect(json).not.toContain(secret);
    expect(json).toContain("visible");
    expect(json).toContain('"x-request-id":"r1"');
  });

  it("keeps secrets out of error causes and error JSON", () => {
    const error = new ProviderError("POST /v1/items → 500", {
      status: 500,
      cause: { refresh_token: "rt_cause_secret_1" },
    });
    expect(JSON.stringify(error.cause)).not.toContain("rt_cause_secret_1");
    expect(JSON.stringify(error)).not.toContain("rt_cause_secret_1");
    expect(error.toJSON()).toMatchObject({
      code: ErrorCode.PROVIDER_ERROR,
      status: 500,
      retryable: true,
    });
    expect(new AuthError(ErrorCode.AUTH_REFRESH_FAILED, "x").retryable).toBe(true);
  });

  it("redacting logger never passes a token to the host's logger", () => {
    const lines: unknown[] = [];
    const sink = {
      debug: (m: string, f?: unknown) => lines.push([m, f]),
      info: (m: string, f?: unknown) => lines.push([m, f]),
      warn: () => {},
      error: () => {},
    };
    registerSecret("at_logged_secret_77");
    const logger = redactingLogger(sink);
    logger.info("refreshed at_logged_secret_77", {
      headers: { Authorization: "Bearer at_logged_secret_77" },
      token: "at_logged_secret_77",
    });
    expect(redactingLogger(logger)).toBe(logger);
    expect(JSON.stringify(lines)).not.toContain("at_logged_secret_77");
  });
});
