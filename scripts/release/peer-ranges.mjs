#!/usr/bin/env node
// Checks (default) or rewrites (--write) every publishable package's peer ranges on the
// fixed release group (core, testing, ...) to `workspace:>=<floor> <1.0.0`.
//
// Why: changesets bumps a package MAJOR when a peer dependency of it gets a minor bump that
// leaves the peer range. While core is 0.x, `workspace:^` means `^0.1.0` (= <0.2.0), so every
// core minor would force every provider to 1.0.0 — and, through the fixed group, core itself.
// With a range that covers all of 0.x plus `onlyUpdatePeerDependentsWhenOutOfRange` in
// .changeset/config.json, a core minor leaves the providers alone unless they have a changeset.
//
// Usage: node scripts/release/peer-ranges.mjs [--write] [--root <dir>]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const args = process.argv.slice(2);
const write = args.includes("--write");
const rootIndex = args.indexOf("--root");
const root = resolve(rootIndex >= 0 ? args[rootIndex + 1] : process.cwd());

const config = JSON.parse(readFileSync(join(root, ".changeset/config.json"), "utf8"));
const fixed = new Set(config.fixed.flat());

const packagesDir = join(root, "packages");
const manifests = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(packagesDir, entry.name, "package.json"))
  .map((file) => ({ file, text: readFileSync(file, "utf8") }))
  .map((m) => ({ ...m, json: JSON.parse(m.text) }))
  .filter((m) => !m.json.private);
const versions = new Map(manifests.map((m) => [m.json.name, m.json.version]));

/** The range a peer on `name` should have: every 0.x from the current version (or ^ from 1.0). */
function wanted(name) {
  const version = versions.get(name);
  const [major, minor] = version.split(".").map(Number);
  return major === 0 ? `workspace:>=0.${minor}.0 <1.0.0` : "workspace:^";
}

/** True when `range` already covers every later 0.x (whatever floor was chosen is kept). */
function ok(range) {
  return /^workspace:>=0\.\d+\.\d+ <1\.0\.0$/.test(range);
}

const problems = [];
for (const m of manifests) {
  const peers = m.json.peerDependencies ?? {};
  let changed = false;
  for (const [dep, range] of Object.entries(peers)) {
    if (!fixed.has(dep) || !versions.has(dep)) continue;
    if (versions.get(dep).startsWith("0.") ? ok(range) : range === "workspace:^") continue;
    problems.push(`${m.json.name}: peerDependencies["${dep}"] = "${range}" → "${wanted(dep)}"`);
    if (write) {
      peers[dep] = wanted(dep);
      changed = true;
    }
  }
  if (changed) {
    // Keep the file's formatting: rewrite only the changed value lines.
    let text = m.text;
    for (const [dep, range] of Object.entries(peers)) {
      const inPeers = new RegExp(
        `("peerDependencies"\\s*:\\s*\\{[^}]*?"${dep.replace("/", "\\/")}"\\s*:\\s*)"[^"]*"`,
      );
      text = text.replace(inPeers, `$1"${range}"`);
    }
    writeFileSync(m.file, text);
  }
}

if (problems.length === 0) {
  console.log(`peer ranges on the fixed group are 0.x-wide in all ${manifests.length} packages`);
} else {
  console.log(problems.join("\n"));
  if (write) {
    console.log(
      `\nrewrote ${problems.length} peer range(s); run \`pnpm install\` to update the lockfile`,
    );
  } else {
    console.log(
      `\n${problems.length} peer range(s) would make a core minor bump every dependent to 1.0.0`,
    );
    console.log("fix: node scripts/release/peer-ranges.mjs --write && pnpm install");
    process.exitCode = 1;
  }
}
