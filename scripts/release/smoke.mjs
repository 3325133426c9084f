#!/usr/bin/env node
// `pnpm smoke`: installs the packed tarballs of every publishable package into a scratch
// project outside the workspace — the way a user gets them from npm, third-party dependencies
// from the registry — then imports every subpath export twice: with `import` from an ES
// module, and with `require()` from a CommonJS module (Node >= 20.19 loads ESM without
// top-level await through require). Prints pass/fail per subpath; exits non-zero on a failure.
//
// Options: --keep (keep the scratch project), --skip-build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildAll,
  execFile,
  mapLimit,
  pack,
  publishablePackages,
  readFromTarball,
  seconds,
  subpaths,
  table,
} from "./lib.mjs";

const args = new Set(process.argv.slice(2));
const started = performance.now();
const timings = [];
const packages = publishablePackages();

if (!args.has("--skip-build")) {
  const t = performance.now();
  await buildAll();
  timings.push(["build (turbo)", seconds(t)]);
}

const scratch = mkdtempSync(join(tmpdir(), "patchbay-smoke-"));
const tarballDir = join(scratch, "tarballs");
const project = join(scratch, "project");
mkdirSync(tarballDir);
mkdirSync(project);

let t = performance.now();
const packed = await mapLimit(packages, Math.max(2, availableParallelism()), (pkg) =>
  pack(pkg, tarballDir),
);
timings.push([`pack ${packed.length} packages`, seconds(t)]);

// Subpaths come from the packed manifests: what users get, not what the workspace says.
const specs = [];
for (const { tarball } of packed) {
  const manifest = JSON.parse(await readFromTarball(tarball, "package.json"));
  for (const { subpath, specifier, target } of subpaths(manifest)) {
    const kind =
      subpath === "./package.json" ? "json" : /\.[cm]?js$/.test(target) ? "module" : "file";
    specs.push({ specifier, kind });
  }
}

writeFileSync(
  join(project, "package.json"),
  `${JSON.stringify({ name: "patchbay-smoke", private: true, version: "0.0.0" }, null, 2)}\n`,
);
writeFileSync(join(project, "specs.json"), JSON.stringify(specs));

// One install for everything, so the peer ranges between the tarballs are resolved the way
// npm resolves them for users. npm installs required peers itself (react, express, vitest);
// msw is an optional peer the providers' ./testing subpaths need, so it is named here.
t = performance.now();
try {
  await execFile(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--ignore-scripts",
      "--loglevel=error",
      ...packed.map((p) => p.tarball),
      "msw@^2.9.0",
    ],
    { cwd: project, maxBuffer: 64 * 1024 * 1024 },
  );
} catch (error) {
  console.error(`npm install failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  process.exit(1);
}
timings.push(["npm install (tarballs + registry)", seconds(t)]);

const esmRunner = `import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
const specs = JSON.parse(readFileSync(new URL("./specs.json", import.meta.url), "utf8"));
for (const { specifier, kind } of specs) {
  try {
    let detail;
    if (kind === "module") {
      const namespace = await import(specifier);
      const count = Object.keys(namespace).length;
      if (count === 0) throw new Error("no exports");
      detail = \`\${count} exports\`;
    } else if (kind === "json") {
      const json = (await import(specifier, { with: { type: "json" } })).default;
      detail = \`\${json.name}@\${json.version}\`;
    } else {
      const file = fileURLToPath(import.meta.resolve(specifier));
      if (!existsSync(file)) throw new Error(\`\${file} missing\`);
      detail = "resolved";
    }
    console.log(JSON.stringify({ specifier, ok: true, detail }));
  } catch (error) {
    console.log(JSON.stringify({ specifier, ok: false, detail: \`\${error.code ?? error.name}: \${String(error.message).split("\\n")[0]}\` }));
  }
}
process.exit(0);
`;

const cjsRunner = `const { existsSync } = require("node:fs");
const specs = require("./specs.json");
for (const { specifier, kind } of specs) {
  try {
    let detail;
    if (kind === "module") {
      const namespace = require(specifier);
      const count = Object.keys(namespace).length;
      if (count === 0) throw new Error("no exports");
      detail = \`\${count} exports\`;
    } else if (kind === "json") {
      const json = require(specifier);
      detail = \`\${json.name}@\${json.version}\`;
    } else {
      const file = require.resolve(specifier);
      if (!existsSync(file)) throw new Error(\`\${file} missing\`);
      detail = "resolved";
    }
    console.log(JSON.stringify({ specifier, ok: true, detail }));
  } catch (error) {
    console.log(JSON.stringify({ specifier, ok: false, detail: \`\${error.code ?? error.name}: \${String(error.message).split("\\n")[0]}\` }));
  }
}
process.exit(0);
`;
writeFileSync(join(project, "smoke-esm.mjs"), esmRunner);
writeFileSync(join(project, "smoke-cjs.cjs"), cjsRunner);

async function runner(file) {
  try {
    const { stdout, stderr } = await execFile(process.execPath, [file], {
      cwd: project,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { lines: stdout, stderr };
  } catch (error) {
    return { lines: error.stdout ?? "", stderr: `${error.stderr ?? ""}\n${error.message}` };
  }
}

t = performance.now();
const [esm, cjs] = await Promise.all([runner("smoke-esm.mjs"), runner("smoke-cjs.cjs")]);
timings.push(["import + require every subpath", seconds(t)]);

function parse(output) {
  const bySpecifier = new Map();
  for (const line of output.lines.split("\n")) {
    if (!line.startsWith("{")) continue;
    const result = JSON.parse(line);
    bySpecifier.set(result.specifier, result);
  }
  return bySpecifier;
}
const esmResults = parse(esm);
const cjsResults = parse(cjs);
const missing = { ok: false, detail: "runner did not report (crashed?)" };

const rows = specs.map(({ specifier }) => {
  const e = esmResults.get(specifier) ?? missing;
  const c = cjsResults.get(specifier) ?? missing;
  return [specifier, e.ok ? "pass" : "FAIL", c.ok ? "pass" : "FAIL", e.ok ? c.detail : e.detail];
});
console.log(`\nNode ${process.version}, scratch project ${project}\n`);
console.log(table(["subpath", "import", "require", "detail"], rows));

const failures = rows.filter((r) => r[1] !== "pass" || r[2] !== "pass");
const esmFailed = rows.filter((r) => r[1] !== "pass").length;
const cjsFailed = rows.filter((r) => r[2] !== "pass").length;
for (const [name, out] of [
  ["import", esm],
  ["require", cjs],
]) {
  const noise = out.stderr.trim();
  if (noise) console.log(`\n${name} runner stderr:\n${noise.replace(/^/gm, "  ")}`);
}

console.log(
  `\n${specs.length} subpaths from ${packages.length} packages: ` +
    `import ${specs.length - esmFailed}/${specs.length}, require ${specs.length - cjsFailed}/${specs.length}`,
);
timings.push(["total", seconds(started)]);
console.log(table(["step", "time"], timings));

if (args.has("--keep") || failures.length) console.log(`\nscratch project kept: ${project}`);
else rmSync(scratch, { recursive: true, force: true });

process.exitCode = failures.length ? 1 : 0;
