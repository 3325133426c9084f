// server.ts: every integration route, mounted in one line.
import { patchbayRouter } from "@patchbay/express";
import express from "express";
import { patchbay } from "./patchbay.js";

const app = express();
// Before any body parser: webhook signatures are checked over the raw body.
app.use(
  "/integrations",
  patchbayRouter(patchbay, { tenant: (req) => req.get("x-org-id") ?? null }), // your session's org
);
app.use(express.json());
app.listen(3000);
