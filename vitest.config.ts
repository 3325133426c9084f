import { defineConfig } from "vitest/config";

// One runner for the whole workspace. Packages resolve each other through the
// `dev-source` export condition, so tests run against `src/` without a build.
export default defineConfig({
  resolve: { conditions: ["dev-source"] },
  ssr: { resolve: { conditions: ["dev-source"] } },
  test: {
    projects: ["packages/*", "examples/*", "tests/*"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
