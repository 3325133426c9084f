#!/usr/bin/env node
/**
 * Type-checks the docs' code snippets (`docs/snippets/**\/*.ts`, included in
 * pages with VitePress's `<<< @/snippets/<file>`), so a copy-pasted example
 * compiles against the packages as they are.
 *
 *   node scripts/docs/check-snippets.mjs
 *
 * It writes a tsconfig to a temp folder that extends tsconfig.base.json and
 * maps imports with `paths`: `@patchbay/*` to each package's `dev-source`
 * entry (its TypeScript source, as the tests resolve it), and the third-party
 * modules the snippets use to the copies installed for the workspace packages
 * that depend on them. Then it runs `tsc --noEmit -p` on it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SNIPPETS = join(ROOT, "docs/snippets");

/** `@patchbay/<name>[/sub]` → the file its `dev-source` condition points at. */
function workspacePaths() {
  const paths = {};
  for (const dir of readdirSync(join(ROOT, "packages"))) {
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const source =
        typeof target === "object" && target !== null ? target["dev-source"] : undefined;
      if (typeof source !== "string") continue;
      paths[`${pkg.name}${subpath.slice(1)}`] = [join(ROOT, "packages", dir, source)];
    }
  }
  return paths;
}

/**
 * Third-party modules the snippets import, each resolved from a workspace
 * package that depends on it (ESM typings, as the packages themselves see them).
 */
const THIRD_PARTY = {
  express: ["examples/express-host", "@types/express/index.d.ts"],
  msw: ["packages/testing", "msw/lib/core/index.d.mts"],
  "msw/node": ["packages/testing", "msw/lib/node/index.d.mts"],
  vitest: ["packages/testing", "vitest/dist/index.d.ts"],
  zod: ["packages/core", "zod/index.d.ts"],
};

function thirdPartyPaths() {
  const paths = {};
  for (const [name, [from, file]] of Object.entries(THIRD_PARTY)) {
    const req = createRequire(join(ROOT, from, "package.json"));
    const pkgName = file.startsWith("@")
      ? file.split("/").slice(0, 2).join("/")
      : file.split("/")[0];
    const pkgDir = dirname(req.resolve(`${pkgName}/package.json`));
    paths[name] = [join(pkgDir, file.slice(pkgName.length + 1))];
  }
  return paths;
}

const temp = mkdtempSync(join(tmpdir(), "patchbay-snippets-"));
let status = 1;
try {
  const tsconfig = {
    extends: join(ROOT, "tsconfig.base.json"),
    compilerOptions: {
      noEmit: true,
      declaration: false,
      sourceMap: false,
      jsx: "react-jsx",
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules/@types")],
      paths: { ...workspacePaths(), ...thirdPartyPaths() },
    },
    include: [join(SNIPPETS, "**/*.ts"), join(SNIPPETS, "**/*.tsx")],
  };
  const file = join(temp, "tsconfig.json");
  writeFileSync(file, JSON.stringify(tsconfig, null, 2));
  const tsc = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "-p", file], {
    cwd: ROOT,
    stdio: "inherit",
  });
  status = result.status ?? 1;
  if (status === 0) console.log("docs snippets: type-check passed");
} finally {
  rmSync(temp, { recursive: true, force: true });
}
process.exit(status);
