/**
 * The demo both example hosts run: Patchbay on the embedded PGlite store and
 * the in-process scheduler, the Pitch Tracker app, and sandbox mode for every
 * provider whose credentials are not in the environment.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  consoleLogger,
  createPatchbay,
  type Patchbay,
  type PatchbayHandlerOptions,
  VAULT_KEYS_ENV,
  Vault,
} from "@patchbay/core";
import { pgliteStore } from "@patchbay/store-postgres";
import { createSandbox, type Sandbox } from "@patchbay/testing";
import { createPages } from "./pages.js";
import { buildProviders, type SandboxFakes } from "./providers.js";
import { Tracker } from "./tracker.js";

export { navigation, PAGE_STYLE } from "./pages.js";
export { PROVIDER_ENV } from "./providers.js";
export { PITCH_STATUSES, type Pitch, SHEET_COLUMNS, Tracker } from "./tracker.js";

/** Options of {@link createDemo}. */
export interface DemoOptions {
  /** The app's public origin, e.g. `http://localhost:3000`: OAuth callbacks and webhook URLs hang off it. */
  origin: string;
  /** Where the host mounts the Patchbay routes. Default `/integrations`. */
  integrationsPath?: string;
  /** Where the app keeps its data. Default `.data` in the working directory. */
  dataDir?: string;
  /** Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Start the scheduler (scheduled and webhook-triggered syncs). Default `true`. */
  start?: boolean;
}

/** What the hosts mount. */
export interface Demo {
  patchbay: Patchbay;
  tracker: Tracker;
  /** `null` when every provider is real. */
  sandbox: Sandbox | null;
  fakes: SandboxFakes;
  /** Connector ids running against their fakes. */
  sandboxed: string[];
  /** What to type into sandboxed providers' credential forms, by connector id. */
  sandboxCredentials: Record<string, Record<string, unknown>>;
  tenantId: string;
  integrationsPath: string;
  /** Pass to the Patchbay router/handlers: sends the browser to the sandbox consent page for sandboxed providers. */
  handlerOptions: Pick<PatchbayHandlerOptions, "authorizationRedirect" | "cronSecret">;
  /** The pages and the sandbox console; `null` for other requests. */
  handle(request: Request): Promise<Response | null>;
  close(): Promise<void>;
}

/** The one tenant of the demo. A real app maps the signed-in user's organisation to its tenant. */
export const DEMO_TENANT = "acme-promotions";

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the React integrations page once, on first request (esbuild: a few hundred ms). */
function clientAssets(): { script: () => Promise<string>; styles: () => Promise<string> } {
  let script: Promise<string> | undefined;
  const require = createRequire(import.meta.url);
  return {
    script: () => {
      script ??= import("esbuild").then(async (esbuild) => {
        const result = await esbuild.build({
          entryPoints: [join(here, "client/integrations.tsx")],
          bundle: true,
          format: "esm",
          platform: "browser",
          target: "es2022",
          write: false,
          minify: true,
          jsx: "automatic",
          conditions: ["dev-source"],
          define: { "process.env.NODE_ENV": '"production"' },
          logLevel: "silent",
        });
        return result.outputFiles[0]?.text ?? "";
      });
      return script;
    },
    styles: () =>
      readFile(
        join(dirname(require.resolve("@patchbay/react/package.json")), "src/styles.css"),
        "utf8",
      ),
  };
}

/** The credential vault: `PATCHBAY_VAULT_KEYS` ("kid:key,..."), else a key generated into the data folder (development only). */
async function vault(env: NodeJS.ProcessEnv, dataDir: string): Promise<Vault> {
  if (env[VAULT_KEYS_ENV]) return Vault.fromEnv(VAULT_KEYS_ENV, env);
  return new Vault({ keys: [{ kid: "demo-1", key: await generatedKey(dataDir) }] });
}

async function generatedKey(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, "vault.key");
  try {
    return Buffer.from(await readFile(file, "utf8"), "base64");
  } catch {
    const key = randomBytes(32);
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, key.toString("base64"), { mode: 0o600 });
    return key;
  }
}

/**
 * Builds the demo. In sandbox mode the data folder starts empty on every
 * start (the fakes keep their state in memory, so connections to them would
 * not survive a restart anyway).
 */
export async function createDemo(options: DemoOptions): Promise<Demo> {
  const env = options.env ?? process.env;
  const integrationsPath = options.integrationsPath ?? "/integrations";
  const origin = options.origin.replace(/\/+$/, "");
  const dataRoot = options.dataDir ?? join(process.cwd(), ".data");
  const logger = consoleLogger(env.LOG_LEVEL === "debug" ? "debug" : "warn");

  let patchbay: Patchbay | undefined;
  const providers = await buildProviders({
    origin,
    integrationsPath,
    env,
    patchbay: () => {
      if (patchbay === undefined) throw new Error("Patchbay is not ready yet");
      return patchbay;
    },
  });
  const sandboxMode = providers.sandboxProviders.length > 0;
  // Sandboxed providers forget everything on restart: start their data fresh too.
  const dataDir = join(dataRoot, sandboxMode ? "sandbox" : "live");
  if (sandboxMode) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });

  const store = pgliteStore({ dataDir: join(dataDir, "patchbay-db") });
  await store.init();

  patchbay = createPatchbay({
    connectors: providers.connectors,
    store,
    vault: await vault(env, dataRoot),
    logger,
    webhookBaseUrl: `${origin}${integrationsPath}/webhooks`,
  });

  const sandbox = sandboxMode
    ? createSandbox({ providers: providers.sandboxProviders, appName: "Pitch Tracker" })
    : null;
  sandbox?.start();
  providers.fakes.drive?.seedSample();

  const tracker = new Tracker(patchbay, DEMO_TENANT, join(dataDir, "pitches.json"), logger);
  await tracker.open();
  if (options.start !== false) patchbay.start();

  const assets = clientAssets();
  const pages = createPages({
    patchbay,
    tracker,
    fakes: providers.fakes,
    sandbox: sandboxMode,
    sandboxCredentials: providers.sandboxCredentials,
    clientScript: assets.script,
    clientStyles: assets.styles,
    integrationsPath,
  });
  const instance = patchbay;
  return {
    patchbay: instance,
    tracker,
    sandbox,
    fakes: providers.fakes,
    sandboxed: providers.sandboxed,
    sandboxCredentials: providers.sandboxCredentials,
    tenantId: DEMO_TENANT,
    integrationsPath,
    handlerOptions: {
      ...(sandbox === null
        ? {}
        : {
            authorizationRedirect: (
              url: string,
              context: { connector: string; tenantId: string },
            ) => sandbox.authorizationRedirect(url, context),
          }),
      ...(env.PATCHBAY_CRON_SECRET ? { cronSecret: env.PATCHBAY_CRON_SECRET } : {}),
    },
    async handle(request) {
      return (await sandbox?.handle(request)) ?? (await pages(request));
    },
    async close() {
      await instance.stop();
      await tracker.close();
      sandbox?.stop();
      await store.close();
    },
  };
}
