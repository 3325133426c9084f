/**
 * Express adapter for Patchbay: every integration route, mounted in one line.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { patchbayRouter } from "@patchbay/express";
 *
 * const app = express();
 * // Mount it before any body parser: webhook signatures are checked over the raw body.
 * app.use("/integrations", patchbayRouter(patchbay, { tenant: (req) => req.session?.orgId ?? null }));
 * app.use(express.json());
 * ```
 */
import { Readable } from "node:stream";
import {
  createPatchbayHandler,
  type Patchbay,
  type PatchbayHandlerOptions,
  type RequestIdentity,
} from "@patchbay/core";
import express, {
  type Request as ExpressRequest,
  type Response as ExpressResponse,
  type Router,
} from "express";

/** Options of {@link patchbayRouter}. */
export interface PatchbayRouterOptions extends Omit<PatchbayHandlerOptions, "tenant" | "basePath"> {
  /** Map a request to its tenant from your session or auth middleware. Return `null` to refuse (401). */
  tenant: (
    req: ExpressRequest,
  ) => RequestIdentity | string | null | Promise<RequestIdentity | string | null>;
  /** Where the router is mounted; default: Express's mount path (`req.baseUrl`). */
  basePath?: string;
}

/**
 * The Patchbay routes as an Express router (Express 4.21+ or 5). See
 * `createPatchbayHandler` in `@patchbay/core` for the route table.
 *
 * @see https://expressjs.com/en/5x/api.html#router
 */
export function patchbayRouter(patchbay: Patchbay, options: PatchbayRouterOptions): Router {
  if (typeof options?.tenant !== "function") {
    throw new TypeError(
      '"tenant" must be a function mapping a request to its tenant id (or null to refuse)',
    );
  }
  const originals = new WeakMap<Request, ExpressRequest>();
  const handlers = new Map<string, (request: Request) => Promise<Response>>();
  const handlerFor = (basePath: string) => {
    let handler = handlers.get(basePath);
    if (handler === undefined) {
      handler = createPatchbayHandler(patchbay, {
        ...options,
        basePath,
        tenant: (request) => {
          const original = originals.get(request);
          return original === undefined ? null : options.tenant(original);
        },
      });
      handlers.set(basePath, handler);
    }
    return handler;
  };

  const router = express.Router();
  router.use(async (req, res, next) => {
    try {
      const request = toWebRequest(req);
      if (request === undefined) {
        res.status(500).json({
          error: {
            code: "body_already_parsed",
            message:
              "A body parser ran before Patchbay: mount patchbayRouter() before express.json() so webhook signatures can be checked over the raw body",
          },
        });
        return;
      }
      originals.set(request, req);
      await sendWebResponse(res, await handlerFor(options.basePath ?? req.baseUrl)(request));
    } catch (error) {
      next(error);
    }
  });
  return router;
}

/** An Express request as a web `Request`, streaming its body; `undefined` when a parser already consumed a body we need raw. */
function toWebRequest(req: ExpressRequest): Request | undefined {
  const url = `${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method.toUpperCase();
  if (method === "GET" || method === "HEAD") return new Request(url, { method, headers });
  if (!req.readableEnded && req.body === undefined) {
    return new Request(url, {
      method,
      headers,
      body: Readable.toWeb(req) as ReadableStream,
      duplex: "half",
    } as RequestInit);
  }
  // A parser consumed the stream. Raw bytes (express.raw) are fine; a parsed object is not for webhooks.
  if (Buffer.isBuffer(req.body))
    return new Request(url, { method, headers, body: new Uint8Array(req.body) });
  if (req.path.startsWith("/webhooks/")) return undefined;
  const body =
    req.body === undefined || (typeof req.body === "object" && Object.keys(req.body).length === 0)
      ? undefined
      : JSON.stringify(req.body);
  return new Request(url, { method, headers, body });
}

async function sendWebResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  res.end(Buffer.from(await response.arrayBuffer()));
}
