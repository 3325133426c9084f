import {
  type ConnectorContext,
  defineModel,
  type HttpClient,
  type Json,
  NotFoundError,
  PatchbayError,
  paginateOffset,
  type WriteChange,
  type WriteOutcome,
} from "@patchbay/core";
import { readMailchimpConfig, requireListId } from "../config.js";
import { MAILCHIMP_PATHS, mailchimpPath } from "../endpoints.js";
import { laterOf, sinceWithOverlap } from "../mailchimp-time.js";
import {
  type MailchimpMember,
  MailchimpMemberSchema,
  type MailchimpMembersPage,
} from "../schemas.js";
import { subscriberHash } from "../subscriber-hash.js";

/** Where an interrupted members run resumes. */
interface MembersCheckpoint {
  phase: "members" | "archived";
  offset: number;
  /** The newest `last_changed` seen so far. */
  high: string | null;
}

/** The incremental cursor: the audience it belongs to and the newest `last_changed` seen. */
interface MembersCursor {
  listId: string;
  lastChanged: string | null;
}

/** Statuses a write may set; `cleaned` and `archived` are Mailchimp's to give. */
const SETTABLE_STATUSES = new Set(["subscribed", "unsubscribed", "pending", "transactional"]);

function isCursor(value: Json | null): value is Json & MembersCursor {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    typeof value.listId === "string"
  );
}

function membersPages(
  http: HttpClient,
  listId: string,
  pageSize: number,
  startOffset: number,
  filter: { since?: string; status?: string },
): AsyncGenerator<MailchimpMember[]> {
  return paginateOffset<MailchimpMember, MailchimpMembersPage>(
    http,
    {
      path: mailchimpPath(MAILCHIMP_PATHS.members, { list_id: listId }),
      query: {
        sort_field: "last_changed",
        sort_dir: "ASC",
        since_last_changed: filter.since,
        status: filter.status,
        exclude_fields: "_links,members._links,members.stats",
      },
    },
    {
      items: (page) => page.members,
      total: (page) => page.total_items,
      pageSize,
      limitParam: "count",
      startOffset,
    },
  );
}

function newestChange(high: string | null, members: readonly MailchimpMember[]): string | null {
  let out = high;
  for (const member of members) out = laterOf(out, member.last_changed);
  return out;
}

/** Tag names from a host record: `[{ name }]`, `[{ id, name }]` or plain strings. */
function tagNames(tags: unknown): string[] | undefined {
  if (!Array.isArray(tags)) return undefined;
  const names = tags.map((tag) =>
    typeof tag === "string"
      ? tag
      : tag !== null && typeof tag === "object" && typeof tag.name === "string"
        ? tag.name
        : undefined,
  );
  if (names.some((name) => name === undefined || name.trim() === "")) {
    throw new TypeError('"tags" must be an array of tag names or of { name } objects');
  }
  return [...new Set(names as string[])];
}

function failure(error: unknown): WriteOutcome<MailchimpMember> {
  return {
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    ...(error instanceof PatchbayError ? { retryable: error.retryable } : {}),
  };
}

/**
 * Upsert one member by subscriber hash (`PUT`, with `status_if_new`), then
 * make its tags exactly the ones asked for (`POST …/tags` with `active` /
 * `inactive`), and return the member as Mailchimp now holds it.
 */
async function upsertMember(
  ctx: ConnectorContext,
  listId: string,
  statusIfNew: string,
  change: Extract<WriteChange<MailchimpMember>, { op: "create" | "update" }>,
): Promise<MailchimpMember> {
  const data = change.data as Partial<MailchimpMember> & { tags?: unknown };
  const email = typeof data.email_address === "string" ? data.email_address.trim() : "";
  if (email === "") throw new TypeError('"email_address" is required to write a Mailchimp member');
  const desiredTags = tagNames(data.tags);
  const status =
    typeof data.status === "string" && SETTABLE_STATUSES.has(data.status) ? data.status : undefined;
  // Creating never sends `status`: an existing contact who unsubscribed stays
  // unsubscribed; `status_if_new` applies only to a new one.
  const hash = change.op === "update" ? change.externalId : subscriberHash(email);
  const body: Record<string, unknown> = {
    email_address: email,
    status_if_new: change.op === "create" && status !== undefined ? status : statusIfNew,
    ...(change.op === "update" && status !== undefined ? { status } : {}),
    ...(data.merge_fields !== undefined ? { merge_fields: data.merge_fields } : {}),
    ...(typeof data.email_type === "string" ? { email_type: data.email_type } : {}),
    ...(typeof data.language === "string" ? { language: data.language } : {}),
    ...(typeof data.vip === "boolean" ? { vip: data.vip } : {}),
  };
  const path = (subscriber_hash: string) =>
    mailchimpPath(MAILCHIMP_PATHS.member, { list_id: listId, subscriber_hash });
  let { data: member } = await ctx.http.put<MailchimpMember>(path(hash), { json: body });
  if (desiredTags !== undefined) {
    const current = new Set((member.tags ?? []).map((tag) => tag.name));
    const wanted = new Set(desiredTags);
    const tags = [
      ...desiredTags
        .filter((name) => !current.has(name))
        .map((name) => ({ name, status: "active" })),
      ...[...current]
        .filter((name) => !wanted.has(name))
        .map((name) => ({ name, status: "inactive" })),
    ];
    if (tags.length > 0) {
      await ctx.http.post(
        mailchimpPath(MAILCHIMP_PATHS.memberTags, { list_id: listId, subscriber_hash: member.id }),
        { json: { tags }, idempotent: true },
      );
      member = (await ctx.http.get<MailchimpMember>(path(member.id))).data;
    }
  }
  return member;
}

/**
 * The `members` model: the members of the configured audience (`listId`).
 *
 * - **Sync**: `GET /lists/{list_id}/members` sorted by `last_changed`
 *   ascending, `count` ≤ 1000 with `offset`. Incremental runs pass
 *   `since_last_changed` (the newest change seen, minus a second), and read
 *   `status=archived` members changed since then as deletions, because
 *   archived members are left out of ordinary listings.
 * - **Key**: `id`, the subscriber hash (MD5 of the lowercase email).
 * - **Write**: create and update upsert by subscriber hash (`PUT` with
 *   `status_if_new`, never overriding an existing contact's status on
 *   create); `tags` are set exactly (`POST …/tags`); delete **archives** the
 *   member (`DELETE`), which keeps its history and lets it be re-added.
 * - **Read**: `GET` each member, for conflict detection.
 *
 * @example
 * ```ts
 * await patchbay.write({ tenantId, connectionId, model: "members", changes: [
 *   { op: "create", internalId: "c_1", data: { email: "dj@kexp.org", status: "subscribed", tags: ["radio"] } },
 * ] });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/
 */
export function membersModel(pageSize: number) {
  return defineModel({
    description:
      "Members of the configured audience; incremental by last_changed; upsert by subscriber hash, tags, archive.",
    schema: MailchimpMemberSchema,
    key: "id",
    updatedAt: (member) => member.last_changed,
    modes: ["full", "incremental"],
    fullEvery: 24,
    defaultMapping: {
      email: "email_address",
      status: "status",
      mergeFields: "merge_fields",
      tags: "tags",
      lastChanged: "last_changed",
    },
    async *sync(ctx) {
      const listId = requireListId(readMailchimpConfig(ctx.config));
      const checkpoint = ctx.checkpoint as (Json & MembersCheckpoint) | null;
      const cursor = isCursor(ctx.cursor) && ctx.cursor.listId === listId ? ctx.cursor : null;
      const since =
        ctx.mode === "incremental" && cursor?.lastChanged
          ? sinceWithOverlap(cursor.lastChanged)
          : undefined;
      let high = checkpoint?.high ?? cursor?.lastChanged ?? null;
      if (checkpoint?.phase !== "archived") {
        let offset = checkpoint?.offset ?? 0;
        for await (const members of membersPages(ctx.http, listId, pageSize, offset, { since })) {
          offset += members.length;
          high = newestChange(high, members);
          yield { records: members, checkpoint: { phase: "members", offset, high } };
        }
      }
      if (since !== undefined) {
        // Archived members vanish from listings: read them as tombstones.
        let offset = checkpoint?.phase === "archived" ? checkpoint.offset : 0;
        for await (const members of membersPages(ctx.http, listId, pageSize, offset, {
          since,
          status: "archived",
        })) {
          offset += members.length;
          high = newestChange(high, members);
          yield {
            records: [],
            deleted: members.map((m) => m.id),
            checkpoint: { phase: "archived", offset, high },
          };
        }
      }
      const next: MembersCursor = { listId, lastChanged: high };
      yield { records: [], cursor: next as unknown as Json };
    },
    async read(ctx, ids) {
      const listId = requireListId(readMailchimpConfig(ctx.config));
      const out: MailchimpMember[] = [];
      // Ten at a time: Mailchimp allows ten simultaneous connections.
      for (let i = 0; i < ids.length; i += 10) {
        const found = await Promise.all(
          ids.slice(i, i + 10).map(async (id) => {
            try {
              const { data } = await ctx.http.get<MailchimpMember>(
                mailchimpPath(MAILCHIMP_PATHS.member, { list_id: listId, subscriber_hash: id }),
              );
              return data.status === "archived" ? undefined : data;
            } catch (error) {
              if (error instanceof NotFoundError) return undefined;
              throw error;
            }
          }),
        );
        for (const member of found) if (member !== undefined) out.push(member);
      }
      return out;
    },
    async write(ctx, changes) {
      const config = readMailchimpConfig(ctx.config);
      const listId = requireListId(config);
      const out: WriteOutcome<MailchimpMember>[] = [];
      for (const change of changes) {
        try {
          if (change.op === "delete") {
            try {
              await ctx.http.delete(
                mailchimpPath(MAILCHIMP_PATHS.member, {
                  list_id: listId,
                  subscriber_hash: change.externalId,
                }),
              );
            } catch (error) {
              // Already archived or gone: the outcome the host asked for.
              if (!(error instanceof NotFoundError)) throw error;
            }
            out.push({ ok: true, externalId: change.externalId });
            continue;
          }
          const member = await upsertMember(ctx, listId, config.statusIfNew, change);
          out.push({ ok: true, externalId: member.id, data: member });
        } catch (error) {
          out.push(failure(error));
        }
      }
      return out;
    },
  });
}
