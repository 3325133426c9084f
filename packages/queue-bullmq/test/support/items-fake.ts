/**
 * "Items": a tiny provider for the queue's tests. Each account has a few
 * models of numbered items served in pages; the fake counts requests, tracks
 * how many syncs of an account's model are in flight at once (two would mean
 * two runs overlapped), can answer 503 for a while, slow pages down, and tell
 * the test when a given page is requested (to kill the worker asking for it).
 *
 * Accounts are keyed by API key, or by OAuth subject when a fake OAuth server
 * is given (bearer tokens checked by it).
 */
import {
  apiKey,
  type ConnectorDefinition,
  defineConnector,
  defineModel,
  oauth2,
} from "@patchbay/core";
import type { FakeOAuthServer } from "@patchbay/testing";
import { type HttpHandler, HttpResponse, http } from "msw";
import { z } from "zod";

export const ITEMS_API = "https://api.items.test/v1";
export const OTHER_API = "https://api.other.test/v1";
export const OAUTH_CLIENT = { clientId: "items-app", clientSecret: "items-secret" };
export const REDIRECT_URI = "https://app.example.com/integrations/items/callback";

export interface Item {
  id: string;
  title: string;
  version: number;
}

/** What a page request told the test (see `onPage`). */
export interface PageRequest {
  account: string;
  model: string;
  /** 0-based page index. */
  page: number;
  /** The `x-worker-pid` header: which process asked. */
  pid: number | null;
}

interface Account {
  models: Map<string, Item[]>;
  latencyMs: number;
  /** Answer 503 to this many list requests first. */
  failNext: number;
}

/** Items of a model, numbered from 1: `${model}-0001`, ... */
export function makeItems(model: string, count: number, version = 1): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${model}-${String(i + 1).padStart(4, "0")}`,
    title: `${model} ${i + 1}`,
    version,
  }));
}

/** The fake provider's state and its MSW handlers. */
export function createItemsFake(
  options: { baseUrl?: string; oauth?: FakeOAuthServer; pageSize?: number } = {},
) {
  const baseUrl = options.baseUrl ?? ITEMS_API;
  const accounts = new Map<string, Account>();
  const inFlight = new Map<string, number>();
  const stats = {
    requests: 0,
    /** `account/model` pairs seen with two requests in flight at once. */
    overlaps: [] as string[],
    /** Concurrent list requests across all accounts, now and at peak. */
    running: 0,
    peakRunning: 0,
    /** Page requests per `account/model`. */
    pages: new Map<string, number>(),
    /** Process ids that requested pages, overall and per account. */
    pids: new Set<number>(),
    pidsByAccount: new Map<string, Set<number>>(),
  };
  let onPage: ((request: PageRequest) => void | Promise<void>) | undefined;

  function accountOf(request: Request): string | null {
    const key = request.headers.get("x-api-key");
    if (key !== null) return accounts.has(key) ? key : null;
    if (options.oauth === undefined) return null;
    const verdict = options.oauth.verifyBearer(request);
    return verdict.valid && accounts.has(verdict.subject) ? verdict.subject : null;
  }

  const handlers: HttpHandler[] = [
    http.get(`${baseUrl}/:model`, async ({ request, params }) => {
      stats.requests++;
      const account = accountOf(request);
      if (account === null) {
        return HttpResponse.json({ error: "unauthorized" }, { status: 401 });
      }
      const state = accounts.get(account)!;
      const model = String(params.model);
      const items = state.models.get(model);
      if (items === undefined)
        return HttpResponse.json({ error: "no such model" }, { status: 404 });
      if (state.failNext > 0) {
        state.failNext--;
        return HttpResponse.json({ error: "temporarily unavailable" }, { status: 503 });
      }
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get("limit") ?? options.pageSize ?? 10);
      const offset = Number(url.searchParams.get("page_token") ?? 0);
      const pidHeader = request.headers.get("x-worker-pid");
      const pid = pidHeader === null ? null : Number(pidHeader);
      if (pid !== null) {
        stats.pids.add(pid);
        const set = stats.pidsByAccount.get(account) ?? new Set<number>();
        stats.pidsByAccount.set(account, set.add(pid));
      }
      const flightKey = `${account}/${model}`;
      stats.pages.set(flightKey, (stats.pages.get(flightKey) ?? 0) + 1);
      const now = (inFlight.get(flightKey) ?? 0) + 1;
      inFlight.set(flightKey, now);
      if (now > 1) stats.overlaps.push(flightKey);
      stats.running++;
      stats.peakRunning = Math.max(stats.peakRunning, stats.running);
      try {
        await onPage?.({ account, model, page: Math.floor(offset / limit), pid });
        if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
        const page = items.slice(offset, offset + limit);
        const next = offset + limit < items.length ? String(offset + limit) : null;
        return HttpResponse.json({ data: page, next });
      } finally {
        inFlight.set(flightKey, (inFlight.get(flightKey) ?? 1) - 1);
        stats.running--;
      }
    }),
  ];

  return {
    handlers,
    stats,
    accounts,
    /** Add an account with `counts[model]` items per model. */
    addAccount(key: string, counts: Record<string, number>, latencyMs = 0): void {
      const models = new Map<string, Item[]>();
      for (const [model, count] of Object.entries(counts))
        models.set(model, makeItems(model, count));
      accounts.set(key, { models, latencyMs, failNext: 0 });
    },
    items(key: string, model: string): Item[] {
      return accounts.get(key)?.models.get(model) ?? [];
    },
    setLatency(key: string, latencyMs: number): void {
      accounts.get(key)!.latencyMs = latencyMs;
    },
    failNext(key: string, count: number): void {
      accounts.get(key)!.failNext = count;
    },
    /** Called before each page is served (awaited: a slow hook slows the page). */
    onPage(hook: ((request: PageRequest) => void | Promise<void>) | undefined): void {
      onPage = hook;
    },
  };
}

export type ItemsFake = ReturnType<typeof createItemsFake>;

const ItemSchema = z.object({ id: z.string(), title: z.string(), version: z.number() });

/**
 * The Items connector: `models` each sync `/v1/<model>` page by page,
 * checkpointing the next page token. HTTP retries are off, so a 503 fails the
 * run and the queue's retries are what is tested.
 */
export function itemsConnector(
  options: {
    id?: string;
    baseUrl?: string;
    models?: string[];
    pageSize?: number;
    oauth?: FakeOAuthServer;
  } = {},
): ConnectorDefinition {
  const models = options.models ?? ["items"];
  const pageSize = options.pageSize ?? 10;
  const baseUrl = options.baseUrl ?? ITEMS_API;
  const auth =
    options.oauth === undefined
      ? apiKey({ header: "x-api-key" })
      : oauth2({
          authorizationUrl: options.oauth.authorizationUrl,
          tokenUrl: options.oauth.tokenUrl,
          clientId: OAUTH_CLIENT.clientId,
          clientSecret: OAUTH_CLIENT.clientSecret,
          scopes: ["items"],
        });
  return defineConnector({
    id: options.id ?? "items",
    name: "Items",
    category: "other",
    auth,
    http: { baseUrl, retry: { retries: 0 } },
    test: async ({ http: client }) =>
      void (await client.get(`/${models[0]}`, { query: { limit: 1 } })),
    models: Object.fromEntries(
      models.map((model) => [
        model,
        defineModel({
          schema: ItemSchema,
          key: "id",
          async *sync(ctx) {
            let token = (ctx.checkpoint as string | null) ?? undefined;
            for (;;) {
              const { data } = await ctx.http.get<{ data: unknown[]; next: string | null }>(
                `/${model}`,
                { query: { limit: pageSize, page_token: token } },
              );
              token = data.next ?? undefined;
              yield { records: data.data, checkpoint: token };
              if (token === undefined) return;
            }
          },
        }),
      ]),
    ),
  });
}
