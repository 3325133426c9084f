// lib/patchbay.ts: one Patchbay for the whole app.
import { createPatchbay, Vault } from "@patchbay/core";
import { googleSheets } from "@patchbay/google-sheets";
import { pgliteStore } from "@patchbay/store-postgres";

const { GOOGLE_CLIENT_ID = "", GOOGLE_CLIENT_SECRET = "" } = process.env; // your OAuth client
const store = pgliteStore({ dataDir: "./.patchbay/db" }); // embedded PostgreSQL, zero setup
await store.init(); // applies migrations

export const patchbay = createPatchbay({
  connectors: [
    googleSheets({
      clientId: GOOGLE_CLIENT_ID,
      clientSecret: GOOGLE_CLIENT_SECRET,
    }),
  ],
  store,
  vault: Vault.fromEnv(), // PATCHBAY_VAULT_KEYS="kid:base64key"
});
patchbay.start(); // scheduled syncs and webhook-triggered runs
