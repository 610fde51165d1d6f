// The theory views: the dotted theory overlay (and its toggle and reasons), the depth sweep,
// the Jacobian spectrum, the phase diagram (a click reconfigures net A, which then trains) and
// "What is true" (live numbers with the promised qualitative results). Screenshots at 1280 and
// 360 px wide.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startServer, launch, openPage, waitReady, waitSteps, snapshot, fresh, canvasInk, NO_NAN, DESKTOP, PHONE, SHOTS } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** Text the theory views generate from data. */
const theoryText = () => page.evaluate(() => [...document.querySelectorAll(
  ".theory-note, #sweep-band, #sweep-status, .spectrum-text, #phase-point, #phase-status, #truths, #card-sweep .u-legend")]
  .map((e) => e.textContent).join("\n"));

/** data-k -> Number(data-v) of the numbers inside `sel`. */
const numbers = (sel) => page.evaluate((s) => Object.fromEntries([...document.querySelectorAll(`${s} [data-k]`)]
  .map((e) => [e.dataset.k, Number(e.dataset.v)])), sel);

const inkOf = async (sel) => (await canvasInk(page, sel)).map((c) => c.ink);

test("theory overlay: dotted lines with depth+1 points, a reason instead of a line, toggle in the URL", async () => {
  // A: plain He ReLU (theory: flat); B: post-LayerNorm residual (no closed form)
  await fresh(page, `${srv.base}/www/#a.depth=10&b.depth=10&b.norm=layer&b.norm_position=post&seed=3`);
  await waitReady(page);
  await page.waitForFunction(() => window.__lab.snapshot().shown.fwd?.series.length >= 2);
  const s = await snapshot(page);
  const fwdA = s.shown.fwd.series.find((x) => x.label === "A theory");
  const bwdA = s.shown.bwd.series.find((x) => x.label.startsWith("A theory"));
  assert.ok(fwdA && bwdA, `theory series on both charts: ${s.shown.fwd.series.map((x) => x.label)}`);
  assert.equal(fwdA.nonNull, 11);
  assert.equal(bwdA.nonNull, 11);
  assert.match(bwdA.label, /scaled to init at l=L/);
  assert.ok(!s.shown.fwd.series.some((x) => x.label.startsWith("B theory")), "no line for post-norm");
  assert.match(await page.textContent("#theory-note-fwd"), /theory for B: none, .*post-norm/);
  assert.match(await page.textContent("#theory-note-bwd"), /scaled to equal the measured init value/);
  // the plain He ReLU net's theory is flat: prediction = measured at l = 0 (same data)
  await page.uncheck("#ctl-theory");
  await page.waitForFunction(() => !window.__lab.snapshot().shown.fwd.series.some((x) => x.label.includes("theory")));
  assert.match((await snapshot(page)).hash, /theory=0/);
  assert.equal(await page.isHidden("#theory-note-fwd"), true);
  await page.check("#ctl-theory");
  await page.waitForFunction(() => window.__lab.snapshot().shown.fwd.series.some((x) => x.label === "A theory"));
  assert.doesNotMatch((await snapshot(page)).hash, /theory=/);
  assert.deepEqual(page.errors, []);
});

test("sweep, spectrum and phase panels draw; a phase-diagram click reconfigures net A and it trains", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=12&b.depth=12&seed=4&speed=5`);
  await waitReady(page);
  // depth sweep (8 seeds keeps the test lean)
  await page.fill("#sweep-seeds", "8");
  await page.click("#btn-sweep");
  await page.waitForSelector("#sweep-status[data-done]", { timeout: 30000 });
  assert.match(await page.textContent("#sweep-status"), /8 seeds per net, done in/);
  assert.match(await page.textContent("#sweep-band"), /Net A \(plain, relu, L = 12, W = 32\): the 10–90% band at l = L spans ×[\d.]+.*√\(5L\/W\) = 1\.4\./);
  for (const ink of await inkOf("#card-sweep canvas")) assert.ok(ink > 500, `sweep chart has pixels (${ink})`);
  const legend = await page.textContent("#chart-sweep-fwd .u-legend");
  for (const l of ["A geo. mean", "A theory", "B geo. mean", "B theory"]) assert.ok(legend.includes(l), `legend has ${l}`);

  // Jacobian spectrum: computed once the panel is on screen
  await page.locator("#card-spectrum").scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll(".spectrum-text [data-k]").length === 6, null, { timeout: 15000 });
  const spec = await page.evaluate(() => [...document.querySelectorAll(".spectrum-text")].map((t) =>
    Object.fromEntries([...t.querySelectorAll("[data-k]")].map((e) => [e.dataset.k, Number(e.dataset.v)]))));
  for (const s of spec) for (const [k, v] of Object.entries(s)) assert.ok(Number.isFinite(v) && v >= 0, `${k} = ${v}`);
  for (const ink of await inkOf("#card-spectrum canvas")) assert.ok(ink > 300, `histogram has pixels (${ink})`);

  // phase diagram (tanh by default), then a click at s_w^2 = 1.5, s_b^2 = 0.05
  await page.locator("#card-phase").scrollIntoViewIfNeeded();
  await page.waitForSelector('#phase-status[data-activation="tanh"]', { timeout: 15000 });
  await page.waitForTimeout(100);
  const [phaseInk] = await inkOf("#phase-canvas");
  assert.ok(phaseInk > 5000, `phase diagram has pixels (${phaseInk})`);
  const at = await page.evaluate(() => {
    const c = document.querySelector("#phase-canvas"), p = c._phase, r = c.getBoundingClientRect();
    return { x: r.left + p.left + ((1.5 - p.x0) / (p.x1 - p.x0)) * p.pw, y: r.top + p.top + ((p.y1 - 0.05) / (p.y1 - p.y0)) * p.ph };
  });
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].config?.model.init === "custom");
  const s = await snapshot(page);
  const m = s.cfg.nets[0];
  assert.deepEqual([m.kind, m.init, m.activation, m.norm], ["plain", "custom", "tanh", "none"]);
  assert.ok(Math.abs(m.sigma_w2 - 1.5) < 0.051 && Math.abs(m.sigma_b2 - 0.05) < 0.0051, `clicked point ${m.sigma_w2}, ${m.sigma_b2}`);
  assert.match(s.hash, /a\.init=custom/);
  assert.match(s.hash, /a\.sigma_w2=/);
  assert.equal(s.nets[0].config.model.sigma_w2, m.sigma_w2, "the worker's Lab has the clicked s_w^2");
  const trained = await waitSteps(page, 30, 30000);
  assert.ok(trained.nets[0].latest.step >= 30, "net A trains after the click");
  await page.click("#btn-play"); // pause
  await page.waitForFunction(() => document.querySelectorAll("#phase-point [data-k]").length === 4);
  const pt = await numbers("#phase-point");
  assert.ok(pt.chi1 > 0.5 && pt.chi1 < 1, `tanh at 1.5, 0.05 is ordered (chi1 ${pt.chi1})`);
  assert.ok(Number.isFinite(pt.xi) && pt.xi > 1, `xi ${pt.xi}`);
  assert.match(await page.textContent("#phase-point"), /6ξ_c ≈ [\d.]+ layers/);
  // another activation redraws
  await page.selectOption("#phase-mode", "xi");
  await page.selectOption("#phase-act", "relu");
  await page.waitForSelector('#phase-status[data-activation="relu"]', { timeout: 15000 });
  await page.waitForTimeout(100);
  assert.ok((await inkOf("#phase-canvas"))[0] > 5000, "relu diagram has pixels");
  await page.selectOption("#phase-mode", "chi1");
  await page.selectOption("#phase-act", "tanh");
  assert.doesNotMatch(await theoryText(), NO_NAN);
  assert.deepEqual(page.errors, []);
});

test("What is true: live numbers, finite, with the promised results; screenshots", async () => {
  await page.locator("#card-truths summary").click();
  await page.waitForSelector("#truths[data-done]", { timeout: 40000 });
  const n = await numbers("#truths");
  for (const [k, v] of Object.entries(n)) assert.ok(Number.isFinite(v), `${k} = ${v} is finite`);
  // (a) ReZero: the Jacobian is the identity; He branches with alpha = 1: mean s^2 > 1, wide spread
  assert.ok(Math.abs(n["rezero.max"] - 1) < 1e-5 && Math.abs(n["rezero.mean_sq"] - 1) < 1e-5 && n["rezero.normalized_var"] < 1e-6);
  assert.ok(n["he1.mean_sq"] > 1 && n["he1.normalized_var"] > 1, `He/He: mean s² ${n["he1.mean_sq"]}`);
  // (b) Fixup and ReZero without any norm train a 50-block net better than a plain 50-layer net
  assert.ok(n["fixup.accuracy"] > n["plain.accuracy"] + 0.1, `Fixup ${n["fixup.accuracy"]} vs plain ${n["plain.accuracy"]}`);
  assert.ok(n["rezero.accuracy"] > n["plain.accuracy"] + 0.1);
  // (c) q_{l+1}/q_l for He/He blocks: 3 (1 + v/q with v = 2q)
  assert.ok(Math.abs(n["add.measured"] - 3) < 0.3, `measured ratio ${n["add.measured"]}`);
  assert.ok(Math.abs(n["add.predicted"] - 3) < 0.01, `predicted ratio ${n["add.predicted"]}`);
  const text = await page.textContent("#truths");
  assert.match(text, /Not by themselves/);
  assert.match(text, /No\. Without a single normalization layer/);
  assert.match(text, /Yes\. At init/);
  console.log(`# what is true: ${JSON.stringify(n)}`);
  assert.doesNotMatch(await theoryText(), NO_NAN);

  // a sweep for the current settings, so the screenshots show every chart
  await page.fill("#sweep-seeds", "8");
  await page.click("#btn-sweep");
  await page.waitForSelector("#sweep-status[data-done]", { timeout: 30000 });
  await page.addStyleTag({ content: ".runbar { position: static !important; }" }); // no sticky bar over element shots
  await shots("desktop");
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(500);
  for (const c of await canvasInk(page, "#theory canvas")) assert.ok(c.ink > 300, `phone: ${c.id} has pixels (${c.ink})`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await shots("phone");
  await page.setViewportSize(DESKTOP);
  assert.doesNotMatch(await theoryText(), NO_NAN);
  assert.deepEqual(page.errors, []);
});

/** One screenshot per theory card: test-results/screenshots/theory-<card>-<suffix>.png. */
async function shots(suffix) {
  mkdirSync(SHOTS, { recursive: true });
  for (const id of ["card-fwd", "card-bwd", "card-sweep", "card-spectrum", "card-phase", "card-truths"]) {
    await page.locator(`#${id}`).screenshot({ path: path.join(SHOTS, `theory-${id.slice(5)}-${suffix}.png`) });
  }
}
