import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  external: ["react", "react-dom", "@patchbay/core"],
  // Components use state and effects: mark the bundle for React Server Components hosts (Next.js).
  banner: { js: '"use client";' },
});
