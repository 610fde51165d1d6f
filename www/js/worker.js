// Module worker: owns one wasm Lab and trains it on request, so the page never blocks.
// Protocol (main -> worker):
//   {type:"init", config}                      -> {type:"ready", config, data, bounds, probe, theory} | {type:"error"}
//   {type:"step", id, n, wantEval, gridRes}     -> {type:"report", id, report, eval?, grid?, ms}
//     (n = 0 trains nothing: report is null, only eval / grid are computed)
//   {type:"set_lr", lr}                        -> {type:"lr", lr} | {type:"error"}
// Reports carry Float32Arrays whose buffers are transferred, not copied.
import { plain, packReport, dataBounds } from "./report.js";

const PKG = new URL("../../pkg/residual_lab.js", import.meta.url);
const WASM = new URL("../../pkg/residual_lab_bg.wasm", import.meta.url);
let core = null; // the imported module
let lab = null;
let bounds = null;

async function loadCore() {
  if (core) return core;
  const mod = await import(PKG.href);
  await mod.default({ module_or_path: WASM });
  core = mod;
  return core;
}

function fail(message, where, id) {
  self.postMessage({ type: "error", message: String(message), where, id });
}

function errMessage(e) {
  const m = e && typeof e === "object" && "message" in e ? e.message : String(e);
  return /unreachable/i.test(m) ? `the wasm core crashed (${m}); reset to start over` : m;
}

async function onInit(msg) {
  const { Lab } = await loadCore();
  if (lab) { try { lab.free(); } catch { /* already gone */ } lab = null; }
  lab = new Lab(msg.config);
  const transfer = [];
  const data = plain(lab.data());
  const x = Float32Array.from(data.x), y = Float32Array.from(data.y);
  transfer.push(x.buffer, y.buffer);
  bounds = dataBounds(x, data.d_in);
  const probe = packReport(plain(lab.probe()), transfer);
  let theory = null;
  if (typeof lab.theory === "function") {
    try {
      const t = plain(lab.theory());
      theory = { supported: !!t.supported, reason: String(t.reason ?? ""),
        second_moment: t.second_moment ? Float32Array.from(t.second_moment) : null,
        grad_ms: t.grad_ms ? Float32Array.from(t.grad_ms) : null };
    } catch (e) { theory = { supported: false, reason: errMessage(e) }; }
  }
  // The core reports d_out (outputs per point) and classification; older fakes report classes.
  const classification = data.classification ?? (data.classes ?? 2) > 1;
  const outputs = data.d_out ?? data.classes ?? 1;
  self.postMessage({ type: "ready", config: plain(lab.config()), bounds, probe, theory,
    data: { x, y, d_in: data.d_in, n_train: data.n_train, classes: outputs, classification } }, transfer);
}

function onStep(msg) {
  if (!lab) return fail("no network yet", "step", msg.id);
  const t0 = performance.now();
  const n = Math.max(0, msg.n | 0);
  const transfer = [];
  const out = { type: "report", id: msg.id, report: null };
  if (n > 0) out.report = packReport(plain(n === 1 ? lab.train_step() : lab.train(n)), transfer);
  if (msg.wantEval) out.eval = plain(lab.evaluate());
  if (msg.gridRes && bounds) {
    const g = lab.predict_grid(msg.gridRes, bounds);
    const grid = g instanceof Float32Array && g.buffer.byteLength === g.byteLength ? g : Float32Array.from(g);
    out.grid = { res: msg.gridRes, bounds, values: grid };
    transfer.push(grid.buffer);
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
  } catch (e) {
    if (msg.type === "init") { try { lab?.free(); } catch { /* ignore */ } lab = null; }
    fail(errMessage(e), msg.type, msg.id);
  }
};
