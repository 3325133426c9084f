import { describe, expect, it } from "vitest";
import { parseMailchimpError } from "../src/index.js";

function problem(status: number, body: unknown, type = "application/problem+json") {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": type },
  });
}

describe("parseMailchimpError", () => {
  it("reads title and detail of a problem document into message and code", () => {
    const body = {
      type: "https://mailchimp.com/developer/marketing/docs/errors/",
      title: "Member Exists",
      status: 400,
      detail: "dj@kexp.org is already a list member. Use PUT to insert or update list members.",
      instance: "a1b2",
    };
    expect(parseMailchimpError(problem(400, body), body)).toEqual({
      message:
        "Member Exists: dj@kexp.org is already a list member. Use PUT to insert or update list members.",
      code: "Member Exists",
    });
  });

  it("appends field errors", () => {
    const body = {
      title: "Invalid Resource",
      status: 400,
      detail: "The resource submitted could not be validated.",
      errors: [{ field: "status_if_new", message: "This value should not be blank." }],
    };
    expect(parseMailchimpError(problem(400, body), body)?.message).toBe(
      "Invalid Resource: The resource submitted could not be validated. (status_if_new: This value should not be blank.)",
    );
  });

  it("treats 429 as a retryable rate limit, without repeating the status line", () => {
    const body = {
      title: "Too Many Requests",
      status: 429,
      detail: "You have exceeded the limit of 10 simultaneous connections.",
    };
    expect(parseMailchimpError(problem(429, body), body)).toEqual({
      message: "You have exceeded the limit of 10 simultaneous connections.",
      code: "Too Many Requests",
      kind: "rate_limit",
      retryable: true,
    });
  });

  it("treats a 403 without a JSON body as throttling (Mailchimp does this at high volume)", () => {
    expect(parseMailchimpError(problem(403, undefined, "text/html"), "")).toMatchObject({
      kind: "rate_limit",
      retryable: true,
    });
    const forbidden = {
      title: "Forbidden",
      status: 403,
      detail: "You don't have permission to access this resource.",
    };
    expect(parseMailchimpError(problem(403, forbidden), forbidden)).toEqual({
      message: "You don't have permission to access this resource.",
      code: "Forbidden",
    });
  });

  it("leaves bodies that are not problem documents to core", () => {
    expect(parseMailchimpError(problem(500, "oops", "text/plain"), "oops")).toBeUndefined();
  });
});
