// The 1-D "regression" dataset on the page (issue 18, item 2): before, both nets stopped with
// "could not run: predict_grid: needs 2-D inputs; the data has d_in = 1". Now both train, the
// boundary card becomes a fitted curve (each net's prediction along x over the points), and the
// curve follows y = sin(3x) once the nets have learned it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, snapshot, fresh, canvasInk, screenshotArea, dynamicText, NO_NAN } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

test("regression data: both nets train, the card shows each net's fitted curve over the points", async () => {
  await fresh(page, `${srv.base}/www/#data=regression&a.depth=4&b.depth=4&speed=20&lr=0.01`);
  const s0 = await waitReady(page);
  assert.deepEqual(s0.nets.map((n) => n.status), ["ready", "ready"], s0.nets.map((n) => n.error).join("; "));
  assert.deepEqual(s0.nets.map((n) => n.data.d_in), [1, 1]);
  await page.click("#btn-play");
  await page.waitForFunction(() => window.__lab.snapshot().nets.every((n) => n.latest?.step >= 1500), null, { timeout: 90000, polling: 250 });
  await page.click("#btn-play");
  await page.waitForTimeout(1500);
  const s = await snapshot(page);
  assert.deepEqual(s.nets.map((n) => n.status), ["ready", "ready"]);
  assert.ok(s.nets.every((n) => n.hasGrid), "each net has a prediction curve");
  for (let i = 0; i < 2; i++) {
    const tl = s.hist.trainLoss[i].filter((v) => v !== null);
    // y = sin(3x) + N(0, 0.1²) on x in [-1, 1]: Var[y] ≈ 0.5; a fitted net's MSE comes near the noise's 0.01
    assert.ok(tl.at(-1) < 0.05, `net ${i}: train MSE ${tl[0]} -> ${tl.at(-1)}`);
  }
  assert.equal(await page.textContent("#card-boundary h2"), "Fitted curve");
  assert.equal(await page.isVisible('#card-boundary [data-for-view="curve"]'), true);
  assert.equal(await page.isVisible('#card-boundary [data-for-view="boundary"]'), false);
  // the curve follows sin(3x): read each net's predictions back from the page's worker reply
  const fit = await page.evaluate(() => window.__lab.snapshot().nets.map((n) => n.curve));
  for (const [i, c] of fit.entries()) {
    assert.ok(c && c.xs.length >= 100, `net ${i} curve points`);
    const err = Math.sqrt(c.xs.reduce((a, x, k) => (Math.abs(x) <= 1 ? a + (c.values[k] - Math.sin(3 * x)) ** 2 : a), 0) / c.xs.filter((x) => Math.abs(x) <= 1).length);
    assert.ok(err < 0.2, `net ${i}: the curve's RMS distance from sin(3x) on [-1, 1] is ${err}`);
  }
  for (const c of await canvasInk(page, "#card-boundary canvas")) assert.ok(c.ink > 2000, `${c.id} draws (${c.ink})`);
  assert.match(await page.textContent("#chart-acc"), /regression data has no accuracy/);
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  assert.deepEqual(page.errors, []);
  await screenshotArea(page, "regression-fitted-curve", ["#card-loss", "#card-acc", "#card-boundary"]);
});
