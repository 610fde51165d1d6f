// The first minute on the page (issue 16): opened without a link and without a click, at
// 1366 x 800 and 1280 x 720 the network strips, both depth profiles and the loss are inside the
// first screen and moving (the step counter rises), with a visible Pause, and the default pair
// shows its contrast; a reader who prefers reduced motion gets a still page until Play. The
// strips: hovering or arrowing a column gives its numbers and marks the layer in the profile
// charts; a 10,000-layer net is drawn several layers per column, and the caption says so. On a
// 390 px phone the charts come first, the run bar sits under the thumb and the settings are a
// sheet that Escape closes; every control is reachable with the Tab key.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, fresh, waitReady, snapshot, screenshot } from "./helpers.mjs";

let srv;
const browsers = [];
async function open(viewport, url, reducedMotion = "no-preference") {
  srv ??= await startServer();
  const b = await launch(viewport, { reducedMotion });
  browsers.push(b);
  const page = await openPage(b.context);
  await fresh(page, `${srv.base}${url}`);
  return page;
}
after(async () => { for (const b of browsers) await b.close(); await srv?.stop(); });

const stepShown = (page) => page.evaluate(() => Number(document.querySelector("#step-count").textContent.replace(/\D/g, "")));
/** The boxes of `selectors` against the first screen (no scrolling). */
const boxes = (page, selectors) => page.evaluate((sels) => sels.map((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return { s, top: r.top, bottom: r.bottom, left: r.left, right: r.right, inside: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 50 };
}), selectors);

for (const viewport of [{ width: 1366, height: 800 }, { width: 1280, height: 720 }]) {
  test(`${viewport.width} x ${viewport.height}: strips, both profiles and the loss on the first screen, moving without a click`, async () => {
    const page = await open(viewport, "/www/");
    await page.waitForFunction(() => Number(document.querySelector("#step-count").textContent.replace(/\D/g, "")) > 0, null, { timeout: 30000 });
    const s1 = await stepShown(page);
    await page.waitForTimeout(1000);
    const s2 = await stepShown(page);
    assert.ok(s2 > s1, `the step counter rises by itself (${s1} -> ${s2})`);
    const b = await boxes(page, ["#chart-fwd", "#chart-bwd", "#chart-loss", "#strip-a", "#strip-b"]);
    for (const x of b) assert.ok(x.inside, `${x.s} is inside the first screen: ${JSON.stringify(x)}`);
    assert.equal(await page.textContent("#btn-play"), "Pause");
    assert.equal(await page.getAttribute("#btn-play", "aria-pressed"), "true");
    assert.ok(await page.isVisible("#btn-play"));
    assert.equal(await page.evaluate(() => scrollY), 0);
    // the contrast a newcomer can name: A at chance, B learning (read from the evaluations)
    // (times in ms since the navigation began, the page's performance.now())
    const contrast = await page.waitForFunction(() => {
      const h = window.__lab.snapshot().hist, k = h.trainAcc[1].length - 1;
      return k > 0 && h.trainAcc[1][k] >= 0.9 && h.trainAcc[0][k] <= 0.6 && { ms: performance.now(), step: h.evalSteps[k] };
    }, null, { timeout: 60000, polling: 100 }).then((h) => h.jsonValue());
    const s = await snapshot(page);
    console.log(`# ${viewport.width} x ${viewport.height}: first chart ${s.perf.firstChartMs.toFixed(0)} ms, first trained step drawn ` +
      `${s.perf.firstMoveMs.toFixed(0)} ms, A ≤ 60% and B ≥ 90% train accuracy at ${contrast.ms.toFixed(0)} ms (evaluated at step ${contrast.step})`);
    assert.match(await page.textContent("#preset-see"), /A \(plain\) stays at chance/);
    assert.match(await page.textContent(".strip-box[data-net='0'] .strip-cap"), /^A: train accuracy \d+%/);
    await page.waitForFunction(() => performance.now() > 5000, null, { timeout: 30000 }); // the view after 5 s
    await screenshot(page, `firstminute-${viewport.width}x${viewport.height}`);
    assert.deepEqual(page.errors, []);
  });
}

test("prefers-reduced-motion: nothing trains until Play", async () => {
  const page = await open({ width: 1366, height: 800 }, "/www/", "reduce");
  await waitReady(page);
  await page.waitForTimeout(2500);
  assert.equal(await stepShown(page), 0);
  assert.equal(await page.textContent("#btn-play"), "Play");
  await page.click("#btn-play");
  await page.waitForFunction(() => Number(document.querySelector("#step-count").textContent.replace(/\D/g, "")) > 0, null, { timeout: 30000 });
  assert.deepEqual(page.errors, []);
});

test("a strip column: its numbers on hover and by the arrow keys, the same layer marked in both profile charts", async () => {
  const page = await open({ width: 1366, height: 800 }, "/www/#preset=plain-vs-residual", "reduce");
  await waitReady(page);
  await page.click("#btn-step");
  await page.waitForFunction(() => window.__lab.snapshot().nets.every((n) => n.latest?.step >= 1));
  await page.waitForTimeout(600);
  const box = await page.locator("#strip-a").boundingBox();
  // the canvas's columns start after its 64 px of row labels; 101 layers over the rest
  const layerX = (l) => box.x + 64 + (l + 0.5) * ((box.width - 66) / 101);
  await page.mouse.move(layerX(40), box.y + 30);
  await page.waitForTimeout(200);
  const tip = await page.textContent("#strip-tip");
  assert.match(tip, /^Net A, layer 40: E\[h²\] = \S+, RMS dL\/dh = \S+$/);
  const marks = await page.evaluate(() => ["#chart-fwd", "#chart-bwd"].map((s) => {
    const t = document.querySelector(`${s} .chart-tip`);
    return t && !t.hidden ? t.querySelector(".tip-head").textContent : null;
  }));
  assert.deepEqual(marks, ["layer 40", "layer 40"], "both profile charts mark layer 40, with its values");
  await page.screenshot({ path: "test-results/screenshots/firstminute-strip-hover.png", clip: { x: 0, y: Math.max(0, box.y - 60), width: 1366, height: 480 } });
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  assert.equal(await page.isHidden("#strip-tip"), true);
  // keyboard: focus net B's strip, arrows pick layers
  await page.focus("#strip-b");
  for (let k = 0; k < 3; k++) await page.keyboard.press("ArrowRight");
  assert.equal(await page.getAttribute("#strip-b", "aria-valuenow"), "2");
  assert.match(await page.getAttribute("#strip-b", "aria-valuetext"), /^Net B, layer 2: E\[h²\] = /);
  assert.equal(await page.getAttribute("#strip-b", "aria-valuemax"), "100");
  await page.keyboard.press("End");
  assert.equal(await page.getAttribute("#strip-b", "aria-valuenow"), "100");
  assert.deepEqual(page.errors, []);
});

test("10,000 layers: the strip draws several layers per column and says so", async () => {
  const page = await open({ width: 1366, height: 800 }, "/www/#a.depth=10000&a.width=8&b.kind=residual&b.depth=10000&b.width=8", "reduce");
  const s = await waitReady(page, 60000);
  assert.deepEqual(s.nets.map((n) => n.status), ["ready", "ready"], s.nets.map((n) => n.error).join("; "));
  await page.waitForFunction(() => /layers per column/.test(document.querySelector(".strip-box[data-net='1'] .strip-cap").textContent));
  const cap = await page.textContent(".strip-box[data-net='1'] .strip-cap");
  const per = Number(cap.match(/(\d+) layers per column/)[1]);
  const width = await page.evaluate(() => document.querySelector("#strip-b").clientWidth);
  assert.ok(per * Math.floor((width - 66) / 3) >= 10001 && per > 1, `${per} layers per column over ${width} px`);
  const ms = await page.evaluate(async () => {
    const { drawStrip } = await import("/www/js/charts/strip.js");
    const c = document.createElement("canvas");
    const v = Float32Array.from({ length: 10001 }, (_, l) => 10 ** (-l / 2000));
    const t0 = performance.now();
    for (let k = 0; k < 20; k++) drawStrip(c, { width: 600, fwd: v, bwd: v, residual: true, fwdRange: [-6, 0], bwdRange: [-6, 0] });
    return (performance.now() - t0) / 20;
  });
  console.log(`# a 10,001-layer strip: ${per} layers per column, ${ms.toFixed(2)} ms to draw`);
  assert.ok(ms < 8, `a 10,001-layer strip draws in ${ms} ms`);
  const box = await page.locator("#strip-b").boundingBox();
  await page.mouse.move(box.x + box.width - 20, box.y + 30);
  await page.waitForTimeout(200);
  assert.match(await page.textContent("#strip-tip"), /^Net B, layers [\d,]+–[\d,]+ \(geometric mean\): /);
  await page.screenshot({ path: "test-results/screenshots/firstminute-strip-10000.png", clip: { x: 0, y: Math.max(0, box.y - 60), width: 1366, height: 200 } });
  assert.deepEqual(page.errors, []);
});

test("390 x 844: the charts first, the run bar under the thumb, the settings a sheet that Escape closes", async () => {
  const page = await open({ width: 390, height: 844 }, "/www/");
  await page.waitForFunction(() => Number(document.querySelector("#step-count").textContent.replace(/\D/g, "")) > 0, null, { timeout: 30000 });
  const r = await page.evaluate(() => {
    const rect = (s) => document.querySelector(s).getBoundingClientRect();
    return { strip: rect("#card-strip").top, fwd: rect("#card-fwd").top, bar: rect(".runbar"), vh: innerHeight,
      settings: getComputedStyle(document.querySelector("#settings")).display, overflow: document.documentElement.scrollWidth - innerWidth,
      buttons: [...document.querySelectorAll(".runbar button")].filter((b) => b.offsetParent).map((b) => b.getBoundingClientRect().height) };
  });
  assert.ok(r.strip < r.vh && r.fwd < r.vh, `the strips and the forward profile start on the first screen (${r.strip}, ${r.fwd})`);
  assert.equal(r.settings, "none", "the settings start closed");
  assert.ok(Math.abs(r.bar.bottom - r.vh) < 1, "the run bar sits at the bottom of the screen");
  assert.ok(r.buttons.every((h) => h >= 44), `touch targets of 44 px at least (${r.buttons})`);
  assert.ok(r.overflow <= 0, `no sideways scrolling (${r.overflow} px)`);
  await screenshot(page, "firstminute-phone");
  await page.click("#btn-settings");
  assert.equal(await page.getAttribute("#btn-settings", "aria-expanded"), "true");
  assert.ok(await page.isVisible("#ctl-a-depth"));
  assert.equal(await page.evaluate(() => document.activeElement.closest("#settings") !== null), true, "the focus moves into the sheet");
  await page.screenshot({ path: "test-results/screenshots/firstminute-phone-settings.png" });
  await page.keyboard.press("Escape");
  assert.equal(await page.getAttribute("#btn-settings", "aria-expanded"), "false");
  assert.equal(await page.evaluate(() => document.activeElement.id), "btn-settings", "the focus returns to the toggle");
  assert.deepEqual(page.errors, []);
});

test("every control of the page is reachable with the Tab key", async () => {
  const page = await open({ width: 1366, height: 800 }, "/www/", "reduce");
  await waitReady(page);
  await page.click("#btn-settings");
  const controls = await page.evaluate(() => [...document.querySelectorAll("button, select, input, summary, canvas[tabindex], a[href]")]
    .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === "fixed")
    .filter((e) => { const d = e.closest("details:not([open])"); return !d || d.querySelector(":scope > summary") === e; }) // a folded box's summary only
    .map((e) => e.id || e.getAttribute("name") || e.textContent.trim().slice(0, 30)));
  await page.evaluate(() => document.activeElement?.blur());
  const reached = new Set();
  for (let k = 0; k < controls.length + 40; k++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => { const e = document.activeElement; return e.id || e.getAttribute("name") || e.textContent.trim().slice(0, 30); }));
  }
  const missed = controls.filter((c) => !reached.has(c));
  assert.deepEqual(missed, [], `${controls.length} controls; not reached by Tab: ${missed}`);
});
