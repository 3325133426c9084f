import { delay, getResponse, HttpResponse, http, type RequestHandler } from "msw";

/**
 * The kinds of fault {@link fault} builds.
 *
 * @example
 * ```ts
 * const kind: FaultKind = "reset";
 * expect(injector.count(kind)).toBe(1);
 * ```
 */
export type FaultKind =
  | "status"
  | "reset"
  | "timeout"
  | "truncateJson"
  | "malformedJson"
  | "emptyPage"
  | "repeatPage"
  | "before";

/**
 * What a fault sees of the request it answers: the request, the real answer
 * on demand, and the previous real answer to a request of the same rule.
 *
 * @example
 * ```ts
 * const custom: Fault = {
 *   kind: "status",
 *   description: "418",
 *   respond: async ({ forward }) => ((await forward()).status === 200 ? new Response(null, { status: 418 }) : undefined),
 * };
 * ```
 */
export interface FaultContext {
  /** The intercepted request (read it through `request.clone()`). */
  request: Request;
  /** The fake's real answer to this request (the fake's state changes as for any request). */
  forward(): Promise<Response>;
  /** The last real answer served to a request of the same rule, if any. */
  previous: RecordedResponse | undefined;
}

/**
 * A response as the injector keeps it, to serve again (`repeatPage`).
 *
 * @example
 * ```ts
 * const last: RecordedResponse = { status: 200, headers: [["content-type", "application/json"]], body: "{}" };
 * ```
 */
export interface RecordedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/**
 * One fault: how to answer a request the plan selects. Build them with
 * {@link fault}; `respond` returning `undefined` serves the real answer.
 *
 * @example
 * ```ts
 * const f: Fault = fault.status(503);
 * f.description; // "503"
 * ```
 */
export interface Fault {
  readonly kind: FaultKind;
  /** A short human description, kept in the injector's log. */
  readonly description: string;
  respond(context: FaultContext): Promise<Response | undefined>;
}

/**
 * Which requests a fault hits, and how often.
 *
 * - `url`: a string with `*` wildcards matched against the URL without its
 *   query (`"https://api.airtable.com/v0/app*"`), a RegExp tested against
 *   the full URL, or a predicate. Default: every request.
 * - `method`: one method or several (case-insensitive). Default: any.
 * - `nth` (1-based, default 1) and `times` (default 1; `Infinity` for
 *   every one after): the matching requests that get the fault.
 * - `probability` (0–1): instead of `nth`, each matching request gets the
 *   fault with this probability, drawn from the injector's seeded generator
 *   (so a failing seed replays); `times` then caps the faults (default no cap).
 *
 * @example
 * ```ts
 * const rule: FaultRule = { url: "https://sheets.googleapis.com/*", method: "GET", nth: 2, times: 2, fault: fault.status(503) };
 * ```
 */
export interface FaultRule {
  url?: string | RegExp | ((url: URL, request: Request) => boolean);
  method?: string | readonly string[];
  nth?: number;
  times?: number;
  probability?: number;
  fault: Fault;
}

/**
 * One fault the injector served, for assertions.
 *
 * @example
 * ```ts
 * expect(injector.injected.map((f: InjectedFault) => f.kind)).toEqual(["status", "reset"]);
 * ```
 */
export interface InjectedFault {
  kind: FaultKind;
  description: string;
  method: string;
  url: string;
  /** Index of the rule in the plan (in the order rules were added). */
  rule: number;
  /** Which matching request of that rule it was (1-based). */
  occurrence: number;
}

/**
 * An MSW layer that injects faults in front of a fake's handlers. Requests
 * that no rule matches fall through untouched; matching ones are answered
 * by the injector itself (with the fake's real answer, or a fault).
 *
 * @example
 * ```ts
 * const injector = createFaultInjector({ handlers: fake.handlers });
 * server.use(injector.handler); // in front of the fake's handlers
 * injector.add({ url: "https://api.airtable.com/*", fault: fault.reset() });
 * ```
 */
export interface FaultInjector {
  /** One `http.all("*")` handler: `server.use()` it in front of the wrapped handlers. */
  readonly handler: RequestHandler;
  /** The handler followed by the wrapped ones, for `setupServer(...injector.handlers)`. */
  readonly handlers: RequestHandler[];
  /** Faults served so far, in order. */
  readonly injected: readonly InjectedFault[];
  /** Add rules to the plan; returns the injector. */
  add(...rules: FaultRule[]): FaultInjector;
  /** How many faults were served (of one kind). */
  count(kind?: FaultKind): number;
  /** How many requests a rule (by index) has matched, faulted or not. */
  matched(rule: number): number;
  /** Drop every rule and the log; requests pass through again. */
  clear(): void;
}

/**
 * Options of {@link createFaultInjector}.
 *
 * @example
 * ```ts
 * const options: FaultInjectorOptions = { handlers: fake.handlers, seed: 7 };
 * ```
 */
export interface FaultInjectorOptions {
  /** The fake's handlers: where real answers come from. */
  handlers: readonly RequestHandler[];
  /** Seed of the generator behind `probability`. Default 1. */
  seed?: number;
  /** Rules to start with. */
  rules?: readonly FaultRule[];
}

interface ActiveRule {
  rule: FaultRule;
  index: number;
  matched: number;
  faulted: number;
  previous: RecordedResponse | undefined;
}

/**
 * Build the injector. See {@link FaultInjector} and {@link FaultRule}.
 *
 * @throws TypeError naming the option when a rule or option is invalid.
 * @example
 * ```ts
 * const injector = createFaultInjector({ handlers: sheets.handlers });
 * server.use(injector.handler);
 * injector.add({ url: `${SHEETS_API}/*`, method: "GET", nth: 2, fault: fault.status(429, { retryAfter: 1 }) });
 * await patchbay.sync.run({ tenantId, connectionId, model: "rows" });
 * expect(injector.count("status")).toBe(1);
 * ```
 */
export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  if (options === null || typeof options !== "object" || !Array.isArray(options.handlers)) {
    throw new TypeError('"handlers" must be an array of MSW request handlers');
  }
  const wrapped = [...options.handlers];
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new TypeError('"seed" must be an integer');
  }
  let random = mulberry32(options.seed ?? 1);
  const rules: ActiveRule[] = [];
  const injected: InjectedFault[] = [];

  const forward = async (request: Request): Promise<Response> => {
    const response = await getResponse(wrapped, request.clone());
    if (response === undefined) {
      throw new Error(
        `fault injector: no wrapped handler answers ${request.method} ${request.url}`,
      );
    }
    return response;
  };

  const handler = http.all("*", async ({ request }) => {
    const url = new URL(request.url);
    const matching = rules.filter((r) => matches(r.rule, url, request));
    if (matching.length === 0) return undefined;
    let chosen: ActiveRule | undefined;
    for (const active of matching) {
      active.matched++;
      if (chosen === undefined && shouldFault(active, random)) chosen = active;
    }
    // History is per rule: the first matching rule keeps the page a repeat serves.
    const owner = chosen ?? matching[0]!;
    let real: Response | undefined;
    const context: FaultContext = {
      request,
      previous: owner.previous,
      forward: async () => {
        real ??= await forward(request);
        return real.clone();
      },
    };
    if (chosen !== undefined) {
      chosen.faulted++;
      injected.push({
        kind: chosen.rule.fault.kind,
        description: chosen.rule.fault.description,
        method: request.method,
        url: request.url,
        rule: chosen.index,
        occurrence: chosen.matched,
      });
      const answer = await chosen.rule.fault.respond(context);
      if (answer !== undefined) return answer;
    }
    const response = await context.forward();
    const body = await response.clone().text();
    const recorded: RecordedResponse = {
      status: response.status,
      headers: [...response.headers.entries()],
      body,
    };
    for (const active of matching) active.previous = recorded;
    return response;
  });

  const injector: FaultInjector = {
    handler,
    handlers: [handler, ...wrapped],
    injected,
    add(...added) {
      for (const rule of added) {
        checkRule(rule, rules.length);
        rules.push({ rule, index: rules.length, matched: 0, faulted: 0, previous: undefined });
      }
      return injector;
    },
    count(kind) {
      return kind === undefined ? injected.length : injected.filter((f) => f.kind === kind).length;
    },
    matched(index) {
      return rules[index]?.matched ?? 0;
    },
    clear() {
      rules.length = 0;
      injected.length = 0;
      random = mulberry32(options.seed ?? 1);
    },
  };
  injector.add(...(options.rules ?? []));
  return injector;
}

/**
 * Wrap a fake's handlers with a fault plan: shorthand for
 * `createFaultInjector({ handlers, rules: plan })`.
 *
 * @example
 * ```ts
 * const faulty = withFaults(fake.handlers, [
 *   { url: "https://api.airtable.com/v0/app*", method: "GET", nth: 2, fault: fault.status(502) },
 *   { url: "https://api.airtable.com/v0/app*", method: "GET", nth: 4, fault: fault.reset() },
 * ]);
 * server.use(...faulty.handlers);
 * ```
 */
export function withFaults(
  handlers: readonly RequestHandler[],
  plan: FaultRule | readonly FaultRule[],
  options: { seed?: number } = {},
): FaultInjector {
  const rules = Array.isArray(plan) ? (plan as readonly FaultRule[]) : [plan as FaultRule];
  return createFaultInjector({ handlers, rules, ...options });
}

/** Options of `fault.status`. */
export interface StatusFaultOptions {
  /** `Retry-After`: seconds, or an HTTP date. Omitted: no header. */
  retryAfter?: number | string;
  /** The error body (JSON). Default `{ error: { code, message } }`. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Options of `fault.emptyPage`. */
export interface EmptyPageOptions {
  /** Dot path of the page's items array in the JSON body: `"records"`, `"QueryResponse.Customer"`. */
  items: string;
  /**
   * A provider's empty page in the middle of a listing: the page's cursor
   * points back at the request's own (`request`: the query parameter sent,
   * `response`: the body field answered), so the next request gets the real
   * page and nothing is lost. Without it the body keeps its own cursor, and
   * the page's items are missing from this listing.
   */
  rewind?: { request: string; response: string };
}

const REASONS: Record<number, string> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * The faults an injector can serve.
 *
 * - `status(code, { retryAfter?, body?, headers? })`: an error answer (429,
 *   500, 502, 503, or any other), with `Retry-After` when asked.
 * - `reset()`: the connection drops before any answer (a network error).
 * - `timeout(ms, { applied? })`: answer after `ms` (past a small client
 *   timeout); with `applied: true` the fake handles the request first, so
 *   a write lands at the provider although the client gave up.
 * - `truncateJson({ keep? })`: the real answer cut short (default: half of it).
 * - `malformedJson({ body? })`: the real status, but a body that is not JSON.
 * - `emptyPage({ items, rewind? })`: the real page with its items emptied.
 * - `repeatPage()`: the previous page of the same rule served again.
 * - `before(effect)`: run `effect` (a user revokes access, edits a row),
 *   then serve the real answer.
 *
 * @example
 * ```ts
 * injector.add(
 *   { url: `${SHEETS_API}/*`, nth: 1, fault: fault.status(429) },
 *   { url: `${SHEETS_API}/*`, nth: 3, fault: fault.reset() },
 *   { url: `${SHEETS_API}/*`, nth: 5, fault: fault.truncateJson() },
 * );
 * ```
 */
export const fault = {
  status(code: number, options: StatusFaultOptions = {}): Fault {
    if (!Number.isInteger(code) || code < 400 || code > 599) {
      throw new TypeError(`"code" must be an HTTP error status (400-599), got ${code}`);
    }
    const headers: Record<string, string> = { ...options.headers };
    if (options.retryAfter !== undefined) headers["retry-after"] = String(options.retryAfter);
    const description = `${code}${options.retryAfter === undefined ? "" : ` Retry-After: ${options.retryAfter}`}`;
    return {
      kind: "status",
      description,
      respond: async () =>
        HttpResponse.json(
          options.body ?? {
            error: { code, message: `${REASONS[code] ?? "Error"} (injected fault)` },
          },
          { status: code, headers },
        ) as Response,
    };
  },

  reset(): Fault {
    return {
      kind: "reset",
      description: "connection reset",
      respond: async () => HttpResponse.error(),
    };
  },

  timeout(ms: number, options: { applied?: boolean } = {}): Fault {
    if (!Number.isFinite(ms) || ms < 0)
      throw new TypeError(`"ms" must be a non-negative number, got ${ms}`);
    return {
      kind: "timeout",
      description: `no answer for ${ms} ms${options.applied ? " (request applied)" : ""}`,
      async respond({ request, forward }) {
        const real = options.applied ? await forward() : undefined;
        await Promise.race([delay(ms), aborted(request.signal)]);
        if (request.signal.aborted) return HttpResponse.error();
        return real ?? forward();
      },
    };
  },

  truncateJson(options: { keep?: number } = {}): Fault {
    const keep = options.keep ?? 0.5;
    if (!(keep >= 0 && keep < 1)) throw new TypeError(`"keep" must be in [0, 1), got ${keep}`);
    return {
      kind: "truncateJson",
      description: `body cut to ${Math.round(keep * 100)}%`,
      async respond({ forward }) {
        const real = await forward();
        const text = await real.text();
        return rebuilt(real, text.slice(0, Math.floor(text.length * keep)));
      },
    };
  },

  malformedJson(options: { body?: string } = {}): Fault {
    return {
      kind: "malformedJson",
      description: "body is not JSON",
      async respond({ forward }) {
        const real = await forward();
        const text = await real.text();
        // By default the real body behind Google's anti-XSSI prefix: JSON to a human, not to JSON.parse.
        return rebuilt(real, options.body ?? `)]}'\n${text}`);
      },
    };
  },

  emptyPage(options: EmptyPageOptions): Fault {
    if (options === null || typeof options !== "object" || typeof options.items !== "string") {
      throw new TypeError('"items" must be the dot path of the page\'s items array');
    }
    const path = options.items.split(".");
    return {
      kind: "emptyPage",
      description: `${options.items} emptied${options.rewind ? " (cursor rewound)" : ""}`,
      async respond({ request, forward }) {
        const real = await forward();
        if (real.status >= 300) return real;
        const body = (await real.json()) as Record<string, unknown>;
        const parent = walk(body, path.slice(0, -1));
        const key = path.at(-1)!;
        if (parent === undefined || !Array.isArray(parent[key])) {
          throw new Error(
            `fault injector: emptyPage: no array at "${options.items}" in the answer`,
          );
        }
        parent[key] = [];
        if (options.rewind !== undefined) {
          const sent = new URL(request.url).searchParams.get(options.rewind.request);
          if (sent === null) {
            throw new Error(
              `fault injector: emptyPage: the request has no "${options.rewind.request}" to rewind to (target a later page with "nth")`,
            );
          }
          body[options.rewind.response] = sent;
        }
        return rebuilt(real, JSON.stringify(body));
      },
    };
  },

  repeatPage(): Fault {
    return {
      kind: "repeatPage",
      description: "previous page served again",
      async respond({ previous }) {
        if (previous === undefined) {
          throw new Error(
            'fault injector: repeatPage: no earlier page of this rule to repeat (target a later page with "nth")',
          );
        }
        return new Response(previous.body, {
          status: previous.status,
          headers: withoutLength(previous.headers),
        });
      },
    };
  },

  before(effect: (request: Request) => void | Promise<void>): Fault {
    if (typeof effect !== "function") throw new TypeError('"effect" must be a function');
    return {
      kind: "before",
      description: "side effect before the real answer",
      async respond({ request }) {
        await effect(request.clone());
        return undefined;
      },
    };
  },
};

function matches(rule: FaultRule, url: URL, request: Request): boolean {
  if (rule.method !== undefined) {
    const methods = typeof rule.method === "string" ? [rule.method] : rule.method;
    if (!methods.some((m) => m.toUpperCase() === request.method)) return false;
  }
  const pattern = rule.url;
  if (pattern === undefined) return true;
  if (typeof pattern === "function") return pattern(url, request);
  if (pattern instanceof RegExp) return pattern.test(url.href);
  return glob(pattern).test(`${url.origin}${url.pathname}`);
}

const globs = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (re === undefined) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${source}$`);
    globs.set(pattern, re);
  }
  return re;
}

function shouldFault(active: ActiveRule, random: () => number): boolean {
  const { rule } = active;
  if (rule.probability !== undefined) {
    if (active.faulted >= (rule.times ?? Number.POSITIVE_INFINITY)) return false;
    return random() < rule.probability;
  }
  const nth = rule.nth ?? 1;
  const times = rule.times ?? 1;
  return active.matched >= nth && active.matched < nth + times;
}

function checkRule(rule: FaultRule, index: number): void {
  const where = `rule ${index}`;
  if (rule === null || typeof rule !== "object") throw new TypeError(`${where}: must be an object`);
  const f = rule.fault as Partial<Fault> | undefined;
  if (f === undefined || typeof f.respond !== "function" || typeof f.kind !== "string") {
    throw new TypeError(`${where}: "fault" must be built with fault.*()`);
  }
  if (rule.nth !== undefined && (!Number.isSafeInteger(rule.nth) || rule.nth < 1)) {
    throw new TypeError(`${where}: "nth" must be a positive integer, got ${rule.nth}`);
  }
  if (
    rule.times !== undefined &&
    rule.times !== Number.POSITIVE_INFINITY &&
    (!Number.isSafeInteger(rule.times) || rule.times < 1)
  ) {
    throw new TypeError(`${where}: "times" must be a positive integer or Infinity`);
  }
  if (rule.probability !== undefined) {
    if (!(rule.probability >= 0 && rule.probability <= 1))
      throw new TypeError(`${where}: "probability" must be between 0 and 1`);
    if (rule.nth !== undefined)
      throw new TypeError(`${where}: give "nth" or "probability", not both`);
  }
  const { url } = rule;
  if (
    url !== undefined &&
    typeof url !== "string" &&
    typeof url !== "function" &&
    !(url instanceof RegExp)
  ) {
    throw new TypeError(`${where}: "url" must be a string pattern, a RegExp or a function`);
  }
}

function walk(body: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let at: unknown = body;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at !== null && typeof at === "object" ? (at as Record<string, unknown>) : undefined;
}

function withoutLength(headers: Iterable<[string, string]>): Headers {
  const out = new Headers();
  for (const [name, value] of headers) {
    if (name !== "content-length" && name !== "content-encoding") out.set(name, value);
  }
  return out;
}

function rebuilt(real: Response, body: string): Response {
  return new Response(body, {
    status: real.status,
    statusText: real.statusText,
    headers: withoutLength(real.headers.entries()),
  });
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}

/** A small seeded PRNG, so a failing seed replays. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
