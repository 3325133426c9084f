/**
 * The fake provider, served over a real `node:http` server on 127.0.0.1 in
 * the orchestrator process (the clients under test run in child processes):
 *
 * - `GET /v1/:dataset/items?offset&limit`: a paginated listing (full sync);
 * - `GET /v1/:dataset/changes?since&offset&limit`: records changed after a
 *   sync token (incremental sync); the last page of both carries `sync_token`;
 * - `POST /control/:dataset/mutate?fraction`: change that share of the records;
 * - `POST /oauth/token`: an OAuth token endpoint (code exchange and refresh),
 *   counting grants;
 * - `GET /limited/:key`: at most `LIMIT` requests per `WINDOW_MS` (a sliding
 *   window on arrival time), `429` with `Retry-After` beyond it;
 *   `POST /limited/:key/force-429`: the next request answers 429 with `Retry-After: 1`;
 * - `GET /ping`: a small JSON page (pipeline overhead).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type ContactsPage, contact } from "./common.js";

export const LIMIT = 100;
export const WINDOW_MS = 2_000;

interface Dataset {
  size: number;
  /** Version of each changed record. */
  versions: Map<number, number>;
  /** Ids in the order they changed; the sync token is an index into it. */
  log: number[];
}

interface Limited {
  accepted: number[];
  ok: number;
  rejected: number;
  force429: boolean;
  /** When the forced 429 was answered, and the gap until the next accepted request. */
  forcedAt?: number;
  recoveryMs?: number;
}

export interface FakeServer {
  url: string;
  addDataset(id: string, size: number): void;
  tokenStats: { code: number; refresh: number };
  limited(key: string): Limited;
  close(): Promise<void>;
}

const PING_BODY = JSON.stringify({
  items: Array.from({ length: 10 }, (_, i) => contact(i, 0)),
  next_offset: null,
});

export async function startFakeServer(): Promise<FakeServer> {
  const datasets = new Map<string, Dataset>();
  const limitedKeys = new Map<string, Limited>();
  const tokenStats = { code: 0, refresh: 0 };
  let tokenCounter = 0;
  const limited = (key: string): Limited => {
    let entry = limitedKeys.get(key);
    if (entry === undefined) {
      entry = { accepted: [], ok: 0, rejected: 0, force429: false };
      limitedKeys.set(key, entry);
    }
    return entry;
  };

  const json = (res: ServerResponse, status: number, body: string, headers = {}) => {
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  };

  const page = (dataset: Dataset, ids: (i: number) => number, count: number, url: URL) => {
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 1000), 5000);
    const end = Math.min(offset + limit, count);
    const items = [];
    for (let k = offset; k < end; k++) {
      const i = ids(k);
      items.push(contact(i, dataset.versions.get(i) ?? 0));
    }
    const body: ContactsPage = { items, next_offset: end < count ? end : null };
    if (end >= count) body.sync_token = dataset.log.length;
    return JSON.stringify(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");

    if (parts[0] === "v1" && parts.length === 3) {
      const dataset = datasets.get(parts[1]!);
      if (dataset === undefined) return json(res, 404, '{"error":"no such dataset"}');
      if (parts[2] === "items")
        return json(
          res,
          200,
          page(dataset, (k) => k, dataset.size, url),
        );
      if (parts[2] === "changes") {
        // Records changed after the token, each once, in the order they changed.
        const since = Number(url.searchParams.get("since") ?? 0);
        const changed = [...new Set(dataset.log.slice(since))];
        return json(
          res,
          200,
          page(dataset, (k) => changed[k]!, changed.length, url),
        );
      }
    }
    if (parts[0] === "control" && parts[2] === "mutate" && req.method === "POST") {
      const dataset = datasets.get(parts[1]!);
      if (dataset === undefined) return json(res, 404, '{"error":"no such dataset"}');
      const fraction = Number(url.searchParams.get("fraction"));
      const step = Math.round(1 / fraction);
      // A different, evenly spread set each time.
      const start = dataset.log.length % step;
      let changed = 0;
      for (let i = start; i < dataset.size; i += step) {
        dataset.versions.set(i, (dataset.versions.get(i) ?? 0) + 1);
        dataset.log.push(i);
        changed++;
      }
      return json(res, 200, JSON.stringify({ changed }));
    }
    if (url.pathname === "/oauth/token" && req.method === "POST") {
      const form = new URLSearchParams(body);
      const grant = form.get("grant_type");
      const n = ++tokenCounter;
      if (grant === "authorization_code") {
        tokenStats.code++;
        // The code says how long the first access token lives.
        const expiresIn = form.get("code") === "expired" ? 1 : 3600;
        return json(
          res,
          200,
          JSON.stringify({
            access_token: `at_${n}_${"x".repeat(24)}`,
            refresh_token: `rt_${n}_${"y".repeat(24)}`,
            token_type: "Bearer",
            expires_in: expiresIn,
          }),
          { "cache-control": "no-store" },
        );
      }
      if (grant === "refresh_token") {
        tokenStats.refresh++;
        return json(
          res,
          200,
          JSON.stringify({
            access_token: `at_${n}_${"r".repeat(24)}`,
            token_type: "Bearer",
            expires_in: 3600,
          }),
          { "cache-control": "no-store" },
        );
      }
      return json(res, 400, '{"error":"unsupported_grant_type"}');
    }
    if (parts[0] === "limited" && parts.length >= 2) {
      const entry = limited(parts[1]!);
      if (parts[2] === "force-429" && req.method === "POST") {
        entry.force429 = true;
        return json(res, 200, "{}");
      }
      const now = performance.now();
      if (entry.force429) {
        entry.force429 = false;
        entry.forcedAt = now;
        entry.rejected++;
        return json(res, 429, '{"error":"rate limited"}', { "retry-after": "1" });
      }
      while (entry.accepted.length > 0 && entry.accepted[0]! <= now - WINDOW_MS)
        entry.accepted.shift();
      if (entry.accepted.length >= LIMIT) {
        entry.rejected++;
        const wait = entry.accepted[0]! + WINDOW_MS - now;
        return json(res, 429, '{"error":"rate limited"}', {
          "retry-after": String(Math.max(1, Math.ceil(wait / 1000))),
        });
      }
      entry.accepted.push(now);
      entry.ok++;
      if (entry.forcedAt !== undefined && entry.recoveryMs === undefined)
        entry.recoveryMs = now - entry.forcedAt;
      return json(res, 200, '{"ok":true}');
    }
    if (url.pathname === "/ping") return json(res, 200, PING_BODY);
    return json(res, 404, '{"error":"not found"}');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addDataset(id, size) {
      datasets.set(id, { size, versions: new Map(), log: [] });
    },
    tokenStats,
    limited,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
