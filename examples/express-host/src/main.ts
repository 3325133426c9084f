/**
 * `pnpm demo`: starts the Pitch Tracker on http://localhost:3000 (PORT to
 * change it). Sandbox mode unless provider credentials are set (.env.example).
 */
import { createApp } from "./app.js";

// Provider credentials from .env when there is one (see .env.example); sandbox mode otherwise.
try {
  process.loadEnvFile(new URL("../.env", import.meta.url));
} catch {
  // no .env: every provider runs in sandbox mode
}

const port = Number(process.env.PORT ?? 3000);
const origin = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
const { app, demo } = await createApp({ origin });
const server = app.listen(port, () => {
  const mode =
    demo.sandboxed.length > 0
      ? `sandbox mode for ${demo.sandboxed.join(", ")} (no accounts needed)`
      : "real providers";
  console.log(`\n  Pitch Tracker (Patchbay + Express) is running: ${origin}\n  ${mode}\n`);
});

async function shutdown() {
  server.close();
  await demo.close();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
