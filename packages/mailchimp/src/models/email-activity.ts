import { defineModel, type Json, paginateOffset } from "@patchbay/core";
import { readMailchimpConfig } from "../config.js";
import { MAILCHIMP_PATHS, mailchimpPath } from "../endpoints.js";
import { formatMailchimpTime, laterOf } from "../mailchimp-time.js";
import {
  type MailchimpEmailActivity,
  type MailchimpEmailActivityPage,
  MailchimpEmailActivitySchema,
} from "../schemas.js";
import { campaignPages } from "./campaigns.js";

/** The incremental cursor: the newest send time of a campaign read. */
interface ActivityCursor {
  lastSendTime: string | null;
}

/** Where an interrupted run resumes: the campaign (by position) and the offset in its report. */
interface ActivityCheckpoint extends ActivityCursor {
  /** Campaigns of the listing already read completely. */
  campaignOffset: number;
  /** Recipients of the current campaign already read. */
  activityOffset: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function isCursor(value: Json | null): value is Json & ActivityCursor {
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && "lastSendTime" in value
  );
}

/**
 * The external id of an email-activity record: `${campaign_id}:${email_id}`.
 *
 * @example
 * ```ts
 * emailActivityKey({ campaign_id: "42694e9e57", email_id: subscriberHash("dj@kexp.org") });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/
 */
export function emailActivityKey(
  record: Pick<MailchimpEmailActivity, "campaign_id" | "email_id">,
): string {
  return `${record.campaign_id}:${record.email_id}`;
}

/**
 * The `emailActivity` model: one record per recipient of each sent campaign,
 * with every open, click and bounce (`GET /reports/{campaign_id}/email-activity`,
 * count/offset). A record existing means "the pitch was sent"; an `open` in
 * its `activity` means "and opened".
 *
 * Full runs read every sent campaign (and drop records of deleted ones).
 * Incremental runs re-read the campaigns sent within `activityWindowDays`
 * of the newest send time (opens and clicks cluster in the first days), each
 * record whole — Mailchimp's `since` filter would return partial activity.
 *
 * @example
 * ```ts
 * const page = await patchbay.records.changes({ tenantId, connectionId, model: "emailActivity" });
 * const opened = page.changes.filter((c) => c.raw.activity.some((a) => a.action === "open"));
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/list-email-activity/
 */
export function emailActivityModel(pageSize: number) {
  return defineModel({
    description:
      "Per-recipient opens, clicks and bounces of sent campaigns (one record per campaign and contact).",
    schema: MailchimpEmailActivitySchema,
    key: emailActivityKey,
    updatedAt: (record) =>
      record.activity.reduce<string | null>((at, a) => laterOf(at, a.timestamp), null) ?? undefined,
    modes: ["full", "incremental"],
    fullEvery: 24,
    async *sync(ctx) {
      const { activityWindowDays } = readMailchimpConfig(ctx.config);
      const checkpoint = ctx.checkpoint as (Json & ActivityCheckpoint) | null;
      const cursor = isCursor(ctx.cursor) ? ctx.cursor : null;
      let lastSendTime = checkpoint?.lastSendTime ?? cursor?.lastSendTime ?? null;
      const windowStart =
        ctx.mode === "incremental" && cursor?.lastSendTime
          ? formatMailchimpTime(Date.parse(cursor.lastSendTime) - activityWindowDays * DAY_MS)
          : undefined;
      let campaignOffset = checkpoint?.campaignOffset ?? 0;
      let resumeAt = checkpoint?.activityOffset ?? 0;
      for await (const campaigns of campaignPages(ctx.http, pageSize, campaignOffset, {
        sort_field: "send_time",
        status: "sent",
        since_send_time: windowStart,
      })) {
        for (const campaign of campaigns) {
          lastSendTime = laterOf(lastSendTime, campaign.send_time);
          let activityOffset = resumeAt;
          resumeAt = 0;
          for await (const emails of paginateOffset<unknown, MailchimpEmailActivityPage>(
            ctx.http,
            {
              path: mailchimpPath(MAILCHIMP_PATHS.emailActivity, { campaign_id: campaign.id }),
              query: { exclude_fields: "_links,emails._links" },
            },
            {
              items: (page) => page.emails,
              total: (page) => page.total_items,
              pageSize,
              limitParam: "count",
              startOffset: activityOffset,
            },
          )) {
            activityOffset += emails.length;
            const resume: ActivityCheckpoint = { campaignOffset, activityOffset, lastSendTime };
            yield { records: emails, checkpoint: resume as unknown as Json };
          }
          campaignOffset += 1;
        }
      }
      const next: ActivityCursor = { lastSendTime };
      yield { records: [], cursor: next as unknown as Json };
    },
  });
}
