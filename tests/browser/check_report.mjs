// Opens a tradeorch report.html in headless Chromium and checks that it works offline:
// no console errors, no uncaught exceptions, no network request (anything but file: and
// data: URLs), every section and chart present and drawn, and the trade table sorting by a
// clicked header. Takes a full-page screenshot at a 1400 px wide window.
//
// Usage: node check_report.mjs REPORT.html SCREENSHOT.png
// Environment: CHROMIUM (default /usr/bin/chromium). Exits 1 on any problem.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [report, screenshot] = process.argv.slice(2);
if (!report || !screenshot) {
  console.error("usage: node check_report.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}

const problems = [];
const consoleErrors = [];
const requests = [];
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "tradeorch-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 3000 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

try {
  // Nothing may leave the machine: record and block every request that is not the file itself.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`exception: ${err.message}`));
  page.on("requestfailed", (req) => {
    if (!requests.includes(req.url())) problems.push(`request failed: ${req.url()}`);
  });

  await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: "load" });

  // Sections and charts are there and take up space.
  const layout = await page.evaluate(() => {
    const box = (el) => el.getBoundingClientRect();
    return {
      sections: Array.from(document.querySelectorAll("section[id]"), (s) => s.id),
      svgs: Array.from(document.querySelectorAll("#charts svg"), (s) => [box(s).width, box(s).height]),
      pageWidth: document.documentElement.scrollWidth,
      tradeRows: document.querySelectorAll("#trade-table tbody tr").length,
    };
  });
  for (const id of ["headline", "statistics", "charts", "drawdowns", "returns", "trades", "config"]) {
    if (!layout.sections.includes(id)) problems.push(`section #${id} missing`);
  }
  if (layout.svgs.length === 0) problems.push("no chart drawn");
  layout.svgs.forEach(([w, h], k) => {
    if (w < 300 || h < 100) problems.push(`chart ${k + 1} is ${w}x${h} px`);
  });
  if (layout.pageWidth > 1400) problems.push(`page is ${layout.pageWidth} px wide: it scrolls sideways`);

  await page.screenshot({ path: screenshot, fullPage: true });

  // Sorting: click "Return [%]" twice, the column must be ascending, then descending.
  if (layout.tradeRows > 1) {
    const header = page.locator("#trade-table th", { hasText: "Return [%]" });
    const column = async () =>
      page.evaluate(() => {
        const table = document.getElementById("trade-table");
        const col = Array.from(table.tHead.rows[0].cells).findIndex((th) => th.textContent.startsWith("Return"));
        return Array.from(table.tBodies[0].rows, (r) => Number(r.cells[col].dataset.v));
      });
    const sorted = (xs, dir) => xs.every((x, k) => k === 0 || dir * (x - xs[k - 1]) >= 0);
    await header.click();
    if (!sorted(await column(), 1)) problems.push("trade table not sorted ascending after one click");
    await header.click();
    if (!sorted(await column(), -1)) problems.push("trade table not sorted descending after two clicks");
  }

  problems.push(...consoleErrors, ...requests.map((u) => `network request: ${u}`));
  console.log(
    `browser: ${path.basename(report)} loaded, ${layout.sections.length} sections, ${layout.svgs.length} charts, ` +
      `${layout.tradeRows} trade rows, ${consoleErrors.length} console errors, ${requests.length} network requests, ` +
      `screenshot ${screenshot}`,
  );
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const p of problems) console.error(`browser: ${p}`);
  process.exit(1);
}
