#!/usr/bin/env node
// `pnpm size`: the bundle budgets in .size-limit.json.
//
// The size-limit 14 CLI needs Node ^22.19 (it imports `glob` from node:fs/promises), while this
// repository supports and runs on Node 20.19+. On Node >= 22.19 this runs the CLI itself; on
// older Node it runs the same checks through size-limit's programmatic API and
// `@size-limit/file` (the identical brotli-11 / gzip-9 / raw measurement), so .size-limit.json
// stays the single source of truth either way.
//
// Supported config keys in the fallback: name, path (a file or a list of files), limit,
// brotli, gzip. Build first (`pnpm build`); a missing file fails the check.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import filePlugin from "@size-limit/file";
import sizeLimit from "size-limit";
import { formatBytes, root, table } from "./lib.mjs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major > 22 || (major === 22 && minor >= 19)) {
  const cli = spawnSync("pnpm", ["exec", "size-limit", ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
  });
  process.exit(cli.status ?? 1);
}

/** Parses "70 kB" / "64 KiB" / 1234 the way size-limit does. */
function parseBytes(value) {
  if (typeof value === "number") return value;
  const match = /^([+-]?\d+(?:\.\d+)?) *(?:([kmgtpezy])?(i)?b)?$/i.exec(String(value).trim());
  if (!match) throw new TypeError(`"limit" must be a size such as "70 kB", got ${value}`);
  const [, number, prefix, iec] = match;
  const power = prefix ? "kmgtpezy".indexOf(prefix.toLowerCase()) + 1 : 0;
  return Math.floor(Number.parseFloat(number) * (iec ? 1024 : 1000) ** power);
}

const config = JSON.parse(readFileSync(join(root, ".size-limit.json"), "utf8"));
const rows = [];
let failed = false;
for (const entry of config) {
  const files = [entry.path].flat().map((path) => join(root, path));
  const missing = files.filter((file) => !existsSync(file));
  const compression = entry.gzip === true ? "gzip" : entry.brotli === false ? "none" : "brotli";
  if (missing.length) {
    failed = true;
    rows.push([entry.name, compression, "missing", entry.limit, `FAIL (build first: ${missing})`]);
    continue;
  }
  const check = { files, brotli: entry.brotli, gzip: entry.gzip };
  const [{ size }] = await sizeLimit([filePlugin], { checks: [check] });
  const limit = parseBytes(entry.limit);
  const ok = size <= limit;
  if (!ok) failed = true;
  rows.push([
    entry.name,
    compression,
    formatBytes(size),
    entry.limit,
    `${ok ? "ok" : "FAIL"} (${Math.round((size / limit) * 100)}% of budget)`,
  ]);
}

console.log(`size-limit ${process.version} (programmatic; the CLI needs Node ^22.19)\n`);
console.log(table(["check", "compression", "size", "limit", "result"], rows));
process.exitCode = failed ? 1 : 0;
