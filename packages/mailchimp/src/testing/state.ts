/**
 * The fake Mailchimp account: audiences, members, campaigns, their reports
 * and webhooks, kept in memory and changed both by API calls (through the
 * handlers) and by the "outside world" helpers (a subscriber signs up, a
 * campaign is sent, a recipient opens it).
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import { formatMailchimpTime } from "../mailchimp-time.js";
import type {
  MailchimpActivity,
  MailchimpAudienceSchema,
  MailchimpCampaignSchema,
  MailchimpEmailActivitySchema,
  MailchimpMemberSchema,
  MailchimpWebhook,
} from "../schemas.js";
import { subscriberHash } from "../subscriber-hash.js";

/**
 * Member statuses the fake stores.
 * @example
 * ```ts
 * const status: FakeMemberStatus = "unsubscribed";
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/
 */
export type FakeMemberStatus = z.infer<typeof MailchimpMemberSchema>["status"];

/**
 * Who caused a change, as Mailchimp's webhook `sources` name it.
 * @example
 * ```ts
 * fake.unsubscribe(listId, "dj@kexp.org", "admin");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-webhooks/add-webhook/
 */
export type FakeChangeSource = "user" | "admin" | "api";

/**
 * A stored member.
 * @example
 * ```ts
 * const member: FakeMember | undefined = fake.state.member(listId, "dj@kexp.org");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/
 */
export interface FakeMember {
  seq: number;
  id: string;
  email_address: string;
  unique_email_id: string;
  contact_id: string;
  web_id: number;
  email_type: string;
  status: FakeMemberStatus;
  merge_fields: Record<string, string>;
  ip_signup: string;
  timestamp_signup: string;
  ip_opt: string;
  timestamp_opt: string;
  last_changed: string;
  language: string;
  vip: boolean;
  source: string;
  tags: Array<{ id: number; name: string }>;
  list_id: string;
}

/**
 * A stored audience with its members and webhooks.
 * @example
 * ```ts
 * const audience: FakeAudience = fake.seedAudience({ members: 10 });
 * ```
 * @see https://mailchimp.com/developer/marketing/api/lists/
 */
export interface FakeAudience {
  id: string;
  web_id: number;
  name: string;
  date_created: string;
  members: Map<string, FakeMember>;
  webhooks: Map<string, MailchimpWebhook>;
  tagIds: Map<string, number>;
}

/**
 * One recipient's report entry.
 * @example
 * ```ts
 * const recipient: FakeRecipient | undefined = fake.state.campaign(id).recipients.get(hash);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/email-activity-reports/
 */
export interface FakeRecipient {
  email_id: string;
  email_address: string;
  activity: MailchimpActivity[];
}

/**
 * A stored campaign.
 * @example
 * ```ts
 * const campaign: FakeCampaign = fake.state.campaign(id);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/campaigns/
 */
export interface FakeCampaign {
  seq: number;
  id: string;
  web_id: number;
  type: string;
  create_time: string;
  status: "save" | "sent";
  send_time: string;
  list_id: string;
  subject_line: string;
  title: string;
  from_name: string;
  reply_to: string;
  recipients: Map<string, FakeRecipient>;
}

/**
 * A webhook delivery waiting to be sent (see `deliverWebhooks`).
 * @example
 * ```ts
 * const queued: FakeWebhookEvent[] = fake.state.outbox;
 * ```
 * @see https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/
 */
export interface FakeWebhookEvent {
  url: string;
  fields: Array<[string, string]>;
}

/**
 * A member as the API returns it (plus fields the connector ignores).
 * @example
 * ```ts
 * const members: WireMember[] = fake.members(listId);
 * ```
 * @see https://mailchimp.com/developer/marketing/api/list-members/list-members-info/
 */
export type WireMember = z.input<typeof MailchimpMemberSchema> & {
  stats: { avg_open_rate: number; avg_click_rate: number };
  _links: unknown[];
};

function hex(kind: string, n: number, length: number): string {
  return createHash("sha1").update(`mailchimp-fake:${kind}:${n}`).digest("hex").slice(0, length);
}

/** The "YYYY-MM-DD HH:MM:SS" of webhook `fired_at`. */
function firedAt(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * The state of one fake Mailchimp account.
 *
 * @example
 * ```ts
 * const state = new MailchimpFakeState(() => Date.now());
 * const list = state.createAudience("Radio contacts");
 * state.saveMember(list.id, "dj@kexp.org", { status: "subscribed" }, "admin");
 * ```
 * @see https://mailchimp.com/developer/marketing/api/
 */
export class MailchimpFakeState {
  readonly audiences = new Map<string, FakeAudience>();
  readonly campaigns = new Map<string, FakeCampaign>();
  /** Deliveries queued for registered webhooks. */
  readonly outbox: FakeWebhookEvent[] = [];
  #counter = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The current time, formatted as Mailchimp does. */
  stamp(): string {
    return formatMailchimpTime(this.#now());
  }

  #next(): number {
    this.#counter += 1;
    return this.#counter;
  }

  createAudience(name: string, id?: string): FakeAudience {
    const n = this.#next();
    const audience: FakeAudience = {
      id: id ?? hex("list", n, 10),
      web_id: 100_000 + n,
      name,
      date_created: this.stamp(),
      members: new Map(),
      webhooks: new Map(),
      tagIds: new Map(),
    };
    if (this.audiences.has(audience.id)) throw new Error(`audience ${audience.id} already exists`);
    this.audiences.set(audience.id, audience);
    return audience;
  }

  audience(listId: string): FakeAudience {
    const audience = this.audiences.get(listId);
    if (audience === undefined) throw new Error(`the fake has no audience "${listId}"`);
    return audience;
  }

  /** A member by subscriber hash or email address (archived ones included). */
  member(listId: string, hashOrEmail: string): FakeMember | undefined {
    const hash = hashOrEmail.includes("@") ? subscriberHash(hashOrEmail) : hashOrEmail;
    return this.audiences.get(listId)?.members.get(hash);
  }

  /**
   * Create or update a member by email. Unknown fields stay as they are;
   * `status` changes the status (a new member gets `status ?? "subscribed"`).
   * Queues the webhook events Mailchimp would send.
   */
  saveMember(
    listId: string,
    email: string,
    changes: {
      status?: FakeMemberStatus;
      merge_fields?: Record<string, unknown>;
      email_type?: string;
      language?: string;
      vip?: boolean;
      source?: string;
    },
    source: FakeChangeSource,
  ): FakeMember {
    const audience = this.audience(listId);
    const id = subscriberHash(email);
    const now = this.stamp();
    const existing = audience.members.get(id);
    const merges = Object.fromEntries(
      Object.entries(changes.merge_fields ?? {}).map(([k, v]) => [
        k,
        v === null || v === undefined ? "" : String(v),
      ]),
    );
    if (existing === undefined || existing.status === "archived") {
      const n = this.#next();
      const status = changes.status ?? "subscribed";
      const member: FakeMember = {
        seq: existing?.seq ?? n,
        id,
        email_address: email.trim(),
        unique_email_id: existing?.unique_email_id ?? hex("ueid", n, 10),
        contact_id: existing?.contact_id ?? hex("contact", n, 32),
        web_id: existing?.web_id ?? 500_000 + n,
        email_type: changes.email_type ?? existing?.email_type ?? "html",
        status,
        merge_fields: { FNAME: "", LNAME: "", ...existing?.merge_fields, ...merges },
        ip_signup: "",
        timestamp_signup: existing?.timestamp_signup ?? now,
        ip_opt: status === "subscribed" ? "198.51.100.7" : "",
        timestamp_opt: status === "subscribed" ? now : "",
        last_changed: now,
        language: changes.language ?? existing?.language ?? "",
        vip: changes.vip ?? existing?.vip ?? false,
        source:
          changes.source ?? existing?.source ?? (source === "api" ? "API - Generic" : "Admin Add"),
        tags: existing?.tags ?? [],
        list_id: listId,
      };
      audience.members.set(id, member);
      if (status === "subscribed") this.#emit(audience, "subscribe", source, member);
      return member;
    }
    const before = existing.status;
    const merged = { ...existing.merge_fields, ...merges };
    const profileChanged =
      JSON.stringify(merged) !== JSON.stringify(existing.merge_fields) ||
      (changes.email_type !== undefined && changes.email_type !== existing.email_type) ||
      (changes.language !== undefined && changes.language !== existing.language) ||
      (changes.vip !== undefined && changes.vip !== existing.vip);
    const statusChanged = changes.status !== undefined && changes.status !== before;
    if (!profileChanged && !statusChanged) return existing;
    existing.merge_fields = merged;
    if (changes.email_type !== undefined) existing.email_type = changes.email_type;
    if (changes.language !== undefined) existing.language = changes.language;
    if (changes.vip !== undefined) existing.vip = changes.vip;
    if (statusChanged) {
      existing.status = changes.status as FakeMemberStatus;
      if (existing.status === "subscribed") {
        existing.timestamp_opt = now;
        existing.ip_opt = "198.51.100.7";
      }
    }
    existing.last_changed = now;
    if (statusChanged && existing.status === "subscribed")
      this.#emit(audience, "subscribe", source, existing);
    else if (statusChanged && existing.status === "unsubscribed")
      this.#emit(audience, "unsubscribe", source, existing, [
        ["data[action]", "unsub"],
        ["data[reason]", "manual"],
      ]);
    else if (statusChanged && existing.status === "cleaned")
      this.#emit(audience, "cleaned", source, existing, [["data[reason]", "hard"]]);
    else this.#emit(audience, "profile", source, existing);
    return existing;
  }

  /** Change a member's address: its subscriber hash changes with it. */
  changeEmail(
    listId: string,
    member: FakeMember,
    newEmail: string,
    source: FakeChangeSource,
  ): FakeMember {
    const audience = this.audience(listId);
    const newId = subscriberHash(newEmail);
    const oldEmail = member.email_address;
    audience.members.delete(member.id);
    const moved: FakeMember = {
      ...member,
      id: newId,
      email_address: newEmail.trim(),
      last_changed: this.stamp(),
    };
    audience.members.set(newId, moved);
    for (const hook of this.#hooks(audience, "upemail", source)) {
      this.outbox.push({
        url: hook.url,
        fields: [
          ["type", "upemail"],
          ["fired_at", firedAt(this.#now())],
          ["data[list_id]", listId],
          ["data[new_id]", newId],
          ["data[new_email]", moved.email_address],
          ["data[old_email]", oldEmail],
        ],
      });
    }
    return moved;
  }

  /** Archive (Mailchimp's "delete" of a contact). */
  archive(listId: string, member: FakeMember, source: FakeChangeSource): void {
    const audience = this.audience(listId);
    member.status = "archived";
    member.last_changed = this.stamp();
    this.#emit(audience, "unsubscribe", source, member, [
      ["data[action]", "delete"],
      ["data[reason]", "manual"],
    ]);
  }

  /** Add (`active`) or remove (`inactive`) tags. Returns whether anything changed. */
  setTags(
    listId: string,
    member: FakeMember,
    tags: Array<{ name: string; status: "active" | "inactive" }>,
  ): boolean {
    const audience = this.audience(listId);
    let changed = false;
    for (const { name, status } of tags) {
      const has = member.tags.some((t) => t.name === name);
      if (status === "active" && !has) {
        let id = audience.tagIds.get(name);
        if (id === undefined) {
          id = 5500 + audience.tagIds.size + 1;
          audience.tagIds.set(name, id);
        }
        member.tags = [...member.tags, { id, name }];
        changed = true;
      } else if (status === "inactive" && has) {
        member.tags = member.tags.filter((t) => t.name !== name);
        changed = true;
      }
    }
    return changed;
  }

  createCampaign(input: {
    listId: string;
    subject: string;
    title?: string;
    fromName?: string;
    replyTo?: string;
  }): FakeCampaign {
    this.audience(input.listId);
    const n = this.#next();
    const campaign: FakeCampaign = {
      seq: n,
      id: hex("campaign", n, 10),
      web_id: 900_000 + n,
      type: "regular",
      create_time: this.stamp(),
      status: "save",
      send_time: "",
      list_id: input.listId,
      subject_line: input.subject,
      title: input.title ?? input.subject,
      from_name: input.fromName ?? "Patchbay Promotions",
      reply_to: input.replyTo ?? "promo@example.com",
      recipients: new Map(),
    };
    this.campaigns.set(campaign.id, campaign);
    return campaign;
  }

  campaign(campaignId: string): FakeCampaign {
    const campaign = this.campaigns.get(campaignId);
    if (campaign === undefined) throw new Error(`the fake has no campaign "${campaignId}"`);
    return campaign;
  }

  send(campaign: FakeCampaign, emails: readonly string[]): void {
    const audience = this.audience(campaign.list_id);
    for (const email of emails) {
      const member = audience.members.get(subscriberHash(email));
      if (member === undefined || member.status === "archived") {
        throw new Error(`cannot send to ${email}: not a member of audience ${audience.id}`);
      }
      campaign.recipients.set(member.id, {
        email_id: member.id,
        email_address: member.email_address,
        activity: [],
      });
    }
    campaign.status = "sent";
    campaign.send_time = this.stamp();
  }

  record(
    campaignId: string,
    email: string,
    entry: Omit<MailchimpActivity, "timestamp">,
  ): MailchimpActivity {
    const campaign = this.campaign(campaignId);
    const recipient = campaign.recipients.get(subscriberHash(email));
    if (recipient === undefined) throw new Error(`${email} was not sent campaign ${campaignId}`);
    const activity: MailchimpActivity = { ...entry, timestamp: this.stamp() };
    recipient.activity.push(activity);
    return activity;
  }

  // ── Wire shapes ──

  wireMember(member: FakeMember): WireMember {
    const { FNAME = "", LNAME = "" } = member.merge_fields;
    return {
      id: member.id,
      email_address: member.email_address,
      unique_email_id: member.unique_email_id,
      contact_id: member.contact_id,
      full_name: `${FNAME} ${LNAME}`.trim(),
      web_id: member.web_id,
      email_type: member.email_type,
      status: member.status,
      merge_fields: { ...member.merge_fields },
      stats: { avg_open_rate: 0, avg_click_rate: 0 },
      ip_signup: member.ip_signup,
      timestamp_signup: member.timestamp_signup,
      ip_opt: member.ip_opt,
      timestamp_opt: member.timestamp_opt,
      member_rating: 2,
      last_changed: member.last_changed,
      language: member.language,
      vip: member.vip,
      email_client: "",
      source: member.source,
      tags_count: member.tags.length,
      tags: member.tags.map((t) => ({ ...t })),
      list_id: member.list_id,
      _links: [],
    } satisfies WireMember;
  }

  wireAudience(audience: FakeAudience) {
    const members = [...audience.members.values()];
    const count = (status: FakeMemberStatus) => members.filter((m) => m.status === status).length;
    const campaigns = [...this.campaigns.values()].filter(
      (c) => c.list_id === audience.id && c.status === "sent",
    );
    return {
      id: audience.id,
      web_id: audience.web_id,
      name: audience.name,
      contact: {
        company: "Patchbay Promotions",
        address1: "1 Main St",
        city: "Atlanta",
        state: "GA",
        zip: "30318",
        country: "US",
      },
      permission_reminder: "You signed up for radio promos.",
      date_created: audience.date_created,
      list_rating: 3,
      email_type_option: false,
      visibility: "prv",
      double_optin: false,
      stats: {
        member_count: count("subscribed"),
        unsubscribe_count: count("unsubscribed"),
        cleaned_count: count("cleaned"),
        campaign_count: campaigns.length,
        last_sub_date: "",
        last_unsub_date: "",
      },
      _links: [],
    } satisfies z.input<typeof MailchimpAudienceSchema> & Record<string, unknown>;
  }

  wireCampaign(campaign: FakeCampaign) {
    const recipients = [...campaign.recipients.values()];
    const opens = recipients.flatMap((r) => r.activity.filter((a) => a.action === "open"));
    const clicks = recipients.flatMap((r) => r.activity.filter((a) => a.action === "click"));
    const uniqueOpens = recipients.filter((r) =>
      r.activity.some((a) => a.action === "open"),
    ).length;
    const clickers = recipients.filter((r) => r.activity.some((a) => a.action === "click")).length;
    const sent = recipients.length;
    const audience = this.audiences.get(campaign.list_id);
    return {
      id: campaign.id,
      web_id: campaign.web_id,
      type: campaign.type,
      create_time: campaign.create_time,
      archive_url: `https://mailchi.mp/example/${campaign.id}`,
      long_archive_url: `https://us6.campaign-archive.com/?u=fake&id=${campaign.id}`,
      status: campaign.status,
      emails_sent: sent,
      send_time: campaign.send_time,
      content_type: "template",
      needs_block_refresh: false,
      resendable: false,
      recipients: {
        list_id: campaign.list_id,
        list_is_active: audience !== undefined,
        list_name: audience?.name ?? "",
        segment_text: "",
        recipient_count: campaign.status === "sent" ? sent : (audience?.members.size ?? 0),
      },
      settings: {
        subject_line: campaign.subject_line,
        preview_text: "",
        title: campaign.title,
        from_name: campaign.from_name,
        reply_to: campaign.reply_to,
      },
      ...(campaign.status === "sent"
        ? {
            report_summary: {
              opens: opens.length,
              unique_opens: uniqueOpens,
              open_rate: sent === 0 ? 0 : uniqueOpens / sent,
              clicks: clicks.length,
              subscriber_clicks: clickers,
              click_rate: sent === 0 ? 0 : clickers / sent,
            },
          }
        : {}),
      _links: [],
    } satisfies z.input<typeof MailchimpCampaignSchema> & Record<string, unknown>;
  }

  wireEmailActivity(campaign: FakeCampaign, recipient: FakeRecipient, since?: number) {
    return {
      campaign_id: campaign.id,
      list_id: campaign.list_id,
      list_is_active: this.audiences.has(campaign.list_id),
      email_id: recipient.email_id,
      email_address: recipient.email_address,
      activity: recipient.activity
        .filter((a) => since === undefined || Date.parse(a.timestamp) > since)
        .map((a) => ({ ...a })),
      _links: [],
    } satisfies z.input<typeof MailchimpEmailActivitySchema> & Record<string, unknown>;
  }

  // ── Webhook events ──

  #hooks(audience: FakeAudience, type: keyof MailchimpWebhook["events"], source: FakeChangeSource) {
    return [...audience.webhooks.values()].filter(
      (h) => h.events[type] === true && h.sources[source] === true,
    );
  }

  /** The form fields of a member event, as Mailchimp posts them. */
  memberEventFields(
    type: string,
    member: FakeMember,
    extra: Array<[string, string]> = [],
  ): Array<[string, string]> {
    return [
      ["type", type],
      ["fired_at", firedAt(this.#now())],
      ["data[id]", member.id],
      ["data[list_id]", member.list_id],
      ["data[email]", member.email_address],
      ["data[email_type]", member.email_type],
      ["data[web_id]", String(member.web_id)],
      ["data[ip_opt]", member.ip_opt],
      ["data[ip_signup]", member.ip_signup],
      ["data[merges][EMAIL]", member.email_address],
      ...Object.entries(member.merge_fields).map(
        ([k, v]) => [`data[merges][${k}]`, v] as [string, string],
      ),
      ...extra,
    ];
  }

  #emit(
    audience: FakeAudience,
    type: "subscribe" | "unsubscribe" | "profile" | "cleaned",
    source: FakeChangeSource,
    member: FakeMember,
    extra: Array<[string, string]> = [],
  ): void {
    for (const hook of this.#hooks(audience, type, source)) {
      this.outbox.push({ url: hook.url, fields: this.memberEventFields(type, member, extra) });
    }
  }
}
