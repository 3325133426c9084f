/**
 * The host app of the demo: a campaign tracker for radio promoters (brief 2).
 * Its pitches live in its own database (a JSON file here, standing in for
 * yours); Patchbay keeps them in step with a Google Sheet both ways and
 * marks a pitch replied when the DJ answers in Gmail.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Connection, Logger, Patchbay, RecordChange } from "@patchbay/core";
import { gmailReplyTracking } from "@patchbay/gmail";

/** Where a pitch stands. */
export const PITCH_STATUSES = [
  "Pitched",
  "Replied",
  "Interested",
  "Not interested",
  "Playlisted",
] as const;

/** One pitch: a song sent to a radio station's music director. */
export interface Pitch {
  id: string;
  artist: string;
  station: string;
  contactEmail: string;
  status: string;
  /** The DJ's reply, once one arrived through Gmail. */
  reply?: { snippet: string; classification: string; at: string };
  /** Set once Gmail sent it (the thread the reply will come in). */
  gmailThreadId?: string;
  updatedAt: string;
}

/** The host's field names, mapped to the sheet's columns. */
export const SHEET_COLUMNS = {
  artist: "Artist",
  station: "Station",
  contactEmail: "Contact",
  status: "Status",
} as const;

interface State {
  pitches: Pitch[];
  /** Change-feed cursors per connection and model (the host stores them, Patchbay hands them out). */
  cursors: Record<string, string>;
}

const SEED: Array<Omit<Pitch, "id" | "updatedAt">> = [
  {
    artist: "The Weekend Ravers",
    station: "KEXP",
    contactEmail: "morgan@kexp.example",
    status: "Pitched",
  },
  { artist: "Ada Lark", station: "WFMU", contactEmail: "pat@wfmu.example", status: "Pitched" },
  {
    artist: "Night Ferry",
    station: "BBC 6 Music",
    contactEmail: "jo@6music.example",
    status: "Interested",
  },
];

/** The tracker: pitches, and the glue that keeps them in step with the connected providers. */
export class Tracker {
  private state: State = { pitches: [], cursors: {} };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly linking = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly patchbay: Patchbay,
    readonly tenantId: string,
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  /** Loads the pitches (seeding three on first start) and listens to Patchbay. */
  async open(): Promise<void> {
    try {
      this.state = JSON.parse(await readFile(this.file, "utf8")) as State;
    } catch {
      const now = new Date().toISOString();
      this.state = {
        pitches: SEED.map((p) => ({ ...p, id: randomUUID(), updatedAt: now })),
        cursors: {},
      };
      await this.save();
    }
    this.patchbay.on("connection.created", ({ connection }) => {
      if (connection.tenantId === this.tenantId && !this.closed) void this.linked(connection);
    });
    this.patchbay.on("records.changed", (event) => {
      if (event.tenantId !== this.tenantId || this.closed) return;
      void this.serial(() => this.pull(event.connectionId, event.model)).catch((error) =>
        this.logger.error("tracker: applying synced changes failed", { error: String(error) }),
      );
    });
  }

  /** Stops reacting to Patchbay and waits for the work in flight (before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.queue, ...this.linking.values()]);
  }

  /** Every pitch, newest first. */
  list(): Pitch[] {
    return [...this.state.pitches].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  get(id: string): Pitch | undefined {
    return this.state.pitches.find((p) => p.id === id);
  }

  /** A pitch created in the app: saved here, then written to the sheet when one is connected. */
  async create(input: { artist: string; station: string; contactEmail: string }): Promise<Pitch> {
    const artist = input.artist.trim();
    const station = input.station.trim();
    const contactEmail = input.contactEmail.trim();
    if (artist === "") throw new TypeError('"artist" is required');
    if (station === "") throw new TypeError('"station" is required');
    if (!/^[^@\s]+@[^@\s]+$/.test(contactEmail))
      throw new TypeError('"contactEmail" must be an email address');
    const pitch: Pitch = {
      id: randomUUID(),
      artist,
      station,
      contactEmail,
      status: "Pitched",
      updatedAt: new Date().toISOString(),
    };
    await this.serial(async () => {
      this.state.pitches.push(pitch);
      await this.save();
    });
    await this.push("create", pitch);
    return pitch;
  }

  /** A status changed in the app: saved here, then written to the sheet. */
  async setStatus(id: string, status: string): Promise<Pitch> {
    const pitch = this.get(id);
    if (pitch === undefined) throw new TypeError(`no pitch "${id}"`);
    if (!(PITCH_STATUSES as readonly string[]).includes(status))
      throw new TypeError(`"status" must be one of ${PITCH_STATUSES.join(", ")}`);
    await this.serial(async () => {
      pitch.status = status;
      pitch.updatedAt = new Date().toISOString();
      await this.save();
    });
    await this.push("update", pitch);
    return pitch;
  }

  /** Sends the pitch from the connected Gmail account and tracks the thread for replies. */
  async sendWithGmail(id: string): Promise<Pitch> {
    const pitch = this.get(id);
    if (pitch === undefined) throw new TypeError(`no pitch "${id}"`);
    const connection = await this.active("gmail");
    if (connection === undefined) throw new TypeError("Connect Gmail first (Integrations page)");
    const sent = await gmailReplyTracking(this.patchbay).send(
      { tenantId: this.tenantId, connectionId: connection.id },
      {
        to: pitch.contactEmail,
        subject: `New single: ${pitch.artist}`,
        text: `Hi,\n\nI think ${pitch.artist}'s new single would sit well on ${pitch.station}. Listen here: https://example.com/${encodeURIComponent(pitch.artist)}\n\nBest,\nSam`,
        campaignId: pitch.id,
      },
    );
    await this.serial(async () => {
      pitch.gmailThreadId = sent.message.threadId;
      pitch.updatedAt = new Date().toISOString();
      await this.save();
    });
    return pitch;
  }

  /** The tenant's active connection to a connector, if any. */
  async active(connector: string): Promise<Connection | undefined> {
    const list = await this.patchbay.connections.list(this.tenantId, {
      connector,
      status: ["active"],
    });
    return list[0];
  }

  /** Resolves once a new Google Sheets connection has its spreadsheet (for pages that render right after connecting). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.linking.values()]);
  }

  /**
   * A new Google Sheets connection: create the "Pitch tracker" spreadsheet,
   * point the connection at it, map its columns to our fields, write every
   * pitch, and poll it every minute. A real app might let the user pick an
   * existing sheet instead (Google Picker); the sandbox keeps it one click.
   */
  private linked(connection: Connection): Promise<void> {
    if (connection.connector !== "google-sheets") return Promise.resolve();
    const existing = this.linking.get(connection.id);
    if (existing !== undefined) return existing;
    const task = (async () => {
      const ref = { tenantId: this.tenantId, connectionId: connection.id };
      const created = await this.patchbay.actions.run<{ spreadsheetId: string; sheetId: number }>({
        ...ref,
        action: "createSpreadsheet",
        input: { title: "Pitch tracker", headers: Object.values(SHEET_COLUMNS) },
      });
      await this.patchbay.connections.configure(this.tenantId, connection.id, {
        spreadsheetId: created.spreadsheetId,
        sheetId: created.sheetId,
      });
      await this.patchbay.connections.setFieldMapping(this.tenantId, connection.id, "rows", {
        ...SHEET_COLUMNS,
      });
      await this.patchbay.write({
        ...ref,
        model: "rows",
        changes: this.state.pitches.map((p) => ({
          op: "create" as const,
          internalId: p.id,
          data: this.sheetFields(p),
        })),
      });
      await this.patchbay.sync.schedule({
        ...ref,
        model: "rows",
        schedule: { kind: "every", minutes: 1 },
      });
    })().catch((error) => {
      this.logger.error("tracker: setting up the Pitch tracker sheet failed", {
        error: String(error),
      });
    });
    this.linking.set(connection.id, task);
    return task;
  }

  private sheetFields(p: Pitch): Record<string, unknown> {
    return { artist: p.artist, station: p.station, contactEmail: p.contactEmail, status: p.status };
  }

  /** Writes one app change to the sheet, when a sheet is connected. */
  private async push(op: "create" | "update", pitch: Pitch): Promise<void> {
    const connection = await this.active("google-sheets");
    if (connection === undefined || connection.config.spreadsheetId === undefined) return;
    const result = await this.patchbay.write({
      tenantId: this.tenantId,
      connectionId: connection.id,
      model: "rows",
      changes: [{ op, internalId: pitch.id, data: this.sheetFields(pitch) }],
    });
    const failed = result.results.find((r) => r.status === "failed");
    if (failed !== undefined)
      this.logger.warn("tracker: writing to the sheet failed", { error: failed.error });
  }

  /** Applies what a sync brought in: sheet rows and Gmail replies. */
  private async pull(connectionId: string, model: string): Promise<void> {
    const key = `${connectionId}/${model}`;
    for (;;) {
      const page = await this.patchbay.records.changes({
        tenantId: this.tenantId,
        connectionId,
        model,
        after: this.state.cursors[key],
        limit: 200,
      });
      for (const change of page.changes) {
        if (model === "rows") await this.applyRow(connectionId, change);
        if (model === "replies") this.applyReply(change);
      }
      this.state.cursors[key] = page.cursor;
      await this.save();
      if (!page.hasMore) return;
    }
  }

  private async applyRow(connectionId: string, change: RecordChange): Promise<void> {
    const data = (change.data ?? {}) as Record<string, unknown>;
    const text = (v: unknown) =>
      typeof v === "string" ? v.trim() : v === undefined || v === null ? "" : String(v);
    const existing = change.internalId === null ? undefined : this.get(change.internalId);
    if (change.kind === "deleted") {
      if (existing !== undefined)
        this.state.pitches = this.state.pitches.filter((p) => p !== existing);
      return;
    }
    if (existing !== undefined) {
      existing.artist = text(data.artist) || existing.artist;
      existing.station = text(data.station) || existing.station;
      existing.contactEmail = text(data.contactEmail) || existing.contactEmail;
      existing.status = text(data.status) || existing.status;
      existing.updatedAt = change.updatedAt.toISOString();
      return;
    }
    if (text(data.artist) === "") return; // an empty row the user has not filled in yet
    // A row someone added in the sheet: a new pitch here, linked to the row.
    const pitch: Pitch = {
      id: randomUUID(),
      artist: text(data.artist),
      station: text(data.station),
      contactEmail: text(data.contactEmail),
      status: text(data.status) || "Pitched",
      updatedAt: change.updatedAt.toISOString(),
    };
    this.state.pitches.push(pitch);
    await this.patchbay.records.setInternalId({
      tenantId: this.tenantId,
      connectionId,
      model: "rows",
      externalId: change.externalId,
      internalId: pitch.id,
    });
  }

  private applyReply(change: RecordChange): void {
    if (change.kind === "deleted") return;
    const reply = change.data as {
      campaignId?: string;
      snippet?: string;
      classification?: string;
      date?: string;
    };
    const pitch = reply.campaignId === undefined ? undefined : this.get(reply.campaignId);
    if (pitch === undefined) return;
    const classification = reply.classification ?? "other";
    // Gmail's snippet runs on into the quoted pitch: keep the DJ's own words.
    const snippet = (reply.snippet ?? "").split(/\s+On [^>]{0,120}wrote:/)[0]?.trim() ?? "";
    pitch.reply = { snippet, classification, at: reply.date ?? change.updatedAt.toISOString() };
    pitch.status =
      classification === "interested"
        ? "Interested"
        : classification === "not_interested"
          ? "Not interested"
          : "Replied";
    pitch.updatedAt = new Date().toISOString();
    // Keep the sheet in step with what the DJ said.
    void this.push("update", pitch).catch(() => undefined);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(task);
    this.queue = next;
    return next;
  }

  private async save(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(this.state, null, 2));
    await rename(tmp, this.file);
  }
}
