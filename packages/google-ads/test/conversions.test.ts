import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { UploadClickConversionsResult } from "../src/index.js";
import { GOOGLE_ADS_SANDBOX } from "../src/testing/index.js";
import { connectWorld, NOW } from "./world.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("uploadClickConversions", () => {
  it("records good rows and reports each bad row with Google's error code", async () => {
    const w = await connectWorld(server);
    const gclid = w.fake.recordClick({ at: NOW - 3 * 86_400_000 });
    const early = w.fake.recordClick({ at: NOW - 3_600_000 });
    const result = await w.action<UploadClickConversionsResult>("uploadClickConversions", {
      conversions: [
        {
          gclid,
          conversionAction: GOOGLE_ADS_SANDBOX.conversionActionId,
          conversionDateTime: "2026-10-30T09:15:00-05:00",
          conversionValue: 425,
          currencyCode: "USD",
          orderId: "job-1042",
        },
        {
          gclid: "Cj0KCQjwUNKNOWNCLICK",
          conversionAction: GOOGLE_ADS_SANDBOX.conversionActionId,
          conversionDateTime: "2026-10-30 09:15:00-05:00",
        },
        {
          gclid: early,
          conversionAction: `customers/${GOOGLE_ADS_SANDBOX.customerId}/conversionActions/${GOOGLE_ADS_SANDBOX.conversionActionId}`,
          conversionDateTime: "2026-10-29 09:15:00-05:00",
        },
      ],
    });
    expect(result).toMatchObject({ uploaded: 1, failed: 2 });
    expect(result.rows[0]).toEqual({
      index: 0,
      ok: true,
      gclid,
      conversionAction: `customers/${GOOGLE_ADS_SANDBOX.customerId}/conversionActions/${GOOGLE_ADS_SANDBOX.conversionActionId}`,
    });
    expect(result.rows[1]).toMatchObject({
      ok: false,
      errors: [{ code: "conversionUploadError.EVENT_NOT_FOUND" }],
    });
    expect(result.rows[2]).toMatchObject({
      ok: false,
      errors: [{ code: "conversionUploadError.CONVERSION_PRECEDES_EVENT" }],
    });
    expect(w.fake.uploadedConversions()).toEqual([
      {
        customerId: GOOGLE_ADS_SANDBOX.customerId,
        gclid,
        conversionAction: `customers/${GOOGLE_ADS_SANDBOX.customerId}/conversionActions/${GOOGLE_ADS_SANDBOX.conversionActionId}`,
        conversionDateTime: "2026-10-30 09:15:00-05:00",
        conversionValue: 425,
        currencyCode: "USD",
        orderId: "job-1042",
      },
    ]);
    const body = w.fake.requests.at(-1)?.body as { partialFailure: boolean };
    expect(body.partialFailure).toBe(true);
  });

  it("validateOnly checks the rows and records nothing", async () => {
    const w = await connectWorld(server);
    const gclid = w.fake.recordClick();
    const result = await w.action<UploadClickConversionsResult>("uploadClickConversions", {
      validateOnly: true,
      conversions: [
        {
          gclid,
          conversionAction: GOOGLE_ADS_SANDBOX.conversionActionId,
          conversionDateTime: "2026-10-31 07:00:00+00:00",
        },
      ],
    });
    expect(result.uploaded).toBe(1);
    expect(w.fake.uploadedConversions()).toEqual([]);
  });

  it("refuses a date time without a timezone offset before calling Google", async () => {
    const w = await connectWorld(server);
    const before = w.fake.requests.length;
    await expect(
      w.action("uploadClickConversions", {
        conversions: [
          {
            gclid: "Cj0KCQjwabc",
            conversionAction: "1",
            conversionDateTime: "2026-10-30 09:15:00",
          },
        ],
      }),
    ).rejects.toThrow(/timezone offset/);
    expect(w.fake.requests.length).toBe(before);
  });
});
