// app/api/integrations/[...patchbay]/route.ts: every integration route, one file.
import { patchbayHandlers } from "@patchbay/next";
import { patchbay } from "./patchbay.js"; // in a Next app: "@/lib/patchbay"

async function currentOrgId(request: Request): Promise<string | null> {
  return request.headers.get("x-org-id"); // read it from your auth session instead
}

export const { GET, POST, PUT, DELETE } = patchbayHandlers(patchbay, {
  basePath: "/api/integrations",
  tenant: currentOrgId,
});
export const runtime = "nodejs";
