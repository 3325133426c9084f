import { defineProject } from "vitest/config";

export default defineProject({
  resolve: { conditions: ["dev-source"] },
  ssr: { resolve: { conditions: ["dev-source"] } },
  test: {
    name: "security",
    include: ["test/**/*.test.ts"],
    // The long fuzz run (FUZZ_RUNS=10000) takes minutes per property.
    testTimeout: process.env.FUZZ_RUNS === undefined ? 20_000 : 1_800_000,
    hookTimeout: 20_000,
  },
});
