/**
 * The Express host: the Patchbay routes mounted in one line, the demo's pages
 * beside them. Everything Patchbay-specific is the `patchbayRouter` line.
 */
import { Readable } from "node:stream";
import { createDemo, type Demo } from "@patchbay/example-demo-kit";
import { patchbayRouter } from "@patchbay/express";
import express, { type Express, type Request as ExpressRequest } from "express";

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The public origin, e.g. `http://localhost:3000`. */
  origin: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Builds the app and the demo behind it. */
export async function createApp(options: AppOptions): Promise<{ app: Express; demo: Demo }> {
  const demo = await createDemo({
    origin: options.origin,
    dataDir: options.dataDir,
    env: options.env,
  });
  const app = express();
  app.disable("x-powered-by");

  // The one line: every integration route, for the signed-in user's tenant.
  // (The demo has one tenant; your app reads it from its session.)
  app.use(
    demo.integrationsPath,
    patchbayRouter(demo.patchbay, { tenant: () => demo.tenantId, ...demo.handlerOptions }),
  );

  // The demo's pages and the sandbox console speak Request/Response too.
  app.use(async (req, res, next) => {
    try {
      const response = await demo.handle(toRequest(req, options.origin));
      if (response === null) return next();
      res.status(response.status);
      response.headers.forEach((value, key) => {
        res.append(key, value);
      });
      if (response.body === null) return res.end();
      Readable.fromWeb(response.body as never).pipe(res);
    } catch (error) {
      next(error);
    }
  });
  return { app, demo };
}

function toRequest(req: ExpressRequest, origin: string): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.originalUrl, origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}
