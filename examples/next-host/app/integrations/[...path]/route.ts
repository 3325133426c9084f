/**
 * Every Patchbay route (catalogue, connect and OAuth callbacks, configure,
 * sync, webhooks, cron) under /integrations: the handlers of `@patchbay/next`.
 */
import { integrationRoutes } from "../../../lib/demo.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  return (await integrationRoutes()).GET(request);
}
export async function POST(request: Request): Promise<Response> {
  return (await integrationRoutes()).POST(request);
}
export async function PUT(request: Request): Promise<Response> {
  return (await integrationRoutes()).PUT(request);
}
export async function DELETE(request: Request): Promise<Response> {
  return (await integrationRoutes()).DELETE(request);
}
