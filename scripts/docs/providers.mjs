#!/usr/bin/env node
/**
 * Generates the provider reference, `docs/providers/generated/<id>.md`, from
 * the connectors themselves (`describeConnector` in @patchbay/core): auth
 * kind, scopes, config fields, models, actions, webhooks and rate limits.
 *
 *   node scripts/docs/providers.mjs            # write docs/providers/generated/
 *   node scripts/docs/providers.mjs --check    # fail if a page is stale or missing
 *   node scripts/docs/providers.mjs --out DIR  # write somewhere else
 *
 * `--check` (what `pnpm docs:check` runs) also fails when a connector has no
 * hand-written page (`docs/providers/<id>.md`), when that page does not link
 * to its generated reference, or when the list below no longer matches the
 * connectors of the registry test.
 *
 * Connector packages export TypeScript sources under the `dev-source`
 * condition, so the script re-runs itself with `--conditions=dev-source` and
 * the tsx loader of `examples/express-host` (the root has no tsx).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const DOCS = join(ROOT, "docs/providers");
const GENERATED = join(DOCS, "generated");
const REGISTRY_TEST = join(ROOT, "tests/registry/test/registry.test.ts");

if (!process.execArgv.includes("--conditions=dev-source")) {
  const tsx = createRequire(join(ROOT, "examples/express-host/package.json")).resolve("tsx");
  const child = spawnSync(
    process.execPath,
    [
      "--conditions=dev-source",
      "--import",
      pathToFileURL(tsx).href,
      fileURLToPath(import.meta.url),
      ...process.argv.slice(2),
    ],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? 1);
}

// Resolve packages the way the registry test does: from its node_modules,
// which depend on every connector package.
const requireFromRegistry = createRequire(join(ROOT, "tests/registry/package.json"));
/** @param {string} specifier */
const load = (specifier) => import(pathToFileURL(requireFromRegistry.resolve(specifier)).href);

const APP = { clientId: "sandbox-client", clientSecret: "sandbox-secret" };

/**
 * Every connector, built with the sandbox app options the registry test uses
 * (tests/registry/test/registry.test.ts: keep the two lists in step; `--check`
 * compares them). `variant` names a connector registered more than once.
 */
const CONNECTORS = [
  { pkg: "google-sheets", factory: "googleSheets", options: () => APP },
  { pkg: "gmail", factory: "gmail", options: () => APP },
  { pkg: "airtable", factory: "airtable", options: () => APP },
  { pkg: "mailchimp", factory: "mailchimp", options: () => APP },
  { pkg: "google-drive", factory: "googleDrive", options: () => APP },
  {
    pkg: "servicetitan",
    factory: "serviceTitan",
    options: (t) => t.SERVICETITAN_SANDBOX_APP,
  },
  { pkg: "jobber", factory: "jobber", options: () => APP },
  {
    pkg: "quickbooks",
    factory: "quickbooks",
    options: () => ({ ...APP, environment: "sandbox" }),
  },
  { pkg: "google-business-profile", factory: "googleBusinessProfile", options: () => APP },
  { pkg: "yelp", factory: "yelp" },
  { pkg: "serpapi", factory: "serpApi" },
  { pkg: "indeed", factory: "indeed", options: (t) => t.INDEED_SANDBOX_APP },
  { pkg: "twilio", factory: "twilio" },
  { pkg: "klaviyo", factory: "klaviyo", options: (t) => t.KLAVIYO_SANDBOX_APP },
  { pkg: "gohighlevel", factory: "goHighLevel", options: (t) => t.GHL_SANDBOX_APP },
  {
    pkg: "google-analytics",
    factory: "googleAnalytics",
    variant: 'mode: "data-api"',
    options: (t) => ({ mode: "data-api", ...t.GA_SANDBOX_CLIENT }),
  },
  {
    pkg: "google-analytics",
    factory: "googleAnalytics",
    variant: 'mode: "measurement-protocol"',
    options: () => ({ mode: "measurement-protocol" }),
  },
  { pkg: "meta-pixel", factory: "metaPixel" },
  { pkg: "tiktok-pixel", factory: "tiktokPixel" },
  { pkg: "google-ads", factory: "googleAds", options: (t) => t.GOOGLE_ADS_SANDBOX_APP },
  { pkg: "meta-ads", factory: "metaAds", options: (t) => t.META_SANDBOX_APP },
  { pkg: "tiktok-ads", factory: "tiktokAds", options: (t) => t.TIKTOK_SANDBOX_APP },
];

// ---------------------------------------------------------------- rendering

/** Escape a value for a markdown table cell. */
function cell(value) {
  if (value === undefined || value === null || value === "") return "";
  return String(value)
    .replace(/\|/g, "\\|")
    .replace(/\s*\n\s*/g, " ");
}

/** Plain text for a page VitePress compiles as a Vue template: no raw tags, no `{{`. */
function text(value) {
  if (value === undefined || value === null) return "";
  return String(value).replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\{\{/g, "&#123;&#123;");
}

function code(value) {
  return value === undefined || value === null || value === "" ? "" : `\`${value}\``;
}

/** A short type for a JSON Schema node: `string`, `"a" \| "b"`, `number[]`, `object`... */
function typeOf(schema) {
  if (schema === undefined || schema === null || typeof schema !== "object") return "any";
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return [...new Set(union.map(typeOf))].join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") return `${typeOf(schema.items)}[]`;
  if (type === "string" && typeof schema.format === "string") return `string (${schema.format})`;
  if (type === "integer") return "integer";
  return type ?? "any";
}

/** Rows for the properties of an object JSON Schema (`allOf` parts merged). */
function fields(schema) {
  if (schema === null || schema === undefined) return [];
  const parts = [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])];
  const rows = [];
  for (const part of parts) {
    const required = new Set(part.required ?? []);
    for (const [name, prop] of Object.entries(part.properties ?? {})) {
      rows.push({
        name,
        type: typeOf(prop),
        required: required.has(name) && prop.default === undefined,
        default: prop.default,
        description: prop.description ?? "",
      });
    }
  }
  return rows;
}

function fieldTable(schema, { withDefault = true } = {}) {
  const rows = fields(schema);
  if (rows.length === 0) return "None.\n";
  const head = withDefault
    ? "| field | type | required | default | description |\n| --- | --- | --- | --- | --- |\n"
    : "| field | type | required | description |\n| --- | --- | --- | --- |\n";
  return (
    head +
    rows
      .map((r) =>
        withDefault
          ? `| ${code(r.name)} | ${cell(code(r.type))} | ${r.required ? "yes" : ""} | ${cell(r.default === undefined ? "" : code(JSON.stringify(r.default)))} | ${cell(text(r.description))} |`
          : `| ${code(r.name)} | ${cell(code(r.type))} | ${r.required ? "yes" : ""} | ${cell(text(r.description))} |`,
      )
      .join("\n") +
    "\n"
  );
}

/** Input fields of an action, inline: `to*: string, subject: string` (`*` = required). */
function inlineFields(schema) {
  const rows = fields(schema);
  if (rows.length === 0) return "";
  return rows
    .map((r) => `${code(`${r.name}${r.required ? "*" : ""}`)}: ${code(r.type)}`)
    .join(", ");
}

const GOOGLE_SCOPE = "https://www.googleapis.com/auth/";

/**
 * Why a scope is needed, as the hand-written page says it: the rest of a
 * table row, or of a list item, that names the scope in backticks.
 */
function scopeWhy(page, scope) {
  if (page === null) return "";
  const names = [scope, scope.startsWith(GOOGLE_SCOPE) ? scope.slice(GOOGLE_SCOPE.length) : null]
    .filter(Boolean)
    .map((n) => `\`${n}\``);
  const lines = page.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    const name = names.find((n) => line.includes(n));
    if (name === undefined) continue;
    if (line.startsWith("|")) {
      const cells = line
        .slice(1, line.endsWith("|") ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      if (cells.length >= 2 && cells[0].includes(name) && cells[0].replace(name, "").trim() === "")
        return cells.slice(1).filter(Boolean).join(" — ");
    } else if (/^([-*]|\d+\.)\s/.test(line)) {
      // The item, with its continuation lines (indented, up to a blank line or the next item).
      let text = line;
      for (const next of lines.slice(index + 1)) {
        if (!/^\s+\S/.test(next) || /^\s*([-*]|\d+\.)\s/.test(next)) break;
        text += ` ${next.trim()}`;
      }
      const item = text.replace(/^([-*]|\d+\.)\s+/, "").replace(/\*\*/g, "");
      if (item.startsWith(name)) {
        const rest = item
          .slice(name.length)
          .replace(/^[\s:—–,-]+/, "")
          .trim();
        if (rest !== "") return rest;
      }
    }
  }
  return "";
}

function rateLimits(limits) {
  if (!Array.isArray(limits) || limits.length === 0) return "None declared.\n";
  return (
    "| requests | per | shared by |\n| --- | --- | --- |\n" +
    limits
      .map((l) => {
        const per = l.intervalMs % 1000 === 0 ? `${l.intervalMs / 1000} s` : `${l.intervalMs} ms`;
        const scope =
          typeof l.scope === "function"
            ? "a key computed from the request"
            : l.scope === "provider"
              ? "the whole provider (this process)"
              : "each connection";
        return `| ${l.requests} | ${per} | ${scope} |`;
      })
      .join("\n") +
    "\n"
  );
}

const AUTH_KINDS = {
  oauth2: "OAuth 2.0 authorization code",
  client_credentials: "OAuth 2.0 client credentials",
  service_account: "service account (JWT)",
  credentials: "credential form",
};

/** One connector (or one variant of it) as markdown sections under `level`. */
function renderVariant(connector, info, page, level) {
  const h = "#".repeat(level);
  const out = [];
  const auth = info.auth;
  out.push(`${h} Auth\n\n`);
  // PKCE only where the connector sends it (some providers refuse it).
  const pkce = auth.kind === "oauth2" && connector.auth.pkce !== false ? " (PKCE)" : "";
  out.push(
    `${AUTH_KINDS[auth.kind] ?? auth.kind}${pkce}${auth.style ? ` (${code(auth.style)})` : ""}.\n`,
  );
  if (auth.scopes.length > 0) {
    out.push(
      `\n| scope | why |\n| --- | --- |\n${auth.scopes.map((s) => `| ${code(s)} | ${cell(text(scopeWhy(page, s)))} |`).join("\n")}\n`,
    );
  }
  if (auth.fields !== null) {
    out.push("\nThe credential form:\n\n");
    out.push(fieldTable(auth.fields, { withDefault: false }));
  }
  out.push(`\n${h} Config\n\n`);
  out.push(
    info.config === null
      ? "No connection settings.\n"
      : fieldTable(info.config, { withDefault: true }),
  );
  out.push(`\n${h} Models\n\n`);
  out.push(
    info.models.length === 0
      ? "None: this connector only runs actions.\n"
      : `| model | sync modes | write-back | description |\n| --- | --- | --- | --- |\n${info.models
          .map(
            (m) =>
              `| ${code(m.name)} | ${m.modes.join(", ")} | ${m.writable ? "yes" : "no"} | ${cell(text(m.description))} |`,
          )
          .join("\n")}\n`,
  );
  out.push(`\n${h} Actions\n\n`);
  out.push(
    info.actions.length === 0
      ? "None.\n"
      : `| action | input (\`*\` required) | description |\n| --- | --- | --- |\n${info.actions
          .map(
            (a) =>
              `| ${code(a.name)} | ${cell(inlineFields(a.input))} | ${cell(text(a.description))} |`,
          )
          .join("\n")}\n`,
  );
  out.push(`\n${h} Webhooks\n\n`);
  out.push(
    info.webhooks
      ? `Yes: verified with ${connector.webhooks.secret === "app" ? "the app's secret, before routing" : "each connection's secret, after routing"}.\n`
      : "No.\n",
  );
  out.push(`\n${h} Rate limits\n\n`);
  out.push(rateLimits(connector.http?.rateLimits));
  const concurrent = connector.http?.maxConcurrent;
  if (concurrent !== undefined) {
    out.push(
      `\nAt most ${concurrent.limit} requests in flight per ${concurrent.scope === "provider" ? "provider (this process)" : "connection"}.\n`,
    );
  }
  return out.join("");
}

function renderPage(id, entries, page) {
  const [first] = entries;
  const info = first.info;
  const out = [
    "<!-- Generated by scripts/docs/providers.mjs from the connector's definition: do not edit. -->\n\n",
    `# ${info.name}: reference\n\n`,
    `\`@patchbay/${id}\` · id ${code(id)} · category ${code(info.category)}${info.docsUrl ? ` · [provider API](${info.docsUrl})` : ""}\n\n`,
  ];
  if (info.description) out.push(`${text(info.description)}\n\n`);
  out.push(
    `Setup, behaviour and quirks: [${info.name}](../${id}.md). This page lists what the connector declares.\n\n`,
  );
  if (entries.length === 1) {
    out.push(renderVariant(first.connector, info, page, 2));
  } else {
    for (const entry of entries) {
      out.push(`## \`${entry.variant}\`\n\n`);
      if (entry.info.description && entry.info.description !== info.description)
        out.push(`${text(entry.info.description)}\n\n`);
      out.push(renderVariant(entry.connector, entry.info, page, 3));
      out.push("\n");
    }
  }
  return `${out.join("").trimEnd()}\n`;
}

// -------------------------------------------------------------------- main

async function build() {
  const { describeConnector } = await load("@patchbay/core");
  const byId = new Map();
  for (const spec of CONNECTORS) {
    const mod = await load(`@patchbay/${spec.pkg}`);
    const testing = spec.options ? await load(`@patchbay/${spec.pkg}/testing`) : {};
    const factory = mod[spec.factory];
    if (typeof factory !== "function")
      throw new TypeError(`@patchbay/${spec.pkg} has no export "${spec.factory}"`);
    const connector = spec.options ? factory(spec.options(testing)) : factory();
    if (connector.id !== spec.pkg)
      throw new TypeError(`@patchbay/${spec.pkg}: connector id "${connector.id}" ≠ package folder`);
    const list = byId.get(connector.id) ?? [];
    list.push({ connector, info: describeConnector(connector), variant: spec.variant });
    byId.set(connector.id, list);
  }
  const pages = new Map();
  for (const [id, entries] of byId) {
    const handWritten = join(DOCS, `${id}.md`);
    const page = existsSync(handWritten) ? readFileSync(handWritten, "utf8") : null;
    pages.set(id, renderPage(id, entries, page));
  }
  return pages;
}

async function write(dir, pages) {
  await mkdir(dir, { recursive: true });
  for (const [id, text] of pages) await writeFile(join(dir, `${id}.md`), text);
}

/** The connector ids the registry test expects, from its `toEqual([...])` list. */
function registryIds() {
  const source = readFileSync(REGISTRY_TEST, "utf8");
  const match = /registry\.list\(\)\.map\(\(c\) => c\.id\)\)\.toEqual\(\[([^\]]*)\]/.exec(source);
  if (match === null) throw new Error(`could not find the connector id list in ${REGISTRY_TEST}`);
  return [...match[1].matchAll(/"([a-z0-9-]+)"/g)].map((m) => m[1]);
}

async function check(pages) {
  const problems = [];
  const ours = [...pages.keys()];
  const theirs = registryIds();
  for (const id of theirs)
    if (!pages.has(id))
      problems.push(`${id}: in the registry test but not in scripts/docs/providers.mjs CONNECTORS`);
  for (const id of ours)
    if (!theirs.includes(id))
      problems.push(`${id}: in scripts/docs/providers.mjs but not in the registry test`);

  for (const id of ours) {
    const handWritten = join(DOCS, `${id}.md`);
    if (!existsSync(handWritten)) {
      problems.push(`${id}: no hand-written page (docs/providers/${id}.md)`);
    } else if (!readFileSync(handWritten, "utf8").includes(`(./generated/${id}.md)`)) {
      problems.push(
        `${id}: docs/providers/${id}.md does not link to its reference (./generated/${id}.md)`,
      );
    }
  }

  const temp = mkdtempSync(join(tmpdir(), "patchbay-providers-"));
  try {
    await write(temp, pages);
    for (const id of pages.keys()) {
      const committed = join(GENERATED, `${id}.md`);
      if (!existsSync(committed))
        problems.push(`${id}: docs/providers/generated/${id}.md is missing`);
      else if (readFileSync(committed, "utf8") !== readFileSync(join(temp, `${id}.md`), "utf8"))
        problems.push(`${id}: docs/providers/generated/${id}.md is stale`);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  if (existsSync(GENERATED)) {
    for (const file of readdirSync(GENERATED))
      if (file.endsWith(".md") && !pages.has(file.slice(0, -3)))
        problems.push(`docs/providers/generated/${file}: no such connector`);
  }
  return problems;
}

const args = process.argv.slice(2);
const pages = await build();
if (args.includes("--check")) {
  const problems = await check(pages);
  if (problems.length > 0) {
    console.error(
      `docs:check: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    console.error("Regenerate with: node scripts/docs/providers.mjs");
    process.exit(1);
  }
  console.log(
    `docs:check: ${pages.size} providers, each with a hand-written page and a fresh reference`,
  );
} else {
  const outIndex = args.indexOf("--out");
  const dir = outIndex === -1 ? GENERATED : join(process.cwd(), args[outIndex + 1] ?? "");
  await write(dir, pages);
  console.log(`wrote ${pages.size} provider references to ${relative(ROOT, dir) || "."}`);
}
