#!/usr/bin/env node
// Page-side performance benchmark (issue 7): frames per second of the page and training steps
// per second of its nets, in headless Debian chromium, while the nets train in their workers.
//
//   node bench/page.mjs                       every scenario, twice
//   node bench/page.mjs --runs 1 --only A,B-rezero --secs 5 --shots
//
// Scenarios (all through the page's URL-hash config, default speed = 5 steps per frame):
//   default   the pair the page opens with (no link): a plain net of 100 layers and a residual
//             net of 100 one-layer blocks, width 32, batch 64 (preset plain-vs-residual)
//   D100      the same pair by its link (for pages that open on another pair)
//   P50       a plain net of 50 layers and a residual net of 50 blocks, width 32 (the lab's
//             defaults but for the depth)
//   A         two residual nets, 50 blocks, width 64, batch 64 (default), He init, alpha = 1/sqrt(L)
//   B-rezero  net A: 1000 blocks, width 16, batch 32, ReZero (learnable alpha from 0); net B: 1 block
//   B-fixup   net A: 1000 blocks, width 16, batch 32, Fixup (alpha = 1); net B: 1 block
//   B-both    net A ReZero and net B Fixup, both 1000 blocks, width 16, batch 32 (the two compete
//             for the 2 cores with the main thread)
// For each scenario it also times `lab.train(n)` in bare module workers (one per 1000-block net,
// both nets for A) in the same browser: the ceiling the page's steps/s should approach.
// PAGE_QUERY="?simd=plain" (environment) loads the page with that query, e.g. the plain build.
// --base http://127.0.0.1:PORT measures a page served elsewhere (another checkout's
// scripts/serve.mjs) instead of starting this repository's server.
// Prints one JSON line per scenario run (prefixed "JSON ") and a readable summary, with the
// machine's load: os.loadavg() and the busy cores from /proc/stat during the measurement.
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { startServer, launch, openPage, waitReady, screenshot, fresh, SHOTS as SHOTS_DIR } from "../tests/browser/helpers.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : def; };
const RUNS = Number(opt("runs", 2));
const SECS = Number(opt("secs", 5));
const WARM = Number(opt("warm", 1.5));
const ONLY = opt("only", "");
const SHOTS = args.includes("--shots");
const NO_BARE = args.includes("--no-bare");

const B1000 = "depth=1000&{n}.width=16";
const SCENARIOS = [
  { id: "default", what: "the page's opening pair: plain 100 layers and residual 100 one-layer blocks, width 32",
    hash: "", bare: [{ depth: 100, width: 32, batch: 64, init: "he_normal", scale: "inv_sqrt_depth" }], nets: [0, 1] },
  { id: "D100", what: "the opening pair by its link (also measures pages that open on another pair)",
    hash: "a.depth=100&b.depth=100&b.branch_layers=1", bare: [{ depth: 100, width: 32, batch: 64, init: "he_normal", scale: "inv_sqrt_depth" }], nets: [0, 1] },
  { id: "P50", what: "plain 50 layers and residual 50 blocks, width 32, batch 64",
    hash: "a.depth=50&b.depth=50", bare: [{ depth: 50, width: 32, batch: 64, init: "he_normal", scale: "inv_sqrt_depth" }], nets: [0, 1] },
  { id: "A", what: "two residual nets, 50 blocks, width 64, batch 64",
    hash: "a.kind=residual&a.depth=50&a.width=64&b.kind=residual&b.depth=50&b.width=64",
    bare: [{ depth: 50, width: 64, batch: 64, init: "he_normal", scale: "inv_sqrt_depth" },
      { depth: 50, width: 64, batch: 64, init: "he_normal", scale: "inv_sqrt_depth" }] },
  { id: "B-rezero", what: "net A 1000 blocks W=16 B=32 ReZero; net B 1 block",
    hash: `a.kind=residual&a.${B1000.replace("{n}", "a")}&a.init=rezero&a.branch_scale=learnable&b.kind=residual&b.depth=1&b.width=16&batch=32`,
    bare: [{ depth: 1000, width: 16, batch: 32, init: "rezero", scale: "learnable" }], nets: [0] },
  { id: "B-fixup", what: "net A 1000 blocks W=16 B=32 Fixup; net B 1 block",
    hash: `a.kind=residual&a.${B1000.replace("{n}", "a")}&a.init=fixup&a.branch_scale=one&b.kind=residual&b.depth=1&b.width=16&batch=32`,
    bare: [{ depth: 1000, width: 16, batch: 32, init: "fixup", scale: "one" }], nets: [0] },
  { id: "B-both", what: "net A ReZero, net B Fixup, both 1000 blocks W=16 B=32",
    hash: `a.kind=residual&a.${B1000.replace("{n}", "a")}&a.init=rezero&a.branch_scale=learnable` +
      `&b.kind=residual&b.${B1000.replace("{n}", "b")}&b.init=fixup&b.branch_scale=one&batch=32`,
    bare: [{ depth: 1000, width: 16, batch: 32, init: "rezero", scale: "learnable" },
      { depth: 1000, width: 16, batch: 32, init: "fixup", scale: "one" }] },
].filter((s) => !ONLY || ONLY.split(",").includes(s.id));

function cpuSnap() {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) };
}
const busyCores = (a, b) => (b.total === a.total ? null : +((1 - (b.idle - a.idle) / (b.total - a.total)) * os.cpus().length).toFixed(2));
const load = () => os.loadavg().map((x) => +x.toFixed(2));

/** In the page: counts animation frames for `secs` seconds; steps from the debug handle. */
function measureInPage(secs) {
  return new Promise((resolve) => {
    const steps = () => window.__lab.snapshot().nets.map((n) => n.latest?.step ?? 0);
    const s0 = steps();
    const long = [];
    let obs = null;
    try {
      obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
      obs.observe({ type: "longtask", buffered: false });
    } catch { /* no long-task API */ }
    const intervals = [];
    let prev = null, t0 = null;
    const perf0 = window.__lab.snapshot().perf;
    function f(now) {
      if (t0 === null) { t0 = now; prev = now; requestAnimationFrame(f); return; }
      intervals.push(now - prev);
      prev = now;
      if (now - t0 < secs * 1000) { requestAnimationFrame(f); return; }
      obs?.disconnect();
      const snap = window.__lab.snapshot();
      const s1 = snap.nets.map((n) => n.latest?.step ?? 0);
      const dt = (now - t0) / 1000;
      const sorted = [...intervals].sort((a, b) => a - b);
      resolve({
        secs: dt, frames: intervals.length, fps: intervals.length / dt,
        worstFrameMs: sorted.at(-1), p95FrameMs: sorted[Math.floor(0.95 * (sorted.length - 1))],
        medianFrameMs: sorted[Math.floor(0.5 * (sorted.length - 1))],
        framesOver20ms: intervals.filter((x) => x > 20).length,
        longTasks: long.length, longTaskMaxMs: long.length ? Math.max(...long) : 0,
        stepsPerSec: s1.map((s, i) => (s - s0[i]) / dt),
        stepsAt: s1, rounds: snap.perf.rounds - perf0.rounds,
        workerMsPerRound: snap.nets.map((n) => n.stepMs), renderMs: snap.perf.renderMs,
        diverged: snap.nets.map((n) => !!n.latest?.diverged), status: snap.nets.map((n) => n.status),
      });
    }
    requestAnimationFrame(f);
  });
}

/** In the page: bare module workers, one per config, each timing lab.train(n) flat out. */
function bareInPage({ origin, cfgs, secs }) {
  const src = `
    import init, { Lab } from "${origin}/pkg/residual_lab.js";
    self.onmessage = async (ev) => {
      await init({ module_or_path: "${origin}/pkg/residual_lab_bg.wasm" });
      const c = ev.data.cfg;
      const lab = new Lab({ model: { kind: "residual", depth: c.depth, width: c.width, init: c.init, branch_scale: c.scale },
        optimizer: { kind: "adam", lr: 0.003 }, data: { name: "spiral", n: 512 }, batch_size: c.batch, seed: 42 });
      for (let i = 0; i < 5; i++) lab.train(1);          // warm up: short calls tier the wasm up
      let n = 1, t = 0;
      while (t < 100) { n *= 2; const t0 = performance.now(); lab.train(n); t = performance.now() - t0; }
      const chunk = Math.max(1, Math.round(n * 100 / t)); // about 100 ms per call
      let steps = 0; const t0 = performance.now();
      while (performance.now() - t0 < ev.data.secs * 1000) { lab.train(chunk); steps += chunk; }
      self.postMessage({ stepsPerSec: steps / ((performance.now() - t0) / 1000), chunk });
      lab.free();
    };`;
    const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    return Promise.all(cfgs.map((cfg) => new Promise((resolve) => {
      const w = new Worker(url, { type: "module" });
      w.onmessage = (ev) => { resolve(ev.data); w.terminate(); };
      w.onerror = (e) => { resolve({ error: e.message }); w.terminate(); };
      w.postMessage({ cfg, secs });
    })));
}

const fmt = (v, d = 1) => (v == null || !Number.isFinite(v) ? "-" : v.toFixed(d));

const labErrors = [];

async function runScenario(page, base, sc, run) {
  const url = `${base}/www/${process.env.PAGE_QUERY ?? ""}#${sc.hash}`;
  await fresh(page, url);
  page.errors.length = 0;
  const snap0 = await waitReady(page, 120000);
  const bad = snap0.nets.filter((n) => n.status !== "ready");
  if (bad.length) throw new Error(`${sc.id}: a net did not start: ${bad.map((n) => n.error).join("; ")}`);
  if (snap0.notices.length) console.error(`# ${sc.id}: notices: ${snap0.notices.join(" | ")}`);
  await page.click("#btn-play");
  await page.waitForTimeout(WARM * 1000);
  const cpu0 = cpuSnap();
  const load0 = load();
  const m = await page.evaluate(measureInPage, SECS);
  const busy = busyCores(cpu0, cpuSnap());
  if (SHOTS && run === 1) {
    console.log(`# screenshot: ${await screenshot(page, `bench-${sc.id}`)}`);
    // the charts alone, at full resolution (the full page is too tall to look at)
    const box = await page.evaluate(() => {
      const a = document.querySelector("#card-fwd").getBoundingClientRect(), b = document.querySelector("#card-boundary").getBoundingClientRect();
      return { x: 0, y: a.top + scrollY - 4, width: document.documentElement.clientWidth, height: b.bottom - a.top + 8 };
    });
    const file = path.join(SHOTS_DIR, `bench-${sc.id}-charts.png`);
    await page.screenshot({ path: file, fullPage: true, clip: box });
    console.log(`# screenshot: ${file}`);
  }
  await page.click("#btn-play");
  // errors of the lab page (not of the bare-worker page below, nor of the workers' aborted loads on leaving)
  labErrors.push(...page.errors.filter((e) => !e.startsWith("requestfailed")).map((e) => `${sc.id}: ${e}`));
  let bare = null, bareBusy = null;
  if (!NO_BARE) {
    await page.goto(`${base}/README.md`);
    const c0 = cpuSnap();
    bare = await page.evaluate(bareInPage, { origin: base, cfgs: sc.bare, secs: Math.min(SECS, 4) });
    bareBusy = busyCores(c0, cpuSnap());
  }
  const nets = sc.nets ?? [0, 1];
  const rec = { scenario: sc.id, run, what: sc.what, hash: sc.hash, secs: +m.secs.toFixed(2),
    fps: +m.fps.toFixed(1), p95FrameMs: +m.p95FrameMs.toFixed(1), medianFrameMs: +m.medianFrameMs.toFixed(1),
    worstFrameMs: +m.worstFrameMs.toFixed(1), framesOver20ms: m.framesOver20ms, longTasks: m.longTasks,
    longTaskMaxMs: +m.longTaskMaxMs.toFixed(0),
    stepsPerSec: nets.map((i) => +m.stepsPerSec[i].toFixed(1)), allStepsPerSec: m.stepsPerSec.map((x) => +x.toFixed(1)),
    roundsPerSec: +(m.rounds / m.secs).toFixed(1), workerMsPerRound: m.workerMsPerRound.map((x) => +x.toFixed(1)),
    renderMs: +m.renderMs.toFixed(2), diverged: m.diverged,
    bareStepsPerSec: bare?.map((b) => (b.error ? b.error : +b.stepsPerSec.toFixed(1))) ?? null,
    busyCores: busy, bareBusyCores: bareBusy, loadavg: load0, cpus: os.cpus().length };
  console.log("JSON " + JSON.stringify(rec));
  return rec;
}

const BASE = opt("base", "");
const srv = BASE ? { base: BASE, stop: async () => {} } : await startServer();
const browser = await launch();
const page = await openPage(browser.context);
const t00 = Date.now();
console.log(`# page benchmark  date=${new Date().toISOString()}  host=${os.cpus()[0].model} x${os.cpus().length}  ` +
  `node=${process.version}  loadavg=${load().join(",")}  measure ${SECS} s after ${WARM} s warm-up, ${RUNS} run(s)`);
const recs = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const sc of SCENARIOS) recs.push(await runScenario(page, srv.base, sc, run));
  }
  if (labErrors.length) console.log(`# page errors: ${labErrors.join(" | ")}`);
} finally {
  await browser.close();
  await srv.stop();
}
console.log("\n== summary (fps, p95/worst frame in ms, page steps/s per measured net, bare-worker steps/s, busy cores of " +
  `${os.cpus().length} during the page run, loadavg 1/5/15 min) ==`);
for (const r of recs) {
  console.log(`${r.scenario.padEnd(9)} run ${r.run}: ${fmt(r.fps)} fps, p95 ${fmt(r.p95FrameMs)} ms, worst ${fmt(r.worstFrameMs, 0)} ms, ` +
    `${r.framesOver20ms} frames > 20 ms; steps/s ${r.stepsPerSec.map((x) => fmt(x)).join(" / ")} ` +
    `(bare worker ${r.bareStepsPerSec ? r.bareStepsPerSec.map((x) => (typeof x === "number" ? fmt(x) : x)).join(" / ") : "-"}); ` +
    `${fmt(r.roundsPerSec)} rounds/s, worker ms/round ${r.workerMsPerRound.join("/")}, render ${fmt(r.renderMs, 2)} ms/frame; ` +
    `busy ${r.busyCores ?? "-"} cores, load ${r.loadavg.join(",")}`);
}
console.log(`total ${((Date.now() - t00) / 1000).toFixed(0)} s`);
