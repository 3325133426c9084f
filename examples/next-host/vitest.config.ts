import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["dev-source"] },
  ssr: { resolve: { conditions: ["dev-source"] } },
  test: {
    name: "next-host",
    include: ["test/**/*.test.ts"],
    // `next build` (about a minute on a busy 2-core machine), PGlite's cold
    // start, then the browser journey.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
