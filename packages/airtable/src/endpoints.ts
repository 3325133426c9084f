/**
 * Airtable's URLs and scopes. The connector and the fake both import these,
 * so the fake always serves exactly what the connector calls.
 */

/**
 * The Web API base URL; every path below is relative to it.
 *
 * @example
 * ```ts
 * `${AIRTABLE_API_BASE_URL}/${recordsPath("appXXXXXXXXXXXXXX", "tblXXXXXXXXXXXXXX")}`
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export const AIRTABLE_API_BASE_URL = "https://api.airtable.com/v0";

/**
 * Airtable's OAuth 2.0 endpoints. There is no token revocation endpoint:
 * users remove an integration's access from their Airtable account settings.
 *
 * @example
 * ```ts
 * new URL(AIRTABLE_OAUTH.authorizationUrl).host; // "airtable.com"
 * ```
 * @see https://airtable.com/developers/web/api/oauth-reference
 */
export const AIRTABLE_OAUTH = {
  authorizationUrl: "https://airtable.com/oauth2/v1/authorize",
  tokenUrl: "https://airtable.com/oauth2/v1/token",
} as const;

/**
 * The scopes the connector asks for, least privilege for two-way record sync
 * with webhooks:
 * - `data.records:read`: list and read records (and the `tableData` webhook payloads);
 * - `data.records:write`: create, update, upsert and delete records (write-back);
 * - `schema.bases:read`: list bases and tables to pick from, and read field
 *   names and types (field mapping, skipping computed fields on writes);
 * - `webhook:manage`: create, refresh and delete the change webhook and read its payloads.
 *
 * @example
 * ```ts
 * airtable({ clientId }).auth; // requests AIRTABLE_SCOPES
 * ```
 * @see https://airtable.com/developers/web/api/scopes
 */
export const AIRTABLE_SCOPES: readonly string[] = Object.freeze([
  "data.records:read",
  "data.records:write",
  "schema.bases:read",
  "webhook:manage",
]);

/**
 * The API reference, linked from the connector's catalogue entry.
 *
 * @example
 * ```ts
 * airtable({ clientId }).docsUrl === AIRTABLE_DOCS_URL; // true
 * ```
 * @see https://airtable.com/developers/web/api/introduction
 */
export const AIRTABLE_DOCS_URL = "https://airtable.com/developers/web/api/introduction";

/**
 * `GET meta/whoami`: the user (or service account) behind the token and its scopes.
 *
 * @example
 * ```ts
 * await http.get(WHOAMI_PATH);
 * ```
 * @see https://airtable.com/developers/web/api/get-user-id-scopes
 */
export const WHOAMI_PATH = "meta/whoami";

/**
 * `GET meta/bases?offset=`: the bases the token can see, paged by an opaque `offset`.
 *
 * @example
 * ```ts
 * await http.get(BASES_PATH, { query: { offset } });
 * ```
 * @see https://airtable.com/developers/web/api/list-bases
 */
export const BASES_PATH = "meta/bases";

/**
 * `GET meta/bases/{baseId}/tables`: a base's tables with their fields and views.
 *
 * @example
 * ```ts
 * await http.get(tablesPath("appXXXXXXXXXXXXXX"));
 * ```
 * @see https://airtable.com/developers/web/api/get-base-schema
 */
export function tablesPath(baseId: string): string {
  return `meta/bases/${encodeURIComponent(baseId)}/tables`;
}

/**
 * `GET|POST|PATCH|DELETE {baseId}/{tableId}`: list, create, update (or
 * upsert) and delete records, at most 10 per write.
 *
 * @example
 * ```ts
 * await http.get(recordsPath(baseId, tableId), { query: { pageSize: 100 } });
 * ```
 * @see https://airtable.com/developers/web/api/list-records
 */
export function recordsPath(baseId: string, tableId: string): string {
  return `${encodeURIComponent(baseId)}/${encodeURIComponent(tableId)}`;
}

/**
 * `GET|DELETE {baseId}/{tableId}/{recordId}`: one record.
 *
 * @example
 * ```ts
 * await http.get(recordPath(baseId, tableId, "recXXXXXXXXXXXXXX"));
 * ```
 * @see https://airtable.com/developers/web/api/get-record
 */
export function recordPath(baseId: string, tableId: string, recordId: string): string {
  return `${recordsPath(baseId, tableId)}/${encodeURIComponent(recordId)}`;
}

/**
 * `GET|POST bases/{baseId}/webhooks`: list or create webhooks.
 *
 * @example
 * ```ts
 * await http.post(webhooksPath(baseId), { json: { notificationUrl, specification } });
 * ```
 * @see https://airtable.com/developers/web/api/create-a-webhook
 */
export function webhooksPath(baseId: string): string {
  return `bases/${encodeURIComponent(baseId)}/webhooks`;
}

/**
 * `DELETE bases/{baseId}/webhooks/{webhookId}`, and the base of its `refresh`
 * and `payloads` sub-resources.
 *
 * @example
 * ```ts
 * await http.post(`${webhookPath(baseId, webhookId)}/refresh`);
 * ```
 * @see https://airtable.com/developers/web/api/delete-a-webhook
 */
export function webhookPath(baseId: string, webhookId: string): string {
  return `${webhooksPath(baseId)}/${encodeURIComponent(webhookId)}`;
}

/**
 * `POST bases/{baseId}/webhooks/{webhookId}/refresh`: extend a webhook's life to 7 days from now.
 *
 * @example
 * ```ts
 * const { data } = await http.post<{ expirationTime: string | null }>(webhookRefreshPath(baseId, id));
 * ```
 * @see https://airtable.com/developers/web/api/refresh-a-webhook
 */
export function webhookRefreshPath(baseId: string, webhookId: string): string {
  return `${webhookPath(baseId, webhookId)}/refresh`;
}

/**
 * `GET bases/{baseId}/webhooks/{webhookId}/payloads?cursor=&limit=`: the change log (50 per page at most).
 *
 * @example
 * ```ts
 * await http.get(webhookPayloadsPath(baseId, id), { query: { cursor: 1, limit: 50 } });
 * ```
 * @see https://airtable.com/developers/web/api/list-webhook-payloads
 */
export function webhookPayloadsPath(baseId: string, webhookId: string): string {
  return `${webhookPath(baseId, webhookId)}/payloads`;
}
