/**
 * What the test process and its worker processes share: the connectors (with
 * the fake OAuth server's URLs), and how a worker process is started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ConnectorDefinition } from "@patchbay/core";
import { createFakeOAuthServer, type FakeOAuthServer } from "@patchbay/testing";
import { itemsConnector, OAUTH_CLIENT, REDIRECT_URI } from "./items-fake.js";

/** The models of the OAuth connector: one connection, several jobs sharing its token. */
export const OAUTH_MODELS = ["items", "notes", "tags", "files", "tasks", "deals"];
export const OAUTH_ISSUER = "https://auth.items.test";

/** The fake OAuth server (the parent's instance holds the state; a child's only lends its URLs). */
export function createItemsOAuth(latencyMs = 0): FakeOAuthServer {
  return createFakeOAuthServer({
    issuer: OAUTH_ISSUER,
    clients: [{ ...OAUTH_CLIENT, redirectUris: [REDIRECT_URI] }],
    latencyMs,
  });
}

/** `items` (API key) and `items-oauth` (OAuth, several models). */
export function multiProcessConnectors(
  options: { pageSize?: number; oauth?: FakeOAuthServer } = {},
): ConnectorDefinition[] {
  return [
    itemsConnector({ pageSize: options.pageSize }),
    itemsConnector({
      id: "items-oauth",
      models: OAUTH_MODELS,
      pageSize: options.pageSize,
      oauth: options.oauth ?? createItemsOAuth(),
    }),
  ];
}

/** A running worker process. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | string | null>;
}

const WORKER_SCRIPT = fileURLToPath(new URL("./worker-process.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** Start a worker process and wait until it takes jobs. */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ["--conditions=dev-source", "--import", "tsx", WORKER_SCRIPT],
    {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("a worker process did not start in 45 s")),
      45_000,
    );
    child.once("message", () => {
      clearTimeout(timer);
      resolve();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`a worker process exited (${String(code)}) before it was ready`));
    });
  });
  return { child, pid: child.pid!, exited };
}

/** SIGTERM a worker (graceful stop) and wait for it; SIGKILL it after `graceMs`. */
export async function stopWorker(worker: WorkerProcess, graceMs = 10_000): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGTERM");
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), graceMs);
  await worker.exited;
  clearTimeout(timer);
}
