/**
 * The `profiles` model: every profile of the account, incremental by
 * `updated` (`filter=greater-than(updated,…)` with `sort=updated`), cursor
 * pagination through `links.next`, and write-back through profile import
 * (an upsert matched by id, email, phone number or external id).
 */
import {
  type ConnectorContext,
  defineModel,
  type Json,
  PatchbayError,
  type RateLimiter,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { bodyOf, type KlaviyoApi, klaviyoApi, nextCursor } from "../client.js";
import { KLAVIYO_PATHS } from "../endpoints.js";
import type { components } from "../generated/klaviyo.js";
import {
  type KlaviyoConfig,
  type KlaviyoProfile,
  type KlaviyoProfileInput,
  KlaviyoProfileInputSchema,
  KlaviyoProfileSchema,
} from "../schemas.js";

/**
 * Profiles per page: Klaviyo's maximum `page[size]` for Get Profiles (default 20).
 *
 * @example
 * ```ts
 * query: { "page[size]": PROFILES_PAGE_SIZE }
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export const PROFILES_PAGE_SIZE = 100;

/**
 * How far before the newest `updated` seen an incremental run starts again.
 * `greater-than` is strict and a profile written while the previous run read
 * could carry a time just before the newest one; re-reading a second is
 * cheap, and unchanged profiles are not written twice (the engine compares hashes).
 *
 * @example
 * ```ts
 * new Date(Date.parse(cursor.updated) - UPDATED_OVERLAP_MS).toISOString();
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export const UPDATED_OVERLAP_MS = 1000;

type ProfileResource = components["schemas"]["ProfileResponsePluralConversationsObjectResource"];

/**
 * A JSON:API profile resource as the synced record: `id` next to its attributes.
 *
 * @example
 * ```ts
 * profileRecord({ type: "profile", id: "01HX", attributes: { email: "ada@example.com" }, links: { self: "…" } });
 * // { id: "01HX", email: "ada@example.com" }
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export function profileRecord(
  resource: Pick<ProfileResource, "id" | "attributes">,
): KlaviyoProfile {
  return { ...resource.attributes, id: String(resource.id) } as KlaviyoProfile;
}

/**
 * The filter of an incremental page: profiles updated after `since` (ISO 8601).
 *
 * @example
 * ```ts
 * updatedAfterFilter("2026-07-20T10:00:00.000Z"); // "greater-than(updated,2026-07-20T10:00:00.000Z)"
 * ```
 * @see https://developers.klaviyo.com/en/reference/api_overview#filtering
 */
export function updatedAfterFilter(since: string): string {
  return `greater-than(updated,${since})`;
}

/** Where an interrupted run resumes: the next page and the filter it belongs to. */
interface ProfilesCheckpoint {
  pageCursor: string;
  since: string | null;
  high: string | null;
}

function later(a: string | null, b: string | null | undefined): string | null {
  if (b === null || b === undefined || Number.isNaN(Date.parse(b))) return a;
  if (a === null) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function readCheckpoint(value: Json | null): ProfilesCheckpoint | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { pageCursor, since, high } = value as Record<string, Json>;
  if (typeof pageCursor !== "string") return undefined;
  return {
    pageCursor,
    since: typeof since === "string" ? since : null,
    high: typeof high === "string" ? high : null,
  };
}

function readCursor(value: Json | null): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const updated = (value as Record<string, Json>).updated;
  return typeof updated === "string" && !Number.isNaN(Date.parse(updated)) ? updated : null;
}

/**
 * Upsert one profile through profile import: `id` updates that profile;
 * without it Klaviyo matches an existing profile by email, phone number or
 * external id, else creates one. Answers 201 (created) or 200 (updated).
 *
 * @throws PatchbayError from the HTTP pipeline (e.g. a 409 `duplicate_profile`
 * when the identifiers belong to two different profiles, naming the pointer).
 * @example
 * ```ts
 * const profile = await importProfile(api, { email: "ada@example.com", first_name: "Ada" });
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_or_update_profile
 */
export async function importProfile(
  api: KlaviyoApi,
  input: KlaviyoProfileInput,
  id?: string,
): Promise<KlaviyoProfile> {
  const attributes = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  ) as components["schemas"]["ProfileUpsertQueryResourceObject"]["attributes"];
  const result = await api.POST(KLAVIYO_PATHS.profileImport, {
    body: { data: { type: "profile", ...(id !== undefined && { id }), attributes } },
  });
  return profileRecord(bodyOf(result, "POST /api/profile-import").data);
}

/**
 * Apply host changes through profile import, one request per change:
 * creates and updates both upsert (updates name the profile's id); Klaviyo's
 * API has no single-profile delete, so deletes are refused.
 *
 * @example
 * ```ts
 * await writeProfiles(api, [{ op: "create", internalId: "u1", data: { email: "ada@example.com", first_name: "Ada" } }]);
 * ```
 * @see https://developers.klaviyo.com/en/reference/create_or_update_profile
 */
export async function writeProfiles(
  api: KlaviyoApi,
  changes: WriteChange<KlaviyoProfile>[],
): Promise<WriteOutcome<KlaviyoProfile>[]> {
  const out: WriteOutcome<KlaviyoProfile>[] = [];
  for (const change of changes) {
    if (change.op === "delete") {
      out.push({
        ok: false,
        retryable: false,
        error:
          "Klaviyo's API does not delete single profiles; delete it in Klaviyo or request a data privacy deletion",
      });
      continue;
    }
    const parsed = KlaviyoProfileInputSchema.safeParse(change.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      out.push({
        ok: false,
        retryable: false,
        error: `profile field "${issue?.path.join(".") ?? "?"}" ${issue?.message ?? "is invalid"}`,
      });
      continue;
    }
    try {
      const record = await importProfile(
        api,
        parsed.data,
        change.op === "update" ? change.externalId : undefined,
      );
      out.push({ ok: true, externalId: record.id, data: record });
    } catch (error) {
      if (!(error instanceof PatchbayError)) throw error;
      out.push({ ok: false, error: error.message, retryable: error.retryable });
    }
  }
  return out;
}

/**
 * The `profiles` model, throttled per endpoint by `limiter`.
 *
 * @example
 * ```ts
 * models: { profiles: profilesModel(klaviyoRateLimiter()) }
 * ```
 * @see https://developers.klaviyo.com/en/reference/get_profiles
 */
export function profilesModel(limiter: RateLimiter) {
  const apiFor = (ctx: ConnectorContext<KlaviyoConfig>) =>
    klaviyoApi(ctx.http, {
      limiter,
      scopeKey: `klaviyo:${ctx.connection.id}`,
      ...(ctx.signal !== undefined && { signal: ctx.signal }),
    });
  return defineModel<typeof KlaviyoProfileSchema, KlaviyoConfig>({
    description:
      "Every profile of the account: identifiers (email, phone, external id), name, location and custom properties.",
    schema: KlaviyoProfileSchema,
    key: "id",
    volatile: ["last_event_date"],
    modes: ["full", "incremental"],
    updatedAt: (profile) => profile.updated ?? undefined,
    async *sync(ctx) {
      const api = apiFor(ctx);
      const resumed = readCheckpoint(ctx.checkpoint);
      const previous = readCursor(ctx.cursor);
      const since =
        resumed?.since ??
        (ctx.mode === "incremental" && previous !== null
          ? new Date(Date.parse(previous) - UPDATED_OVERLAP_MS).toISOString()
          : null);
      let high = resumed?.high ?? previous;
      let pageCursor = resumed?.pageCursor;
      for (;;) {
        const page = bodyOf(
          await api.GET(KLAVIYO_PATHS.profiles, {
            params: {
              query: {
                "page[size]": PROFILES_PAGE_SIZE,
                sort: "updated",
                ...(since !== null && { filter: updatedAfterFilter(since) }),
                ...(pageCursor !== undefined && { "page[cursor]": pageCursor }),
              },
            },
          }),
          "GET /api/profiles",
        );
        const records = page.data.map(profileRecord);
        for (const record of records) high = later(high, record.updated);
        pageCursor = nextCursor(page.links?.next);
        if (pageCursor === undefined) {
          yield { records, cursor: high === null ? null : { updated: high } };
          return;
        }
        yield { records, checkpoint: { pageCursor, since, high } };
      }
    },
    async read(ctx, ids) {
      const api = apiFor(ctx);
      const out: KlaviyoProfile[] = [];
      for (let i = 0; i < ids.length; i += PROFILES_PAGE_SIZE) {
        const chunk = ids.slice(i, i + PROFILES_PAGE_SIZE);
        const page = bodyOf(
          await api.GET(KLAVIYO_PATHS.profiles, {
            params: {
              query: {
                "page[size]": PROFILES_PAGE_SIZE,
                filter: `any(id,${JSON.stringify(chunk)})`,
              },
            },
          }),
          "GET /api/profiles",
        );
        out.push(...page.data.map(profileRecord));
      }
      return out;
    },
    defaultMapping: {
      email: "email",
      phone: "phone_number",
      externalId: "external_id",
      firstName: "first_name",
      lastName: "last_name",
    },
    writeBatchSize: 50,
    write: (ctx, changes) => writeProfiles(apiFor(ctx), changes),
  });
}
