import { describe, expect, it } from "vitest";
import {
  fieldErrorsFromMessage,
  fieldsFromSchema,
  formatDuration,
  formatRelativeTime,
  humanize,
  initialFormValues,
  isSecretField,
  parseMappingError,
  toJsonValues,
  validateField,
} from "../src/index.js";
import { CATALOGUE } from "./catalogue.js";

const config = (id: string) => CATALOGUE.find((c) => c.id === id)!.config;

describe("fieldsFromSchema", () => {
  it("reads the form zod 4 emits for a real connector's config", () => {
    const { fields, unsupported } = fieldsFromSchema(config("google-sheets"));
    expect(fields.map((f) => [f.name, f.label, f.kind, f.required])).toEqual([
      ["spreadsheetId", "Spreadsheet ID", "text", true],
      ["sheet", "Sheet", "text", false],
      ["sheetId", "Sheet ID", "integer", false],
      ["headerRow", "Header row", "integer", false],
      ["idColumn", "ID column", "text", false],
      ["valueRender", "Value render", "enum", false],
      ["valueInput", "Value input", "enum", false],
      ["onDelete", "On delete", "enum", false],
    ]);
    expect(unsupported).toEqual([]);
    const headerRow = fields.find((f) => f.name === "headerRow")!;
    expect(headerRow).toMatchObject({ default: 1, minimum: 1 });
    // zod's "safe integer" bound is not a limit a person needs to see.
    expect(headerRow.maximum).toBeUndefined();
  });

  it("lists what it cannot show (arrays, nested objects)", () => {
    expect(fieldsFromSchema(config("gmail")).unsupported).toEqual(["trackedThreads"]);
    expect(fieldsFromSchema(config("airtable")).unsupported).toEqual(["mergeOn"]);
  });

  it("makes secret-looking credential fields password inputs, and PEM keys text areas", () => {
    const schema = {
      type: "object",
      properties: {
        apiKey: { type: "string" },
        clientSecret: { type: "string" },
        password: { type: "string" },
        accessToken: { type: "string" },
        privateKey: { type: "string" },
        serverPrefix: { type: "string" },
        clientEmail: { type: "string", format: "email" },
      },
      required: ["apiKey"],
    };
    const kinds = fieldsFromSchema(schema, { secrets: true }).fields.map((f) => [f.name, f.kind]);
    expect(kinds).toEqual([
      ["apiKey", "secret"],
      ["clientSecret", "secret"],
      ["password", "secret"],
      ["accessToken", "secret"],
      ["privateKey", "multiline"],
      ["serverPrefix", "text"],
      ["clientEmail", "email"],
    ]);
    expect(isSecretField("apiKey")).toBe(true);
    expect(isSecretField("listId")).toBe(false);
  });

  it("turns unions of titled literals and nullable types into fields", () => {
    const { fields } = fieldsFromSchema({
      type: "object",
      properties: {
        region: {
          anyOf: [
            { type: "string", const: "eu", title: "Europe" },
            { type: "string", const: "us", title: "United States" },
          ],
        },
        note: { type: ["string", "null"] },
        ratio: { anyOf: [{ type: "number", exclusiveMinimum: 0 }, { type: "null" }] },
      },
    });
    expect(fields[0]?.options).toEqual([
      { value: "eu", label: "Europe" },
      { value: "us", label: "United States" },
    ]);
    expect(fields[1]?.kind).toBe("text");
    expect(fields[2]).toMatchObject({ kind: "number", exclusiveMinimum: 0 });
  });
});

describe("validation and conversion", () => {
  const { fields } = fieldsFromSchema(config("mailchimp"));
  const days = fields.find((f) => f.name === "activityWindowDays")!;

  it("gives the messages shown next to fields", () => {
    expect(validateField(days, "0")).toBe("Must be 1 or more.");
    expect(validateField(days, "366")).toBe("Must be 365 or less.");
    expect(validateField(days, "2.5")).toBe("Enter a whole number.");
    expect(validateField(days, "")).toBeNull();
    expect(validateField(fields.find((f) => f.name === "listId")!, "")).toBeNull();
  });

  it("converts what was typed back to JSON", () => {
    const values = { ...initialFormValues(fields, { listId: "abc" }), activityWindowDays: "14" };
    expect(toJsonValues(fields, values)).toEqual({
      listId: "abc",
      statusIfNew: "subscribed",
      activityWindowDays: 14,
    });
  });

  it("splits a server validation message by field", () => {
    expect(
      fieldErrorsFromMessage(
        'Invalid config: "config.headerRow" Too small: expected number to be >=1; "config.trackedThreads.0.contactEmail" Invalid email address',
        "config",
      ),
    ).toEqual({
      fields: {
        headerRow: "Too small: expected number to be >=1",
        trackedThreads: "Invalid email address",
      },
      rest: null,
    });
    expect(fieldErrorsFromMessage("Gmail takes no config", "config")).toEqual({
      fields: {},
      rest: "Gmail takes no config",
    });
  });

  it("reads the mapping route's errors", () => {
    expect(
      parseMappingError(
        'Field mapping of "rows": unknown column "Artst" (for "artist"); available: Artist, Status',
      ),
    ).toEqual({ hostField: "artist", side: "provider", available: ["Artist", "Status"] });
    expect(
      parseMappingError(
        'Field mapping of "rows": unknown host field "artsit"; your schema has: artist',
      ),
    ).toEqual({ hostField: "artsit", side: "host", available: null });
    expect(
      parseMappingError(
        'Field mapping of "rows": column "Artist" is mapped twice ("artist" and "name")',
      ),
    ).toEqual({ hostField: "name", side: "provider", available: null });
    expect(parseMappingError("Something else")).toBeNull();
  });
});

describe("words and times", () => {
  it("humanizes property names", () => {
    expect(humanize("spreadsheetId")).toBe("Spreadsheet ID");
    expect(humanize("api_key")).toBe("API key");
    expect(humanize("FORMATTED_VALUE")).toBe("Formatted value");
    expect(humanize("oauthClientURL")).toBe("OAuth client URL");
  });

  it("formats relative times and durations", () => {
    const now = Date.parse("2026-05-01T10:00:00Z");
    const at = (ms: number) => formatRelativeTime(now - ms, { now, locale: "en-US" });
    expect(at(2 * 60_000)).toBe("2 minutes ago");
    expect(at(119_000)).toBe("1 minute ago");
    expect(at(30_000)).toBe("30 seconds ago");
    expect(at(0)).toBe("now");
    expect(at(26 * 3600_000)).toBe("yesterday");
    expect(formatDuration(3_200, { locale: "en-US" })).toBe("3.2 sec");
    expect(formatDuration(184_000, { locale: "en-US" })).toBe("3 min 4 sec");
  });
});
