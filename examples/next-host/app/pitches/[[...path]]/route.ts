/** The pitches page's forms: add a pitch, change its status, send it with Gmail. */
import { demoPage } from "../../../lib/demo.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const POST = demoPage;
