// The JS API of the core in a real browser: www/minimal.html, then the contract call by call.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage } from "./helpers.mjs";

let srv, browser, page;
before(async () => {
  srv = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test("minimal.html constructs a Lab, trains it and prints the report", async () => {
  page = await openPage(browser.context, `${srv.base}/www/minimal.html`);
  await page.waitForFunction(() => window.__minimal, null, { timeout: 30000 });
  const m = await page.evaluate(() => window.__minimal);
  assert.equal(m.ok, true, m.error);
  assert.equal(m.step, 51);
  assert.ok(Number.isFinite(m.firstLoss) && Number.isFinite(m.lastLoss));
  const text = await page.textContent("#out");
  assert.match(text, /after 51 steps/);
  assert.doesNotMatch(text, /NaN/);
  assert.deepEqual(page.errors, []);
});

test("the API follows the contract", async () => {
  const r = await page.evaluate(async () => {
    const { default: init, Lab } = await import("/pkg/residual_lab.js");
    await init();
    const out = {};
    try { new Lab({ model: { depth: 0 } }); out.badDepth = "no error"; } catch (e) { out.badDepth = String(e.message); }
    try { new Lab({ model: { kind: "plain", init: "fixup" } }); out.badFixup = "no error"; } catch (e) { out.badFixup = String(e.message); }
    const depth = 6, width = 16;
    const lab = new Lab({ model: { depth, width }, seed: 3 });
    const cfg = lab.config();
    out.cfg = { depth: cfg.model.depth, kind: cfg.model.kind, lr: cfg.optimizer.lr, seed: cfg.seed, data: cfg.data.name };
    const rep = lab.train_step();
    out.step1 = rep.step;
    out.layers = Object.fromEntries(Object.entries(rep.layers).map(([k, v]) => [k, { f32: v instanceof Float32Array, len: v.length }]));
    out.diverged = rep.diverged;
    const r10 = lab.train(10);
    out.step11 = r10.step;
    const p = lab.probe();
    out.probeStep = p.step;
    const ev = lab.evaluate();
    out.eval = [ev.train.loss, ev.train.accuracy, ev.test.loss, ev.test.accuracy].map((v) => typeof v);
    const d = lab.data();
    out.data = { xLen: d.x.length, yLen: d.y.length, d_in: d.d_in, n_train: d.n_train, classes: d.d_out, classification: d.classification };
    const g = lab.predict_grid(8, [-1, 1, -1, 1]);
    out.grid = { len: g.length, sumFirst: Array.from(g.slice(0, d.d_out)).reduce((a, b) => a + b, 0) };
    lab.set_lr(0.001);
    out.lrAfter = lab.config().optimizer.lr;
    out.stepAfterLr = lab.probe().step;
    // to_json / from_json: the copy continues exactly like the original
    const copy = Lab.from_json(lab.to_json());
    out.jsonSame = copy.train_step().loss === lab.train_step().loss;
    // same config + seed -> same losses; reset(seed) starts over
    const a = new Lab({ model: { depth: 3 }, seed: 9 }), b = new Lab({ model: { depth: 3 }, seed: 9 });
    const la = [a.train_step().loss, a.train_step().loss], lb = [b.train_step().loss, b.train_step().loss];
    out.deterministic = la[0] === lb[0] && la[1] === lb[1];
    a.reset(9);
    const again = a.train_step();
    out.resetStep = again.step;
    out.resetSame = again.loss === la[0];
    for (const x of [lab, copy, a, b]) x.free();
    out.hasTheory = typeof Lab.prototype.theory === "function";
    out.hasJacobian = typeof Lab.prototype.jacobian_spectrum === "function";
    return out;
  });
  console.log(`# API: theory() ${r.hasTheory ? "present" : "absent"}, jacobian_spectrum() ${r.hasJacobian ? "present" : "absent"}`);
  assert.match(r.badDepth, /model\.depth/);
  assert.notEqual(r.badFixup, "no error");
  assert.deepEqual(r.cfg, { depth: 6, kind: "residual", lr: 0.003, seed: 3, data: "spiral" });
  assert.equal(r.step1, 1);
  for (const k of ["act_mean", "act_mean_sq", "act_var", "dead_frac", "grad_rms", "weight_grad_norm", "weight_norm", "update_ratio", "nonfinite"]) {
    assert.deepEqual(r.layers[k], { f32: true, len: 7 }, `layers.${k}`);
  }
  assert.equal(r.diverged, null);
  assert.equal(r.step11, 11);
  assert.equal(r.probeStep, 11, "probe() does not train");
  assert.deepEqual(r.eval, ["number", "number", "number", "number"]);
  assert.equal(r.data.xLen, 512 * r.data.d_in);
  assert.equal(r.data.yLen, 512);
  assert.equal(r.data.classification, true);
  assert.ok(Math.abs(r.data.n_train - 512 * 0.8) <= 1, `n_train ${r.data.n_train}`);
  assert.equal(r.grid.len, 8 * 8 * r.data.classes);
  assert.ok(Math.abs(r.grid.sumFirst - 1) < 1e-3, "class probabilities sum to 1");
  assert.equal(r.lrAfter, 0.001);
  assert.equal(r.stepAfterLr, 11, "set_lr does not reset");
  assert.equal(r.jsonSame, true, "from_json(to_json()) continues like the original");
  assert.equal(r.deterministic, true, "same config and seed give the same losses");
  assert.equal(r.resetStep, 1, "reset(seed) starts over from step 0");
  assert.equal(r.resetSame, true, "reset(seed) reproduces the first loss");
  assert.deepEqual(page.errors, []);
});
