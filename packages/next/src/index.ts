/**
 * Next.js App Router adapter for Patchbay: the integration routes as route
 * handlers, exported from one catch-all route file.
 *
 * @example app/api/integrations/[...patchbay]/route.ts
 * ```ts
 * import { patchbayHandlers } from "@patchbay/next";
 * import { patchbay } from "@/lib/patchbay";
 * import { auth } from "@/lib/auth";
 *
 * export const { GET, POST, PUT, DELETE } = patchbayHandlers(patchbay, {
 *   basePath: "/api/integrations",
 *   tenant: async () => (await auth())?.orgId ?? null,
 *   cronSecret: process.env.CRON_SECRET,
 * });
 * export const runtime = "nodejs";
 * ```
 * @see https://nextjs.org/docs/app/building-your-application/routing/route-handlers
 */
import { createPatchbayHandler, type Patchbay, type PatchbayHandlerOptions } from "@patchbay/core";

/** A route handler as Next.js calls it. */
export type RouteHandler = (request: Request) => Promise<Response>;

/**
 * The Patchbay routes as App Router handlers. `basePath` is where the
 * catch-all route lives (`/api/integrations` for `app/api/integrations/[...patchbay]/route.ts`).
 * Next.js hands route handlers the raw body, so webhook signatures work as is.
 */
export function patchbayHandlers(
  patchbay: Patchbay,
  options: PatchbayHandlerOptions,
): { GET: RouteHandler; POST: RouteHandler; PUT: RouteHandler; DELETE: RouteHandler } {
  const handle = createPatchbayHandler(patchbay, options);
  const route: RouteHandler = (request) => handle(request);
  return { GET: route, POST: route, PUT: route, DELETE: route };
}
