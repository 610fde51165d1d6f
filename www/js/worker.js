// Module worker: owns one wasm Lab and trains it on request, so the page never blocks.
// Protocol (main -> worker):
//   {type:"init", config, data?}               -> {type:"ready", config, data, bounds, probe, theory, simd} | {type:"error"}
//     (data: own data { x, y, d_in, bounds? } for lab.set_data; bounds fixes the plane drawn)
//   {type:"step", id, n, wantEval, gridRes}     -> {type:"report", id, report, eval?, grid?, ms, trainMs, evalMs, gridMs}
//     (grid: predict_grid over the data's 2-D bounds, or for 1-D data the prediction along x: {xs, values})
//     (n = 0 trains nothing: report is null, only eval / grid are computed; the *Ms fields time
//     each part, null for a part not asked for, so the page can keep eval and grid cheap;
//     inputs that are not 2-D get `test`, the outputs on the test split, instead of a grid)
//   {type:"set_lr", lr}                        -> {type:"lr", lr} | {type:"error"}
//   {type:"save", id}                          -> {type:"saved", id, json}   (lab.to_json())
//   {type:"stage", id, json}                   -> {type:"staged", id, step} | {type:"error"}: builds a Lab
//     from saved JSON next to the current one (nothing changes yet)
//   {type:"commit", id}                        -> {type:"committed", id, ...what "ready" carries}: the staged
//     Lab replaces the current one
//   {type:"discard", id}                       -> {type:"discarded", id}: drops the staged Lab
//   {type:"weights", id}                       -> {type:"weights", id, weights, info, config, running_stats}
//   {type:"sweep", id, seeds}                  -> {type:"sweep", id, sweep, ms}: lab.depth_sweep(seeds) (fresh nets at init)
//   {type:"spectrum", id}                      -> {type:"spectrum", id, spectrum, step, ms}: lab.jacobian_spectrum()
// Reports carry Float32Arrays whose buffers are transferred, not copied.
import { packReport, dataBounds, curveInputs } from "./report.js";
import { loadCore } from "./core.js";

let lab = null;
let simd = null; // which build of the core runs: "relaxed-simd" or "simd128"
let bounds = null;
let dIn = 2;       // input dimension of the lab's data: 2 draws a decision boundary, 1 a fitted curve
const CURVE_POINTS = 160; // points of a 1-D prediction curve (costs as much as 3 grid rows)
let staged = null; // a Lab restored from JSON, waiting for "commit"
let fixedBounds = null; // own data: the plane the page draws on (www/js/data/points.js)
let testX = null; // the test split's inputs, for the views of data that is not 2-D (ui/dataview.js)

function fail(message, where, id) {
  self.postMessage({ type: "error", message: String(message), where, id });
}

function errMessage(e) {
  const m = e && typeof e === "object" && "message" in e ? e.message : String(e);
  return /unreachable/i.test(m) ? `the wasm core crashed (${m}); reset to start over` : m;
}

async function onInit(msg) {
  const core = await loadCore();
  const { Lab } = core;
  simd = core.simd;
  if (lab) { try { lab.free(); } catch { /* already gone */ } lab = null; }
  lab = new Lab(msg.config);
  if (msg.data) lab.set_data(msg.data.x, msg.data.y, msg.data.d_in);
  fixedBounds = msg.data?.bounds ?? null;
  const { out, transfer } = described();
  self.postMessage({ type: "ready", ...out }, transfer);
}

/** What the page needs to know about the current lab: config, data, bounds, probe, theory,
 * and the core's build. */
function described() {
  const transfer = [];
  const data = lab.data();
  const x = Float32Array.from(data.x), y = Float32Array.from(data.y);
  transfer.push(x.buffer, y.buffer);
  bounds = fixedBounds ?? dataBounds(x, data.d_in);
  dIn = data.d_in;
  // not 2-D: classes get a confusion matrix, regression on d_in > 2 predicted vs true (ui/dataview.js)
  testX = data.d_in > 2 || (data.d_in === 1 && data.classification) ? x.slice(data.n_train * data.d_in) : null;
  const probe = packReport(lab.probe(), transfer);
  let theory = null;
  try {
    theory = theoryOf(lab.theory());
  } catch (e) { theory = { supported: false, reason: errMessage(e), second_moment: null, grad_rms_relative: null }; }
  const out = { config: lab.config(), bounds, probe, theory, step: Number(lab.step_count()), simd,
    data: { x, y, d_in: data.d_in, n_train: data.n_train, classes: data.d_out, classification: data.classification } };
  return { out, transfer };
}

/** lab.theory() as plain data, its Float32Arrays copied out of wasm memory. */
function theoryOf(t) {
  const arr = (a) => (a ? Float32Array.from(a) : null);
  return { supported: !!t.supported, reason: String(t.reason ?? ""), notes: Array.from(t.notes ?? [], String),
    input_second_moment: Number(t.input_second_moment),
    second_moment: arr(t.second_moment), second_moment_reason: String(t.second_moment_reason ?? ""),
    grad_rms_relative: arr(t.grad_rms_relative), grad_reason: String(t.grad_reason ?? "") };
}

/** Theory requests on this worker's Lab: a depth sweep at init, or the Jacobian spectrum now. */
function onTheory(msg) {
  if (!lab) return fail("no network yet", msg.type, msg.id);
  const t0 = performance.now();
  if (msg.type === "sweep") {
    const s = lab.depth_sweep(msg.seeds ?? 32);
    const band = (b) => ({ mean: Float32Array.from(b.mean), median: Float32Array.from(b.median), geo_mean: Float32Array.from(b.geo_mean),
      p10: Float32Array.from(b.p10), p90: Float32Array.from(b.p90) });
    self.postMessage({ type: "sweep", id: msg.id, ms: performance.now() - t0,
      sweep: { seeds: s.seeds, diverged: s.diverged, act_mean_sq: band(s.act_mean_sq), grad_rms: band(s.grad_rms) } });
  } else {
    const j = lab.jacobian_spectrum();
    self.postMessage({ type: "spectrum", id: msg.id, ms: performance.now() - t0, step: Number(lab.step_count()),
      spectrum: { singular_values: Float32Array.from(j.singular_values), max: j.max, mean_sq: j.mean_sq, normalized_var: j.normalized_var } });
  }
}

function dropStaged() {
  if (staged) { try { staged.free(); } catch { /* already gone */ } staged = null; }
}

async function onStage(msg) {
  const core = await loadCore();
  const { Lab } = core;
  simd = core.simd;
  dropStaged();
  staged = Lab.from_json(msg.json);
  self.postMessage({ type: "staged", id: msg.id, step: Number(staged.step_count()) });
}

function onCommit(msg) {
  if (!staged) return fail("nothing staged", "commit", msg.id);
  if (lab) { try { lab.free(); } catch { /* already gone */ } }
  lab = staged;
  staged = null;
  fixedBounds = null;
  const { out, transfer } = described();
  self.postMessage({ type: "committed", id: msg.id, ...out }, transfer);
}

function onWeights(msg) {
  if (!lab) return fail("no network yet", "weights", msg.id);
  const w = lab.get_weights();
  const weights = {};
  for (const [k, v] of Object.entries(w)) weights[k] = Array.from(v);
  const state = JSON.parse(lab.to_json());
  const d = lab.data();
  self.postMessage({ type: "weights", id: msg.id, weights, info: lab.param_info(), config: lab.config(),
    running_stats: state.running_stats ?? [], data: { d_in: d.d_in, d_out: d.d_out, classification: d.classification } });
}

function onStep(msg) {
  if (!lab) return fail("no network yet", "step", msg.id);
  const t0 = performance.now();
  const n = Math.max(0, msg.n | 0);
  const transfer = [];
  const out = { type: "report", id: msg.id, report: null, trainMs: 0, evalMs: null, gridMs: null };
  if (n > 0) out.report = packReport(n === 1 ? lab.train_step() : lab.train(n), transfer);
  const t1 = performance.now();
  out.trainMs = t1 - t0;
  if (msg.wantEval) {
    out.eval = lab.evaluate();
    out.evalMs = performance.now() - t1;
  }
  if (msg.gridRes && testX?.length) {
    const t = lab.predict(testX);
    out.test = t instanceof Float32Array && t.buffer.byteLength === t.byteLength ? t : Float32Array.from(t);
    transfer.push(out.test.buffer);
  } else if (msg.gridRes && bounds && dIn === 2) {
    const t2 = performance.now();
    const g = lab.predict_grid(msg.gridRes, bounds);
    const grid = g instanceof Float32Array && g.buffer.byteLength === g.byteLength ? g : Float32Array.from(g);
    out.grid = { res: msg.gridRes, bounds, values: grid };
    transfer.push(grid.buffer);
    out.gridMs = performance.now() - t2;
  } else if (msg.gridRes && bounds && dIn === 1) {
    // 1-D data (regression): the net's prediction along x, for the fitted-curve view
    const t2 = performance.now();
    const xs = curveInputs(bounds, CURVE_POINTS);
    const values = Float32Array.from(lab.predict(xs));
    out.grid = { res: msg.gridRes, bounds, xs, values };
    transfer.push(xs.buffer, values.buffer);
    out.gridMs = performance.now() - t2;
  }
  out.ms = performance.now() - t0;
  self.postMessage(out, transfer);
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  try {
    if (msg.type === "init") await onInit(msg);
    else if (msg.type === "step") onStep(msg);
    else if (msg.type === "set_lr") { lab?.set_lr(msg.lr); self.postMessage({ type: "lr", lr: msg.lr }); }
    else if (msg.type === "save") {
      if (!lab) fail("no network yet", "save", msg.id);
      else self.postMessage({ type: "saved", id: msg.id, json: lab.to_json() });
    } else if (msg.type === "stage") await onStage(msg);
    else if (msg.type === "commit") onCommit(msg);
    else if (msg.type === "discard") { dropStaged(); self.postMessage({ type: "discarded", id: msg.id }); }
    else if (msg.type === "weights") onWeights(msg);
    else if (msg.type === "sweep" || msg.type === "spectrum") onTheory(msg);
  } catch (e) {
    if (msg.type === "stage") dropStaged();
    if (msg.type === "init") { try { lab?.free(); } catch { /* ignore */ } lab = null; }
    fail(errMessage(e), msg.type, msg.id);
  }
};
