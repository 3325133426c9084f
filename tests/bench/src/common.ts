/**
 * What the orchestrator (main.ts) and its child processes share: settings,
 * the record shape, the connectors under test, and the child-process plumbing.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FetchLike } from "@patchbay/core";
import { Vault } from "@patchbay/core";
import { z } from "zod";

export const DATABASE_URL =
  process.env.PATCHBAY_BENCH_DATABASE_URL ??
  process.env.PATCHBAY_TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

/** Records per provider page and per committed batch (the engine's default batch). */
export const PAGE = 1_000;
export const BATCH = 500;

export const TENANT = "bench";

/** The fake OAuth server's issuer; {@link loopbackFetch} sends it to the local server. */
export const AUTH_ORIGIN = "https://auth.bench.test";

export function benchVault(): Vault {
  return new Vault({ keys: [{ kid: "bench", key: Buffer.alloc(32, 7).toString("base64") }] });
}

const STATUSES = ["open", "won", "lost"] as const;

export const ContactSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.enum(STATUSES),
  amount: z.number(),
  tags: z.array(z.string()),
  updated_at: z.string(),
});
export type Contact = z.infer<typeof ContactSchema>;

/** Record `i` of a dataset at `version` (0 until the record is changed): about 200 bytes of JSON. */
export function contact(i: number, version: number): Contact {
  return {
    id: `rec_${i}`,
    name: `Contact ${i}`,
    email: `contact${i}@example.com`,
    status: STATUSES[(i + version) % 3]!,
    amount: (i * 37 + version * 101) % 10_000,
    tags: i % 2 === 0 ? ["radio", "pitch"] : ["press"],
    updated_at: new Date(Date.UTC(2026, 0, 1) + i * 1000 + version * 86_400_000).toISOString(),
  };
}

/** A page of the fake provider's listing and change endpoints. */
export interface ContactsPage {
  items: Contact[];
  next_offset: number | null;
  /** On the last page: where the next incremental run starts. */
  sync_token?: number;
}

/**
 * A `fetch` that sends requests for `https://auth.bench.test` to the local
 * fake server over plain HTTP (OAuth endpoints must be https: in a connector
 * declaration), and everything else as is.
 */
export function loopbackFetch(serverUrl: string): FetchLike {
  return (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(AUTH_ORIGIN)) {
      const rewritten = `${serverUrl}${url.slice(AUTH_ORIGIN.length)}`;
      if (input instanceof Request) return fetch(new Request(rewritten, input), init);
      return fetch(rewritten, init);
    }
    return fetch(input, init);
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function rssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Print a child's result: the last stdout line, as JSON. */
export function emit(result: unknown): void {
  process.stdout.write(`\n@@result ${JSON.stringify(result)}\n`);
}

export interface ChildHandle<T> {
  /** Resolves with the child's result (or rejects with its stderr tail). */
  result: Promise<T>;
  /** Resolves when the child printed `@@ready`. */
  ready: Promise<void>;
  send(line: string): void;
}

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

/**
 * Run `child.ts <scenario> <json args>` in its own Node process (so its peak
 * RSS is its own), asynchronously: the fake servers live in this process and
 * must keep answering.
 */
export function runChild<T>(scenario: string, args: Record<string, unknown>): ChildHandle<T> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CHILD_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CHILD_PROF}`]
        : []),
      "--conditions=dev-source",
      "--import",
      "tsx",
      CHILD,
      scenario,
      JSON.stringify(args),
    ],
    { env: { ...process.env, NODE_OPTIONS: "" }, stdio: ["pipe", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout.includes("@@ready")) markReady();
  });
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const result = new Promise<T>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("@@result "));
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice("@@result ".length)) as T);
        return;
      }
      const tail = stderr.trim().split("\n").slice(-4).join(" | ");
      reject(new Error(`${scenario} exited with ${code}: ${tail || "no output"}`));
    });
  });
  return {
    result,
    ready,
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
  };
}

/** In a child: wait for one line on stdin (the orchestrator's "go"). */
export function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.setEncoding("utf8");
    process.stdin.once("data", () => {
      process.stdin.pause();
      resolve();
    });
  });
}
