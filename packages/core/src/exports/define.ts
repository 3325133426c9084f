/**
 * Declaring export sources, checking export definitions, the weekly and
 * monthly schedule helpers, and file names.
 *
 * @module
 */
import { ConfigError } from "../errors.js";
import type { Json, Schedule } from "../store/types.js";
import { scheduleIntervalMs, validateSchedule } from "../sync/schedule.js";
import type {
  ExportColumn,
  ExportColumnType,
  ExportDefinition,
  ExportFormat,
  ExportInput,
  ExportMode,
  ExportSource,
  ExportSourceRef,
} from "./types.js";

/** Export source ids: lowercase kebab-case, like connector ids. */
const SOURCE_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const COLUMN_TYPES: ReadonlySet<ExportColumnType> = new Set([
  "string",
  "number",
  "date",
  "boolean",
]);
const FORMATS: ReadonlySet<ExportFormat> = new Set(["csv", "xlsx"]);
const MODES: ReadonlySet<ExportMode> = new Set(["replace", "dated"]);
const FILENAME_TOKENS = ["name", "title", "date", "month", "year", "week"] as const;
/** Exports run at most hourly: a file written every minute would be abuse of the destination. */
const MIN_EXPORT_INTERVAL_MS = 60 * 60_000;

/**
 * Declare an export source. Returns it unchanged (typed) after checking its
 * shape, so a mistake fails when the host starts, with a `TypeError` naming
 * the field: ids, column keys and types, and that every template's columns
 * exist.
 *
 * @example
 * ```ts
 * import { defineExportSource } from "@patchbay/core";
 *
 * export const campaignContacts = defineExportSource({
 *   id: "campaign-contacts",
 *   name: "Campaign contacts",
 *   columns: [
 *     { key: "artist", header: "Artist" },
 *     { key: "station", header: "Station" },
 *     { key: "status", header: "Status" },
 *     { key: "plays", header: "Spins", type: "number" },
 *     { key: "sentAt", header: "Sent", type: "date" },
 *   ],
 *   templates: {
 *     promo: { title: "Promo report", columns: ["artist", "station", "status", "sentAt"] },
 *     playlist: { title: "Playlist report", columns: ["station", "artist", "plays"] },
 *   },
 *   async *rows({ tenantId, params }) {
 *     yield* db.contacts.stream({ tenantId, campaignId: params.campaignId });
 *   },
 * });
 * ```
 */
export function defineExportSource(source: ExportSource): ExportSource {
  const s = source as ExportSource | undefined;
  if (s === null || typeof s !== "object")
    throw new TypeError("defineExportSource() needs a source object");
  const where = typeof s.id === "string" ? `export source "${s.id}"` : "export source";
  if (typeof s.id !== "string" || !SOURCE_ID.test(s.id))
    throw new TypeError(
      `${where}: "id" must be lowercase kebab-case (e.g. "campaign-contacts"), got ${JSON.stringify(s.id)}`,
    );
  if (typeof s.name !== "string" || s.name.trim() === "")
    throw new TypeError(`${where}: "name" must be a non-empty string`);
  if (typeof s.rows !== "function")
    throw new TypeError(`${where}: "rows" must be a function returning rows`);
  if (s.params !== undefined && typeof s.params !== "function")
    throw new TypeError(`${where}: "params" must be a function`);
  if (!Array.isArray(s.columns) || s.columns.length === 0)
    throw new TypeError(`${where}: "columns" must be a non-empty array`);
  const columns = s.columns.map((c, i) => checkColumn(c, `${where}: "columns[${i}]"`));
  const keys = new Set<string>();
  for (const c of columns) {
    if (keys.has(c.key)) throw new TypeError(`${where}: column "${c.key}" is declared twice`);
    keys.add(c.key);
  }
  for (const [name, template] of Object.entries(s.templates ?? {})) {
    const at = `${where} template "${name}"`;
    if (template === null || typeof template !== "object")
      throw new TypeError(`${at} must be an object`);
    if (typeof template.title !== "string" || template.title.trim() === "")
      throw new TypeError(`${at}: "title" must be a non-empty string`);
    pickColumns(template.columns, columns, `${at}: "columns"`);
    if (template.filename !== undefined) checkFilename(template.filename, `${at}: "filename"`);
  }
  return source;
}

/**
 * A weekly schedule: every `day` at `hour:minute` in `timezone` (default
 * UTC), as a validated cron {@link Schedule}.
 *
 * @throws TypeError naming the bad field.
 * @example
 * ```ts
 * weeklySchedule({ day: "monday", hour: 8, timezone: "Europe/London" });
 * // { kind: "cron", expression: "0 8 * * 1", timezone: "Europe/London" }
 * ```
 */
export function weeklySchedule(options: {
  day: "sunday" | "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday";
  hour?: number;
  minute?: number;
  timezone?: string;
}): Schedule {
  const days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  const day = days.indexOf(options?.day);
  if (day < 0)
    throw new TypeError(
      `"day" must be one of ${days.join(", ")}; got ${JSON.stringify(options?.day)}`,
    );
  return cronAt(`${day}`, "*", options);
}

/**
 * A monthly schedule: on day `day` (1–28, so every month has it) at
 * `hour:minute` in `timezone` (default UTC), as a validated cron {@link Schedule}.
 *
 * @throws TypeError naming the bad field.
 * @example
 * ```ts
 * monthlySchedule({ day: 1, hour: 7, timezone: "America/New_York" });
 * // { kind: "cron", expression: "0 7 1 * *", timezone: "America/New_York" }
 * ```
 */
export function monthlySchedule(options: {
  day: number;
  hour?: number;
  minute?: number;
  timezone?: string;
}): Schedule {
  const day = options?.day;
  if (!Number.isInteger(day) || day < 1 || day > 28)
    throw new TypeError(
      `"day" must be an integer from 1 to 28 (a day every month has), got ${String(day)}`,
    );
  return cronAt("*", `${day}`, options);
}

function cronAt(
  dayOfWeek: string,
  dayOfMonth: string,
  options: { hour?: number; minute?: number; timezone?: string },
): Schedule {
  const hour = options.hour ?? 0;
  const minute = options.minute ?? 0;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23)
    throw new TypeError(`"hour" must be an integer from 0 to 23, got ${String(hour)}`);
  if (!Number.isInteger(minute) || minute < 0 || minute > 59)
    throw new TypeError(`"minute" must be an integer from 0 to 59, got ${String(minute)}`);
  return validateSchedule({
    kind: "cron",
    expression: `${minute} ${hour} ${dayOfMonth} * ${dayOfWeek}`,
    ...(options.timezone !== undefined && { timezone: options.timezone }),
  });
}

/** The time zone an export's dates are read in: the cron schedule's, else UTC. */
export function exportTimeZone(schedule: Schedule): string {
  return schedule.kind === "cron" && schedule.timezone !== undefined ? schedule.timezone : "UTC";
}

/**
 * The file name of a run, extension included: the pattern's placeholders
 * filled in for `at` in `timeZone`, and characters file systems refuse
 * (`/ \ : * ? " < > |`, control characters) replaced by `-`.
 *
 * @example
 * ```ts
 * exportFileName("{title} {date}", { name: "Weekly", title: "Promo report" }, "xlsx", new Date("2026-11-23T08:00:00Z"), "UTC");
 * // "Promo report 2026-11-23.xlsx"
 * ```
 */
export function exportFileName(
  pattern: string,
  names: { name: string; title: string },
  extension: ExportFormat,
  at: Date,
  timeZone: string,
): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const values: Record<(typeof FILENAME_TOKENS)[number], string> = {
    name: names.name,
    title: names.title,
    date,
    month: date.slice(0, 7),
    year: date.slice(0, 4),
    week: isoWeek(date),
  };
  const filled = pattern.replace(
    /\{(\w+)\}/g,
    (_, token: string) => values[token as keyof typeof values] ?? "",
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const safe = filled.replace(/[/\\:*?"<>|\u0000-\u001f]/g, "-").trim();
  return `${safe === "" ? "Export" : safe}.${extension}`;
}

/** ISO 8601 week of a calendar date `YYYY-MM-DD`: `2026-W48`. */
function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  // The week belongs to the year of its Thursday.
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

// ── checking definitions ──────────────────────────────────────────────────

/** The fields of an export a host sets, checked and normalised. */
export type ExportSpec = Pick<
  ExportDefinition,
  | "name"
  | "source"
  | "params"
  | "template"
  | "columns"
  | "format"
  | "bom"
  | "schedule"
  | "destination"
  | "mode"
  | "filename"
>;

/**
 * Check the shape of an export input (everything that needs no store or
 * registry) and normalise it. Semantic checks (the source exists, the
 * destination can receive files) are the facade's.
 */
export function checkExportInput(input: ExportInput): ExportSpec {
  if (input === null || typeof input !== "object")
    throw new TypeError("the export must be an object");
  if (typeof input.name !== "string" || input.name.trim() === "" || input.name.length > 200)
    throw new TypeError('"name" must be a non-empty string of at most 200 characters');
  const source = checkSourceRef(input.source);
  if (
    input.params !== undefined &&
    (input.params === null || typeof input.params !== "object" || Array.isArray(input.params))
  )
    throw new TypeError('"params" must be an object');
  if (
    input.template !== undefined &&
    input.template !== null &&
    (typeof input.template !== "string" || input.template === "")
  )
    throw new TypeError('"template" must be a template name or null');
  let columns: ExportColumn[] | null = null;
  if (input.columns !== undefined && input.columns !== null) {
    if (!Array.isArray(input.columns) || input.columns.length === 0)
      throw new TypeError('"columns" must be a non-empty array of column keys or columns');
    columns = input.columns.map((c, i) =>
      typeof c === "string"
        ? { key: checkKey(c, `"columns[${i}]"`) }
        : checkColumn(c, `"columns[${i}]"`),
    );
  }
  if (!FORMATS.has(input.format))
    throw new TypeError(`"format" must be "csv" or "xlsx", got ${JSON.stringify(input.format)}`);
  if (input.bom !== undefined && typeof input.bom !== "boolean")
    throw new TypeError('"bom" must be a boolean');
  const schedule = checkExportSchedule(input.schedule);
  const d = input.destination;
  if (d === null || typeof d !== "object")
    throw new TypeError(
      '"destination" must be { connectionId, folderId? }: the connection the files go to',
    );
  if (typeof d.connectionId !== "string" || d.connectionId === "")
    throw new TypeError(
      '"destination.connectionId" must be the id of a connection that can receive files (e.g. Google Drive)',
    );
  if (
    d.folderId !== undefined &&
    d.folderId !== null &&
    (typeof d.folderId !== "string" || d.folderId === "")
  )
    throw new TypeError(
      '"destination.folderId" must be a non-empty string, or null for the connection\'s folder',
    );
  const mode = input.mode ?? "replace";
  if (!MODES.has(mode))
    throw new TypeError(`"mode" must be "replace" or "dated", got ${JSON.stringify(mode)}`);
  const filename = input.filename ?? null;
  if (filename !== null) checkFilename(filename, '"filename"');
  return {
    name: input.name.trim(),
    source,
    params: { ...(input.params ?? {}) } as Record<string, Json>,
    template: input.template ?? null,
    columns,
    format: input.format,
    bom: input.bom ?? false,
    schedule,
    destination: { connectionId: d.connectionId, folderId: d.folderId ?? null },
    mode,
    filename,
  };
}

/**
 * {@link validateSchedule}, and no faster than hourly: an export is a file
 * written to someone's Drive, not a sync.
 */
export function checkExportSchedule(schedule: unknown): Schedule {
  const valid = validateSchedule(schedule);
  const interval = scheduleIntervalMs(valid);
  if (interval !== null && interval < MIN_EXPORT_INTERVAL_MS)
    throw new TypeError(
      `"schedule" runs every ${Math.round(interval / 60_000)} minutes; exports run at most hourly (use weeklySchedule(), monthlySchedule(), { kind: "daily" } or { kind: "hourly" })`,
    );
  return valid;
}

function checkSourceRef(source: unknown): ExportSourceRef {
  if (typeof source === "string" && source !== "") return { kind: "source", id: source };
  if (source !== null && typeof source === "object" && !Array.isArray(source)) {
    const { connectionId, model } = source as { connectionId?: unknown; model?: unknown };
    if (typeof connectionId !== "string" || connectionId === "")
      throw new TypeError(
        '"source.connectionId" must be the id of the connection whose synced records to export',
      );
    if (typeof model !== "string" || model === "")
      throw new TypeError('"source.model" must be the name of a synced model (e.g. "rows")');
    return { kind: "records", connectionId, model };
  }
  throw new TypeError(
    '"source" must be a registered export source id, or { connectionId, model } to export synced records',
  );
}

function checkKey(key: unknown, at: string): string {
  if (typeof key !== "string" || key === "")
    throw new TypeError(`${at} must be a non-empty column key`);
  return key;
}

function checkColumn(column: unknown, at: string): ExportColumn {
  if (column === null || typeof column !== "object" || Array.isArray(column))
    throw new TypeError(`${at} must be a column { key, header?, type? }`);
  const c = column as Record<string, unknown>;
  const out: ExportColumn = { key: checkKey(c.key, `${at}.key`) };
  for (const field of Object.keys(c)) {
    if (!["key", "header", "type", "format", "width"].includes(field))
      throw new TypeError(
        `${at}.${field} is not a column field (key, header, type, format, width)`,
      );
  }
  if (c.header !== undefined) {
    if (typeof c.header !== "string") throw new TypeError(`${at}.header must be a string`);
    out.header = c.header;
  }
  if (c.type !== undefined) {
    if (!COLUMN_TYPES.has(c.type as ExportColumnType))
      throw new TypeError(
        `${at}.type must be one of ${[...COLUMN_TYPES].join(", ")}; got ${JSON.stringify(c.type)}`,
      );
    out.type = c.type as ExportColumnType;
  }
  if (c.format !== undefined) {
    if (typeof c.format !== "string" || c.format === "")
      throw new TypeError(`${at}.format must be a non-empty string`);
    out.format = c.format;
  }
  if (c.width !== undefined) {
    if (typeof c.width !== "number" || !(c.width > 0 && c.width <= 255))
      throw new TypeError(`${at}.width must be a number from 1 to 255`);
    out.width = c.width;
  }
  return out;
}

function checkFilename(pattern: unknown, at: string): void {
  if (typeof pattern !== "string" || pattern.trim() === "" || pattern.length > 200)
    throw new TypeError(`${at} must be a non-empty pattern of at most 200 characters`);
  for (const [, token] of pattern.matchAll(/\{([^}]*)\}/g)) {
    if (!(FILENAME_TOKENS as readonly string[]).includes(token ?? ""))
      throw new TypeError(
        `${at} has an unknown placeholder {${token}}; use ${FILENAME_TOKENS.map((t) => `{${t}}`).join(", ")}`,
      );
  }
}

/**
 * Columns chosen by key (or overridden) among `available`. An unknown key is
 * a `ConfigError` listing the available ones. `available === null` means the
 * fields are not known in advance: any key is accepted.
 */
export function pickColumns(
  chosen: ReadonlyArray<string | ExportColumn>,
  available: ReadonlyArray<ExportColumn> | null,
  at: string,
): ExportColumn[] {
  if (!Array.isArray(chosen) || chosen.length === 0)
    throw new TypeError(`${at} must be a non-empty array`);
  const byKey = new Map((available ?? []).map((c) => [c.key, c]));
  return chosen.map((item, i) => {
    const column =
      typeof item === "string"
        ? { key: checkKey(item, `${at}[${i}]`) }
        : checkColumn(item, `${at}[${i}]`);
    const base = byKey.get(column.key);
    if (available !== null && base === undefined)
      throw new ConfigError(
        `${at}: unknown column "${column.key}"; available: ${[...byKey.keys()].join(", ") || "none"}`,
      );
    return { ...base, ...column };
  });
}
