/**
 * The employers an Indeed app may act for: the list behind an employer
 * selection screen, and the check that a connection's employer is on it.
 */
import {
  AuthError,
  ConfigError,
  ErrorCode,
  type FetchLike,
  type HttpClient,
  type Json,
  type MetadataContext,
  ProviderError,
} from "@patchbay/core";
import { INDEED_APPINFO_URL, INDEED_EMPLOYER_SCOPE, INDEED_TOKEN_URL } from "./endpoints.js";
import { AppInfoSchema, type IndeedEmployer } from "./schemas.js";

function employersOf(body: unknown): IndeedEmployer[] {
  const parsed = AppInfoSchema.safeParse(body);
  if (!parsed.success) {
    throw new ProviderError("Indeed appinfo: the answer has no employers list", {
      cause: body,
    });
  }
  return parsed.data.employers.map((e) => ({ id: e.id, name: e.name ?? e.id }));
}

/**
 * The employers the host's Indeed app may act for, for an employer
 * selection screen: gets an app token (`scope=employer_access`) and reads
 * the app information endpoint. Call it from the host's backend only.
 *
 * @throws TypeError for a missing client id or secret; AuthError when
 *   Indeed refuses the credentials.
 * @example
 * ```ts
 * const employers = await listIndeedEmployers({ clientId, clientSecret });
 * // [{ id: "a1b2c3d4e5f6", name: "Summit Plumbing" }]
 * await patchbay.connect.withCredentials({ tenantId, connector: "indeed", credentials: { employer: employers[0].id } });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export async function listIndeedEmployers(options: {
  clientId: string;
  clientSecret: string;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
}): Promise<IndeedEmployer[]> {
  if (typeof options?.clientId !== "string" || options.clientId === "")
    throw new TypeError('"clientId" must be your Indeed app\'s client ID from Partner Console');
  if (typeof options.clientSecret !== "string" || options.clientSecret === "")
    throw new TypeError('"clientSecret" must be your Indeed app\'s secret from Partner Console');
  const fetcher = options.fetch ?? globalThis.fetch;
  const tokenResponse = await fetcher(INDEED_TOKEN_URL, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: options.clientId,
      client_secret: options.clientSecret,
      scope: INDEED_EMPLOYER_SCOPE,
    }),
  });
  const token = (await tokenResponse.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
  };
  if (!tokenResponse.ok || typeof token.access_token !== "string") {
    throw new AuthError(
      ErrorCode.AUTH_UNAUTHORIZED,
      `Indeed refused the app credentials (${token.error ?? `HTTP ${tokenResponse.status}`})`,
      { status: tokenResponse.status, providerCode: token.error },
    );
  }
  const info = await fetcher(INDEED_APPINFO_URL, {
    headers: { accept: "application/json", authorization: `Bearer ${token.access_token}` },
  });
  if (!info.ok) {
    throw new ProviderError(`Indeed appinfo answered HTTP ${info.status}`, {
      status: info.status,
    });
  }
  return employersOf(await info.json());
}

/**
 * The connection's employer on the app's employer list, read with the
 * connection's own token.
 *
 * @throws ConfigError when the employer is not on the list.
 * @example
 * ```ts
 * const employer = await employerOf(ctx.http, "a1b2c3d4e5f6");
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export async function employerOf(http: HttpClient, employerId: string): Promise<IndeedEmployer> {
  const { data } = await http.get(INDEED_APPINFO_URL);
  const employer = employersOf(data).find((e) => e.id === employerId);
  if (employer === undefined) {
    throw new ConfigError(
      `The Indeed app may not act for employer "${employerId}": pick one from listIndeedEmployers()`,
    );
  }
  return employer;
}

/**
 * Post-connect metadata: the employer id (webhook routing) and name (the
 * default company and source name).
 *
 * @example
 * ```ts
 * clientCredentials({ ..., metadata: employerMetadata });
 * ```
 * @see https://docs.indeed.com/authentication/auth-2-legged-oauth
 */
export async function employerMetadata(ctx: MetadataContext): Promise<Record<string, Json>> {
  const employerId = String(ctx.fields.employer ?? "").trim();
  const employer = await employerOf(ctx.http, employerId);
  return { employerId: employer.id, employerName: employer.name };
}
