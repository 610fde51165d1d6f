// The theory views: the dotted theory overlay (and its toggle and reasons), the depth sweep,
// the Jacobian spectrum, the phase diagram (a click reconfigures net A, which then trains) and
// "What is true" (live numbers with the promised qualitative results). Screenshots at 1280 and
// 360 px wide.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startServer, launch, openPage, waitReady, waitSteps, snapshot, fresh, canvasInk, NO_NAN, DESKTOP, PHONE, SHOTS, openSettings } from "./helpers.mjs";

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
  assert.match(bwdA.label, /theory, scaled/); // the chart's note says to what: the measured init value at l = L
  assert.ok(!s.shown.fwd.series.some((x) => x.label.startsWith("B theory")), "no line for post-norm");
  assert.match(await page.textContent("#theory-note-fwd"), /theory for B: none, .*post-norm/);
  assert.match(await page.textContent("#theory-note-bwd"), /scaled to equal the measured init value/);
  // the plain He ReLU net's theory is flat: prediction = measured at l = 0 (same data)
  await openSettings(page);
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
  assert.match(await page.textContent("#sweep-band"),
    /Net A \(plain, relu, L = 12, W = 32\): the 10–90% band at l = L spans ×[\d.]+.*the geometric mean over seeds is [\d.]+ × the mean \(√\(5L\/W\) = 1\.4 and exp\(−5L\/\(2W\)\) = 0\.39 for plain ReLU\)\./);
  for (const ink of await inkOf("#card-sweep canvas")) assert.ok(ink > 500, `sweep chart has pixels (${ink})`);
  const legend = await page.textContent("#chart-sweep-fwd .u-legend");
  for (const l of ["A mean", "A median", "A theory", "B mean", "B median", "B theory"]) assert.ok(legend.includes(l), `legend has ${l}`);
  assert.match(await page.textContent("#card-sweep .explain:last-of-type"), /Solid: the mean over seeds, the statistic mean-field theory predicts/);

  // Jacobian spectrum: computed once the panel is on screen
  const phaseTop = () => page.evaluate(() => document.querySelector("#card-phase").getBoundingClientRect().top + scrollY);
  const topBefore = await phaseTop();
  await page.locator("#card-spectrum").scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll(".spectrum-text [data-k]").length === 6, null, { timeout: 15000 });
  // the spectrum's arrival does not push the phase diagram down (a click aimed at it would miss)
  assert.ok(Math.abs((await phaseTop()) - topBefore) < 2, `phase card moved from ${topBefore} to ${await phaseTop()}`);
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
  const at = await phaseXY(1.5, 0.05);
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
  await page.waitForFunction(() => document.querySelectorAll("#phase-point [data-k]").length === 5);
  const pt = await numbers("#phase-point");
  assert.ok(pt.chi1 > 0.5 && pt.chi1 < 1, `tanh at 1.5, 0.05 is ordered (chi1 ${pt.chi1})`);
  assert.ok(Number.isFinite(pt.xi) && pt.xi > 1, `xi ${pt.xi}`);
  // Schoenholz et al. 2017: xi_q at (1.5, 0.05) is 1.68 layers (src/theory/tests_maps.rs iterates the length map)
  assert.ok(Math.abs(pt.xi_q - 1.683) < 0.01, `xi_q ${pt.xi_q}`);
  assert.match(await page.textContent("#phase-point"), /6ξ_c ≈ [\d.]+ layers/);
  // another activation redraws
  await page.selectOption("#phase-mode", "xi");
  await page.selectOption("#phase-act", "relu");
  await page.waitForSelector('#phase-status[data-activation="relu"]', { timeout: 15000 });
  await page.waitForTimeout(100);
  assert.ok((await inkOf("#phase-canvas"))[0] > 5000, "relu diagram has pixels");
  // ReLU has no chaotic phase (chi1 > 1: unbounded q), and at s_b^2 = 0 its ordered-phase xi_c is only formal
  for (const [sw2, sb2, said] of [[3, 0.1, /unbounded: q and the gradients grow without limit \(ReLU-like nets have no chaotic phase/],
    [1.5, 0, /At σ_b² = 0 that ξ_c is only formal/], [2, 0, /infinite here: .*two orthogonal inputs reach correlation 0\.988 after 50 layers/]]) {
    await page.mouse.click(...Object.values(await phaseXY(sw2, Math.max(sb2, 0.001)))); // rounds to the nearest 0.005
    await page.waitForFunction(([w, b]) => {
      const m = window.__lab.snapshot().cfg.nets[0];
      return m.activation === "relu" && m.sigma_w2 === w && m.sigma_b2 === b && document.querySelector("#phase-point [data-k=chi1]");
    }, [sw2, sb2]);
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector("#phase-point").textContent), said.source, { timeout: 10000 });
  }
  // sigmoid's edge of chaos lies far right of the window (s_w^2 ~ 103): the status says where
  await page.selectOption("#phase-act", "sigmoid");
  await page.waitForSelector('#phase-status[data-activation="sigmoid"]', { timeout: 15000 });
  assert.match(await page.textContent("#phase-status"), /edge of chaos lies outside this window, at σ_w² ≈ 10[0-9]/);
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
  // (a) ReZero and Fixup: the Jacobian is the identity; He branches with alpha = 1: mean s^2 > 1, wide spread;
  // tanh branches (Yang & Schoenholz 2017): sub-exponential, the per-block growth falls with depth
  for (const id of ["rezero", "fixup"]) {
    assert.ok(Math.abs(n[`${id}.max`] - 1) < 1e-5 && Math.abs(n[`${id}.mean_sq`] - 1) < 1e-5 && n[`${id}.normalized_var`] < 1e-6, id);
  }
  assert.ok(n["he1.mean_sq"] > 1 && n["he1.normalized_var"] > 1, `He/He: mean s² ${n["he1.mean_sq"]}`);
  assert.ok(n["tanh80.per_block"] < n["tanh20.per_block"] && n["tanh20.per_block"] < n["he1.per_block"],
    `per block: tanh ${n["tanh20.per_block"]} -> ${n["tanh80.per_block"]}, ReLU ${n["he1.per_block"]}`);
  // (b) without normalization alpha = 1 fails; pre-LayerNorm trains; ReZero and alpha = 1/sqrt(L) get within 0.05 of it
  // (tests/truths.rs trains the same nets natively)
  assert.ok(n["he1.accuracy"] < n["prenorm.accuracy"] - 0.1, `alpha = 1 ${n["he1.accuracy"]} vs pre-LN ${n["prenorm.accuracy"]}`);
  for (const id of ["rezero", "invsqrt"]) assert.ok(n[`${id}.accuracy`] >= n["prenorm.accuracy"] - 0.05, `${id} ${n[`${id}.accuracy`]}`);
  // (c) q_{l+1}/q_l for He/He blocks: 3 (1 + v/q with v = 2q)
  assert.ok(Math.abs(n["add.measured"] - 3) < 0.3, `measured ratio ${n["add.measured"]}`);
  assert.ok(Math.abs(n["add.predicted"] - 3) < 0.01, `predicted ratio ${n["add.predicted"]}`);
  const text = await page.textContent("#truths");
  assert.match(text, /Not by themselves/);
  assert.match(text, /ReZero \(and SkipInit, whose α also starts at 0\) and Fixup \(each branch's last layer starts at 0\) make every block exactly the identity/);
  assert.match(text, /sub-exponential \(Yang & Schoenholz 2017\)/);
  assert.match(text, /Singular values, not the eigenvalues/);
  assert.match(text, /No, but they need their branches scaled\. Without normalization, with He branches and α = 1/);
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

/** The page coordinates of (s_w^2, s_b^2) on the phase diagram. */
function phaseXY(sw2, sb2) {
  return page.evaluate(([w, b]) => {
    const c = document.querySelector("#phase-canvas"), p = c._phase;
    c.scrollIntoView({ block: "center" }); // Play/Pause in the run bar may have scrolled the page since
    const r = c.getBoundingClientRect();
    return { x: r.left + p.left + ((w - p.x0) / (p.x1 - p.x0)) * p.pw, y: r.top + p.top + ((p.y1 - b) / (p.y1 - p.y0)) * p.ph };
  }, [sw2, sb2]);
}

/** One screenshot per theory card: test-results/screenshots/theory-<card>-<suffix>.png. */
async function shots(suffix) {
  mkdirSync(SHOTS, { recursive: true });
  for (const id of ["card-fwd", "card-bwd", "card-sweep", "card-spectrum", "card-phase", "card-truths"]) {
    await page.locator(`#${id}`).screenshot({ path: path.join(SHOTS, `theory-${id.slice(5)}-${suffix}.png`) });
  }
}
