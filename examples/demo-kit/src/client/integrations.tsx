/**
 * The integrations page: `@patchbay/react`'s grid talking to the Patchbay
 * routes the host mounted. This is all the UI code a host needs.
 */
import { IntegrationsGrid, PatchbayProvider } from "@patchbay/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const root = document.getElementById("integrations");
if (root !== null) {
  const baseUrl = root.dataset.baseUrl ?? "/integrations";
  createRoot(root).render(
    <StrictMode>
      <PatchbayProvider baseUrl={baseUrl}>
        <IntegrationsGrid
          groupByCategory={false}
          mappingFields={{
            "google-sheets": { rows: { host: ["artist", "station", "contactEmail", "status"] } },
          }}
        />
      </PatchbayProvider>
    </StrictMode>,
  );
}
