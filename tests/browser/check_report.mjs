// Opens a tradeorch report.html in headless Chromium and checks that it works offline:
// no console errors, no uncaught exceptions, no network request (anything but file: and
// data: URLs), every section and chart present and drawn, and its main table sorting by a
// clicked header. Takes a full-page screenshot at a 1400 px wide window.
//
// Usage: node check_report.mjs REPORT.html SCREENSHOT.png [run|sweep|walkforward]
// Environment: CHROMIUM (default /usr/bin/chromium). Exits 1 on any problem.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [report, screenshot, kindName = "run"] = process.argv.slice(2);
// What each kind of report must show, and the column of its main table to sort by.
const kinds = {
  run: {
    sections: ["headline", "statistics", "charts", "drawdowns", "returns", "trades", "config"],
    table: "trade-table",
    column: "Return [%]",
  },
  sweep: { sections: ["luck", "best", "charts", "search"], table: "top-table", column: "Sharpe" },
  walkforward: { sections: ["headline", "efficiency", "windows", "charts"], table: "window-table", column: "OOS Sharpe" },
};
const kind = kinds[kindName];
if (!report || !screenshot || !kind) {
  console.error("usage: node check_report.mjs REPORT.html SCREENSHOT.png [run|sweep|walkforward]");
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
  const layout = await page.evaluate((table) => {
    const box = (el) => el.getBoundingClientRect();
    return {
      sections: Array.from(document.querySelectorAll("section[id]"), (s) => s.id),
      svgs: Array.from(document.querySelectorAll("#charts svg"), (s) => [box(s).width, box(s).height]),
      pageWidth: document.documentElement.scrollWidth,
      rows: document.querySelectorAll(`#${table} tbody tr`).length,
    };
  }, kind.table);
  if (layout.rows === 0) problems.push(`table #${kind.table} is empty or missing`);
  for (const id of kind.sections) {
    if (!layout.sections.includes(id)) problems.push(`section #${id} missing`);
  }
  if (layout.svgs.length === 0) problems.push("no chart drawn");
  layout.svgs.forEach(([w, h], k) => {
    if (w < 300 || h < 100) problems.push(`chart ${k + 1} is ${w}x${h} px`);
  });
  if (layout.pageWidth > 1400) problems.push(`page is ${layout.pageWidth} px wide: it scrolls sideways`);

  await page.screenshot({ path: screenshot, fullPage: true });

  // Sorting: click the column's header twice, it must be ascending, then descending
  // (cells without a value sort last).
  if (layout.rows > 1) {
    const headerIndex = () =>
      page.evaluate(
        ({ table, column }) =>
          Array.from(document.getElementById(table).tHead.rows[0].cells).findIndex((th) => th.textContent.startsWith(column)),
        kind,
      );
    const col = await headerIndex();
    if (col < 0) problems.push(`no column "${kind.column}" in #${kind.table}`);
    const header = page.locator(`#${kind.table} th`).nth(col);
    const column = async () =>
      page.evaluate(
        ({ table, col }) =>
          Array.from(document.getElementById(table).tBodies[0].rows, (r) => r.cells[col].dataset.v)
            .filter((v) => v !== "")
            .map(Number),
        { table: kind.table, col },
      );
    const sorted = (xs, dir) => xs.every((x, k) => k === 0 || dir * (x - xs[k - 1]) >= 0);
    await header.click();
    if (!sorted(await column(), 1)) problems.push(`#${kind.table} not sorted ascending after one click`);
    await header.click();
    if (!sorted(await column(), -1)) problems.push(`#${kind.table} not sorted descending after two clicks`);
  }

  problems.push(...consoleErrors, ...requests.map((u) => `network request: ${u}`));
  console.log(
    `browser: ${path.basename(report)} loaded, ${layout.sections.length} sections, ${layout.svgs.length} charts, ` +
      `${layout.rows} rows in #${kind.table}, ${consoleErrors.length} console errors, ${requests.length} network requests, ` +
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
