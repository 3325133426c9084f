#!/usr/bin/env node
// `pnpm release:dry-run`: everything `pnpm release` would publish, checked without publishing.
//
// 1. builds every publishable package (turbo, cached);
// 2. `pnpm pack`s each into a temp dir — the same tarball `changeset publish` uploads, with
//    `workspace:` ranges replaced by real ones;
// 3. checks each tarball: the packed package.json has no `workspace:`/`link:`/`file:` ranges,
//    `publint --strict` and `attw --profile esm-only` pass;
// 4. prints a table, the versions the pending changesets would produce, and exits non-zero
//    on any failed check.
//
// Options: --keep (keep the tarballs and print where), --skip-build.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildAll,
  execFile,
  formatBytes,
  mapLimit,
  pack,
  publishablePackages,
  readFromTarball,
  root,
  seconds,
  subpaths,
  table,
  unpackedSize,
} from "./lib.mjs";

const args = new Set(process.argv.slice(2));
const started = performance.now();
const packages = publishablePackages();

if (!args.has("--skip-build")) {
  const t = performance.now();
  console.log(`building ${packages.length} packages (turbo)…`);
  await buildAll();
  console.log(`built in ${seconds(t)}`);
}

const destination = mkdtempSync(join(tmpdir(), "patchbay-release-"));
const limit = Math.max(2, availableParallelism());

let t = performance.now();
const packed = await mapLimit(packages, limit, (pkg) => pack(pkg, destination));
console.log(`packed ${packed.length} tarballs in ${seconds(t)} → ${destination}`);

const BAD_PROTOCOL = /^(workspace|link|file|catalog|portal):/;
const DEP_FIELDS = ["dependencies", "peerDependencies", "optionalDependencies"];

/** The packed manifest must carry publishable ranges only. */
async function checkManifest(tarball) {
  const manifest = JSON.parse(await readFromTarball(tarball, "package.json"));
  const problems = [];
  for (const field of DEP_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (BAD_PROTOCOL.test(range) || range.trim() === "") {
        problems.push(`${field}.${name} = "${range}"`);
      }
    }
  }
  const internal = DEP_FIELDS.flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([name]) => name.startsWith("@patchbay/"))
      .map(([name, range]) => `${name.replace("@patchbay/", "")}@${range}`),
  );
  return { manifest, problems, internal };
}

async function check(command, commandArgs) {
  try {
    await execFile(command, commandArgs, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return { ok: true, output: "" };
  } catch (error) {
    return { ok: false, output: `${error.stdout ?? ""}${error.stderr ?? ""}`.trim() };
  }
}

t = performance.now();
const results = await mapLimit(packages, limit, async (pkg, i) => {
  const { tarball, size, files } = packed[i];
  const manifestCheck = await checkManifest(tarball);
  // Subpaths that are not modules (a stylesheet) have no types to check.
  const nonModules = subpaths(manifestCheck.manifest)
    .filter(({ subpath, target }) => subpath !== "./package.json" && !/\.[cm]?js$/.test(target))
    .map(({ subpath }) => subpath);
  const [publint, attw] = await Promise.all([
    check("pnpm", ["exec", "publint", "run", tarball, "--strict"]),
    check("pnpm", [
      "exec",
      "attw",
      tarball,
      "--profile",
      "esm-only",
      "--format",
      "ascii",
      "--no-color",
      ...(nonModules.length ? ["--exclude-entrypoints", ...nonModules] : []),
    ]),
  ]);
  return {
    pkg,
    size,
    files: files.length,
    unpacked: await unpackedSize(tarball),
    manifestCheck,
    publint,
    attw,
  };
});
console.log(`checked in ${seconds(t)}\n`);

// The versions `changeset version` would give each package from the pending changesets.
const nextVersions = new Map();
try {
  const planFile = join(destination, "release-plan.json");
  await execFile("pnpm", ["exec", "changeset", "status", "--output", planFile], { cwd: root });
  const { readFileSync } = await import("node:fs");
  for (const release of JSON.parse(readFileSync(planFile, "utf8")).releases) {
    if (release.type !== "none") nextVersions.set(release.name, release.newVersion);
  }
} catch {
  // No changesets, or not a git checkout: the column stays empty.
}

const mark = (ok) => (ok ? "ok" : "FAIL");
console.log(
  table(
    ["package", "version", "next", "tarball", "unpacked", "files", "manifest", "publint", "attw"],
    results.map((r) => [
      r.pkg.name,
      r.pkg.version,
      nextVersions.get(r.pkg.name) ?? "-",
      formatBytes(r.size),
      formatBytes(r.unpacked),
      r.files,
      mark(r.manifestCheck.problems.length === 0),
      mark(r.publint.ok),
      mark(r.attw.ok),
    ]),
  ),
);

const total = results.reduce((sum, r) => sum + r.size, 0);
console.log(`\n${results.length} packages, ${formatBytes(total)} packed in total`);

// The packed internal ranges, once per distinct form, so a reviewer sees what npm users get.
const ranges = new Map();
for (const r of results) {
  for (const entry of r.manifestCheck.internal) {
    const key = entry.replace(/^[^@]+@/, "");
    ranges.set(key, (ranges.get(key) ?? 0) + 1);
  }
}
console.log(
  `packed @patchbay/* ranges: ${[...ranges].map(([range, n]) => `"${range}" ×${n}`).join(", ")}`,
);

const warnings = [];
for (const r of results) {
  const next = nextVersions.get(r.pkg.name);
  if (next && r.pkg.version.startsWith("0.") && !next.startsWith("0.")) {
    warnings.push(`${r.pkg.name} ${r.pkg.version} → ${next}`);
  }
}
if (warnings.length) {
  console.log(
    `\nwarning: the pending changesets take ${warnings.length} package(s) from 0.x to 1.0.0 ` +
      `(${warnings.slice(0, 3).join(", ")}${warnings.length > 3 ? ", …" : ""}).\n` +
      "If that is not a deliberate 1.0, a peer range on a 0.x package is too narrow: " +
      "see `node scripts/release/peer-ranges.mjs`.",
  );
}

const failures = results.filter(
  (r) => r.manifestCheck.problems.length || !r.publint.ok || !r.attw.ok,
);
for (const r of failures) {
  console.log(`\n✗ ${r.pkg.name}`);
  for (const problem of r.manifestCheck.problems) console.log(`  packed manifest: ${problem}`);
  if (!r.publint.ok) console.log(`  publint:\n${r.publint.output.replace(/^/gm, "    ")}`);
  if (!r.attw.ok) console.log(`  attw:\n${r.attw.output.replace(/^/gm, "    ")}`);
}

if (args.has("--keep")) console.log(`\ntarballs kept in ${destination}`);
else rmSync(destination, { recursive: true, force: true });

console.log(`\nrelease dry run ${failures.length ? "FAILED" : "passed"} in ${seconds(started)}`);
process.exitCode = failures.length ? 1 : 0;
