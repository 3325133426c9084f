/**
 * The demo's server-rendered pages, as a web-standard handler (Request in,
 * Response out) so both hosts mount the same thing: the pitches page, the
 * integrations page shell (React, `@patchbay/react`), and in sandbox mode the
 * provider console where you act as the user at Google Sheets or as the DJ
 * answering in Gmail.
 */
import type { Patchbay } from "@patchbay/core";
import type { SandboxFakes } from "./providers.js";
import { PITCH_STATUSES, type Pitch, SHEET_COLUMNS, type Tracker } from "./tracker.js";

export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The pages' stylesheet (a host rendering its own pages, like the Next.js one, reuses it). */
export const PAGE_STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,sans-serif;color:#111827;background:#f9fafb}
body{margin:0}body>header{background:#111827;color:#fff;padding:.75rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
body>header a{color:#d1d5db;text-decoration:none}body>header a[aria-current=page]{color:#fff;font-weight:600}
body>header .brand{font-weight:700;color:#fff;margin-right:auto}
.sandbox{background:#fef3c7;color:#92400e;border-radius:999px;padding:.1rem .6rem;font-size:.8rem}
main{max-width:64rem;margin:0 auto;padding:1.5rem}
table.app{border-collapse:collapse;width:100%;background:#fff}.app th,.app td{border:1px solid #e5e7eb;padding:.4rem .6rem;text-align:left;vertical-align:top}
.app th{background:#f3f4f6}form.inline{display:inline}input,select,button{font:inherit}
form button{padding:.3rem .8rem;border-radius:6px;border:1px solid #d1d5db;background:#fff;cursor:pointer}
form button.primary{background:#2563eb;color:#fff;border-color:#2563eb}
section.app{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:1rem 1.25rem;margin:1rem 0}
.muted{color:#6b7280}.error{color:#b91c1c}
fieldset{border:0;padding:0;display:flex;gap:.5rem;flex-wrap:wrap;align-items:end}label{display:flex;flex-direction:column;font-size:.85rem;gap:.2rem}
`;

/** The header's links, `[href, label]`; the sandbox console only in sandbox mode. */
export function navigation(sandbox: boolean): Array<[href: string, label: string]> {
  return [
    ["/", "Pitches"],
    ["/settings/integrations", "Integrations"],
    ...(sandbox ? [["/sandbox", "Sandbox providers"] as [string, string]] : []),
  ];
}

export function layout(input: {
  title: string;
  current: string;
  sandbox: boolean;
  body: string;
  head?: string;
}): Response {
  const nav = navigation(input.sandbox)
    .map(
      ([href, label]) =>
        `<a href="${href}"${href === input.current ? ' aria-current="page"' : ""}>${label}</a>`,
    )
    .join("");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)} · Pitch Tracker</title><link rel="icon" href="data:,"><style>${PAGE_STYLE}</style>${input.head ?? ""}</head>
<body><header><span class="brand">Pitch Tracker</span>${nav}${input.sandbox ? '<span class="sandbox" title="Providers are fakes running in this process">Sandbox mode</span>' : ""}</header>
<main>${input.body}</main></body></html>`;
  return new Response(html, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

function withMessage(path: string, key: "error" | "notice", message: string): string {
  return `${path}?${new URLSearchParams({ [key]: message })}`;
}

/** Column letters for a 0-based index (0 → A, 26 → AA). */
function columnLetter(index: number): string {
  let n = index + 1;
  let out = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** The demo's page routes. Answers `null` for anything else. */
export function createPages(input: {
  patchbay: Patchbay;
  tracker: Tracker;
  fakes: SandboxFakes;
  sandbox: boolean;
  /** What to type into sandboxed providers' credential forms, by connector id. */
  sandboxCredentials?: Record<string, Record<string, unknown>>;
  clientScript: () => Promise<string>;
  clientStyles: () => Promise<string>;
  integrationsPath: string;
}) {
  const { patchbay, tracker, fakes, sandbox } = input;

  async function pitchesPage(url: URL): Promise<Response> {
    await tracker.settled();
    const [sheets, gmail] = await Promise.all([
      tracker.active("google-sheets"),
      tracker.active("gmail"),
    ]);
    const rows = tracker
      .list()
      .map(
        (p: Pitch) => `<tr data-pitch="${escapeHtml(p.id)}">
<td>${escapeHtml(p.artist)}</td><td>${escapeHtml(p.station)}</td><td>${escapeHtml(p.contactEmail)}</td>
<td><form class="inline" method="post" action="/pitches/${encodeURIComponent(p.id)}/status">
<label class="visually-hidden" style="display:inline"><span hidden>Status of ${escapeHtml(p.artist)}</span>
<select name="status" aria-label="Status of ${escapeHtml(p.artist)}">${PITCH_STATUSES.map((s) => `<option${s === p.status ? " selected" : ""}>${s}</option>`).join("")}${(PITCH_STATUSES as readonly string[]).includes(p.status) ? "" : `<option selected>${escapeHtml(p.status)}</option>`}</select></label>
<button type="submit">Save</button></form></td>
<td>${p.reply ? `<span title="${escapeHtml(p.reply.classification)}">“${escapeHtml(p.reply.snippet)}”</span>` : p.gmailThreadId ? '<span class="muted">Sent, waiting for a reply</span>' : gmail ? `<form class="inline" method="post" action="/pitches/${encodeURIComponent(p.id)}/send"><button type="submit">Send with Gmail</button></form>` : '<span class="muted">—</span>'}</td>
</tr>`,
      )
      .join("");
    const error = url.searchParams.get("error");
    const notice = url.searchParams.get("notice");
    return layout({
      title: "Pitches",
      current: "/",
      sandbox,
      body: `<h1>Pitches</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ""}
<p class="muted">${sheets ? `Kept in step with your Google Sheet “Pitch tracker” (every minute, or “Sync now” on the Integrations page).` : `Connect Google Sheets on the <a href="/settings/integrations">Integrations</a> page to keep these in a spreadsheet.`}
${gmail ? " Replies to pitches sent with Gmail update the status." : ""}</p>
<section class="app"><h2>New pitch</h2><form method="post" action="/pitches"><fieldset>
<label>Artist<input name="artist" required></label><label>Station<input name="station" required></label>
<label>Contact email<input name="contactEmail" type="email" required></label>
<button class="primary" type="submit">Add pitch</button></fieldset></form></section>
<table class="app"><thead><tr><th>Artist</th><th>Station</th><th>Contact</th><th>Status</th><th>Reply</th></tr></thead><tbody>${rows}</tbody></table>`,
    });
  }

  function integrationsPage(): Response {
    return layout({
      title: "Integrations",
      current: "/settings/integrations",
      sandbox,
      head: `<link rel="stylesheet" href="/assets/patchbay.css">`,
      body: `<h1>Integrations</h1><p class="muted">Connect the tools your team already uses. Pitches flow both ways.</p>
<div id="integrations" data-base-url="${escapeHtml(input.integrationsPath)}"><p>Loading…</p></div>
<script type="module" src="/assets/integrations.js"></script>`,
    });
  }

  async function sandboxPage(url: URL): Promise<Response> {
    const parts: string[] = [];
    const sheets = await tracker.active("google-sheets");
    const spreadsheetId = sheets?.config.spreadsheetId as string | undefined;
    if (fakes.sheets !== undefined) {
      if (spreadsheetId === undefined) {
        parts.push(
          `<section class="app"><h2>Google Sheets</h2><p class="muted">Connect Google Sheets first: the app creates a “Pitch tracker” spreadsheet here.</p></section>`,
        );
      } else {
        const values = fakes.sheets.values(spreadsheetId);
        const header = values[0] ?? [];
        const editable = header
          .map((h, c) => ({ h, c }))
          .filter(({ h }) => h !== "" && h !== "Patchbay ID");
        const body = values
          .slice(1)
          .map((row, i) => ({ row, number: i + 2 }))
          .filter(({ row }) => row.some((cell) => cell !== ""))
          .map(
            ({ row, number }) => `<tr data-row="${number}"><td>${number}</td>
<td><form method="post" action="/sandbox/sheets/edit" id="row-${number}"><input type="hidden" name="spreadsheetId" value="${escapeHtml(spreadsheetId)}"><input type="hidden" name="row" value="${number}"></form>
${editable.map(({ h, c }) => `<label style="display:inline-flex"><span hidden>${escapeHtml(h)} of row ${number}</span><input form="row-${number}" name="c${c}" value="${escapeHtml(row[c] ?? "")}" aria-label="${escapeHtml(h)} of row ${number}"></label>`).join(" ")}
<button form="row-${number}" type="submit">Save row ${number}</button></td>
<td class="muted"><small>${escapeHtml(row[header.indexOf("Patchbay ID")] ?? "")}</small></td></tr>`,
          )
          .join("");
        parts.push(`<section class="app" aria-labelledby="sheets-h"><h2 id="sheets-h">Google Sheets: “Pitch tracker”</h2>
<p class="muted">You are the user, editing the spreadsheet in Google Sheets. Edits reach the app on the next sync.</p>
<table class="app"><thead><tr><th>Row</th><th>${editable.map(({ h }) => escapeHtml(h)).join(" · ")}</th><th>Patchbay ID</th></tr></thead><tbody>${body}</tbody></table>
<form method="post" action="/sandbox/sheets/append"><input type="hidden" name="spreadsheetId" value="${escapeHtml(spreadsheetId)}"><fieldset>
${Object.values(SHEET_COLUMNS)
  .map((h) => `<label>${h}<input name="${h}"></label>`)
  .join("")}<button type="submit">Add row in the sheet</button></fieldset></form></section>`);
      }
    }
    if (fakes.gmail !== undefined) {
      const sent = fakes.gmail.sent;
      parts.push(`<section class="app" aria-labelledby="gmail-h"><h2 id="gmail-h">Gmail: ${escapeHtml(fakes.gmail.emailAddress)}</h2>
<p class="muted">Pitches the app sent. Answer as the DJ: Gmail notifies the app (a signed Pub/Sub push) and the tracker learns of the reply.</p>
${
  sent.length === 0
    ? '<p class="muted">Nothing sent yet: use “Send with Gmail” on the Pitches page.</p>'
    : `<table class="app"><thead><tr><th>To</th><th>Subject</th><th>Reply as the DJ</th></tr></thead><tbody>${sent
        .map(
          (m) => `<tr><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.subject)}</td><td>
<form class="inline" method="post" action="/sandbox/gmail/reply"><input type="hidden" name="threadId" value="${escapeHtml(m.threadId)}"><input type="hidden" name="from" value="${escapeHtml(m.to)}">
<button type="submit" name="text" value="Sounds great, send it over! We'd love to add it to rotation.">Interested</button>
<button type="submit" name="text" value="Thanks, but it's not a fit for our station.">Not interested</button></form></td></tr>`,
        )
        .join("")}</tbody></table>`
}</section>`);
    }
    const credentials = Object.entries(input.sandboxCredentials ?? {});
    if (credentials.length > 0) {
      parts.push(`<section class="app" aria-labelledby="creds-h"><h2 id="creds-h">Sandbox credentials</h2>
<p class="muted">These providers connect with a form instead of a consent screen. Paste these values on the Integrations page; "Test connection" checks them against the fake before anything is saved.</p>
<table class="app"><thead><tr><th>Connector</th><th>Field</th><th>Value</th></tr></thead><tbody>${credentials
        .flatMap(([connector, fields]) =>
          Object.entries(fields).map(
            ([field, value]) =>
              `<tr><td>${escapeHtml(connector)}</td><td><code>${escapeHtml(field)}</code></td><td><code>${escapeHtml(value)}</code></td></tr>`,
          ),
        )
        .join("")}</tbody></table></section>`);
    }
    const others = [
      fakes.jobber &&
        "Jobber: “Greenleaf Lawn & Home Services” with clients, jobs, quotes and invoices.",
      fakes.quickbooks &&
        "QuickBooks Online: a plumbing & HVAC company's customers, invoices, payments and items.",
      fakes.serviceTitan &&
        "ServiceTitan: “Summit Comfort Heating & Plumbing” with customers, jobs in every status, invoices and technicians.",
      fakes.businessProfile &&
        "Google Business Profile: two locations with reviews, posts and 30 days of metrics.",
      fakes.yelp && "Yelp: Bright Plumbing Co. in Austin, TX and its competitors.",
      fakes.serpApi && "SerpApi: Google Maps rankings for Bright Plumbing Co. in Austin.",
      fakes.twilio &&
        "Twilio: two weeks of a plumbing business's texts; sends get signed status callbacks.",
      fakes.klaviyo &&
        "Klaviyo: a home-goods store's lists and profiles (OAuth or the sandbox private key).",
      fakes.highLevel &&
        "HighLevel: Summit Heating & Plumbing's contacts, calendars and appointments.",
      fakes.analytics && "Google Analytics: a property with 30 days of sessions by source.",
      fakes.googleAds && "Google Ads: 30 days of campaign and ad group metrics.",
      fakes.metaAds && "Meta Ads: ad accounts, campaigns and daily insights (async report runs).",
      fakes.tiktokAds && "TikTok Ads: advertisers and 30 days of campaign reports.",
      fakes.metaPixel && "Meta Pixel and TikTok Pixel: events you send are kept by the fakes.",
      fakes.indeed &&
        "Indeed: Summit Plumbing's technician postings; candidates apply with signed deliveries.",
    ].filter((line): line is string => typeof line === "string");
    if (others.length > 0) {
      parts.push(
        `<section class="app"><h2>More sandbox providers</h2><ul>${others.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul></section>`,
      );
    }
    if (fakes.airtable !== undefined) {
      parts.push(
        `<section class="app"><h2>Airtable</h2><p class="muted">Sandbox base “Radio campaigns”, table “Pitches”. Connect with OAuth (the consent page) or a personal access token.</p></section>`,
      );
    }
    if (fakes.mailchimp !== undefined) {
      parts.push(
        `<section class="app"><h2>Mailchimp</h2><p class="muted">Sandbox account with a “Radio contacts” audience and a sent campaign with opens and clicks.</p></section>`,
      );
    }
    const notice = url.searchParams.get("notice");
    const error = url.searchParams.get("error");
    return layout({
      title: "Sandbox providers",
      current: "/sandbox",
      sandbox,
      body: `<h1>Sandbox providers</h1><p class="muted">Each provider's fake runs inside this server and answers the connectors exactly as its real API would. Act here as the provider's user.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ""}${parts.join("")}`,
    });
  }

  async function sandboxAction(path: string, form: URLSearchParams): Promise<Response> {
    if (path === "/sandbox/sheets/edit" && fakes.sheets) {
      const spreadsheetId = form.get("spreadsheetId") ?? "";
      const row = Number(form.get("row"));
      // One read of the grid: the header for the message, the row to compare against.
      const grid = fakes.sheets.values(spreadsheetId);
      const header = grid[0] ?? [];
      const current = grid[row - 1] ?? [];
      for (const [key, value] of form) {
        const m = /^c(\d+)$/.exec(key);
        if (m === null) continue;
        const c = Number(m[1]);
        if ((current[c] ?? "") !== value)
          fakes.sheets.editCell(spreadsheetId, `${columnLetter(c)}${row}`, value);
      }
      return redirect(
        withMessage(
          "/sandbox",
          "notice",
          `Row ${row} saved in the sheet (${header.filter(Boolean).length} columns).`,
        ),
      );
    }
    if (path === "/sandbox/sheets/append" && fakes.sheets) {
      const spreadsheetId = form.get("spreadsheetId") ?? "";
      const cells: Record<string, string> = {};
      for (const h of Object.values(SHEET_COLUMNS)) cells[h] = form.get(h) ?? "";
      const row = fakes.sheets.appendRow(spreadsheetId, cells);
      return redirect(withMessage("/sandbox", "notice", `Row ${row} added to the sheet.`));
    }
    if (path === "/sandbox/gmail/reply" && fakes.gmail) {
      fakes.gmail.receiveReply({
        threadId: form.get("threadId") ?? "",
        from: form.get("from") ?? "",
        text: form.get("text") ?? "Thanks!",
      });
      // Gmail → Pub/Sub → the app's webhook route, signed as Google signs it.
      const push = await fakes.gmail.pushNotification();
      const response = await patchbay.handleWebhook("gmail", push);
      return redirect(
        withMessage(
          "/sandbox",
          response.ok ? "notice" : "error",
          response.ok
            ? "The DJ replied; Gmail notified the app."
            : `The app refused the push: ${response.status}`,
        ),
      );
    }
    return new Response("Not found", { status: 404 });
  }

  return async function handle(request: Request): Promise<Response | null> {
    const url = new URL(request.url);
    const path = url.pathname;
    try {
      if (request.method === "GET") {
        if (path === "/") return await pitchesPage(url);
        if (path === "/settings/integrations") return integrationsPage();
        if (path === "/assets/integrations.js")
          return new Response(await input.clientScript(), {
            headers: { "content-type": "text/javascript; charset=utf-8" },
          });
        if (path === "/assets/patchbay.css")
          return new Response(await input.clientStyles(), {
            headers: { "content-type": "text/css; charset=utf-8" },
          });
        if (path === "/sandbox" && sandbox) return await sandboxPage(url);
        if (path === "/healthz") return Response.json({ ok: true });
        return null;
      }
      if (request.method !== "POST") return null;
      if (path.startsWith("/sandbox/") && sandbox && path !== "/sandbox/authorize") {
        try {
          return await sandboxAction(path, new URLSearchParams(await request.text()));
        } catch (error) {
          return redirect(
            withMessage(
              "/sandbox",
              "error",
              error instanceof Error ? error.message : String(error),
            ),
          );
        }
      }
      const form = () => request.text().then((t) => new URLSearchParams(t));
      try {
        if (path === "/pitches") {
          const f = await form();
          const pitch = await tracker.create({
            artist: f.get("artist") ?? "",
            station: f.get("station") ?? "",
            contactEmail: f.get("contactEmail") ?? "",
          });
          return redirect(withMessage("/", "notice", `Added ${pitch.artist}.`));
        }
        const status = /^\/pitches\/([^/]+)\/status$/.exec(path);
        if (status) {
          const f = await form();
          const pitch = await tracker.setStatus(
            decodeURIComponent(status[1] ?? ""),
            f.get("status") ?? "",
          );
          return redirect(withMessage("/", "notice", `${pitch.artist}: ${pitch.status}.`));
        }
        const send = /^\/pitches\/([^/]+)\/send$/.exec(path);
        if (send) {
          const pitch = await tracker.sendWithGmail(decodeURIComponent(send[1] ?? ""));
          return redirect(
            withMessage("/", "notice", `Sent ${pitch.artist} to ${pitch.contactEmail} with Gmail.`),
          );
        }
      } catch (error) {
        return redirect(
          withMessage("/", "error", error instanceof Error ? error.message : String(error)),
        );
      }
      return null;
    } catch (error) {
      return new Response(
        `Something went wrong: ${error instanceof Error ? error.message : String(error)}`,
        { status: 500 },
      );
    }
  };
}
