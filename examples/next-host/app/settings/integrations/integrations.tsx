"use client";
/**
 * `@patchbay/react`'s grid talking to the Patchbay routes. This is all the UI
 * code a host needs.
 */
import "@patchbay/react/styles.css";
import { IntegrationsGrid, PatchbayProvider } from "@patchbay/react";

export function Integrations({ baseUrl }: { baseUrl: string }) {
  return (
    <PatchbayProvider baseUrl={baseUrl}>
      <IntegrationsGrid
        groupByCategory={false}
        mappingFields={{
          "google-sheets": { rows: { host: ["artist", "station", "contactEmail", "status"] } },
        }}
      />
    </PatchbayProvider>
  );
}
