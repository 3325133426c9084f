/**
 * A stateful fake of SerpApi's `google_maps` engine and Account API for
 * MSW, following the published reference: `api_key` in the query (401
 * `{ error }` when wrong), parameter validation (`q` for `type=search`,
 * `ll` as `@lat,lng,zoomz`, `location` with `z` or `m`, `start` in steps of
 * 20 and only with a location), 20 local results per page with
 * `serpapi_pagination.next`, `search_metadata` and `search_parameters`, the
 * monthly search count (the Account API is free), 429 when the account runs
 * out of searches, and 429 for the hourly throughput on demand.
 *
 * @see https://serpapi.com/google-maps-api
 */
import { createHash } from "node:crypto";
import { type HttpHandler, HttpResponse, http } from "msw";
import { SERPAPI_MAPS_PAGE_SIZE, SERPAPI_ORIGIN } from "../endpoints.js";
import { SERPAPI_LL_PATTERN } from "../schemas.js";

/**
 * The sandbox API key the fake accepts by default (64 hex characters, like SerpApi's).
 *
 * @example
 * ```ts
 * await patchbay.connect.withCredentials({ tenantId, connector: "serpapi", credentials: { apiKey: SERPAPI_SANDBOX_API_KEY } });
 * ```
 * @see https://serpapi.com/manage-api-key
 */
export const SERPAPI_SANDBOX_API_KEY = "5a1d".repeat(16);

/**
 * The sandbox's business and a search location (downtown Austin, TX).
 *
 * @example
 * ```ts
 * await patchbay.connections.configure(tenantId, id, {
 *   business: { placeId: SERPAPI_SANDBOX.placeId },
 *   keywords: SERPAPI_SANDBOX.keywords,
 *   locations: [{ label: "Austin", ll: SERPAPI_SANDBOX.ll }],
 * });
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export const SERPAPI_SANDBOX = Object.freeze({
  placeId: "ChIJbR1gHtPlUmBiNgCoAuStIn",
  dataId: "0x8644b5b1c0ffee01:0x1b2c3d4e5f607182",
  title: "Bright Plumbing Co.",
  ll: "@30.2672,-97.7431,13z",
  keywords: Object.freeze([
    "plumber",
    "emergency plumber",
    "water heater repair",
    "drain cleaning",
  ]),
});

/**
 * A place to add to the fake's Google Maps.
 *
 * @example
 * ```ts
 * fake.addPlace({ title: "Lone Star Rooter & Drain", rating: 4.6, reviews: 212 });
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export interface FakePlaceSeed {
  title: string;
  place_id?: string;
  data_id?: string;
  rating?: number;
  reviews?: number;
  type?: string;
  address?: string;
  phone?: string;
}

/**
 * A local result as the fake stores and returns it (without `position`).
 *
 * @example
 * ```ts
 * const place: FakePlace = fake.place(SERPAPI_SANDBOX.placeId)!;
 * ```
 * @see https://serpapi.com/maps-local-results
 */
export type FakePlace = {
  title: string;
  place_id: string;
  data_id: string;
  data_cid: string;
  gps_coordinates: { latitude: number; longitude: number };
  rating: number;
  reviews: number;
  type: string;
  address: string;
  phone: string;
};

/**
 * Options of {@link createSerpApiFake}. Every option is optional.
 *
 * @example
 * ```ts
 * const fake = createSerpApiFake({ searchesPerMonth: 250 }); // the free plan
 * ```
 * @see https://serpapi.com/account-api
 */
export interface SerpApiFakeOptions {
  /** Keys accepted. Default `[SERPAPI_SANDBOX_API_KEY]`. */
  apiKeys?: readonly string[];
  /** The plan's monthly searches. Default 5000. */
  searchesPerMonth?: number;
  /** Clock, epoch ms (search metadata times). Default `Date.now`. */
  now?: () => number;
}

/**
 * One search the fake answered.
 *
 * @example
 * ```ts
 * expect(fake.searches.map((s) => s.params.q)).toEqual(["plumber", "emergency plumber"]);
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export interface SerpApiFakeRequest {
  path: string;
  /** The query without `api_key`. */
  params: Record<string, string>;
  status: number;
}

/**
 * The fake SerpApi (see {@link createSerpApiFake}).
 *
 * @example
 * ```ts
 * let fake: SerpApiFake = createSerpApiFake();
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export type SerpApiFake = ReturnType<typeof createSerpApiFake>;

const AUSTIN_COMPETITORS: Array<[string, number, number, string]> = [
  ["Austin Drain Pros", 4.9, 341, "Drainage service"],
  ["Lone Star Rooter & Drain", 4.6, 212, "Plumber"],
  ["Hill Country Plumbing", 4.1, 87, "Plumber"],
  ["Capital City Water Heaters", 3.8, 54, "Water heater installation service"],
  ["Zilker Plumbing & Gas", 4.7, 163, "Plumber"],
  ["Mopac Mechanical", 4.3, 98, "HVAC contractor"],
  ["Barton Creek Plumbers", 4.5, 120, "Plumber"],
  ["Congress Ave Plumbing", 4.0, 41, "Plumber"],
  ["East Austin Pipe Works", 4.8, 76, "Plumber"],
  ["Round Rock Rooter", 4.2, 150, "Plumber"],
  ["Travis Heights Plumbing", 4.6, 64, "Plumber"],
  ["Riverside Repipe", 3.9, 22, "Plumber"],
  ["Bee Cave Water Heaters", 4.4, 58, "Water heater installation service"],
  ["Pflugerville Plumbing Co.", 4.1, 77, "Plumber"],
  ["Cedar Park Drain & Sewer", 4.5, 133, "Drainage service"],
  ["Leander Leak Detection", 4.7, 45, "Plumber"],
  ["SoCo Plumbing Services", 4.3, 69, "Plumber"],
  ["Domain Plumbing Partners", 4.0, 31, "Plumber"],
  ["Hyde Park Hydro Jetting", 4.6, 52, "Drainage service"],
  ["Mueller Plumbing & Air", 4.8, 188, "Plumber"],
  ["Westlake Water Works", 4.2, 37, "Plumber"],
  ["Crestview Plumbing", 4.4, 61, "Plumber"],
  ["Oak Hill Rooter", 3.7, 19, "Plumber"],
  ["Manor Road Plumbing", 4.5, 83, "Plumber"],
];

/** Where the sandbox business ranks for its keywords at first (1-based). */
const SANDBOX_RANKS: Record<string, number> = {
  plumber: 4,
  "emergency plumber": 7,
  "water heater repair": 12,
  "drain cleaning": 25,
};

function keywordKey(q: string): string {
  return q.trim().toLowerCase().replace(/\s+/g, " ");
}

function hashOrder(seed: string, id: string): string {
  return createHash("sha256").update(`${seed}\u0000${id}`).digest("hex");
}

/**
 * Create a fake SerpApi for tests and sandbox mode.
 *
 * @example
 * ```ts
 * const fake = createSerpApiFake();
 * const server = setupServer(...fake.handlers);
 * fake.seedSandbox(); // Bright Plumbing Co. and 24 Austin competitors
 * fake.moveUp(SERPAPI_SANDBOX.placeId, "plumber"); // the business moves up a rank
 * ```
 * @see https://serpapi.com/google-maps-api
 */
export function createSerpApiFake(options: SerpApiFakeOptions = {}) {
  const now = options.now ?? Date.now;
  const apiKeys = new Set(options.apiKeys ?? [SERPAPI_SANDBOX_API_KEY]);
  const places = new Map<string, FakePlace>();
  /** Explicit orders per keyword (place ids, best first); other keywords get a stable pseudo-random order. */
  const orders = new Map<string, string[]>();
  const requests: SerpApiFakeRequest[] = [];
  const account = {
    searchesPerMonth: options.searchesPerMonth ?? 5000,
    used: 0,
    extraCredits: 0,
  };
  const forced = { throughput: 0 };
  let counter = 0;

  const error = (status: number, message: string) =>
    HttpResponse.json({ error: message }, { status });

  function orderFor(q: string): string[] {
    const key = keywordKey(q);
    const explicit = orders.get(key);
    const known = explicit?.filter((id) => places.has(id)) ?? [];
    const rest = [...places.keys()]
      .filter((id) => !known.includes(id))
      .sort((a, b) => hashOrder(key, a).localeCompare(hashOrder(key, b)));
    return [...known, ...rest];
  }

  function materialize(q: string): string[] {
    const order = orderFor(q);
    orders.set(keywordKey(q), order);
    return order;
  }

  function authorized(url: URL, path: string): Response | undefined {
    const key = url.searchParams.get("api_key");
    if (key === null || !apiKeys.has(key)) {
      const response = error(
        401,
        "Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key",
      );
      log(url, path, 401);
      return response;
    }
    return undefined;
  }

  function log(url: URL, path: string, status: number): void {
    const params = Object.fromEntries(url.searchParams);
    delete params.api_key;
    requests.push({ path, params, status });
  }

  function validate(url: URL): Response | undefined {
    const p = url.searchParams;
    const engine = p.get("engine");
    if (engine === null) return error(400, "Missing `engine` parameter.");
    if (engine !== "google_maps") return error(400, `Unsupported \`${engine}\` search engine.`);
    const type = p.get("type") ?? "search";
    if (type !== "search") return error(400, "This fake serves only `type=search`.");
    if ((p.get("q") ?? "").trim() === "") return error(400, "Missing query `q` parameter.");
    const ll = p.get("ll");
    const location = p.get("location");
    if (ll !== null && location !== null)
      return error(400, "`ll` and `location` parameters can't be used together.");
    if (ll !== null && !SERPAPI_LL_PATTERN.test(ll))
      return error(
        400,
        "Invalid `ll` parameter. It should be in the format `@latitude,longitude,zoom` e.g. `@40.7455096,-74.0083012,14z`.",
      );
    if (location !== null && !p.has("z") && !p.has("m"))
      return error(400, "`z` or `m` parameter is required when using `location`.");
    const z = p.get("z");
    if (z !== null && !(/^\d+$/.test(z) && Number(z) >= 3 && Number(z) <= 21))
      return error(400, "Invalid `z` parameter. It should be between 3 and 21.");
    const start = p.get("start");
    if (start !== null) {
      if (!/^\d+$/.test(start) || Number(start) % SERPAPI_MAPS_PAGE_SIZE !== 0)
        return error(400, "Invalid `start` parameter. It should be a multiple of 20.");
      if (Number(start) > 0 && ll === null && location === null)
        return error(400, "`ll` or `location` parameter is required when using pagination.");
    }
    return undefined;
  }

  function search({ request }: { request: Request }): Response {
    const url = new URL(request.url);
    const path = url.pathname;
    const denied = authorized(url, path);
    if (denied !== undefined) return denied;
    const invalid = validate(url);
    if (invalid !== undefined) {
      log(url, path, 400);
      return invalid;
    }
    if (forced.throughput > 0) {
      forced.throughput--;
      log(url, path, 429);
      return error(
        429,
        "Your account has exceeded the hourly throughput limit. Please try again later or upgrade your plan.",
      );
    }
    if (account.used >= account.searchesPerMonth + account.extraCredits) {
      log(url, path, 429);
      return error(429, "Your account has run out of searches.");
    }
    account.used++;
    log(url, path, 200);
    const p = url.searchParams;
    const q = p.get("q") ?? "";
    const start = Number(p.get("start") ?? "0");
    const order = orderFor(q);
    const slice = order.slice(start, start + SERPAPI_MAPS_PAGE_SIZE);
    const id = createHash("sha1").update(`${now()}-${requests.length}`).digest("hex").slice(0, 24);
    const created = new Date(now())
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC");
    const parameters: Record<string, string> = { engine: "google_maps", type: "search", q };
    for (const name of ["ll", "location", "z", "hl", "gl", "google_domain", "start"]) {
      const value = p.get(name);
      if (value !== null) parameters[name] = value;
    }
    if (slice.length === 0) {
      return HttpResponse.json({
        search_metadata: { id, status: "Success", created_at: created, processed_at: created },
        search_parameters: parameters,
        search_information: { local_results_state: "Fully empty" },
        error: "Google hasn't returned any results for this query.",
      });
    }
    const body: Record<string, unknown> = {
      search_metadata: {
        id,
        status: "Success",
        json_endpoint: `${SERPAPI_ORIGIN}/searches/${id}.json`,
        created_at: created,
        processed_at: created,
        google_maps_url: `https://www.google.com/maps/search/${encodeURIComponent(q)}`,
        total_time_taken: 1.42,
      },
      search_parameters: parameters,
      search_information: { local_results_state: "Results for exact spelling", query_displayed: q },
      local_results: slice.map((placeId, i) => ({
        position: i + 1,
        ...structuredClone(places.get(placeId)!),
      })),
    };
    if (start + SERPAPI_MAPS_PAGE_SIZE < order.length) {
      const next = new URL(`${SERPAPI_ORIGIN}/search.json`);
      for (const [k, v] of Object.entries(parameters)) next.searchParams.set(k, v);
      next.searchParams.set("start", String(start + SERPAPI_MAPS_PAGE_SIZE));
      body.serpapi_pagination = { next: next.href };
    }
    return HttpResponse.json(body);
  }

  const handlers: HttpHandler[] = [
    http.get(`${SERPAPI_ORIGIN}/account.json`, ({ request }) => {
      const url = new URL(request.url);
      const denied = authorized(url, url.pathname);
      if (denied !== undefined) return denied;
      log(url, url.pathname, 200);
      const left = Math.max(0, account.searchesPerMonth - account.used);
      return HttpResponse.json({
        account_id: "5ac54d6adefb2f1dba1663f5",
        api_key: url.searchParams.get("api_key"),
        account_email: "owner@brightplumbing.example",
        plan_id: "developer",
        plan_name: "Developer Plan",
        plan_monthly_price: 75.0,
        searches_per_month: account.searchesPerMonth,
        plan_searches_left: left,
        extra_credits: account.extraCredits,
        total_searches_left: left + account.extraCredits,
        this_month_usage: account.used,
        last_hour_searches: account.used,
        account_rate_limit_per_hour: 1000,
      });
    }),
    http.get(`${SERPAPI_ORIGIN}/search.json`, search),
    http.get(`${SERPAPI_ORIGIN}/search`, search),
  ];

  const api = {
    handlers,
    /** What a user pastes into the credential form. */
    credentials: { apiKey: SERPAPI_SANDBOX_API_KEY },
    /** Every request answered (without the key), in order. */
    requests: requests as readonly SerpApiFakeRequest[],
    /** The `google_maps` searches answered (any status). */
    get searches(): SerpApiFakeRequest[] {
      return requests.filter((r) => r.path.startsWith("/search"));
    },

    /** The next `count` searches answer 429 for the hourly throughput limit. */
    rateLimitNext(count = 1): void {
      if (!Number.isInteger(count) || count < 0)
        throw new TypeError('"count" must be a non-negative integer');
      forced.throughput += count;
    },

    /** Set how many searches the account has left this month (the plan's size stays). */
    setSearchesLeft(left: number): void {
      account.used = Math.max(0, account.searchesPerMonth - left);
    },

    /** Searches used this month. */
    get searchesUsed(): number {
      return account.used;
    },

    /** A business appears on Google Maps. Returns its `place_id`. */
    addPlace(seed: FakePlaceSeed): string {
      const n = ++counter;
      const placeId = seed.place_id ?? `ChIJfAkEpLaCe${String(n).padStart(14, "0")}`;
      places.set(placeId, {
        title: seed.title,
        place_id: placeId,
        data_id:
          seed.data_id ??
          `0x8644b5${n.toString(16).padStart(10, "0")}:0x${(n * 7919).toString(16).padStart(16, "0")}`,
        data_cid: String(1_000_000_000 + n),
        gps_coordinates: {
          latitude: 30.2672 + (n % 13) / 200,
          longitude: -97.7431 - (n % 7) / 200,
        },
        rating: seed.rating ?? 4.5,
        reviews: seed.reviews ?? 20,
        type: seed.type ?? "Plumber",
        address: seed.address ?? `${100 + n} Congress Ave, Austin, TX 78701`,
        phone: seed.phone ?? `(512) 555-${String(1000 + n).slice(-4)}`,
      });
      return placeId;
    },

    /** A business disappears from Google Maps. */
    removePlace(placeId: string): void {
      if (!places.delete(placeId)) throw new Error(`fake SerpApi: no place ${placeId}`);
    },

    /** A place as a local result now. */
    place(placeId: string): FakePlace | undefined {
      const p = places.get(placeId);
      return p === undefined ? undefined : structuredClone(p);
    },

    /** Google's whole ordering for a keyword, as the pages would list it. */
    results(q: string): FakePlace[] {
      return orderFor(q).map((id) => structuredClone(places.get(id)!));
    },

    /** Where a place ranks for a keyword (1-based), or `null`. */
    rankOf(placeId: string, q: string): number | null {
      const index = orderFor(q).indexOf(placeId);
      return index === -1 ? null : index + 1;
    },

    /** Put a place at a rank (1-based) for a keyword, shifting the others. */
    setRank(placeId: string, q: string, position: number): void {
      if (!places.has(placeId)) throw new Error(`fake SerpApi: no place ${placeId}`);
      const order = materialize(q).filter((id) => id !== placeId);
      order.splice(Math.max(0, position - 1), 0, placeId);
      orders.set(keywordKey(q), order);
    },

    /** The business moves up `by` ranks for a keyword (its SEO work paid off). */
    moveUp(placeId: string, q: string, by = 1): void {
      const rank = api.rankOf(placeId, q);
      if (rank === null) throw new Error(`fake SerpApi: no place ${placeId}`);
      api.setRank(placeId, q, Math.max(1, rank - by));
    },

    /** A place's listing changes (a new review moves its rating and count). */
    editPlace(
      placeId: string,
      patch: Partial<Pick<FakePlace, "title" | "rating" | "reviews">>,
    ): void {
      const place = places.get(placeId);
      if (place === undefined) throw new Error(`fake SerpApi: no place ${placeId}`);
      Object.assign(place, patch);
    },

    /**
     * Fill the fake with a home-service market: Bright Plumbing Co. and 24
     * Austin competitors, the business 4th for "plumber", 7th for "emergency
     * plumber", 12th for "water heater repair" (page 1) and 25th for "drain
     * cleaning" (page 2).
     */
    seedSandbox(): { placeId: string; competitors: string[] } {
      const placeId = api.addPlace({
        title: SERPAPI_SANDBOX.title,
        place_id: SERPAPI_SANDBOX.placeId,
        data_id: SERPAPI_SANDBOX.dataId,
        rating: 4.4,
        reviews: 128,
        address: "2100 S Lamar Blvd, Austin, TX 78704",
        phone: "(512) 555-0142",
      });
      const competitors = AUSTIN_COMPETITORS.map(([title, rating, reviews, type]) =>
        api.addPlace({ title, rating, reviews, type }),
      );
      for (const [i, [keyword, rank]] of Object.entries(SANDBOX_RANKS).entries()) {
        // Each keyword lists the competitors in another order.
        orders.set(keywordKey(keyword), [
          ...competitors.slice(i * 5),
          ...competitors.slice(0, i * 5),
        ]);
        api.setRank(placeId, keyword, rank);
      }
      return { placeId, competitors };
    },
  };
  return api;
}
