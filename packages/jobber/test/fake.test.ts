import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOBBER_GRAPHQL_URL, JOBBER_OPERATIONS } from "../src/index.js";
import { createJobberFake, JOBBER_SANDBOX_APP } from "../src/testing/index.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup() {
  const fake = createJobberFake();
  server.use(...fake.handlers);
  const { accessToken } = fake.oauth.issueTokens({ clientId: JOBBER_SANDBOX_APP.clientId });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(JOBBER_GRAPHQL_URL, {
      method: "POST",
      headers: {
        authorization: `Bearer ${accessToken}`,
        "content-type": "application/json",
        "x-jobber-graphql-version": "2025-04-16",
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { fake, post };
}

describe("the Jobber fake", () => {
  it("answers an unknown operation with a GraphQL error body", async () => {
    const { post } = setup();
    const response = await post({ query: "query Visits { visits { nodes { id } } }" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      errors: [{ message: expect.stringMatching(/Unknown operation "Visits"/) }],
    });
  });

  it("refuses requests without a bearer token, a version header or a JSON body", async () => {
    const { post } = setup();
    const query = { query: JOBBER_OPERATIONS.account.query };
    expect((await post(query, { authorization: "" })).status).toBe(401);
    expect((await post(query, { "x-jobber-graphql-version": "" })).status).toBe(400);
    expect(
      (await post("query=x", { "content-type": "application/x-www-form-urlencoded" })).status,
    ).toBe(415);
  });

  it("reports extensions.cost and deducts the actual cost from the bucket", async () => {
    const { fake, post } = setup();
    fake.seed("clients", 2);
    const body = (await (
      await post({ query: JOBBER_OPERATIONS.clients.all.query, variables: { first: 10 } })
    ).json()) as { extensions: { cost: Record<string, unknown> } };
    expect(body.extensions.cost).toMatchObject({
      requestedQueryCost: 4 + 10 * 26,
      actualQueryCost: 4 + 2 * 26,
      throttleStatus: {
        maximumAvailable: 10_000,
        currentlyAvailable: 10_000 - 56,
        restoreRate: 500,
      },
    });
  });

  it("rejects a mutation input field the schema does not define", async () => {
    const { post } = setup();
    const body = await (
      await post({
        query: JOBBER_OPERATIONS.clientCreate.query,
        variables: { input: { firstName: "A", nickname: "B" } },
      })
    ).json();
    expect(body).toMatchObject({
      errors: [
        {
          message: expect.stringMatching(/nickname \(Field is not defined on ClientCreateInput\)/),
        },
      ],
    });
  });
});
