/**
 * The demo journey in headless Chromium against the Express host in sandbox
 * mode: connect Google Sheets and Gmail through the consent page, see rows
 * synced both ways, a DJ's reply arrive, and disconnect. Screenshots of the
 * integrations page land in test-artifacts/.
 */

import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_LAUNCH, runDemoJourney } from "@patchbay/example-demo-kit/journey";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, it } from "vitest";
import { createApp } from "../src/app.js";

const ARTIFACTS = join(import.meta.dirname, "..", "test-artifacts");
let server: Server;
let origin: string;
let close: () => Promise<void>;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "patchbay-express-e2e-"));
  // Listen first: the OAuth callback URLs are built from the real port.
  const { createServer } = await import("node:http");
  let handler: (req: never, res: never) => void = () => undefined;
  server = createServer((req, res) => handler(req as never, res as never));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { app, demo } = await createApp({ origin, dataDir, env: { PATCHBAY_SANDBOX: "1" } });
  handler = app as never;
  close = () => demo.close();
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await close?.();
  await rm(dataDir, { recursive: true, force: true });
});

it("the sandbox journey: connect Sheets and Gmail, data both ways, a reply, disconnect", async () => {
  await runDemoJourney({
    browser,
    origin,
    artifacts: ARTIFACTS,
    label: "express",
    step: (name) => console.log(`  step: ${name}`),
  });
});
