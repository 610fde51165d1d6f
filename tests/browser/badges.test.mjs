// The regime badges and notes under the depth-profile charts (issue 18, items 3, 4 and 10):
// geometric backward profiles are not called "linear"; each badge says which moment it reads
// (at init, now); curves that cannot be drawn (Fixup's zero gradient at init) are named on the
// chart; a width-1 net's badge says why its signal is 0.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, waitSteps, fresh, screenshotArea } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch({ width: 1366, height: 800 }); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** The badges under a chart: [{ net, when, regime, text }]. */
const badges = (side) => page.$$eval(`#regime-${side} .regime`, (lis) => lis.map((li) => ({
  net: Number(li.dataset.net), when: li.dataset.when, regime: li.dataset.regime, text: li.textContent })));

test("item 3: σ_w² = 2.6 and 3 (plain, width 256): the backward badges call the geometric growth growing or exploding", async () => {
  await fresh(page, `${srv.base}/www/#a.init=custom&a.sigma_w2=2.6&a.width=256&b.kind=plain&b.init=custom&b.sigma_w2=3&b.width=256`);
  await waitReady(page);
  await page.waitForFunction(() => document.querySelectorAll("#regime-bwd .regime").length === 2);
  const bwd = await badges("bwd"), fwd = await badges("fwd");
  for (const b of bwd) {
    assert.equal(b.when, "at init");
    assert.match(b.regime, /^(growing|exploding)$/, b.text);
    assert.match(b.text, /toward layer 0, grows ×1\.\d+ per layer/);
  }
  // mean field (Poole et al. 2016): the squared gradient grows χ = σ_w²/2 per layer toward layer 0 in a
  // plain ReLU net, so the RMS grows √1.3 ≈ 1.14 (A) and √1.5 ≈ 1.22 (B) per layer
  assert.match(bwd[0].text, /×1\.1\d? per layer/);
  assert.match(bwd[1].text, /×1\.2\d? per layer/);
  for (const f of fwd) assert.match(f.regime, /^(growing|exploding)$/, f.text);
  await screenshotArea(page, "badges-geometric", ["#card-fwd", "#card-bwd"]);
  assert.deepEqual(page.errors, []);
});

test("item 4: after training, each net has an 'at init' badge and a 'now' badge, and the legend says the same", async () => {
  await fresh(page, `${srv.base}/www/#preset=xavier-he`);
  await waitReady(page);
  await page.click("#btn-step");
  await waitSteps(page, 1);
  await page.waitForFunction(() => document.querySelectorAll("#regime-fwd .regime").length === 4);
  const fwd = await badges("fwd");
  assert.deepEqual(fwd.map((b) => `${b.net} ${b.when}`), ["0 at init", "0 now", "1 at init", "1 now"]);
  assert.match(fwd[0].text, /^A at init: vanishing/);
  assert.match(fwd[2].text, /^B at init: stable/);
  assert.match(await page.textContent("#preset-text"), /At init, Xavier .* Trained \(Adam, learning rate 0\.001\), the He net learns/);
  const legend = await page.textContent("#chart-fwd .u-legend");
  for (const s of ["A now", "A at init", "B now", "B at init"]) assert.ok(legend.includes(s), `legend: ${s}`);
  assert.deepEqual(page.errors, []);
});

test("item 10: Fixup's zero gradient at init and the theory scaled to it are named on the chart", async () => {
  await fresh(page, `${srv.base}/www/#preset=fixup-rezero`);
  await waitReady(page);
  await page.click("#btn-step");
  await waitSteps(page, 1);
  await page.waitForTimeout(600);
  const note = await page.textContent("#chart-bwd .chart-note");
  assert.match(note, /A at init: not drawn, the RMS of dL\/dh_l is 0 at every layer: Fixup sets the head and each branch's last layer to 0/);
  assert.match(note, /A theory: not drawn, it is scaled to the measured gradient at l = L at init, which is 0/);
  const bwd = await badges("bwd");
  assert.equal(bwd.find((b) => b.net === 0 && b.when === "at init").regime, "zero");
  await screenshotArea(page, "badges-fixup", ["#card-bwd"]);
  assert.deepEqual(page.errors, []);
});

test("item 10: a width-1 ReLU net's badge says why its signal is 0", async () => {
  await fresh(page, `${srv.base}/www/#a.width=1&seed=1`);
  await waitReady(page);
  await page.waitForFunction(() => document.querySelectorAll("#regime-fwd .regime").length >= 2);
  const a = (await badges("fwd")).find((b) => b.net === 0);
  assert.match(a.regime, /^(vanishing|zero)$/, a.text);
  assert.match(a.text, /exactly 0 from layer \d+ up to layer 20: below the smallest float32 \(1\.4e-45\), or every unit of the layer dead|0 at every layer/);
  assert.deepEqual(page.errors, []);
});
