import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["dev-source"] },
  ssr: { resolve: { conditions: ["dev-source"] } },
  test: {
    name: "express-host",
    include: ["test/**/*.test.ts"],
    // A browser journey with PGlite's cold start: minutes on a busy 2-core CI machine.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
