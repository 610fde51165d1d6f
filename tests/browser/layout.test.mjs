// Smaller layout defects of issue 18, item 9, at 1366 x 800: the two boundary canvases sit at
// the same height when one caption wraps; no wide gap after the file chooser; the step axis
// after a JSON import reads whole steps; a chart's PNG carries its title and legend, and the
// heatmap's PNG is not a strip with the colour bar beside it; www/minimal.html stays on screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, launch, openPage, waitReady, waitSteps, snapshot, fresh, screenshotArea, SHOTS } from "./helpers.mjs";
import path from "node:path";
import { writeFileSync } from "node:fs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch({ width: 1366, height: 800 }); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** Width and height of a PNG file (its IHDR chunk). */
const pngSize = (buf) => ({ width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) });

async function download(selector) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return readFileSync(await d.path());
}

/** Dark pixels in rows [y0, y1) of a PNG, counted in the page (text drawn there). */
const inkRows = (buf, y0, y1) => page.evaluate(async ({ b64, y0, y1 }) => {
  const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
  const c = new OffscreenCanvas(img.width, img.height), ctx = c.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const { data } = ctx.getImageData(0, y0, img.width, y1 - y0);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 300) n++;
  return n;
}, { b64: buf.toString("base64"), y0, y1 });

test("boundary canvases level although B's caption wraps; no gap after the file chooser", async () => {
  await fresh(page, `${srv.base}/www/`);
  await waitReady(page);
  await page.waitForTimeout(800);
  const r = await page.evaluate(() => {
    const rect = (s) => document.querySelector(s).getBoundingClientRect();
    const caps = [...document.querySelectorAll("#card-boundary figcaption")].map((c) => c.getBoundingClientRect().height);
    const label = rect("#card-export .file-label"), zone = rect("#drop-zone");
    return { a: rect("#boundary-a").top, b: rect("#boundary-b").top, caps, labelWidth: label.width, labelText: document.querySelector("#card-export .file-label").textContent.trim(),
      zoneHeight: zone.height };
  });
  assert.ok(Math.max(...r.caps) > Math.min(...r.caps) + 5, `one caption wraps (${r.caps}): the case of the issue`);
  assert.ok(Math.abs(r.a - r.b) < 1, `boundary canvases at ${r.a} and ${r.b}`);
  assert.equal(r.labelText, "choose a file");
  assert.ok(r.labelWidth < 120, `the file chooser takes ${r.labelWidth} px, no more than its words`);
  await screenshotArea(page, "layout-boundary-captions", ["#card-boundary"]);
  await screenshotArea(page, "layout-drop-zone", ["#drop-zone"]);
  assert.deepEqual(page.errors, []);
});

test("after a JSON import the step axis reads whole steps; chart PNGs carry title and legend", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=4&b.depth=4&seed=3`);
  await waitReady(page);
  for (let i = 0; i < 3; i++) await page.click("#btn-step");
  await waitSteps(page, 3);
  const [d] = await Promise.all([page.waitForEvent("download"), page.click("#btn-export-state")]);
  const saved = readFileSync(await d.path());
  await fresh(page, `${srv.base}/www/`);
  await waitReady(page);
  await page.setInputFiles("#import-file", { name: "state.json", mimeType: "application/json", buffer: saved });
  await page.waitForFunction(() => /Restored both nets/.test(document.querySelector("#export-status").textContent), null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector("#chart-loss").dataset.xTicks?.includes("3"), null, { timeout: 10000 });
  const ticks = (await page.getAttribute("#chart-loss", "data-x-ticks")).split(" ");
  assert.ok(ticks.every((t) => /^\d[\d,]*$/.test(t)), `whole steps on the x axis: ${ticks}`);
  assert.ok(ticks.includes("3"));

  const fwd = await download('#export-png button[data-card="card-fwd"]');
  writeFileSync(path.join(SHOTS, "layout-export-forward.png"), fwd);
  const plot = await page.evaluate(() => { const c = document.querySelector("#chart-fwd .uplot canvas"); return { width: c.width, height: c.height }; });
  const size = pngSize(fwd);
  assert.ok(size.height > plot.height + 60, `the PNG (${size.width} x ${size.height}) has room for a title and a legend above the plot (${plot.height})`);
  assert.ok(await inkRows(fwd, 8, 28) > 150, "a title is written at the top");
  const heat = await download('#export-png button[data-card="card-heat"]');
  writeFileSync(path.join(SHOTS, "layout-export-heatmap.png"), heat);
  const h = pngSize(heat);
  const bar = await page.evaluate(() => document.querySelector("#heat-bar").width);
  assert.ok(h.width <= bar + 40, `the heatmap PNG (${h.width} x ${h.height}) is as wide as the page's colour bar (${bar}), not a strip`);
  assert.ok(h.height >= 0.2 * h.width, `the heatmap PNG is ${h.width} x ${h.height}`);
  assert.deepEqual(page.errors, []);
});

test("www/minimal.html: the config line wraps instead of running off the screen", async () => {
  await fresh(page, `${srv.base}/www/minimal.html`);
  await page.waitForFunction(() => window.__minimal, null, { timeout: 30000 });
  const r = await page.evaluate(() => ({ overflow: document.documentElement.scrollWidth - innerWidth,
    pre: document.querySelector("#out").scrollWidth - document.querySelector("#out").clientWidth, ok: window.__minimal.ok }));
  assert.equal(r.ok, true);
  assert.ok(r.overflow <= 0, `page overflow ${r.overflow}`);
  assert.ok(r.pre <= 0, `the output box scrolls ${r.pre} px sideways`);
  await screenshotArea(page, "layout-minimal", ["main"]);
  assert.deepEqual(page.errors, []);
});
