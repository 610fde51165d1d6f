// The Experiments page (www/experiments.html) and its JS API (www/js/experiments.js): all eight
// experiments run at the reduced size from the page, queued one at a time (progress, every chart
// draws, findings beside the paper's numbers, no NaN), one from JS (progress callbacks, partial
// results, the summary, cancel, bad arguments); the lab's page links to it. Screenshots at 1280
// and 360 px wide.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, fresh, canvasInk, screenshot, PHONE, DESKTOP, SHOTS } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

const IDS = ["trainability", "lesions", "isometry", "shattered", "rank_collapse", "tat", "degradation", "amplification"];
/** What the cards write from data must never show these. */
const BAD = /NaN|undefined|null|Infinity/;

/** data-k -> Number(data-v) of a card's findings table. */
const findings = (id) => page.evaluate((i) => Object.fromEntries([...document.querySelectorAll(`#xp-${i} table.findings tr[data-k]`)]
  .map((r) => [r.dataset.k, Number(r.dataset.v)])), id);

test("the lab links to the Experiments page, which shows eight cards", async () => {
  // the lab in a page of its own (leaving it cancels its workers' requests)
  const lab = await browser.context.newPage();
  await lab.goto(`${srv.base}/www/`);
  assert.equal(await lab.getAttribute('a[href="experiments.html"]', "href"), "experiments.html");
  await lab.close();
  await fresh(page, `${srv.base}/www/experiments.html`);
  await page.waitForSelector("#xp-amplification");
  const cards = await page.evaluate(() => [...document.querySelectorAll("section.xp")].map((s) => ({ id: s.id, state: s.dataset.state,
    claim: s.querySelector(".claim").textContent.length, run: !!s.querySelector("button.run"), bar: !!s.querySelector("progress") })));
  assert.deepEqual(cards.map((c) => c.id), IDS.map((i) => `xp-${i}`));
  for (const c of cards) assert.ok(c.state === "idle" && c.claim > 200 && c.run && c.bar, JSON.stringify(c));
  assert.deepEqual(page.errors, []);
});

test("all eight run from the page at the reduced size, one at a time: progress, charts, findings", async () => {
  await fresh(page, `${srv.base}/www/experiments.html#run=${IDS.join(",")}&size=reduced`);
  // one at a time: the others wait
  await page.waitForFunction(() => document.querySelector("#xp-amplification").dataset.state === "queued", null, { timeout: 10000 });
  const progress = [];
  const poll = setInterval(async () => {
    try { progress.push(await page.evaluate(() => Number(document.querySelector("#xp-trainability progress").value))); } catch { /* closing */ }
  }, 100);
  await page.waitForFunction((ids) => ids.every((i) => ["done", "error"].includes(document.querySelector(`#xp-${i}`).dataset.state)), IDS, { timeout: 300000, polling: 250 });
  clearInterval(poll);
  assert.ok(progress.length > 5, `progress polled ${progress.length} times`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1] - 1e-9, `progress never goes back: ${progress}`);
  for (const id of IDS) {
    assert.match(await page.textContent(`#xp-${id} .status`), /^done in \d+\.\d s \(reduced size, \d+ units\)$/, id);
    assert.equal(await page.evaluate((i) => Number(document.querySelector(`#xp-${i} progress`).value), id), 1);
    const ms = Number(await page.getAttribute(`#xp-${id}`, "data-ms"));
    assert.ok(ms > 0 && ms < 90000, `${id} took ${ms} ms`);
    // every chart has data points, and ink on its canvas
    const points = await page.evaluate((i) => [...document.querySelectorAll(`#xp-${i} [data-chart]`)].map((c) => Number(c.dataset.points)), id);
    assert.ok(points.length >= 1 && points.every((p) => p > 0), `${id}: points per chart ${points}`);
    const inks = await canvasInk(page, `#xp-${id} canvas`);
    assert.ok(inks.length >= points.length && inks.every((c) => c.ink > 300), `${id}: ${JSON.stringify(inks)}`);
    const rows = await findings(id);
    assert.ok(Object.keys(rows).length >= 5, `${id}: findings ${JSON.stringify(rows)}`);
    assert.ok((await page.textContent(`#xp-${id} .verdict`)).length > 80, `${id} has a verdict`);
  }
  // the numbers beside the paper's, within the native tests' tolerances (same core, same seeds)
  const rank = await findings("rank_collapse");
  assert.ok(Math.abs(rank.cos_50 - 0.988) < 0.01 && Math.abs(rank.cos_10 - 0.872) < 0.06, JSON.stringify(rank));
  assert.ok(rank.srank_plain < 1.1 && rank.srank_bn > 2 * rank.srank_plain, JSON.stringify(rank));
  const amp = await findings("amplification");
  assert.ok(amp.post_doubling > 1.5 && amp.post_doubling < 3 && amp.pre_doubling < amp.post_doubling, JSON.stringify(amp));
  const tr = await findings("trainability");
  assert.ok(tr.c >= 3 && tr.c <= 12 && tr.agreement >= 0.85, JSON.stringify(tr));
  const text = await page.evaluate(() => [...document.querySelectorAll("table.findings, .verdict, .status, .u-legend")].map((e) => e.textContent).join("\n"));
  assert.doesNotMatch(text, BAD);
  assert.match(await page.textContent("#xp-rank_collapse .verdict"), /mean-field 0\.872, 0\.948, 0\.988/);
  const legend = await page.textContent("#xp-rank_collapse .u-legend");
  for (const l of ["plain, He ReLU", "plain, ReLU + BatchNorm", "mean field"]) assert.ok(legend.includes(l), `legend has ${l}`);
  await screenshot(page, "experiments-desktop");
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  await page.locator("#xp-shattered").screenshot({ path: `${SHOTS}/experiments-phone-shattered.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no horizontal scroll at 360 px (${overflow})`);
  await page.setViewportSize(DESKTOP);
  assert.deepEqual(page.errors, []);
});

test("runExperiment from JS: progress callbacks, the summary, cancel, bad arguments", async () => {
  await fresh(page, `${srv.base}/www/experiments.html`);
  await page.waitForSelector("#xp-amplification");
  const out = await page.evaluate(async () => {
    const { runExperiment } = await import("./js/experiments.js");
    const seen = [];
    const r = await runExperiment("lesions", { size: "reduced", onProgress: (p) => seen.push({ f: p.fraction, done: p.done, n: p.units.length, partial: p.results.filter(Boolean).length }) });
    return { seen, findings: r.summary.findings, ms: r.ms, units: r.units.length, curve: r.results[0].curve.step.length, single: r.results[0].single.length };
  });
  assert.equal(out.units, 2);
  assert.ok(out.seen.length >= 3, `progress reported ${out.seen.length} times`);
  assert.equal(out.seen[0].f, 0);
  for (let i = 1; i < out.seen.length; i++) assert.ok(out.seen[i].f >= out.seen[i - 1].f - 1e-12 && out.seen[i].f <= 1 + 1e-12);
  assert.equal(out.seen.at(-1).done, 2);
  assert.ok(out.seen.some((s) => s.partial > 0 && s.done < 2), "partial results arrive before the units finish");
  assert.equal(out.single, 24);
  const f = Object.fromEntries(out.findings.map((x) => [x.key, x.measured]));
  assert.ok(f.res_single_drop < 0.06 && f.plain_single_mean < f.chance + 0.1, JSON.stringify(f));
  assert.ok(out.findings.every((x) => typeof x.label === "string" && typeof x.paper === "string"));

  // cancel: abort after the first partial result; the promise rejects with an AbortError soon
  const cancel = await page.evaluate(async () => {
    const { runExperiment } = await import("./js/experiments.js");
    const ctl = new AbortController();
    let t = 0;
    const p = runExperiment("trainability", { size: "default", signal: ctl.signal, onProgress: (x) => { if (x.results.some(Boolean) && !t) { t = performance.now(); ctl.abort(); } } });
    try { await p; return { ok: true }; } catch (e) { return { name: e.name, ms: performance.now() - t }; }
  });
  assert.equal(cancel.name, "AbortError");
  assert.ok(cancel.ms < 1000, `rejected ${cancel.ms} ms after abort()`);
  // an already aborted signal, and bad arguments
  const bad = await page.evaluate(async () => {
    const { runExperiment } = await import("./js/experiments.js");
    const msg = async (p) => { try { await p; return "resolved"; } catch (e) { return `${e.name}: ${e.message}`; } };
    const ctl = new AbortController();
    ctl.abort();
    return [await msg(runExperiment("nope")), await msg(runExperiment("lesions", { size: "huge" })), await msg(runExperiment("lesions", { signal: ctl.signal }))];
  });
  // the core's bindings (pkg/experiments/) name the bad argument too
  const core = await page.evaluate(async () => {
    const mod = await import("../pkg/experiments/residual_lab.js");
    await mod.default();
    const msg = (f) => { try { f(); return "returned"; } catch (e) { return e.message; } };
    const u = new mod.ExperimentUnit("rank_collapse", "reduced", 0);
    while (!u.advance()) { /* slices */ }
    const r = u.result();
    u.free();
    return { units: mod.Experiment.units("lesions", "reduced").length, ids: mod.Experiment.ids(), seeds: r.seeds, msgs: [
      msg(() => new mod.ExperimentUnit("lesions", "reduced", 2)),
      msg(() => new mod.ExperimentUnit("lesions", "huge", 0)),
      msg(() => mod.Experiment.units("nope")),
      msg(() => mod.Experiment.units(3)),
      msg(() => mod.Experiment.summarize("lesions", "reduced", [])),
      msg(() => mod.Experiment.summarize("lesions", "reduced", [{}, {}])),
      msg(() => mod.Experiment.summarize("lesions", "reduced", 5)),
    ] };
  });
  assert.equal(core.units, 2);
  assert.deepEqual(core.ids, IDS);
  assert.equal(core.seeds, 3);
  const [unit, size, id, idType, count, fields, notArray] = core.msgs;
  assert.match(unit, /^unit: 2 is not an integer in 0 to 1/);
  assert.match(size, /^size: unknown variant `huge`/);
  assert.match(id, /^id: unknown variant `nope`/);
  assert.match(idType, /^id: 3 is not a string/);
  assert.match(count, /^results: has 0 entries; Lesions has 2 units/);
  assert.match(fields, /^results: missing field/);
  assert.match(notArray, /^results: 5 is not an array/);
  assert.match(bad[0], /^Error: id: unknown experiment "nope"/);
  assert.match(bad[1], /^Error: size: "huge" is not one of reduced, default, full/);
  assert.match(bad[2], /^AbortError/);
  assert.deepEqual(page.errors, []);
});

test("the Cancel button stops a running experiment and the card can run again", async () => {
  await fresh(page, `${srv.base}/www/experiments.html`);
  await page.waitForSelector("#xp-shattered button.run");
  await page.click("#xp-shattered button.run");
  await page.waitForFunction(() => Number(document.querySelector("#xp-shattered progress").value) > 0, null, { timeout: 30000, polling: 100 });
  assert.equal(await page.textContent("#xp-shattered button.run"), "Cancel");
  await page.click("#xp-shattered button.run");
  await page.waitForFunction(() => document.querySelector("#xp-shattered").dataset.state === "cancelled", null, { timeout: 5000 });
  assert.equal(await page.textContent("#xp-shattered .status"), "cancelled");
  assert.equal(await page.textContent("#xp-shattered button.run"), "Run");
  assert.deepEqual(page.errors, []);
});
