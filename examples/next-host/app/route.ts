/** `/`: the pitches page, server-rendered by the demo kit (the same page as on Express). */
import { demoPage } from "../lib/demo.js";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const GET = demoPage;
