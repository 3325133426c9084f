import { defineModel, type HttpClient, type Json, paginateOffset } from "@patchbay/core";
import { MAILCHIMP_PATHS } from "../endpoints.js";
import { laterOf, sinceWithOverlap } from "../mailchimp-time.js";
import {
  type MailchimpCampaign,
  MailchimpCampaignSchema,
  type MailchimpCampaignsPage,
} from "../schemas.js";

/** The incremental cursor: the newest creation and send times seen. */
interface CampaignsCursor {
  created: string | null;
  sent: string | null;
}

/** Where an interrupted run resumes: which pass, how far into it, and the newest times seen. */
interface CampaignsCheckpoint extends CampaignsCursor {
  phase: "all" | "created" | "sent";
  offset: number;
}

function isCursor(value: Json | null): value is Json & CampaignsCursor {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "created" in value;
}

/**
 * Page through campaigns (`GET /campaigns`, count/offset) sorted by a time
 * field, ascending, with Mailchimp's own filters.
 *
 * @example
 * ```ts
 * for await (const sent of campaignPages(http, 1000, 0, { status: "sent", sort_field: "send_time" })) { ... }
 * ```
 * @see https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/
 */
export function campaignPages(
  http: HttpClient,
  pageSize: number,
  startOffset: number,
  query: {
    sort_field: "create_time" | "send_time";
    status?: string;
    since_create_time?: string;
    since_send_time?: string;
  },
): AsyncGenerator<MailchimpCampaign[]> {
  return paginateOffset<MailchimpCampaign, MailchimpCampaignsPage>(
    http,
    {
      path: MAILCHIMP_PATHS.campaigns,
      query: { ...query, sort_dir: "ASC", exclude_fields: "_links,campaigns._links" },
    },
    {
      items: (page) => page.campaigns,
      total: (page) => page.total_items,
      pageSize,
      limitParam: "count",
      startOffset,
    },
  );
}

function newest(cursor: CampaignsCursor, campaigns: readonly MailchimpCampaign[]): CampaignsCursor {
  let { created, sent } = cursor;
  for (const c of campaigns) {
    created = laterOf(created, c.create_time);
    sent = laterOf(sent, c.send_time);
  }
  return { created, sent };
}

/**
 * The `campaigns` model: every campaign of the account with its status,
 * recipients, settings and report summary.
 *
 * Incremental runs ask twice — campaigns created since the newest creation
 * time seen (`since_create_time`), and campaigns sent since the newest send
 * time seen (`since_send_time`), which catches a draft created long ago and
 * sent now. Report counters of older campaigns move without either time
 * changing, so a full run every 12 incremental runs refreshes them.
 *
 * @example
 * ```ts
 * await patchbay.sync.run({ tenantId, connectionId, model: "campaigns" });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/
 */
export function campaignsModel(pageSize: number) {
  return defineModel({
    description:
      "Campaigns with status, recipients and report summary; incremental by create and send time.",
    schema: MailchimpCampaignSchema,
    key: "id",
    modes: ["full", "incremental"],
    fullEvery: 12,
    async *sync(ctx) {
      const checkpoint = ctx.checkpoint as (Json & CampaignsCheckpoint) | null;
      const cursor: CampaignsCursor = isCursor(ctx.cursor)
        ? { created: ctx.cursor.created, sent: ctx.cursor.sent }
        : { created: null, sent: null };
      let seen: CampaignsCursor = checkpoint ?? cursor;
      const incremental = ctx.mode === "incremental" && cursor.created !== null;
      const passes: Array<{
        phase: CampaignsCheckpoint["phase"];
        query: Parameters<typeof campaignPages>[3];
      }> = incremental
        ? [
            {
              phase: "created",
              query: {
                sort_field: "create_time",
                since_create_time: sinceWithOverlap(cursor.created as string),
              },
            },
            {
              phase: "sent",
              query: {
                sort_field: "send_time",
                // Nothing sent yet: anything sent after the newest creation is new.
                since_send_time: sinceWithOverlap((cursor.sent ?? cursor.created) as string),
              },
            },
          ]
        : [{ phase: "all", query: { sort_field: "create_time" } }];
      let skip = checkpoint !== null;
      for (const pass of passes) {
        if (skip && pass.phase !== checkpoint?.phase) continue;
        let offset = skip ? (checkpoint?.offset ?? 0) : 0;
        skip = false;
        for await (const campaigns of campaignPages(ctx.http, pageSize, offset, pass.query)) {
          offset += campaigns.length;
          seen = newest(seen, campaigns);
          const resume: CampaignsCheckpoint = { phase: pass.phase, offset, ...seen };
          yield { records: campaigns, checkpoint: resume as unknown as Json };
        }
      }
      const next: CampaignsCursor = { created: seen.created, sent: seen.sent };
      yield { records: [], cursor: next as unknown as Json };
    },
  });
}
