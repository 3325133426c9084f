/**
 * The integrations page: an App Router page whose grid is `@patchbay/react`
 * in a client component, talking to the routes in app/integrations.
 */
import type { Metadata } from "next";
import { getDemo } from "../../../lib/demo.js";
import { Header } from "../../header.js";
import { Integrations } from "./integrations.js";

export const metadata: Metadata = { title: "Integrations" };
// Rendered per request: the demo (and whether it runs in sandbox mode) exists at run time only.
export const dynamic = "force-dynamic";

export default async function IntegrationsPage() {
  const demo = await getDemo();
  return (
    <>
      <Header current="/settings/integrations" sandbox={demo.sandbox !== null} />
      <main>
        <h1>Integrations</h1>
        <p className="muted">Connect the tools your team already uses. Pitches flow both ways.</p>
        <Integrations baseUrl={demo.integrationsPath} />
      </main>
    </>
  );
}
