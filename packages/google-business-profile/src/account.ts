/**
 * Which Business Profile account a connection works on, and its locations.
 */
import {
  ConfigError,
  type ConnectorContext,
  type HttpClient,
  paginateCursor,
  type SyncContext,
  type SyncPage,
} from "@patchbay/core";
import {
  ACCOUNT_MANAGEMENT_API,
  accountIdOf,
  BUSINESS_INFORMATION_API,
  LOCATION_READ_MASK,
  locationIdOf,
} from "./endpoints.js";
import type { GoogleBusinessProfileConfig, LocationRecord, WireAccount } from "./schemas.js";
import { settingsOf } from "./settings.js";

interface AccountsPage {
  accounts?: WireAccount[];
  nextPageToken?: string;
}

interface LocationsPage {
  locations?: Array<Omit<LocationRecord, "accountName">>;
  nextPageToken?: string;
}

/**
 * The first page of the user's accounts (Google lists at most 20 per page).
 *
 * @example
 * ```ts
 * const [first] = await listAccounts(ctx.http);
 * ```
 * @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list
 */
export async function listAccounts(http: HttpClient, pageSize = 20): Promise<WireAccount[]> {
  const { data } = await http.get<AccountsPage>(`${ACCOUNT_MANAGEMENT_API}/accounts`, {
    query: { pageSize },
  });
  return data?.accounts ?? [];
}

/**
 * The connection's account id: the config's, else the one found at connect
 * time (metadata `accountId`), else the user's first account.
 *
 * @throws ConfigError when the user has no Business Profile account.
 * @example
 * ```ts
 * const accountId = await connectionAccount(ctx); // "1122334455"
 * ```
 * @see https://developers.google.com/my-business/reference/accountmanagement/rest/v1/accounts/list
 */
export async function connectionAccount(
  ctx: Pick<ConnectorContext<GoogleBusinessProfileConfig>, "config" | "metadata" | "http">,
): Promise<string> {
  if (ctx.config?.accountId !== undefined) return accountIdOf(ctx.config.accountId);
  if (typeof ctx.metadata.accountId === "string" && ctx.metadata.accountId !== "")
    return ctx.metadata.accountId;
  const [first] = await listAccounts(ctx.http, 1);
  if (first === undefined)
    throw new ConfigError(
      "This Google user manages no Business Profile account: create or claim a profile at business.google.com, then reconnect",
    );
  return accountIdOf(first.name);
}

/**
 * Every location of the account (pages of up to 100), as location records.
 *
 * @example
 * ```ts
 * for await (const page of locationPages(ctx.http, "123")) console.log(page.length);
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list
 */
export async function* locationPages(
  http: HttpClient,
  accountId: string,
  readMask: readonly string[] = LOCATION_READ_MASK,
): AsyncGenerator<LocationRecord[]> {
  const accountName = `accounts/${accountIdOf(accountId)}`;
  for await (const page of paginateCursor(
    http,
    {
      path: `${BUSINESS_INFORMATION_API}/${accountName}/locations`,
      query: { readMask: readMask.join(","), pageSize: 100 },
    },
    {
      items: (data: LocationsPage) => data?.locations ?? [],
      next: (data) => data?.nextPageToken,
      param: "pageToken",
    },
  )) {
    yield page.map((location) => ({ ...location, accountName }) as LocationRecord);
  }
}

/**
 * The location ids the connection covers: the account's locations, narrowed
 * to `config.locationIds` when set.
 *
 * @example
 * ```ts
 * const ids = await connectionLocations(ctx, "123"); // ["456", "789"]
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list
 */
export async function connectionLocations(
  ctx: Pick<ConnectorContext<GoogleBusinessProfileConfig>, "config" | "http">,
  accountId: string,
): Promise<string[]> {
  const wanted = ctx.config?.locationIds?.map(locationIdOf);
  const ids: string[] = [];
  for await (const page of locationPages(ctx.http, accountId, ["name"])) {
    for (const location of page) ids.push(locationIdOf(location.name));
  }
  return wanted === undefined ? ids : ids.filter((id) => wanted.includes(id));
}

/**
 * The `locations` sync: every location of the connection's account (narrowed
 * to `config.locationIds`), with the fields of `LOCATION_READ_MASK`.
 *
 * @example
 * ```ts
 * models: { locations: defineModel({ schema: LocationRecordSchema, key: "name", sync: syncLocations }) }
 * ```
 * @see https://developers.google.com/my-business/reference/businessinformation/rest/v1/accounts.locations/list
 */
export async function* syncLocations(
  ctx: SyncContext<GoogleBusinessProfileConfig>,
): AsyncGenerator<SyncPage<LocationRecord>> {
  const config = settingsOf(ctx.config);
  const accountId = await connectionAccount({ ...ctx, config });
  const wanted = config.locationIds?.map(locationIdOf);
  for await (const page of locationPages(ctx.http, accountId)) {
    const records = page.filter(
      (l) => wanted === undefined || wanted.includes(locationIdOf(l.name)),
    );
    if (records.length > 0) yield { records };
  }
}
