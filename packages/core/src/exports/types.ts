/**
 * Scheduled exports: what a host registers (sources, templates), what a
 * tenant defines (an export, persisted in the store), and what each run
 * records.
 *
 * @module
 */
import type { Json, Schedule } from "../store/types.js";

/** The file formats an export can write. */
export type ExportFormat = "csv" | "xlsx";

/**
 * What happens to the previous file: `replace` updates it in place (same file
 * id, shared links keep working); `dated` adds a new file each run, named with
 * the run's date (`Promo report 2026-11-23.xlsx`).
 */
export type ExportMode = "replace" | "dated";

/**
 * How a column's values are written. CSV writes every type as text
 * (`date` as `YYYY-MM-DD`, or an ISO timestamp when it has a time); XLSX
 * writes numbers, dates and booleans as typed cells.
 */
export type ExportColumnType = "string" | "number" | "date" | "boolean";

/**
 * One column of an export: which field of a row it reads, its header, and
 * its type.
 *
 * @example
 * ```ts
 * const column: ExportColumn = { key: "plays", header: "Spins", type: "number", format: "#,##0" };
 * ```
 */
export interface ExportColumn {
  /** The row field to read (`row[key]`). */
  key: string;
  /** The header cell. Default: the key. */
  header?: string;
  /** Default `"string"`. */
  type?: ExportColumnType;
  /** XLSX number format, e.g. `"yyyy-mm-dd"` or `"0.00"` (ignored by CSV). */
  format?: string;
  /** XLSX column width, in characters (ignored by CSV). */
  width?: number;
}

/**
 * A named preset of a source: which columns (in which order), the file's
 * title and its file name pattern. A radio promoter's "Promo report",
 * "Playlist report" and "Press report" are three templates of one source.
 *
 * @example
 * ```ts
 * const promo: ExportTemplate = {
 *   title: "Promo report",
 *   columns: ["artist", "track", "station", "status", "sentAt"],
 *   filename: "{title} {date}",
 * };
 * ```
 */
export interface ExportTemplate {
  /** The title: the XLSX sheet's name, and `{title}` in file names. */
  title: string;
  /** Keys of the source's columns, or columns overriding their header, type or format. */
  columns: ReadonlyArray<string | ExportColumn>;
  /** File name pattern (see {@link ExportInput.filename}). */
  filename?: string;
  /** Default parameters, merged under the export's own. */
  params?: Record<string, Json>;
  description?: string;
}

/** What a source's `rows` function receives. */
export interface ExportRowsContext {
  tenantId: string;
  /** The export's parameters (the template's defaults, then the export's own). */
  params: Record<string, Json>;
  /** The export being run. */
  definition: ExportDefinition;
  /** When the run started. */
  now: Date;
  /** Aborted when the run is abandoned (stop the query). */
  signal: AbortSignal;
}

/** A row: a plain object read by column keys. */
export type ExportRow = Readonly<Record<string, unknown>>;

/**
 * Rows a source yields: one row at a time, or pages (arrays) of rows, from an
 * async generator or any (async) iterable. Rows are rendered as they come, so
 * a source can page through a large table without loading it.
 */
export type ExportRows =
  | AsyncIterable<ExportRow | ReadonlyArray<ExportRow>>
  | Iterable<ExportRow | ReadonlyArray<ExportRow>>;

/**
 * Something a host lets its tenants export, registered in code with
 * `createPatchbay({ exports: { sources: [...] } })`: where the rows come
 * from, the columns they have, and named templates.
 *
 * @example
 * ```ts
 * const campaigns = defineExportSource({
 *   id: "campaign-contacts",
 *   name: "Campaign contacts",
 *   columns: [
 *     { key: "artist", header: "Artist" },
 *     { key: "station", header: "Station" },
 *     { key: "plays", header: "Spins", type: "number" },
 *     { key: "sentAt", header: "Sent", type: "date", format: "yyyy-mm-dd" },
 *   ],
 *   templates: { promo: { title: "Promo report", columns: ["artist", "station", "sentAt"] } },
 *   async *rows({ tenantId, params }) {
 *     for await (const page of db.campaignContacts(tenantId, params.campaignId)) yield page;
 *   },
 * });
 * ```
 */
export interface ExportSource {
  /** Unique kebab-case id, stored in export definitions. */
  id: string;
  /** Display name. */
  name: string;
  description?: string;
  /** Every column the rows can fill; exports choose among them. */
  columns: ReadonlyArray<ExportColumn>;
  /** Named presets, by id (`"promo"`, `"playlist"`, `"press"`). */
  templates?: Readonly<Record<string, ExportTemplate>>;
  /**
   * Check an export's parameters when it is defined or updated; throw a
   * `TypeError` naming the bad field. Return the parameters to store.
   */
  params?(params: Record<string, Json>): Record<string, Json>;
  /** The rows of one run, for one tenant. */
  rows(ctx: ExportRowsContext): ExportRows;
}

/**
 * Where an export's rows come from, as stored: a registered source, or the
 * synced records of a connection's model (no code needed).
 */
export type ExportSourceRef =
  | { kind: "source"; id: string }
  | { kind: "records"; connectionId: string; model: string };

/** Where an export's files go: a connection whose connector is a destination, and a folder. */
export interface ExportDestination {
  connectionId: string;
  /** The folder (Drive folder id). `null`: the connection's configured folder, else its root. */
  folderId: string | null;
}

/** A run's outcome; `running` until it ends. */
export type ExportRunStatus = "running" | "succeeded" | "failed";

/** How an export run was started. */
export type ExportTrigger = "manual" | "schedule";

/**
 * A tenant's export, as persisted: what to export, how, when and where, and
 * where its runs stand.
 */
export interface ExportDefinition {
  id: string;
  tenantId: string;
  /** Display name (`"Weekly promo report"`); `{name}` in file names. */
  name: string;
  source: ExportSourceRef;
  /** Parameters handed to the source's `rows`. */
  params: Record<string, Json>;
  /** The source's template, or `null`. */
  template: string | null;
  /** Columns chosen for this export; `null`: the template's, else every column of the source. */
  columns: ExportColumn[] | null;
  format: ExportFormat;
  /** CSV only: start the file with a UTF-8 byte order mark, so Excel reads accents right. */
  bom: boolean;
  schedule: Schedule;
  destination: ExportDestination;
  mode: ExportMode;
  /** File name pattern; `null`: `"{title}"` in `replace` mode, `"{title} {date}"` in `dated` mode. */
  filename: string | null;
  /** When the export next runs on its schedule (`null`: manual only). */
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  lastStatus: ExportRunStatus | null;
  /** Last error (redacted). */
  lastError: string | null;
  consecutiveFailures: number;
  /** The file the last successful run wrote: `replace` mode writes over it. */
  fileId: string | null;
  fileUrl: string | null;
  /** The worker running the export now, and until when its claim holds. */
  claimedBy: string | null;
  claimedUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields `Store.updateExport` may change. */
export type ExportPatch = Partial<Omit<ExportDefinition, "id" | "tenantId" | "createdAt">>;

/** Fields a finishing run writes back (`Store.releaseExport`). */
export type ExportStatePatch = Partial<
  Pick<
    ExportDefinition,
    | "nextRunAt"
    | "lastRunAt"
    | "lastSuccessAt"
    | "lastStatus"
    | "lastError"
    | "consecutiveFailures"
    | "fileId"
    | "fileUrl"
    | "updatedAt"
  >
>;

/** The record of one export run: the export's history. */
export interface ExportRun {
  id: string;
  tenantId: string;
  exportId: string;
  trigger: ExportTrigger;
  status: ExportRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  /** Rows written. */
  rows: number;
  /** Bytes of the file. */
  bytes: number;
  fileId: string | null;
  fileName: string | null;
  fileUrl: string | null;
  /** Redacted error message when the run failed. */
  error: string | null;
  /** Extra facts: format, mode, whether a file was replaced, retryable. */
  details: Record<string, Json>;
}

/** Fields a run may change as it progresses. */
export type ExportRunPatch = Partial<
  Pick<
    ExportRun,
    | "status"
    | "finishedAt"
    | "rows"
    | "bytes"
    | "fileId"
    | "fileName"
    | "fileUrl"
    | "error"
    | "details"
  >
>;

/**
 * What a host passes to `patchbay.exports.define()`.
 *
 * @example
 * ```ts
 * const input: ExportInput = {
 *   name: "Weekly promo report",
 *   source: "campaign-contacts",
 *   template: "promo",
 *   params: { campaignId: "cmp_42" },
 *   format: "xlsx",
 *   schedule: weeklySchedule({ day: "monday", hour: 8, timezone: "Europe/London" }),
 *   destination: { connectionId: drive.id, folderId: "1AbC..." },
 *   mode: "dated",
 * };
 * ```
 */
export interface ExportInput {
  name: string;
  /** A registered source's id, or `{ connectionId, model }` to export synced records. */
  source: string | { connectionId: string; model: string };
  params?: Record<string, Json>;
  template?: string | null;
  /**
   * Column keys (or columns overriding header, type or format). For a
   * registered source they must be among its columns; for synced records
   * they are record fields (host names when the model has a field mapping).
   * Default: the template's columns, else every column.
   */
  columns?: ReadonlyArray<string | ExportColumn> | null;
  format: ExportFormat;
  /** CSV only: add a UTF-8 byte order mark (for Excel). Default `false`. */
  bom?: boolean;
  /**
   * When it runs: `{ kind: "manual" }`, or a schedule at most hourly; see
   * {@link weeklySchedule} and {@link monthlySchedule}.
   */
  schedule: Schedule;
  destination: { connectionId: string; folderId?: string | null };
  /** Default `"replace"`. */
  mode?: ExportMode;
  /**
   * File name pattern without the extension, which the format adds.
   * Placeholders: `{name}` (the export's), `{title}` (the template's, else
   * the name), `{date}` (`2026-11-23`), `{month}` (`2026-11`), `{year}`,
   * `{week}` (ISO week, `2026-W48`), all in the schedule's time zone (UTC
   * unless a cron schedule names one). Default `"{title}"` (`replace`) or
   * `"{title} {date}"` (`dated`).
   */
  filename?: string | null;
}

/** How an export run ended. */
export type ExportOutcome =
  | { status: "succeeded" | "failed"; run: ExportRun }
  /** Another worker is running the export now. */
  | { status: "skipped"; reason: "running" };
