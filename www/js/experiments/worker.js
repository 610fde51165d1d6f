// Module worker of the Experiments page: runs units of an experiment on the core
// (Experiment / ExperimentUnit of pkg/residual_lab.js; the experiments themselves are Rust,
// src/experiments/). Protocol (main -> worker), every reply carries the request's id:
//   {type:"units", id, exp, size}                -> {type:"units", units: [{label, cost}]}
//   {type:"run", id, exp, size, unit}            -> {type:"partial", unit, progress, result}* then
//                                                   {type:"done", unit, progress: 1, result, ms}
//   {type:"summarize", id, exp, size, results}   -> {type:"summary", summary}
//   any failure                                  -> {type:"error", message}
// A unit runs in slices of about a tenth of a second; a partial result is posted at most every
// PARTIAL_MS, so charts fill in while it runs. The loop never yields: cancelling terminates the
// worker. The core is pkg/experiments/, the build with the experiments' bindings (simd128, so
// its numbers are those of the native tests, bit for bit).

const PARTIAL_MS = 200;
const CORE_JS = new URL("../../../pkg/experiments/residual_lab.js", import.meta.url);
const CORE_WASM = new URL("../../../pkg/experiments/residual_lab_bg.wasm", import.meta.url);

let core = null;
async function loadCore() {
  if (!core) {
    const mod = await import(CORE_JS.href);
    await mod.default({ module_or_path: CORE_WASM });
    core = { ...mod, simd: "simd128" };
  }
  return core;
}

function run(core, m) {
  const t0 = performance.now();
  const unit = new core.ExperimentUnit(m.exp, m.size, m.unit);
  try {
    let last = t0;
    for (;;) {
      const done = unit.advance();
      const now = performance.now();
      if (done) {
        self.postMessage({ type: "done", id: m.id, unit: m.unit, progress: 1, result: unit.result(), ms: now - t0 });
        return;
      }
      if (now - last >= PARTIAL_MS) {
        self.postMessage({ type: "partial", id: m.id, unit: m.unit, progress: unit.progress(), result: unit.result() });
        last = now;
      }
    }
  } finally {
    unit.free();
  }
}

self.onmessage = async (ev) => {
  const m = ev.data;
  try {
    const core = await loadCore();
    if (m.type === "units") self.postMessage({ type: "units", id: m.id, units: core.Experiment.units(m.exp, m.size), simd: core.simd });
    else if (m.type === "run") run(core, m);
    else if (m.type === "summarize") self.postMessage({ type: "summary", id: m.id, summary: core.Experiment.summarize(m.exp, m.size, m.results) });
    else throw new Error(`unknown request ${m.type}`);
  } catch (e) {
    const msg = e && typeof e === "object" && "message" in e ? e.message : String(e);
    self.postMessage({ type: "error", id: m.id, message: /unreachable/i.test(msg) ? `the wasm core crashed (${msg})` : msg });
  }
};
