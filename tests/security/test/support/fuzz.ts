/** Property runs: 200 by default, `FUZZ_RUNS=10000` for the long run (`pnpm test:fuzz`). */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
