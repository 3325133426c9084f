import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["dev-source"] },
  ssr: { resolve: { conditions: ["dev-source"] } },
  test: {
    name: "queue-bullmq",
    include: ["test/**/*.test.ts"],
    // PGlite's cold start takes seconds, more on a busy CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
