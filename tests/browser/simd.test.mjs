// The two builds of the core (www/js/core.js): Chromium has relaxed SIMD, so the page's workers
// load pkg/relaxed/ (fused multiply-adds); ?simd=plain makes them load pkg/ (plain simd128).
// Both must train, give nearly the same losses (the builds round differently in the matrix
// kernel only), say which build runs, and the page must fetch only the build it uses.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, waitSteps } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** Opens the page, trains 40 steps; returns the builds the nets ran, their last losses, the
 * status caption and the wasm files fetched. */
async function run(query) {
  const wasm = [];
  const onRequest = (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); };
  browser.context.on("request", onRequest);
  await page.goto("about:blank");
  await page.goto(`${srv.base}/www/${query}#a.depth=6&b.depth=6&speed=1`);
  await waitReady(page);
  await page.click("#btn-play");
  const snap = await waitSteps(page, 40);
  await page.click("#btn-play");
  browser.context.off("request", onRequest);
  const caption = await page.textContent("#round-ms");
  return { simd: snap.nets.map((n) => n.simd), loss: snap.nets.map((n) => n.latest.loss), caption, wasm };
}

test("Chromium loads the relaxed-SIMD build; ?simd=plain loads the simd128 build; both train", async () => {
  const relaxed = await run("");
  assert.deepEqual(relaxed.simd, ["relaxed-simd", "relaxed-simd"]);
  assert.match(relaxed.caption, /relaxed SIMD/);
  assert.ok(relaxed.wasm.length > 0 && relaxed.wasm.every((p) => p.endsWith("/pkg/relaxed/residual_lab_bg.wasm")), relaxed.wasm.join(", "));

  const plain = await run("?simd=plain");
  assert.deepEqual(plain.simd, ["simd128", "simd128"]);
  assert.match(plain.caption, /simd128/);
  assert.ok(plain.wasm.length > 0 && plain.wasm.every((p) => p.endsWith("/pkg/residual_lab_bg.wasm") && !p.includes("/relaxed/")), plain.wasm.join(", "));

  // Finite losses (the page trains in rounds of several steps, so step counts differ: the
  // builds are compared step by step in the next test).
  assert.ok([...relaxed.loss, ...plain.loss].every(Number.isFinite));
  assert.deepEqual(page.errors, []);
});

test("the two builds give the same losses to about 6 digits over 100 SGD steps, and not the same bits", async () => {
  // Through the public API in the page: pkg/ and pkg/relaxed/ side by side on one config. SGD
  // on a 1/sqrt(L)-scaled residual net: with Adam the two runs drift apart like any two f32
  // implementations do (the rounding differences grow about 10x every 10 steps).
  const out = await page.evaluate(async () => {
    const losses = async (dir) => {
      const mod = await import(`/pkg/${dir}residual_lab.js`);
      await mod.default({ module_or_path: `/pkg/${dir}residual_lab_bg.wasm` });
      const lab = new mod.Lab({ seed: 3, batch_size: 64, model: { depth: 8, width: 64, branch_scale: "inv_sqrt_depth" },
        optimizer: { kind: "sgd", lr: 0.05 }, data: { n: 512 } });
      const l = [];
      for (let i = 0; i < 100; i++) l.push(lab.train_step().loss);
      lab.free();
      return l;
    };
    return { plain: await losses(""), relaxed: await losses("relaxed/") };
  });
  const rel = out.plain.map((p, i) => Math.abs(out.relaxed[i] - p) / Math.abs(p));
  assert.ok(Math.max(...rel) < 1e-5, `largest relative difference ${Math.max(...rel)}`);
  assert.ok(out.plain.some((p, i) => p !== out.relaxed[i]), "the relaxed build gave the plain build's bits: is it fusing?");
});
