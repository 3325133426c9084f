/**
 * The demo journey (brief 2's script), driven in a real browser against a
 * running host. Both example hosts' end-to-end tests run it, so the two
 * stay the same product.
 *
 * 1. Connect Google Sheets through the sandbox consent page: the app creates
 *    the "Pitch tracker" sheet and writes its pitches into it.
 * 2. As the user in Google Sheets: change a status and add a row; "Sync now"
 *    brings both into the app.
 * 3. Create a pitch in the app: it lands in the sheet.
 * 4. Connect Gmail, send a pitch, answer as the DJ: the tracker knows.
 * 5. Disconnect Google Sheets.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";

/** Debian's Chromium with the flags this machine needs (no network beyond loopback). */
export const CHROMIUM_LAUNCH: { executablePath: string; args: string[] } = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
};

/** What the journey checks between steps; the caller passes its test framework's assertion. */
export interface JourneyOptions {
  browser: Browser;
  /** The running host, e.g. `http://localhost:3000`. */
  origin: string;
  /** Where screenshots go (created if missing). */
  artifacts: string;
  /** A name for the screenshots, e.g. `express`. */
  label: string;
  /** Called with a description when a step starts (for test logs). */
  step?: (name: string) => void;
}

async function expectText(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ state: "visible", timeout });
}

/** Reloads `path` until `text` shows (a sync or a webhook runs in the background). */
async function eventually(
  page: Page,
  origin: string,
  path: string,
  text: string,
  timeout = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.goto(`${origin}${path}`);
    // Server-rendered: the text may be a cell's input value, so look at the markup.
    if ((await page.content()).includes(text)) return;
    if (Date.now() > deadline)
      throw new Error(`"${text}" did not appear on ${path} within ${timeout} ms`);
    await page.waitForTimeout(500);
  }
}

async function connect(page: Page, origin: string, name: string): Promise<void> {
  await page.goto(`${origin}/settings/integrations`);
  await page.getByRole("button", { name: `Connect ${name}` }).click();
  // The sandbox consent page stands in for the provider's.
  await page.waitForURL(/\/sandbox\/authorize/);
  await expectText(page, "wants to access your");
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(/\/settings\/integrations/);
  // The Configure dialog may open for the new connection: the app configured it already.
  const dialog = page.getByRole("dialog");
  if (await dialog.isVisible({ timeout: 3_000 }).catch(() => false))
    await page.keyboard.press("Escape");
  await page
    .getByRole("article", { name })
    .getByText("Connected")
    .first()
    .waitFor({ timeout: 15_000 });
}

/** Runs the whole journey; throws on the first step that does not hold. */
export async function runDemoJourney(options: JourneyOptions): Promise<void> {
  const { browser, origin, label } = options;
  const step = options.step ?? (() => undefined);
  await mkdir(options.artifacts, { recursive: true });
  await rm(join(options.artifacts, `${label}-failure.png`), { force: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    step("the integrations page lists the connectors");
    await page.goto(`${origin}/settings/integrations`);
    await page.getByRole("button", { name: "Connect Google Sheets" }).waitFor();
    await page.screenshot({
      path: join(options.artifacts, `${label}-integrations-before.png`),
      fullPage: true,
    });

    step("connect Google Sheets through the consent page");
    await connect(page, origin, "Google Sheets");

    step("the app's pitches are in the sheet");
    await eventually(page, origin, "/sandbox", "The Weekend Ravers");
    await eventually(page, origin, "/sandbox", "Night Ferry");

    step("edit a row and add one in the sheet, then Sync now");
    const statusCell = page.getByRole("textbox", { name: /^Status of row \d+$/ }).first();
    const rowLabel = (await statusCell.getAttribute("aria-label")) ?? "";
    const rowNumber = /(\d+)$/.exec(rowLabel)?.[1] ?? "2";
    const artist = await page
      .getByRole("textbox", { name: `Artist of row ${rowNumber}` })
      .inputValue();
    await statusCell.fill("Playlisted");
    await page.getByRole("button", { name: `Save row ${rowNumber}` }).click();
    await expectText(page, `Row ${rowNumber} saved`);
    await page.getByRole("textbox", { name: "Artist", exact: true }).fill("Added In The Sheet");
    await page.getByRole("textbox", { name: "Station", exact: true }).fill("KCRW");
    await page.getByRole("textbox", { name: "Contact", exact: true }).fill("dj@kcrw.example");
    await page.getByRole("textbox", { name: "Status", exact: true }).fill("Pitched");
    await page.getByRole("button", { name: "Add row in the sheet" }).click();
    await expectText(page, "added to the sheet");

    await page.goto(`${origin}/settings/integrations`);
    await page.getByRole("button", { name: "Sync Google Sheets now" }).click();
    await eventually(page, origin, "/", "Added In The Sheet");
    const row = page.locator("tr", { hasText: artist });
    const selected = await row.getByRole("combobox").inputValue();
    if (selected !== "Playlisted")
      throw new Error(
        `${artist}'s status is "${selected}" in the app, not "Playlisted" as edited in the sheet`,
      );

    step("a pitch created in the app is written to the sheet");
    await page.getByRole("textbox", { name: "Artist" }).fill("Made In The App");
    await page.getByRole("textbox", { name: "Station" }).fill("NTS");
    await page.getByRole("textbox", { name: "Contact email" }).fill("host@nts.example");
    await page.getByRole("button", { name: "Add pitch" }).click();
    await expectText(page, "Added Made In The App");
    await eventually(page, origin, "/sandbox", "Made In The App");

    step("connect Gmail, send a pitch, the DJ replies");
    await connect(page, origin, "Gmail");
    await page.goto(`${origin}/`);
    await page
      .locator("tr", { hasText: "Made In The App" })
      .getByRole("button", { name: "Send with Gmail" })
      .click();
    await expectText(page, "Sent Made In The App");
    await page.goto(`${origin}/sandbox`);
    await page
      .locator("tr", { hasText: "host@nts.example" })
      .getByRole("button", { name: "Interested", exact: true })
      .click();
    await expectText(page, "Gmail notified the app");
    await eventually(page, origin, "/", "Sounds great");
    const replied = await page
      .locator("tr", { hasText: "Made In The App" })
      .getByRole("combobox")
      .inputValue();
    if (replied !== "Interested")
      throw new Error(`the pitch is "${replied}" after an interested reply, not "Interested"`);
    await page.screenshot({
      path: join(options.artifacts, `${label}-pitches.png`),
      fullPage: true,
    });

    await page.goto(`${origin}/settings/integrations`);
    await page.getByRole("article", { name: "Gmail" }).getByText("Connected").first().waitFor();
    await page.screenshot({
      path: join(options.artifacts, `${label}-integrations-connected.png`),
      fullPage: true,
    });

    step("disconnect Google Sheets");
    await page.getByRole("button", { name: "Disconnect Google Sheets" }).click();
    // A destructive confirmation: an alert dialog.
    const confirm = page.getByRole("alertdialog", { name: "Disconnect Google Sheets?" });
    await confirm.getByRole("button", { name: "Disconnect", exact: true }).click();
    await page.getByRole("button", { name: "Connect Google Sheets" }).waitFor({ timeout: 15_000 });
    await page.screenshot({
      path: join(options.artifacts, `${label}-integrations-after.png`),
      fullPage: true,
    });
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join("; ")}`);
  } catch (error) {
    await page
      .screenshot({ path: join(options.artifacts, `${label}-failure.png`), fullPage: true })
      .catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
