// Own data on the page: points drawn by clicks (three classes, both nets train on them, the link
// brings the same points back, erase and clear), a CSV file through the file input (a bad file
// is refused with its line and column and leaves the running nets alone; a good one trains),
// and the handwritten digits (the confusion view replaces the boundary; the digits numbers of
// tests/digits.rs in Chromium, both builds, with the time per step).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startServer, launch, openPage, waitReady, snapshot, trainFor, canvasInk, screenshot, fresh, ROOT, NO_NAN, dynamicText, openSettings } from "./helpers.mjs";
import { decodePoints } from "../../www/js/data/points.js";
import { initSync, Lab } from "../../pkg/residual_lab.js";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

const allReady = (p, pred = "true") => p.waitForFunction(`window.__lab.snapshot().nets.every((n) => n.status === "ready" && (${pred}))`, null, { timeout: 30000 });

/** Points of class c on a small arc around the plane's centre: fractions (u, v) of the canvas. */
function arc(c, k) {
  const a = (2 * Math.PI * c) / 3 + 0.12 * k, r = 0.18 + 0.04 * k;
  return [0.5 + r * Math.cos(a), 0.5 - r * Math.sin(a)];
}

test("drawing: clicks add points of three classes, both nets train on them, the link restores them", async () => {
  await fresh(page, `${srv.base}/www/#src=draw&seed=7`);
  await waitReady(page);
  assert.equal(await page.isVisible("#draw-tools"), true);
  const s0 = await snapshot(page);
  assert.deepEqual(s0.nets.map((n) => n.status), ["waiting", "waiting"], "no points: the nets wait");
  assert.match(s0.nets[0].error, /at least|or more/);
  await page.locator("#card-boundary").scrollIntoViewIfNeeded();
  const clicks = [];
  for (let c = 0; c < 3; c++) for (let k = 0; k < 5; k++) clicks.push([c, ...arc(c, k)]);
  for (const [c, u, v] of clicks) {
    await page.click(`.class-pick[data-class="${c}"]`);
    const box = await page.locator(c === 1 ? "#boundary-b" : "#boundary-a").boundingBox(); // either plane takes clicks
    await page.mouse.click(box.x + u * box.width, box.y + v * box.height);
  }
  await page.waitForFunction(() => /15 points/.test(document.querySelector("#draw-count").textContent));
  await allReady(page, "n.data && n.data.n === 15");
  const s1 = await snapshot(page);
  const pts = decodePoints(new URLSearchParams(s1.hash.slice(1)).get("pts")).points;
  assert.equal(pts.length, 15, "every point is in the link");
  assert.deepEqual([0, 1, 2].map((c) => pts.filter((p) => p.c === c).length), [5, 5, 5]);
  for (const n of s1.nets) assert.deepEqual([n.data.d_in, n.data.classes, n.data.n], [2, 3, 15]);
  // both nets got the same rows
  const rows = await page.evaluate(() => window.__lab.snapshot().nets.map((n) => n.data));
  assert.deepEqual(rows[0], rows[1]);
  // they train on them
  const s2 = await trainFor(page, 2500);
  for (const [i, n] of s2.nets.entries()) {
    assert.ok(n.latest.step > 50, `net ${i} trained (${n.latest.step} steps)`);
    const acc = s2.hist.trainAcc[i].filter((v) => v !== null);
    assert.ok(acc.at(-1) >= 0.9, `net ${i} fits the drawn points: train accuracy ${acc.at(-1)}`);
  }
  const inks = await canvasInk(page, "#boundary-a, #boundary-b");
  for (const c of inks) assert.ok(c.ink > 1000, `${c.id} draws a boundary (${c.ink})`);
  await screenshot(page, "owndata-drawn");
  // the link alone brings back the same points: a fresh page from it
  const link = `${srv.base}/www/${s1.hash}`;
  await fresh(page, link);
  await allReady(page, "n.data && n.data.n === 15");
  const back = await snapshot(page);
  assert.equal(new URLSearchParams(back.hash.slice(1)).get("pts"), new URLSearchParams(s1.hash.slice(1)).get("pts"));
  assert.deepEqual(await page.evaluate(() => window.__lab.snapshot().nets.map((n) => n.data)), rows, "the same rows, split included");
  // shift-click erases the nearest point; Clear removes them all
  const [c0, u0, v0] = clicks[0];
  assert.equal(c0, 0);
  await page.locator("#card-boundary").scrollIntoViewIfNeeded();
  const box = await page.locator("#boundary-a").boundingBox();
  await page.keyboard.down("Shift");
  await page.mouse.click(box.x + u0 * box.width + 2, box.y + v0 * box.height + 1);
  await page.keyboard.up("Shift");
  await allReady(page, "n.data && n.data.n === 14");
  assert.equal(decodePoints(new URLSearchParams((await snapshot(page)).hash.slice(1)).get("pts")).points.filter((p) => p.c === 0).length, 4);
  await page.click("#btn-clear-points");
  await page.waitForFunction(() => window.__lab.snapshot().nets.every((n) => n.status === "waiting"));
  assert.doesNotMatch((await snapshot(page)).hash, /pts=/);
  assert.deepEqual(page.errors, []);
});

test("drawing: more than 200 points stay out of the link and travel in the exported trainer state", async () => {
  await fresh(page, `${srv.base}/www/#src=draw&seed=5`);
  await waitReady(page);
  await page.locator("#card-boundary").scrollIntoViewIfNeeded();
  const box = await page.locator("#boundary-a").boundingBox();
  for (const c of [0, 1]) {
    await page.click(`.class-pick[data-class="${c}"]`);
    for (let i = 0; i < 105; i++) {
      const u = 0.08 + 0.38 * ((i % 15) / 14) + 0.46 * c, v = 0.08 + 0.84 * (Math.floor(i / 15) / 6);
      await page.mouse.click(box.x + u * box.width, box.y + v * box.height);
    }
  }
  await allReady(page, "n.data && n.data.n === 210");
  const s = await snapshot(page);
  assert.doesNotMatch(s.hash, /pts=/, "210 points are not written into the link");
  assert.match(await page.textContent("#draw-count"), /210 points \(more than 200: not in the link/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#btn-export-state")]);
  const saved = readFileSync(await download.path(), "utf8");
  // a fresh page without the points, then the saved file
  await fresh(page, `${srv.base}/www/#src=draw&seed=5`);
  await waitReady(page);
  assert.deepEqual((await snapshot(page)).nets.map((n) => n.status), ["waiting", "waiting"]);
  await page.setInputFiles("#import-file", { name: "state.json", mimeType: "application/json", buffer: Buffer.from(saved) });
  await allReady(page, "n.data && n.data.n === 210");
  await page.waitForFunction(() => /210 points/.test(document.querySelector("#draw-count").textContent));
  const back = await snapshot(page);
  assert.equal(back.cfg.view.source, "draw");
  assert.equal(back.cfg.data.name, "spiral", "the dataset setting is not overwritten by \"custom\"");
  // Reset rebuilds both nets from the restored points
  await page.click("#btn-reset");
  await allReady(page, "n.data && n.data.n === 210 && n.latest && n.latest.step === 0");
  assert.deepEqual(page.errors, []);
});

test("CSV: a bad file is refused with its line and column, the nets go on; a good file trains both nets", async () => {
  await fresh(page, `${srv.base}/www/#seed=3`);
  await waitReady(page);
  const before = await trainFor(page, 800);
  const steps = before.nets.map((n) => n.latest.step);
  await page.setInputFiles("#csv-file", { name: "bad.csv", mimeType: "text/csv",
    buffer: Buffer.from("a,b,label\r\n1,2,x\r\n\r\n3,4,y\r\n5,1e400,x\r\n7,8,y\r\n") });
  await page.waitForFunction(() => /1e400/.test(document.querySelector("#csv-status").textContent));
  assert.match(await page.textContent("#csv-status"), /line 5, column 2 \("b"\): "1e400" is beyond the range of 32-bit floats.*unchanged/);
  assert.equal(await page.isDisabled("#btn-csv-apply"), true);
  await page.setInputFiles("#csv-file", { name: "ragged.csv", mimeType: "text/csv", buffer: Buffer.from("a,b,label\n1,2,x\n3,4\n") });
  await page.waitForFunction(() => /ragged/.test(document.querySelector("#csv-status").textContent));
  assert.match(await page.textContent("#csv-status"), /line 3, column 3: 2 fields, but line 1 has 3/);
  assert.equal(await page.isHidden("#csv-preview"), true);
  const mid = await snapshot(page);
  assert.deepEqual(mid.nets.map((n) => [n.status, n.latest.step]), steps.map((s) => ["ready", s]), "the running nets are untouched");
  assert.equal(mid.cfg.view.source, "builtin");
  // a good file: 3 features, text labels, CRLF
  const rows = ["x1,x2,x3,species"];
  for (let i = 0; i < 300; i++) {
    const c = i % 3;
    rows.push(`${(2 * c + Math.sin(i)).toFixed(3)},${(Math.cos(7 * i) + c).toFixed(3)},${((i % 7) / 7).toFixed(3)},${["setosa", "versicolor", "virginica"][c]}`);
  }
  await page.setInputFiles("#csv-file", { name: "flowers.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\r\n")) });
  await page.waitForSelector("#csv-preview:not([hidden])");
  assert.match(await page.textContent("#csv-summary"), /300 rows \(240 to train on, 60 held out\), 3 features, standardized on the training rows; label “species”, 3 classes/);
  assert.equal(await page.locator("#csv-preview tbody tr").count(), 6, "a preview of the first rows");
  assert.equal(await page.inputValue("#csv-label"), "3");
  await screenshot(page, "owndata-csv-preview");
  await page.click("#btn-csv-apply");
  await allReady(page, "n.data && n.data.d_in === 3");
  const s = await trainFor(page, 2500);
  assert.equal(s.cfg.view.source, "csv");
  for (const [i, n] of s.nets.entries()) {
    assert.deepEqual([n.data.d_in, n.data.classes, n.data.n, n.data.n_train], [3, 3, 300, 240]);
    assert.ok(s.hist.testAcc[i].filter((v) => v !== null).at(-1) > 0.6, `net ${i} learns the file`);
  }
  await page.waitForSelector("#data-view");
  assert.match(await page.textContent("#h-boundary"), /Confusion matrix/);
  assert.match(await page.textContent(".dv-stat"), /of 60 test points right/);
  const inks = await canvasInk(page, "#data-view canvas.dv-main");
  for (const c of inks) assert.ok(c.ink > 2000, `the confusion matrix is drawn (${c.ink})`);
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  assert.deepEqual(page.errors, []);
});

/** Drops a file named `name` with `text` on the page's body, as a drag from the desktop would. */
async function drop(name, text) {
  await page.evaluate(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: "text/csv" }));
    document.body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { name, text });
}

test("CSV: a file dropped anywhere is read as data (not as a saved state); 1-D classes and regression get their views", async () => {
  await fresh(page, `${srv.base}/www/#seed=4`);
  await waitReady(page);
  // one feature, two classes: there is no plane, so the confusion matrix
  const one = ["t,label", ...Array.from({ length: 200 }, (_, i) => `${(i / 20).toFixed(2)},${Math.floor(i / 20) % 2 ? "odd" : "even"}`)];
  await drop("one-feature.csv", one.join("\n"));
  await page.waitForSelector("#csv-preview:not([hidden])");
  assert.equal(await page.textContent("#export-status"), "", "the state import did not see the file");
  assert.match(await page.textContent("#csv-summary"), /1 feature, standardized.*2 classes \(even: 100, odd: 100\)/);
  await page.click("#btn-csv-apply");
  await allReady(page, "n.data && n.data.d_in === 1");
  await trainFor(page, 1000);
  await page.waitForSelector("#data-view");
  assert.match(await page.textContent("#h-boundary"), /Confusion matrix/);
  assert.match(await page.textContent(".dv-stat"), /of 40 test points right/);
  // regression on 3 features: predictions against targets
  const reg = ["a,b,c,price", ...Array.from({ length: 300 }, (_, i) => {
    const a = Math.sin(i), b = Math.cos(3 * i), c = (i % 11) / 11;
    return `${a.toFixed(4)},${b.toFixed(4)},${c.toFixed(4)},${(100 + 20 * a - 10 * b + 5 * c).toFixed(3)}`;
  })];
  await drop("prices.csv", reg.join("\n"));
  await page.waitForSelector("#csv-preview:not([hidden])");
  assert.equal(await page.inputValue("#csv-task"), "regression");
  assert.match(await page.textContent("#csv-summary"), /3 features, standardized on the training rows; label “price”, regression \(standardized\)/);
  await page.click("#btn-csv-apply");
  await allReady(page, "n.data && n.data.d_in === 3 && n.config.loss === \"mse\"");
  const s = await trainFor(page, 2500);
  const tl = s.hist.testLoss[1].filter((v) => v !== null);
  assert.ok(tl.at(-1) < 0.1 * tl[0], `net B fits the prices: test MSE ${tl[0]} -> ${tl.at(-1)} (standardized targets)`);
  await page.waitForFunction(() => /Predictions on the test split/.test(document.querySelector("#h-boundary").textContent));
  await page.waitForFunction(() => /test MSE/.test(document.querySelector(".dv-stat").textContent));
  const inks = await canvasInk(page, "#data-view canvas.dv-main");
  for (const c of inks) assert.ok(c.ink > 500, `predictions drawn (${c.ink})`);
  await page.locator("#card-boundary").screenshot({ path: path.join(ROOT, "test-results", "screenshots", "owndata-regression-card.png") });
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  assert.deepEqual(page.errors, []);
});

test("digits: selectable on the page; the confusion matrix and misclassified digits replace the boundary", async () => {
  await fresh(page, `${srv.base}/www/#seed=42&b.depth=8&b.width=64&b.norm=layer&speed=20`);
  await waitReady(page);
  await openSettings(page);
  await page.selectOption("select[name=data]", "digits");
  await allReady(page, "n.data && n.data.d_in === 64");
  const s0 = await snapshot(page);
  assert.match(s0.hash, /data=digits/);
  assert.equal(await page.isHidden("[data-key=n]"), true, "the digits have no size or noise to set");
  for (const n of s0.nets) {
    assert.deepEqual([n.data.classes, n.data.n, n.data.n_train], [10, 1797, 1438]);
    assert.equal(n.config.data.n, 1797);
  }
  // the chance lines: ln 10-ish loss and 1/10-ish accuracy from the training labels
  await page.click("#btn-play");
  // an evaluation after step 250 (the page evaluates every 250 ms or more while playing)
  await page.waitForFunction(() => window.__lab.snapshot().hist.evalSteps.at(-1) >= 250, null, { timeout: 120000 });
  await page.click("#btn-play");
  await page.waitForTimeout(500);
  // one more step while paused: its round refreshes the test-split view at once
  const paused = (await snapshot(page)).nets[1].latest.step;
  await page.click("#btn-step");
  await page.waitForFunction((k) => window.__lab.snapshot().hist.evalSteps.at(-1) > k, paused);
  await page.waitForTimeout(800);
  const s = await snapshot(page);
  const testB = s.hist.testAcc[1].filter((v) => v !== null);
  assert.ok(testB.at(-1) >= 0.95, `net B (8 pre-LayerNorm residual blocks x 64) reaches ${testB.at(-1)} on the test digits`);
  const legend = await page.textContent("#card-acc .u-legend");
  assert.match(legend, /chance: 0\.1\d\d/);
  assert.match(await page.textContent("#card-loss .u-legend"), /chance: 2\.3/);
  assert.equal(await page.isHidden("#card-boundary .pair:not(.dataview)"), true);
  assert.match(await page.textContent("#h-boundary"), /Confusion matrix on the test split/);
  const stats = await page.locator(".dv-stat").allTextContents();
  assert.equal(stats.length, 2);
  for (const t of stats) assert.match(t, /^\d+ of 359 test points right \(\d+(\.\d+)?%\)$/);
  // the view shows the nets as the accuracy chart does: net B's count is its test accuracy
  assert.equal(Number(stats[1].split(" ")[0]), Math.round(s.hist.testAcc[1].at(-1) * 359));
  const inks = await canvasInk(page, "#data-view canvas");
  assert.equal(inks.length, 4);
  for (const c of inks) assert.ok(c.ink > 500, `${c.id}: drawn (${c.ink})`);
  await page.locator("#card-boundary").screenshot({ path: path.join(ROOT, "test-results", "screenshots", "owndata-digits-card.png") });
  await screenshot(page, "owndata-digits");
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  // back to a 2-D dataset: the boundary returns
  await page.selectOption("select[name=data]", "spiral");
  await allReady(page, "n.data && n.data.d_in === 2");
  await page.waitForFunction(() => !document.querySelector("#data-view") && document.querySelector("#h-boundary").textContent === "Decision boundary");
  assert.equal(await page.isVisible("#boundary-a"), true);
  assert.deepEqual(page.errors, []);
});

test("digits in the <residual-lab> element: the confusion matrix replaces the boundary there too", async () => {
  await fresh(page, `${srv.base}/www/minimal.html`);
  await page.evaluate(async () => {
    document.body.insertAdjacentHTML("beforeend", '<residual-lab id="e" config="data=digits&b.depth=8&b.width=64&b.norm=layer" charts="boundary,accuracy" controls="play"></residual-lab>');
    await import("/www/embed.js");
  });
  await page.waitForFunction(() => {
    const s = document.querySelector("#e").shadowRoot;
    return s?.querySelector("#data-view") && /of 359 test points right/.test(s.querySelector(".dv-stat")?.textContent ?? "");
  }, null, { timeout: 30000 });
  const ink = await page.evaluate(() => [...document.querySelector("#e").shadowRoot.querySelectorAll("#data-view canvas.dv-main")].map((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200) n++;
    return n;
  }));
  assert.equal(ink.length, 2);
  for (const n of ink) assert.ok(n > 500, `drawn (${n})`);
  assert.deepEqual(page.errors, []);
});

// The digits numbers of tests/digits.rs: 8 pre-LayerNorm residual blocks x 64, Adam at lr 0.003,
// batch 64, 200 steps, seed 42. Node runs the simd128 build here as the reference.
const DIGITS = { model: { depth: 8, width: 64, norm: "layer" }, data: { name: "digits" }, seed: 42 };
const DIGITS_STEPS = 200;

test("digits in Chromium: the same test accuracy as in Node (simd128 build), >= 95% in 200 steps, time per step", async () => {
  initSync({ module: readFileSync(path.join(ROOT, "pkg/residual_lab_bg.wasm")) });
  const lab = new Lab(DIGITS);
  lab.train(DIGITS_STEPS);
  const node = lab.evaluate();
  lab.free();
  await fresh(page, `${srv.base}/www/minimal.html`);
  const run = (dir) => page.evaluate(async ({ dir, config, steps }) => {
    const { default: init, Lab } = await import(`/pkg/${dir}residual_lab.js`);
    await init();
    const warm = new Lab(config);
    warm.train(20); // V8 compiles wasm lazily: warm up before timing
    warm.free();
    const lab = new Lab(config);
    const t0 = performance.now();
    for (let i = 0; i < steps; i += 10) lab.train(10);
    const ms = (performance.now() - t0) / steps;
    const ev = lab.evaluate();
    lab.free();
    return { ms, test: ev.test, train: ev.train };
  }, { dir, config: DIGITS, steps: DIGITS_STEPS });
  const plain = await run("");
  const relaxed = await run("relaxed/");
  console.log(`digits, ${DIGITS_STEPS} steps: Node ${node.test.accuracy.toFixed(4)}; Chromium simd128 ${plain.test.accuracy.toFixed(4)} ` +
    `(${plain.ms.toFixed(2)} ms/step), relaxed-simd ${relaxed.test.accuracy.toFixed(4)} (${relaxed.ms.toFixed(2)} ms/step)`);
  assert.equal(plain.test.accuracy, node.test.accuracy, "simd128 in Chromium = Node");
  assert.equal(plain.test.loss, node.test.loss);
  assert.equal(node.test.n, 359);
  for (const r of [node, plain, relaxed]) assert.ok(r.test.accuracy >= 0.95, `test accuracy ${r.test.accuracy}`);
  assert.deepEqual(page.errors, []);
});
