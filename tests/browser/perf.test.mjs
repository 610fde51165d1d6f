// Time to first chart, and the page's frame rate and training speed while nets train in their
// workers. Speed is measured here, not asserted: only checks that hold on a slow or busy machine
// (the page keeps drawing, the nets train, Pause stops them, no console errors). The numbers are
// printed as `# ...` lines; bench/page.mjs measures them properly (several runs, machine load).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, snapshot, fresh, screenshot } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** Counts animation frames for `secs` s while playing; steps per second from the debug handle. */
function measure(secs) {
  return page.evaluate((secs) => new Promise((resolve) => {
    const snap0 = window.__lab.snapshot();
    const frames = [];
    let prev = null, t0 = null;
    function f(now) {
      if (t0 === null) { t0 = prev = now; requestAnimationFrame(f); return; }
      frames.push(now - prev);
      prev = now;
      if (now - t0 < secs * 1000) { requestAnimationFrame(f); return; }
      const snap1 = window.__lab.snapshot();
      const s = (now - t0) / 1000;
      const sorted = [...frames].sort((a, b) => a - b);
      resolve({ fps: frames.length / s, worstFrameMs: sorted.at(-1), p95FrameMs: sorted[Math.floor(0.95 * (sorted.length - 1))],
        stepsPerSec: snap1.nets.map((n, i) => (n.latest.step - snap0.nets[i].latest.step) / s),
        workerMs: snap1.nets.map((n) => n.stepMs), renderMs: snap1.perf.renderMs });
    }
    requestAnimationFrame(f);
  }), secs);
}

const line = (m) => `${m.fps.toFixed(1)} fps (p95 frame ${m.p95FrameMs.toFixed(0)} ms, worst ${m.worstFrameMs.toFixed(0)} ms), ` +
  `${m.stepsPerSec.map((x) => x.toFixed(1)).join(" / ")} steps/s (net A / B), worker ms per round ${m.workerMs.map((x) => x.toFixed(0)).join(" / ")}, ` +
  `main-thread render ${m.renderMs.toFixed(1)} ms/frame`;

test("time to first chart and fps while training two 50-block nets", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=50&b.depth=50&speed=5`);
  await waitReady(page);
  await page.waitForFunction(() => window.__lab.snapshot().perf.firstChartMs !== null);
  const s0 = await snapshot(page);
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  await page.click("#btn-play");
  await page.waitForTimeout(1000); // warm up (baseline-compiled wasm tiers up)
  const m = await measure(3);
  await page.click("#btn-play");
  console.log(`# time to first chart: ${s0.perf.firstChartMs.toFixed(0)} ms after navigation ` +
    `(DOMContentLoaded ${nav.domContentLoaded.toFixed(0)} ms)`);
  console.log(`# two 50-block nets (plain and residual, width 32, batch 64, 5 steps/frame): ${line(m)}`);
  assert.ok(s0.perf.firstChartMs < 10000, "first chart within 10 s");
  assert.ok(m.fps > 20, `the page keeps drawing (${m.fps.toFixed(1)} fps)`);
  assert.ok(m.stepsPerSec.every((x) => x > 0), "both nets train");
  assert.deepEqual(page.errors, []);
});

test("two residual 50-block nets of width 64 (issue 7, scenario A): the page keeps drawing", async () => {
  await fresh(page, `${srv.base}/www/#a.kind=residual&a.depth=50&a.width=64&b.depth=50&b.width=64`);
  await waitReady(page);
  await page.click("#btn-play");
  await page.waitForTimeout(1500);
  const m = await measure(3);
  await screenshot(page, "perf-a-50x64");
  await page.click("#btn-play");
  console.log(`# two residual nets, 50 blocks x 64, batch 64: ${line(m)}`);
  assert.ok(m.fps > 20, `the page keeps drawing (${m.fps.toFixed(1)} fps)`);
  assert.ok(m.stepsPerSec.every((x) => x > 0), "both nets train");
  assert.deepEqual(page.errors, []);
});

test("a 1000-block ReZero net next to a 1000-block Fixup net (W=16, B=32) trains, draws, and Pause stops it", async () => {
  await fresh(page, `${srv.base}/www/#a.kind=residual&a.depth=1000&a.width=16&a.init=rezero&a.branch_scale=learnable` +
    "&b.depth=1000&b.width=16&b.init=fixup&b.branch_scale=one&batch=32");
  const s0 = await waitReady(page, 60000);
  assert.deepEqual(s0.nets.map((n) => n.status), ["ready", "ready"]);
  assert.deepEqual(s0.notices, []);
  await page.click("#btn-play");
  await page.waitForTimeout(2000);
  const m = await measure(3);
  await screenshot(page, "perf-b-1000x16");
  await page.click("#btn-play");
  console.log(`# 1000-block nets, width 16, batch 32, ReZero (A) and Fixup (B), both training: ${line(m)}`);
  assert.ok(m.fps > 20, `the page keeps drawing (${m.fps.toFixed(1)} fps)`);
  assert.ok(m.stepsPerSec.every((x) => x > 0), "both nets train");
  // Pause: at most the rounds already asked for finish, then the step count stands still
  await page.waitForTimeout(1500);
  const a = await snapshot(page);
  await page.waitForTimeout(800);
  const b = await snapshot(page);
  assert.equal(b.playing, false);
  assert.deepEqual(b.nets.map((n) => n.latest.step), a.nets.map((n) => n.latest.step), "no training after Pause");
  assert.ok(b.nets.every((n) => n.latest.layers.grad_rms.length === 1001 && !n.latest.diverged));
  assert.ok(b.nets.every((n) => n.hasGrid), "decision boundaries computed");
  assert.ok(b.hist.evalSteps.length >= 2, "evaluated while training");
  assert.deepEqual(page.errors, []);
});
