/**
 * The demo journey in headless Chromium against the Next.js host in sandbox
 * mode, the same journey as the Express host's: connect Google Sheets and
 * Gmail through the consent page, see rows synced both ways, a DJ's reply
 * arrive, and disconnect. The app runs as it would in production: `next
 * build` (skipped when the build is newer than every source it compiles),
 * then `next start` in a child process. Screenshots of the integrations page
 * and the server's log land in test-artifacts/.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, statSync, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM_LAUNCH, runDemoJourney } from "@patchbay/example-demo-kit/journey";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, it } from "vitest";

const APP = join(import.meta.dirname, "..");
const ROOT = join(APP, "..", "..");
const ARTIFACTS = join(APP, "test-artifacts");
const NEXT_BIN = createRequire(import.meta.url).resolve("next/dist/bin/next");

let server: ChildProcess | undefined;
let log: WriteStream;
let origin: string;
let browser: Browser;
let dataDir: string;

/** The environment for `next`: this process's, without what vitest set for itself. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(VITEST|VITE_|TEST$|NODE_ENV$|NODE_OPTIONS$)/.test(key)) env[key] = value;
  return { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

/** The newest modification time under `path` (files the build compiles). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === "dist" || entry === ".next") continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

/** Whether `.next` is missing or older than any source of the app, the demo kit or a package. */
function buildIsStale(): boolean {
  const buildId = join(APP, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = [
    ...["app", "lib", "next.config.ts", "package.json", "tsconfig.json"].map((p) => join(APP, p)),
    join(ROOT, "examples", "demo-kit", "src"),
    ...readdirSync(join(ROOT, "packages")).flatMap((dir) => [
      join(ROOT, "packages", dir, "src"),
      join(ROOT, "packages", dir, "package.json"),
    ]),
  ];
  return sources.some((source) => newest(source) > built);
}

/** Runs `next <args>`, its output into the log; resolves with the child once spawned. */
function next(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: APP,
    env,
    // Its own process group: afterAll ends next and every worker it started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** Polls `/healthz`; the first request starts the demo (PGlite's cold start). */
async function waitForHealth(child: ChildProcess, timeout = 180_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`next start exited (${child.exitCode}): see test-artifacts/next-server.log`);
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(60_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${origin}/healthz did not answer within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // gone in the meantime
    }
  }, 5_000);
  await done;
  clearTimeout(timer);
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  log = createWriteStream(join(ARTIFACTS, "next-server.log"));
  dataDir = await mkdtemp(join(tmpdir(), "patchbay-next-e2e-"));

  if (buildIsStale()) {
    const started = Date.now();
    // Type-checking is `pnpm typecheck`'s job; the build only compiles.
    const build = next(["build"], childEnv({ NEXT_HOST_SKIP_TYPECHECK: "1" }));
    const code = await exited(build);
    if (code !== 0)
      throw new Error(`next build failed (${code}): see test-artifacts/next-server.log`);
    console.log(`  next build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  // The OAuth callback URLs are built from the origin: the real port, the address the browser uses.
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const started = Date.now();
  server = next(
    ["start", "--port", String(port), "--hostname", "127.0.0.1"],
    childEnv({
      PORT: String(port),
      PUBLIC_URL: origin,
      PATCHBAY_SANDBOX: "1",
      PATCHBAY_DATA_DIR: dataDir,
    }),
  );
  await waitForHealth(server);
  console.log(`  next start, demo ready: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  browser = await chromium.launch(CHROMIUM_LAUNCH);
});

afterAll(async () => {
  await browser?.close();
  await stop(server);
  log?.end();
  await rm(dataDir, { recursive: true, force: true });
});

it("the sandbox journey: connect Sheets and Gmail, data both ways, a reply, disconnect", async () => {
  await runDemoJourney({
    browser,
    origin,
    artifacts: ARTIFACTS,
    label: "next",
    step: (name) => console.log(`  step: ${name}`),
  });
});
