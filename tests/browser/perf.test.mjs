// Measures time to first chart and the page's frame rate while two 50-block nets train.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, snapshot, fresh } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

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
  const m = await page.evaluate(() => new Promise((resolve) => {
    const snap0 = window.__lab.snapshot();
    let frames = 0, worst = 0, prev = performance.now();
    const t0 = prev;
    function f(now) {
      frames++;
      worst = Math.max(worst, now - prev);
      prev = now;
      if (now - t0 < 3000) requestAnimationFrame(f);
      else {
        const snap1 = window.__lab.snapshot();
        const secs = (now - t0) / 1000;
        resolve({ fps: frames / secs, worstFrameMs: worst,
          stepsPerSec: (snap1.nets[0].latest.step - snap0.nets[0].latest.step) / secs,
          workerMs: snap1.nets.map((n) => n.stepMs), renderMs: snap1.perf.renderMs });
      }
    }
    requestAnimationFrame(f);
  }));
  await page.click("#btn-play");
  console.log(`# time to first chart: ${s0.perf.firstChartMs.toFixed(0)} ms after navigation ` +
    `(DOMContentLoaded ${nav.domContentLoaded.toFixed(0)} ms)`);
  console.log(`# training two 50-block nets (width 32, batch 64, 5 steps/frame): ${m.fps.toFixed(1)} fps, ` +
    `worst frame ${m.worstFrameMs.toFixed(0)} ms, ${m.stepsPerSec.toFixed(0)} steps/s per net, ` +
    `worker ms per round A ${m.workerMs[0].toFixed(1)}, B ${m.workerMs[1].toFixed(1)}, main-thread render ${m.renderMs.toFixed(1)} ms/frame`);
  assert.ok(s0.perf.firstChartMs < 10000, "first chart within 10 s");
  assert.ok(m.fps > 20, `the page keeps drawing (${m.fps.toFixed(1)} fps)`);
  assert.deepEqual(page.errors, []);
});
