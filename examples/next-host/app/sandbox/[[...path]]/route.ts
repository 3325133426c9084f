/**
 * Sandbox mode: the provider console (`/sandbox` and its forms) and the
 * consent page standing in for the providers' (`/sandbox/authorize`).
 */
import { demoPage } from "../../../lib/demo.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = demoPage;
export const POST = demoPage;
