// Signals from 1e-40 to 1e+40 and float32 underflow to 0 (issue 18, item 1): the page stays
// responsive, the depth-profile charts keep a labelled log axis that covers every drawn value,
// values off the axis are marked and said, and uPlot never throws. Before the fix a Xavier net
// 80 layers deep took ~25 s for Play to register (uPlot's log ticks looped, then threw
// "RangeError: Invalid array length"), and at depth 1000 three steps ran in 39 s.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, snapshot, fresh, screenshotArea, canvasInk, dynamicText, NO_NAN } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch({ width: 1366, height: 800 }); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** What a LineChart's y axis shows (linechart.js writes it on the chart's element). */
const axis = (sel) => page.evaluate((s) => {
  const e = document.querySelector(s);
  const [min, max] = (e.dataset.yRange ?? "").split(" ").map(Number);
  return { min, max, ticks: (e.dataset.yTicks ?? "").split(" ").filter(Boolean), note: e.querySelector(".chart-note:not([hidden])")?.textContent ?? "" };
}, sel);

/** Clicks Play; resolves to the ms until the button says Pause (the main thread answered). */
async function playLatency() {
  const t0 = Date.now();
  await page.click("#btn-play");
  await page.waitForFunction(() => document.querySelector("#btn-play").getAttribute("aria-pressed") === "true", null, { timeout: 60000, polling: 20 });
  return Date.now() - t0;
}

const steps = async () => Math.min(...(await snapshot(page)).nets.map((n) => n.latest?.step ?? 0));

/** Every value of a net's profile within the f32 range the axis promises to draw lies in [min, max]. */
function assertCovered(values, ax, what) {
  for (const v of values) if (v >= 1e-40 && v <= 1e40) assert.ok(v >= ax.min * 0.999 && v <= ax.max * 1.001, `${what}: ${v} within the y axis [${ax.min}, ${ax.max}]`);
}

test("Xavier at depth 80 (1e-24 at the top): Play answers at once, the axis is labelled and covers the data", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=80&a.init=xavier_normal`);
  await waitReady(page);
  await page.waitForTimeout(500);
  const ms = await playLatency();
  const s0 = await steps();
  await page.waitForTimeout(3000);
  const n = (await steps()) - s0;
  await page.click("#btn-play");
  console.log(`# depth 80 Xavier: Play answered in ${ms} ms, ${n} steps in 3 s`);
  assert.ok(ms < 1500, `Play answered in ${ms} ms`);
  assert.ok(n >= 50, `${n} steps in 3 s`);
  await page.waitForTimeout(1200);
  const s = await snapshot(page);
  const fwd = await axis("#chart-fwd");
  assert.ok(fwd.ticks.length >= 3, `forward axis labels: ${fwd.ticks}`);
  assert.ok(fwd.min <= 1e-20, `forward axis reaches the Xavier net's top layers (min ${fwd.min})`);
  assertCovered(s.nets[0].latest.layers.act_mean_sq, fwd, "net A now");
  assertCovered(s.nets[0].initReport.layers.act_mean_sq, fwd, "net A at init");
  const bwd = await axis("#chart-bwd");
  assert.ok(bwd.ticks.length >= 3, `backward axis labels: ${bwd.ticks}`);
  assertCovered(s.nets[0].latest.layers.grad_rms, bwd, "net A gradient");
  for (const c of await canvasInk(page, "#card-fwd canvas, #card-bwd canvas")) assert.ok(c.ink > 500, `${c.card} draws (${c.ink})`);
  // the legend stays a legend: a row per series, not a one-word column
  const legendWidth = await page.evaluate(() => document.querySelector("#chart-fwd .u-legend").getBoundingClientRect().width);
  assert.ok(legendWidth > 300, `legend width ${legendWidth}`);
  assert.deepEqual(page.errors, []);
  await screenshotArea(page, "extremes-depth80-xavier", ["#card-fwd", "#card-bwd"]);
});

test("depth 1000: underflow to exactly 0 is marked on the floor; the page keeps training and drawing", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=1000&a.init=xavier_normal`);
  await waitReady(page, 60000);
  await page.waitForTimeout(1000);
  const ms = await playLatency();
  const s0 = await steps();
  const t0 = Date.now();
  await page.waitForTimeout(10000);
  const n = (await steps()) - s0, secs = (Date.now() - t0) / 1000;
  await page.click("#btn-play");
  console.log(`# depth 1000 Xavier: Play answered in ${ms} ms, ${n} steps in ${secs.toFixed(1)} s`);
  assert.ok(ms < 1500, `Play answered in ${ms} ms`);
  assert.ok(secs < 12, `the page's timers kept time (${secs} s for 10 s)`);
  assert.ok(n >= 40, `${n} steps in 10 s`);
  await page.waitForTimeout(1500);
  const s = await snapshot(page);
  const zeros = s.nets[0].latest.layers.act_mean_sq.filter((v) => v === 0).length;
  assert.ok(zeros > 100, `the Xavier net's forward signal underflowed to 0 in ${zeros} layers`);
  const fwd = await axis("#chart-fwd");
  assert.match(fwd.note, /▼ on the bottom edge: under 1e-40, or exactly 0/);
  assert.ok(fwd.ticks.length >= 3 && fwd.ticks.length <= 20, `forward axis labels: ${fwd.ticks}`);
  assert.ok(fwd.min >= 1e-40, `the axis stops at the floor (min ${fwd.min})`);
  assertCovered(s.nets[0].latest.layers.act_mean_sq, fwd, "net A now");
  assert.match(await page.textContent("#regime-fwd"), /exactly 0 from layer \d+ up to layer 1000/);
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  assert.deepEqual(page.errors, []);
  await screenshotArea(page, "extremes-depth1000-xavier", ["#card-fwd", "#card-bwd"]);
});

test("σ_w² = σ_b² = 100 (a 1e31 range) with lr = 10 until it diverges: labelled axes, lines inside the plot", async () => {
  await fresh(page, `${srv.base}/www/#a.init=custom&a.sigma_w2=100&a.sigma_b2=100&lr=10`);
  await waitReady(page);
  await page.click("#btn-play");
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].latest?.diverged, null, { timeout: 30000 });
  await page.waitForTimeout(1500);
  await page.click("#btn-play");
  await page.waitForTimeout(1200);
  const s = await snapshot(page);
  await screenshotArea(page, "extremes-custom-100-diverged", ["#card-fwd", "#card-bwd"]);
  for (const [sel, key] of [["#chart-fwd", "act_mean_sq"], ["#chart-bwd", "grad_rms"]]) {
    const ax = await axis(sel);
    assert.ok(ax.ticks.length >= 3, `${sel} labels: ${ax.ticks}`);
    assertCovered(s.nets[0].initReport.layers[key], ax, `${sel} net A at init`);
    assertCovered(s.nets[1].latest.layers[key], ax, `${sel} net B now`);
  }
  const init = s.nets[0].initReport.layers.act_mean_sq;
  assert.ok(init.at(-1) / init[0] > 1e25, `the custom net's E[h²] spans ${init.at(-1) / init[0]}`);
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  assert.deepEqual(page.errors, []);
});
