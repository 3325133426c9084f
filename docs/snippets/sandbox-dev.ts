// Development mode: the fakes answer in-process and a local consent page
// stands in for Google's, so the whole connect → sync journey works offline.
import { createPatchbay, MemoryStore, Vault } from "@patchbay/core";
import { patchbayRouter } from "@patchbay/express";
import { googleSheets } from "@patchbay/google-sheets";
import { createGoogleSheetsFake, GOOGLE_SANDBOX_CLIENT } from "@patchbay/google-sheets/testing";
import { createSandbox } from "@patchbay/testing";
import express from "express";

const sheets = createGoogleSheetsFake({
  redirectUris: ["http://localhost:3000/integrations/google-sheets/callback"],
});
const sandbox = createSandbox({
  appName: "Pitch Tracker",
  providers: [
    {
      connector: "google-sheets",
      providerName: "Google",
      handlers: sheets.handlers,
      oauth: sheets.oauth,
    },
  ],
});
sandbox.start(); // this process's fetch() calls to Google now reach the fake

const patchbay = createPatchbay({
  connectors: [googleSheets(GOOGLE_SANDBOX_CLIENT)],
  store: new MemoryStore(),
  vault: Vault.fromEnv(),
});

const app = express();
app.use(
  "/integrations",
  patchbayRouter(patchbay, {
    tenant: () => "org_dev",
    authorizationRedirect: (url, context) => sandbox.authorizationRedirect(url, context),
  }),
);
// The consent page: GET and POST /sandbox/authorize.
app.use(async (req, res, next) => {
  const response = await sandbox.handle(
    new Request(new URL(req.originalUrl, "http://localhost:3000"), {
      method: req.method,
      headers: { "content-type": req.get("content-type") ?? "" },
      body: req.method === "POST" ? (req as unknown as ReadableStream) : undefined,
      duplex: "half",
    } as RequestInit),
  );
  if (response === null) return next();
  res
    .status(response.status)
    .set(Object.fromEntries(response.headers))
    .send(await response.text());
});
app.listen(3000);
