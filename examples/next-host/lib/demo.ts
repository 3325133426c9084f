/**
 * The demo, once per process. Next.js loads route modules separately (and
 * reloads them on every edit in `next dev`), so the instance lives on
 * `globalThis`: every route shares one Patchbay, one PGlite store, one
 * scheduler and one sandbox (MSW) server.
 */
import { join } from "node:path";
import { createDemo, type Demo } from "@patchbay/example-demo-kit";
import { patchbayHandlers, type RouteHandler } from "@patchbay/next";

type Methods = "GET" | "POST" | "PUT" | "DELETE";

interface Instance {
  demo: Promise<Demo>;
  routes?: Record<Methods, RouteHandler>;
}

const KEY = Symbol.for("@patchbay/example-next-host");
const cache = globalThis as typeof globalThis & { [KEY]?: Instance };

/** The public origin: `PUBLIC_URL`, else `http://localhost:$PORT` (3001 by default). */
export function publicOrigin(env: NodeJS.ProcessEnv = process.env): string {
  return env.PUBLIC_URL ?? `http://localhost:${env.PORT ?? 3001}`;
}

function instance(): Instance {
  let current = cache[KEY];
  if (current === undefined) {
    const created: Instance = {
      demo: createDemo({
        origin: publicOrigin(),
        dataDir: process.env.PATCHBAY_DATA_DIR ?? join(process.cwd(), ".data"),
      }),
    };
    // A failed start (say, a locked data folder) is retried on the next request.
    created.demo.catch(() => {
      if (cache[KEY] === created) delete cache[KEY];
    });
    current = cache[KEY] = created;
  }
  return current;
}

/** The demo, created on first use. */
export function getDemo(): Promise<Demo> {
  return instance().demo;
}

/**
 * The Patchbay routes for `app/integrations/[...path]/route.ts`: the one
 * `patchbayHandlers` call, made once the demo is up.
 */
export async function integrationRoutes(): Promise<Record<Methods, RouteHandler>> {
  const current = instance();
  const demo = await current.demo;
  current.routes ??= patchbayHandlers(demo.patchbay, {
    basePath: demo.integrationsPath,
    // The demo has one tenant; your app reads it from its session.
    tenant: () => demo.tenantId,
    ...(process.env.PUBLIC_URL ? { publicUrl: process.env.PUBLIC_URL } : {}),
    ...demo.handlerOptions,
  });
  return current.routes;
}

/** A route handler answering with the demo's server-rendered pages (and 404 for the rest). */
export async function demoPage(request: Request): Promise<Response> {
  const demo = await getDemo();
  return (await demo.handle(request)) ?? new Response("Not found", { status: 404 });
}
