import { ErrorCode } from "@patchbay/core";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { indeed, listIndeedEmployers } from "../src/index.js";
import {
  createIndeedFake,
  INDEED_SANDBOX_APP,
  INDEED_SANDBOX_EMPLOYER,
} from "../src/testing/index.js";
import { TENANT, WEBHOOK_BASE, world } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("indeed auth", () => {
  it("connects with a token for the chosen employer and learns its name", async () => {
    const w = await world(server);
    expect(w.fake.employerTokensIssued).toBe(1);
    expect(w.connection.metadata).toMatchObject({
      employerId: INDEED_SANDBOX_EMPLOYER.id,
      employerName: "Summit Plumbing",
      applyPostUrl: `${WEBHOOK_BASE}/indeed?employer=${INDEED_SANDBOX_EMPLOYER.id}`,
    });
  });

  it("refuses an employer the app may not act for, naming nothing secret", async () => {
    const w = await world(server);
    const attempt = w.patchbay.connect.withCredentials({
      tenantId: TENANT,
      connector: "indeed",
      credentials: { employer: "not-my-employer" },
    });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCode.CONNECT_FAILED });
    await expect(attempt).rejects.not.toThrow(INDEED_SANDBOX_APP.clientSecret);
  });

  it("lists the app's employers for the selection screen", async () => {
    const fake = createIndeedFake({
      employers: [INDEED_SANDBOX_EMPLOYER, { id: "0a1b2c3d4e5f6a7b", name: "Peak HVAC" }],
    });
    server.use(...fake.handlers);
    const employers = await listIndeedEmployers(INDEED_SANDBOX_APP);
    expect(employers).toEqual([
      { id: INDEED_SANDBOX_EMPLOYER.id, name: "Summit Plumbing" },
      { id: "0a1b2c3d4e5f6a7b", name: "Peak HVAC" },
    ]);
    await expect(
      listIndeedEmployers({ ...INDEED_SANDBOX_APP, clientSecret: "wrong" }),
    ).rejects.toMatchObject({ code: ErrorCode.AUTH_UNAUTHORIZED });
  });

  it("gets a new employer token when Indeed answers 401, and the sync succeeds", async () => {
    const w = await world(server);
    w.fake.seedSandbox();
    w.fake.oauth.expireAccessTokens();
    const run = await w.sync();
    expect(run.status).toBe("succeeded");
    expect(run.inserted).toBe(5);
    expect(w.fake.employerTokensIssued).toBe(2);
  });

  it("marks the connection needs_reauth when the employer removes the app's access", async () => {
    const w = await world(server);
    expect(await w.patchbay.connections.test(TENANT, w.connection.id)).toEqual({ ok: true });
    w.fake.revokeEmployer();
    const run = await w.sync();
    expect(run.status).toBe("failed");
    expect((await w.current()).status).toBe("needs_reauth");
  });

  it("checks its options with errors that name the fix", () => {
    expect(() => indeed({ clientId: "", clientSecret: "s" })).toThrow(/"clientId" must be/);
    expect(() => indeed({ clientId: "c", clientSecret: "" })).toThrow(/"clientSecret" must be/);
    expect(() => indeed({ clientId: "c", clientSecret: "s", applySecret: "" })).toThrow(
      /"applySecret" must be/,
    );
  });
});
