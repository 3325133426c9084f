/**
 * Turning the JSON Schema that zod 4 emits for a connector's config (and
 * credential) forms into form fields, validating what the user typed the way
 * the schema says, and converting it back to JSON.
 */

/**
 * JSON Schema as the catalogue carries it (`connector.config`, `connector.auth.fields`).
 *
 * @example
 * ```ts
 * const schema: JsonSchemaObject = { type: "object", properties: { apiKey: { type: "string" } }, required: ["apiKey"] };
 * ```
 */
export type JsonSchemaObject = Record<string, unknown>;

/**
 * How a generated field is rendered: `text`, `secret` (password input),
 * `multiline` (PEM keys), `email`, `url`, `number`, `integer`, `boolean`
 * (checkbox) or `enum` (select).
 *
 * @example
 * ```ts
 * const kind: SchemaFieldKind = fieldsFromSchema(mailchimp.auth.fields, { secrets: true }).fields[0].kind; // "secret"
 * ```
 */
export type SchemaFieldKind =
  | "text"
  | "secret"
  | "multiline"
  | "email"
  | "url"
  | "number"
  | "integer"
  | "boolean"
  | "enum";

/**
 * One field of a generated form: what the schema says about one property.
 *
 * @example
 * ```ts
 * const { fields } = fieldsFromSchema(connector.config);
 * fields[0]; // { name: "spreadsheetId", label: "Spreadsheet ID", kind: "text", required: true, pattern: "^[A-Za-z0-9_-]{10,}$", … }
 * ```
 */
export interface SchemaField {
  /** The property name (the JSON key). */
  name: string;
  /** The visible label: the schema's `title`, else the name in words ("spreadsheetId" → "Spreadsheet ID"). */
  label: string;
  /** Help text shown under the field: the schema's `description`. */
  description: string | null;
  required: boolean;
  kind: SchemaFieldKind;
  default: unknown;
  /** For `enum` fields: the allowed values and their labels. */
  options: Array<{ value: string | number | boolean; label: string }>;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/**
 * What the user has typed: strings for text, number and enum inputs,
 * booleans for checkboxes.
 *
 * @example
 * ```ts
 * const values: FormValues = { spreadsheetId: "1AbCdEfGhIjK", headerRow: "1", live: true };
 * ```
 */
export type FormValues = Record<string, string | boolean>;

const ACRONYMS = new Map(
  ["id", "api", "url", "uri", "sid", "ssl", "ip", "sms", "crm", "pem", "gid", "utc"].map((w) => [
    w,
    w.toUpperCase(),
  ]),
);
ACRONYMS.set("oauth", "OAuth");

/**
 * A property name in words: `spreadsheetId` → "Spreadsheet ID", `api_key` → "API key".
 *
 * @example
 * ```ts
 * humanize("activityWindowDays"); // "Activity window days"
 * ```
 */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  return words
    .map((word, index) => {
      const acronym = ACRONYMS.get(word);
      if (acronym !== undefined) return acronym;
      return index === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word;
    })
    .join(" ");
}

const SECRET_NAME =
  /(api[-_]?key|secret|passw(or)?d|token|passphrase|private[-_]?key|auth[-_]?code)/i;
const MULTILINE_NAME = /(private[-_]?key|certificate|pem)$/i;

/**
 * Whether a credential field should be typed into a password input:
 * `apiKey`, `clientSecret`, `password`, `accessToken`…
 *
 * @example
 * ```ts
 * isSecretField("apiKey"); // true
 * isSecretField("serverPrefix"); // false
 * ```
 */
export function isSecretField(name: string): boolean {
  return SECRET_NAME.test(name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The non-null JSON Schema `type` of a property (zod writes nullable as `["string", "null"]` or an anyOf). */
function typeOf(schema: Record<string, unknown>): string | undefined {
  const type = schema.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) {
    const rest = type.filter((t) => t !== "null");
    return rest.length === 1 && typeof rest[0] === "string" ? rest[0] : undefined;
  }
  return undefined;
}

/** Unwrap `anyOf: [X, { type: "null" }]` (zod's `.nullable()`). */
function unwrapNullable(schema: Record<string, unknown>): Record<string, unknown> {
  const anyOf = schema.anyOf;
  if (!Array.isArray(anyOf)) return schema;
  const rest = anyOf.filter((s) => !(isObject(s) && s.type === "null"));
  if (rest.length === 1 && isObject(rest[0])) {
    const { anyOf: _drop, ...outer } = schema;
    return { ...rest[0], ...outer };
  }
  return schema;
}

type EnumOption = { value: string | number | boolean; label: string };

function enumOptions(schema: Record<string, unknown>): EnumOption[] | null {
  const values = schema.enum;
  if (Array.isArray(values) && values.length > 0) {
    const ok = values.filter(
      (v): v is string | number | boolean =>
        typeof v === "string" || typeof v === "number" || typeof v === "boolean",
    );
    if (ok.length !== values.length) return null;
    return ok.map((v) => ({ value: v, label: typeof v === "string" ? humanize(v) : String(v) }));
  }
  // z.union([z.literal("a").meta({ title: "A" }), …]) → anyOf/oneOf of consts.
  const variants = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : null;
  if (variants === null || variants.length === 0) return null;
  const options: EnumOption[] = [];
  for (const variant of variants) {
    if (!isObject(variant)) return null;
    const value = variant.const;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      return null;
    }
    const label =
      typeof variant.title === "string"
        ? variant.title
        : typeof variant.description === "string"
          ? variant.description
          : typeof value === "string"
            ? humanize(value)
            : String(value);
    options.push({ value, label });
  }
  return options;
}

/**
 * The form fields a JSON Schema object describes. Supports what zod 4 emits
 * for objects of string, number, integer, boolean and enum properties (with
 * defaults, descriptions, `required`, min/max, lengths, `pattern`, email and
 * URL formats). Other properties (arrays, nested objects) are listed in
 * `unsupported`: forms do not show them and keep their current values.
 *
 * `secrets: true` (credential forms) renders secret-looking fields
 * (`apiKey`, `secret`, `password`, `token`) as password inputs.
 *
 * @example
 * ```ts
 * const { fields, unsupported } = fieldsFromSchema(connector.config);
 * fields.map((f) => f.label); // ["Spreadsheet ID", "Sheet", "Header row", …]
 * ```
 */
export function fieldsFromSchema(
  schema: JsonSchemaObject | null | undefined,
  options: { secrets?: boolean } = {},
): { fields: SchemaField[]; unsupported: string[] } {
  const fields: SchemaField[] = [];
  const unsupported: string[] = [];
  if (!isObject(schema) || !isObject(schema.properties)) return { fields, unsupported };
  const required = new Set(
    Array.isArray(schema.required)
      ? schema.required.filter((r): r is string => typeof r === "string")
      : [],
  );
  for (const [name, raw] of Object.entries(schema.properties)) {
    if (!isObject(raw)) {
      unsupported.push(name);
      continue;
    }
    const prop = unwrapNullable(raw);
    const options_ = enumOptions(prop);
    const type = typeOf(prop);
    let kind: SchemaFieldKind | null = null;
    if (options_ !== null) kind = "enum";
    else if (type === "boolean") kind = "boolean";
    else if (type === "integer") kind = "integer";
    else if (type === "number") kind = "number";
    else if (type === "string") {
      if (options.secrets === true && MULTILINE_NAME.test(name)) kind = "multiline";
      else if (options.secrets === true && isSecretField(name)) kind = "secret";
      else if (prop.format === "email") kind = "email";
      else if (prop.format === "uri" || prop.format === "url") kind = "url";
      else kind = "text";
    }
    if (kind === null) {
      unsupported.push(name);
      continue;
    }
    const label = typeof prop.title === "string" ? prop.title : humanize(name);
    const description =
      typeof prop.description === "string" &&
      prop.description.trim().toLowerCase() !== label.toLowerCase()
        ? prop.description
        : null;
    const field: SchemaField = {
      name,
      label,
      description,
      required: required.has(name),
      kind,
      default: prop.default,
      options: options_ ?? [],
    };
    const minLength = num(prop.minLength);
    const maxLength = num(prop.maxLength);
    const minimum = num(prop.minimum);
    const maximum = num(prop.maximum);
    const exclusiveMinimum = num(prop.exclusiveMinimum);
    const exclusiveMaximum = num(prop.exclusiveMaximum);
    if (minLength !== undefined) field.minLength = minLength;
    if (maxLength !== undefined) field.maxLength = maxLength;
    // Email and URL formats come with zod's long pattern: the format's own message says it better.
    if (typeof prop.pattern === "string" && kind !== "email" && kind !== "url") {
      field.pattern = prop.pattern;
    }
    if (minimum !== undefined) field.minimum = minimum;
    if (maximum !== undefined && maximum < Number.MAX_SAFE_INTEGER) field.maximum = maximum;
    if (exclusiveMinimum !== undefined) field.exclusiveMinimum = exclusiveMinimum;
    if (exclusiveMaximum !== undefined) field.exclusiveMaximum = exclusiveMaximum;
    fields.push(field);
  }
  return { fields, unsupported };
}

/**
 * The starting values of a form: the current value when there is one, else
 * the schema's default, else empty.
 *
 * @example
 * ```ts
 * initialFormValues(fields, connection.config); // { spreadsheetId: "1AbC…", headerRow: "1", … }
 * ```
 */
export function initialFormValues(
  fields: SchemaField[],
  current: Record<string, unknown> = {},
): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = current[field.name] !== undefined ? current[field.name] : field.default;
    if (field.kind === "boolean") values[field.name] = value === true;
    else if (value === undefined || value === null) values[field.name] = "";
    else values[field.name] = String(value);
  }
  return values;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/**
 * Check one value against its field; returns the message to show next to
 * the field, or `null` when it is fine.
 *
 * @example
 * ```ts
 * validateField({ …headerRowField, minimum: 1 }, "0"); // "Must be 1 or more."
 * ```
 */
export function validateField(field: SchemaField, value: string | boolean): string | null {
  if (field.kind === "boolean") return null;
  const text = typeof value === "string" ? value : String(value);
  if (text.trim() === "") {
    if (!field.required) return null;
    return field.kind === "enum" ? `Choose ${field.label}.` : `Enter ${field.label}.`;
  }
  if (field.kind === "enum") {
    return field.options.some((o) => String(o.value) === text) ? null : `Choose ${field.label}.`;
  }
  if (field.kind === "number" || field.kind === "integer") {
    const n = Number(text.trim());
    if (!Number.isFinite(n)) return "Enter a number.";
    if (field.kind === "integer" && !Number.isInteger(n)) return "Enter a whole number.";
    if (field.minimum !== undefined && n < field.minimum)
      return `Must be ${field.minimum.toLocaleString()} or more.`;
    if (field.maximum !== undefined && n > field.maximum)
      return `Must be ${field.maximum.toLocaleString()} or less.`;
    if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum)
      return `Must be more than ${field.exclusiveMinimum.toLocaleString()}.`;
    if (field.exclusiveMaximum !== undefined && n >= field.exclusiveMaximum)
      return `Must be less than ${field.exclusiveMaximum.toLocaleString()}.`;
    return null;
  }
  if (field.minLength !== undefined && text.length < field.minLength)
    return `Must be at least ${plural(field.minLength, "character", "characters")}.`;
  if (field.maxLength !== undefined && text.length > field.maxLength)
    return `Must be at most ${plural(field.maxLength, "character", "characters")}.`;
  if (field.kind === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text))
    return "Enter an email address, like name@example.com.";
  if (field.kind === "url") {
    try {
      new URL(text);
    } catch {
      return "Enter a full address, like https://example.com.";
    }
  }
  if (field.pattern !== undefined) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(field.pattern, "u");
    } catch {
      re = null;
    }
    if (re !== null && !re.test(text)) return `${field.label} is not in the expected format.`;
  }
  return null;
}

/**
 * Every field's message, by field name (only the failing ones).
 *
 * @example
 * ```ts
 * const errors = validateForm(fields, values);
 * if (Object.keys(errors).length === 0) await client.configure(id, toJsonValues(fields, values));
 * ```
 */
export function validateForm(fields: SchemaField[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const message = validateField(field, values[field.name] ?? "");
    if (message !== null) errors[field.name] = message;
  }
  return errors;
}

/**
 * The JSON object a form submits: numbers as numbers, enum values in their
 * own type, empty optional fields left out (so the server applies its
 * default), and `preserved` (values of fields the form does not show) kept.
 *
 * @example
 * ```ts
 * toJsonValues(fields, { spreadsheetId: "1AbC…", headerRow: "2", sheet: "" }); // { spreadsheetId: "1AbC…", headerRow: 2 }
 * ```
 */
export function toJsonValues(
  fields: SchemaField[],
  values: FormValues,
  preserved: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...preserved };
  for (const field of fields) {
    const value = values[field.name];
    delete out[field.name];
    if (field.kind === "boolean") {
      out[field.name] = value === true;
      continue;
    }
    if (typeof value !== "string" || value.trim() === "") continue;
    if (field.kind === "number" || field.kind === "integer") out[field.name] = Number(value.trim());
    else if (field.kind === "enum") {
      const option = field.options.find((o) => String(o.value) === value);
      out[field.name] = option === undefined ? value : option.value;
    } else if (field.kind === "secret" || field.kind === "multiline") out[field.name] = value;
    else out[field.name] = value.trim();
  }
  return out;
}

/**
 * Split a server validation message such as
 * `Invalid config: "config.spreadsheetId" must be a spreadsheet ID; "config.headerRow" Too small`
 * into per-field messages (keyed by property name) and the rest.
 *
 * @example
 * ```ts
 * fieldErrorsFromMessage('Invalid config: "config.sheet" Too small', "config");
 * // { fields: { sheet: "Too small" }, rest: null }
 * ```
 */
export function fieldErrorsFromMessage(
  message: string,
  label: string,
): { fields: Record<string, string>; rest: string | null } {
  const fields: Record<string, string> = {};
  const pattern = new RegExp(`"${label}\\.([^".]+)[^"]*"\\s+([^;]+)`, "g");
  let unmatched = message;
  for (const match of message.matchAll(pattern)) {
    const [whole, name, text] = match;
    if (name === undefined || text === undefined) continue;
    const trimmed = text.trim();
    if (fields[name] === undefined)
      fields[name] = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
    unmatched = unmatched.replace(whole, "");
  }
  const leftover = unmatched
    .replace(new RegExp(`^Invalid ${label}:`), "")
    .replace(/[;\s]+/g, " ")
    .trim();
  return {
    fields,
    rest: Object.keys(fields).length === 0 ? message : leftover === "" ? null : message,
  };
}
