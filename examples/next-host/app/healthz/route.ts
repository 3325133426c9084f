/** `{ ok: true }` once the demo is up (the first call starts it). */
import { demoPage } from "../../lib/demo.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = demoPage;
