import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DefaultTheme, defineConfig } from "vitepress";

const DOCS = join(dirname(fileURLToPath(import.meta.url)), "..");
/** TypeDoc's HTML (`pnpm docs:api`), copied into the site when it has been built. */
const API = join(DOCS, "api");

/** A page's title: its first `# ` heading. */
function title(file: string): string {
  const heading = readFileSync(file, "utf8").match(/^# (.+)$/m)?.[1];
  return heading ?? file;
}

/** Top-level pages that may or may not exist yet. */
function optionalPages(names: string[]): DefaultTheme.SidebarItem[] {
  return names
    .filter((name) => existsSync(join(DOCS, `${name}.md`)))
    .map((name) => ({ text: title(join(DOCS, `${name}.md`)), link: `/${name}` }));
}

/** Every hand-written provider page, with its generated reference beside it. */
function providerItems(): DefaultTheme.SidebarItem[] {
  return readdirSync(join(DOCS, "providers"))
    .filter((f) => f.endsWith(".md") && f !== "index.md")
    .sort()
    .map((f) => {
      const id = f.slice(0, -3);
      const generated = join(DOCS, "providers/generated", f);
      return {
        text: title(join(DOCS, "providers", f)),
        link: `/providers/${id}`,
        collapsed: true,
        items: existsSync(generated)
          ? [{ text: "Reference", link: `/providers/generated/${id}` }]
          : undefined,
      };
    });
}

export default defineConfig({
  title: "Patchbay",
  description:
    "A TypeScript connector SDK: OAuth, sync, write-back and webhooks, embedded in your app.",
  cleanUrls: true,
  lastUpdated: false,
  srcExclude: ["snippets/**", "api/**", "README.md"],
  ignoreDeadLinks: [
    // The API reference is TypeDoc's HTML (`pnpm docs:api`), not VitePress
    // pages: VitePress cannot check links into it. `buildEnd` copies it in.
    /^\/api\//,
    // stores.md links to the package README in the repository (fine on
    // GitHub, outside this site).
    /^\.\/\.\.\/packages\/[a-z0-9-]+\/README$/,
  ],
  themeConfig: {
    nav: [
      { text: "Getting started", link: "/getting-started" },
      { text: "Concepts", link: "/concepts" },
      { text: "Guides", link: "/guides/" },
      { text: "Providers", link: "/providers/" },
      { text: "API", link: "/api/", target: "_self" },
    ],
    sidebar: [
      { text: "Getting started", link: "/getting-started" },
      {
        text: "Concepts",
        items: [
          { text: "Concepts", link: "/concepts" },
          { text: "Syncing data", link: "/sync" },
          { text: "Stores", link: "/stores" },
          { text: "Running workers", link: "/workers" },
          { text: "Scheduled exports", link: "/exports" },
          // Pages other contributors own, listed once they exist.
          ...optionalPages(["testing", "benchmarks"]),
        ],
      },
      {
        text: "Guides",
        items: [
          { text: "Overview", link: "/guides/" },
          { text: "Writing a connector", link: "/guides/writing-a-connector" },
          { text: "Writing a store", link: "/guides/writing-a-store" },
          { text: "Testing your app", link: "/guides/testing" },
          { text: "Going to production", link: "/guides/production" },
          { text: "Migrating from hand-written integrations", link: "/guides/migrating" },
        ],
      },
      {
        text: "Providers",
        items: [{ text: "All providers", link: "/providers/" }, ...providerItems()],
      },
      { text: "API reference", link: "/api/", target: "_self" },
    ],
    search: { provider: "local" },
    outline: [2, 3],
  },
  buildEnd(site) {
    if (existsSync(API)) cpSync(API, join(site.outDir, "api"), { recursive: true });
  },
});
