/**
 * Provider fakes are MSW handlers. In the test process they answer through
 * `getResponse` directly (an injected `fetch`); worker processes reach the
 * same handlers — the same state — through a small `node:http` server in the
 * test process: their `fetch` sends every request to it, naming the original
 * host in `x-forwarded-host`.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FetchLike } from "@patchbay/core";
import { getResponse, type RequestHandler } from "msw";

/** A `fetch` answered by MSW handlers in this process; an unhandled request throws. */
export function handlerFetch(handlers: () => readonly RequestHandler[]): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await getResponse([...handlers()], request);
    if (response === undefined)
      throw new Error(`unhandled request: ${request.method} ${request.url}`);
    return response;
  };
}

/** A `fetch` for a worker process: every request goes to the fake server at `base`. */
export function forwardingFetch(base: string): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set("x-forwarded-host", url.host);
    headers.set("x-worker-pid", String(process.pid));
    const body =
      request.method === "GET" || request.method === "HEAD"
        ? undefined
        : await request.arrayBuffer();
    return fetch(new URL(url.pathname + url.search, base), {
      method: request.method,
      headers,
      body,
      signal: request.signal,
      redirect: "manual",
    });
  };
}

/** The fake server: `url` to give workers, `unhandled` requests seen, `close()`. */
export interface FakeHttpServer {
  url: string;
  unhandled: string[];
  close(): Promise<void>;
}

/** Serve MSW handlers over HTTP on 127.0.0.1 (an ephemeral port). */
export async function startFakeHttpServer(
  handlers: () => readonly RequestHandler[],
): Promise<FakeHttpServer> {
  const unhandled: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const request = await toRequest(req);
        const response = await getResponse([...handlers()], request);
        if (response === undefined) {
          unhandled.push(`${request.method} ${request.url}`);
          res.writeHead(501, { "content-type": "text/plain" }).end("no handler");
          return;
        }
        const out: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          out[key] = value;
        });
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      }
    })();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    unhandled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const host = String(req.headers["x-forwarded-host"] ?? req.headers.host ?? "localhost");
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || key === "host" || key === "x-forwarded-host") continue;
    headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = req.method ?? "GET";
  return new Request(`https://${host}${req.url ?? "/"}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
}
