// The threads build (pkg/threads/, www/js/threads.js): on a cross-origin isolated page its
// helper thread starts and computes half of every large matrix product, and the losses and
// weights are those of the single-threaded relaxed build (pkg/relaxed/) bit for bit, since each
// entry of a product is summed as on one thread. Without isolation it declines (null), so the
// caller falls back to www/js/core.js.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage } from "./helpers.mjs";

let coi, plain, browser, page;
before(async () => {
  coi = await startServer({ coi: true });
  plain = await startServer();
  browser = await launch();
  page = await openPage(browser.context);
});
after(async () => { await browser?.close(); await coi?.stop(); await plain?.stop(); });

// Big enough that every product splits (m * k * n >= 2^17), with BatchNorm, LayerNorm, Adam.
const CONFIGS = [
  { model: { kind: "residual", depth: 4, width: 128, norm: "layer" }, optimizer: { kind: "adam", lr: 0.003 }, batch_size: 64, seed: 3 },
  { model: { kind: "plain", depth: 6, width: 64, norm: "batch" }, optimizer: { kind: "momentum", lr: 0.05 }, batch_size: 128, seed: 4 },
  { model: { kind: "residual", depth: 3, width: 70, init: "fixup" }, optimizer: { kind: "sgd", lr: 0.02 }, batch_size: 100, seed: 5 },
];
const STEPS = 25;

/** In the page: each config trained STEPS steps with `build` ("threads" or "relaxed"); losses and weights. */
function trainAll({ configs, steps, build }) {
  return (async () => {
    let core;
    if (build === "threads") {
      const { loadThreadedCore } = await import("/www/js/threads.js");
      core = await loadThreadedCore();
      if (!core) return { declined: true };
    } else {
      core = await import("/pkg/relaxed/residual_lab.js");
      await core.default({ module_or_path: "/pkg/relaxed/residual_lab_bg.wasm" });
    }
    const runs = configs.map((config) => {
      const lab = new core.Lab(config);
      const losses = [];
      for (let s = 0; s < steps; s++) losses.push(lab.train_step().loss);
      const w = lab.get_weights();
      const weights = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length))]));
      lab.free();
      return { losses, weights };
    });
    return { runs, helpers: core.helper_threads(), threads: core.threads ?? 1, isolated: self.crossOriginIsolated };
  })();
}

test("cross-origin isolated: the helper starts and the results are the relaxed build's, bit for bit", async () => {
  await page.goto(`${coi.base}/www/minimal.html`);
  const threaded = await page.evaluate(trainAll, { configs: CONFIGS, steps: STEPS, build: "threads" });
  assert.equal(threaded.isolated, true);
  assert.ok(!threaded.declined, "threads.js declined on an isolated page");
  assert.equal(threaded.helpers, 1, "one helper thread");
  assert.equal(threaded.threads, 2);
  await page.goto(`${coi.base}/www/minimal.html`);
  const single = await page.evaluate(trainAll, { configs: CONFIGS, steps: STEPS, build: "relaxed" });
  assert.equal(single.helpers, 0);
  threaded.runs.forEach((r, i) => {
    assert.ok(r.losses.every(Number.isFinite), `config ${i}: finite losses`);
    assert.ok(r.losses[STEPS - 1] < r.losses[0], `config ${i}: trains (${r.losses[0]} -> ${r.losses[STEPS - 1]})`);
    assert.deepEqual(r.losses, single.runs[i].losses, `config ${i}: losses differ from the relaxed build`);
    assert.deepEqual(r.weights, single.runs[i].weights, `config ${i}: weights differ from the relaxed build`);
  });
});

test("not cross-origin isolated: threads.js declines, so the caller falls back to core.js", async () => {
  await page.goto(`${plain.base}/www/minimal.html`);
  const r = await page.evaluate(async () => {
    const { loadThreadedCore, threadsSupported } = await import("/www/js/threads.js");
    return { supported: threadsSupported(), core: await loadThreadedCore(), isolated: self.crossOriginIsolated };
  });
  assert.equal(r.isolated, false);
  assert.equal(r.supported, false);
  assert.equal(r.core, null);
});
