/**
 * Next.js configuration of the demo.
 *
 * The workspace packages (`@patchbay/*`) export their TypeScript sources under
 * the `dev-source` condition and their build (`dist/`) by default. Turbopack
 * has no option for extra export conditions, so every `dev-source` entry
 * becomes a `resolveAlias`: the app builds from the sources, no
 * `pnpm build` first, and edits to a package show up in `next dev` at once.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { NextConfig } from "next";

const here = import.meta.dirname;
const root = join(here, "..", "..");

type Exports = Record<string, string | Record<string, string>>;

/** `@patchbay/core` → `../../packages/core/src/index.ts`, `@patchbay/gmail/testing` → …, for every package. */
function devSourceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  const packages = join(root, "packages");
  for (const dir of readdirSync(packages)) {
    const file = join(packages, dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name: string; exports?: Exports };
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target !== "object" || target["dev-source"] === undefined) continue;
      const specifier = `${pkg.name}${subpath.slice(1)}`;
      aliases[specifier] = `./${relative(here, join(packages, dir, target["dev-source"]))}`;
    }
  }
  // The stylesheet is copied into dist/ by the build; its source sits beside the components.
  aliases["@patchbay/react/styles.css"] = "../../packages/react/src/styles.css";
  return aliases;
}

const nextConfig: NextConfig = {
  // Node-only packages, loaded by Node at run time rather than bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pg",
    "msw",
    "esbuild",
    "vitest",
    "playwright-core",
  ],
  transpilePackages: ["@patchbay/example-demo-kit"],
  turbopack: {
    root,
    resolveAlias: devSourceAliases(),
    ignoreIssue: [
      // The demo's data folder is chosen at run time (PATCHBAY_DATA_DIR); nothing to trace there.
      { path: "**/examples/demo-kit/src/index.ts", title: /Dynamic filesystem access/ },
    ],
  },
  outputFileTracingRoot: root,
  // The end-to-end test builds without type-checking: `pnpm typecheck` does that.
  typescript: { ignoreBuildErrors: process.env.NEXT_HOST_SKIP_TYPECHECK === "1" },
  poweredByHeader: false,
};

export default nextConfig;
