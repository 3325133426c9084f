// Regenerates src/generated/gohighlevel.ts from HighLevel's own OpenAPI documents
// (GoHighLevel/highlevel-api-docs: apps/contacts.json, apps/calendars.json,
// apps/oauth.json, common/common-schemas.json), pruned to the operations the
// connector and its fake use. Run with `pnpm run generate`.
//
// Usage: node scripts/generate.mjs [specDir]   (default /work/shared/specs/gohighlevel
// or $GHL_SPEC_DIR)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const specDir = process.argv[2] ?? process.env.GHL_SPEC_DIR ?? "/work/shared/specs/gohighlevel";
const out = join(here, "..", "src", "generated", "gohighlevel.ts");

/** The operations kept, per document: path → methods. */
const KEEP = {
  "apps/contacts.json": {
    "/contacts/search": ["post"],
    "/contacts/upsert": ["post"],
    "/contacts/{contactId}": ["get", "put", "delete"],
  },
  "apps/calendars.json": {
    "/calendars/": ["get"],
    "/calendars/events": ["get"],
    "/calendars/events/appointments": ["post"],
    "/calendars/events/appointments/{eventId}": ["get", "put"],
    "/calendars/events/{eventId}": ["delete"],
  },
  "apps/oauth.json": {
    "/oauth/token": ["post"],
    "/oauth/locationToken": ["post"],
    "/oauth/installedLocations": ["get"],
  },
};

const read = (file) => JSON.parse(readFileSync(join(specDir, file), "utf8"));
const common = read("common/common-schemas.json").components.schemas;

const merged = {
  openapi: "3.0.0",
  info: { title: "HighLevel API v2 (pruned for @patchbay/gohighlevel)", version: "2.0" },
  servers: [{ url: "https://services.leadconnectorhq.com" }],
  paths: {},
  components: { schemas: {} },
};

/** Rewrite refs to the common document into local ones, collecting what is reachable. */
function collect(node, schemas, queue) {
  if (Array.isArray(node)) return node.map((item) => collect(item, schemas, queue));
  if (node === null || typeof node !== "object") return node;
  const copy = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") {
      const name = value.split("/").pop();
      copy.$ref = `#/components/schemas/${name}`;
      queue.push({ name, external: value.startsWith("../common/") });
    } else copy[key] = collect(value, schemas, queue);
  }
  return copy;
}

for (const [file, paths] of Object.entries(KEEP)) {
  const doc = read(file);
  const queue = [];
  for (const [path, methods] of Object.entries(paths)) {
    const item = doc.paths[path];
    if (item === undefined) throw new Error(`${file}: no path ${path}`);
    merged.paths[path] ??= {};
    for (const method of methods) {
      if (item[method] === undefined) throw new Error(`${file}: no ${method} ${path}`);
      merged.paths[path][method] = collect(item[method], doc.components.schemas, queue);
    }
  }
  while (queue.length > 0) {
    const { name, external } = queue.shift();
    if (merged.components.schemas[name] !== undefined) continue;
    const source = external ? common[name] : doc.components.schemas[name];
    if (source === undefined) throw new Error(`${file}: no schema ${name}`);
    merged.components.schemas[name] = collect(source, doc.components.schemas, queue);
  }
}

// The published document leaves POST /contacts/search untyped (an empty body
// schema, no response schema). These two schemas follow the Search Contacts
// reference (https://marketplace.gohighlevel.com/docs/ghl/contacts/search-contacts-advanced):
// cursor paging with `searchAfter` (the last contact's sort values), up to
// 500 per page, filters of {field, operator, value}, sort of {field, direction}.
merged.components.schemas.SearchBodyV2DTO = {
  type: "object",
  required: ["locationId", "pageLimit"],
  properties: {
    locationId: { type: "string" },
    page: {
      type: "number",
      description: "1-based page for page/pageLimit paging (10,000 results at most)",
    },
    pageLimit: { type: "number", maximum: 500 },
    searchAfter: {
      type: "array",
      items: { oneOf: [{ type: "number" }, { type: "string" }] },
      description: "The `searchAfter` of the last contact of the previous page",
    },
    query: { type: "string" },
    filters: { type: "array", items: { $ref: "#/components/schemas/SearchFilterDTO" } },
    sort: { type: "array", items: { $ref: "#/components/schemas/SearchSortDTO" } },
  },
};
merged.components.schemas.SearchFilterDTO = {
  type: "object",
  required: ["field", "operator"],
  properties: {
    field: { type: "string", example: "dateUpdated" },
    operator: {
      type: "string",
      enum: ["eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range"],
    },
    value: {
      oneOf: [
        { type: "string" },
        { type: "number" },
        { type: "boolean" },
        { $ref: "#/components/schemas/SearchRangeDTO" },
      ],
    },
  },
};
merged.components.schemas.SearchRangeDTO = {
  type: "object",
  properties: {
    gt: { type: "string" },
    gte: { type: "string" },
    lt: { type: "string" },
    lte: { type: "string" },
  },
};
merged.components.schemas.SearchSortDTO = {
  type: "object",
  required: ["field", "direction"],
  properties: { field: { type: "string" }, direction: { type: "string", enum: ["asc", "desc"] } },
};
merged.components.schemas.SearchContactSchema = {
  allOf: [
    { $ref: "#/components/schemas/GetContectByIdSchema" },
    {
      type: "object",
      properties: {
        searchAfter: { type: "array", items: { oneOf: [{ type: "number" }, { type: "string" }] } },
      },
    },
  ],
};
merged.components.schemas.SearchContactsSuccessfulResponseDto = {
  type: "object",
  properties: {
    contacts: { type: "array", items: { $ref: "#/components/schemas/SearchContactSchema" } },
    total: { type: "number" },
  },
};
merged.paths["/contacts/search"].post.responses["200"] = {
  description: "Success",
  content: {
    "application/json": {
      schema: { $ref: "#/components/schemas/SearchContactsSuccessfulResponseDto" },
    },
  },
};
merged.paths["/contacts/search"].post.responses["422"] = {
  description: "Unprocessable Entity",
  content: {
    "application/json": { schema: { $ref: "#/components/schemas/UnprocessableDTO" } },
  },
};
// CalendarEventDTO declares its times as `type: object`; the API sends ISO 8601 strings
// (e.g. "2023-09-25T16:00:00+05:30", the document's own examples).
for (const field of ["startTime", "endTime", "dateAdded", "dateUpdated"]) {
  const property = merged.components.schemas.CalendarEventDTO.properties[field];
  property.type = "string";
}
for (const name of ["BadRequestDTO", "UnauthorizedDTO", "UnprocessableDTO"]) {
  merged.components.schemas[name] ??= structuredClone(common[name]);
}

// `defaultNonNullable: false`: a field with a default stays optional in request bodies.
const ast = await openapiTS(merged, { alphabetize: true, defaultNonNullable: false });
const header = `/**
 * Generated by scripts/generate.mjs from HighLevel's OpenAPI documents
 * (GoHighLevel/highlevel-api-docs, CC0), pruned to the operations this package
 * uses. Do not edit by hand: run \`pnpm run generate\`.
 */
`;
writeFileSync(out, header + astToString(ast));
console.log(
  `wrote ${out} (${Object.keys(merged.paths).length} paths, ${Object.keys(merged.components.schemas).length} schemas)`,
);
