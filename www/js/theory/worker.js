// Module worker for the theory panels: the phase diagram and the "What is true" checks, each
// computed with the core (static functions and small fresh Labs), off the main thread.
// Protocol (main -> worker), every reply carries the request's id:
//   {type:"phase", id, activation}            -> {type:"phase", nx, ny, sw2, sb2, chi1, xi_c, q_star, critical, ms}
//   {type:"point", id, activation, sw2, sb2}  -> {type:"point", chi1, xi_c, xi_q, q_star}
//   {type:"truths", id}                       -> {type:"progress", part, result}* then {type:"truths", parts}
//   any failure                               -> {type:"error", id, message}
import { TRUTHS, SW2_RANGE, SB2_RANGE, GRID } from "./config.js";
import { loadCore } from "../core.js";



const copy = (a) => Float32Array.from(a);

function phase(Lab, msg) {
  const t0 = performance.now();
  const pd = Lab.phase_diagram(msg.activation, SW2_RANGE, SB2_RANGE, GRID, GRID);
  const out = { type: "phase", id: msg.id, activation: msg.activation, nx: pd.nx, ny: pd.ny,
    sw2: copy(pd.sw2), sb2: copy(pd.sb2), chi1: copy(pd.chi1), xi_c: copy(pd.xi_c), q_star: copy(pd.q_star) };
  // the edge of chaos: the s_w^2 with chi1 = 1 for each row's s_b^2 (null where there is none)
  out.critical = Array.from(out.sb2, (b) => { const v = Lab.critical_sw2(msg.activation, b); return typeof v === "number" && Number.isFinite(v) ? v : null; });
  out.ms = performance.now() - t0;
  self.postMessage(out, [out.sw2.buffer, out.sb2.buffer, out.chi1.buffer, out.xi_c.buffer, out.q_star.buffer]);
}

/** chi1, xi_c, xi_q and q* at one point: a 2 x 2 diagram whose first corner is the point. */
function point(Lab, msg) {
  const pd = Lab.phase_diagram(msg.activation, [msg.sw2, msg.sw2 * (1 + 1e-7)], [msg.sb2, msg.sb2 + 1e-7], 2, 2);
  self.postMessage({ type: "point", id: msg.id, chi1: pd.chi1[0], xi_c: pd.xi_c[0], xi_q: pd.xi_q[0], q_star: pd.q_star[0] });
}

/** Builds a Lab, runs f on it, frees it. */
function withLab(Lab, config, f) {
  const lab = new Lab(config);
  try { return f(lab); } finally { lab.free(); }
}

function spectrumRow(Lab, row) {
  return withLab(Lab, row.config, (lab) => {
    const j = lab.jacobian_spectrum();
    let min = Infinity;
    for (const s of j.singular_values) min = Math.min(min, s);
    const L = row.config.model.depth;
    return { id: row.id, label: row.label, depth: L, max: j.max, min, mean_sq: j.mean_sq, normalized_var: j.normalized_var,
      per_block: j.mean_sq ** (1 / L) };
  });
}

function trainRow(Lab, row, steps) {
  return withLab(Lab, row.config, (lab) => {
    const t0 = performance.now();
    const first = lab.evaluate().train;
    const r = lab.train(steps);
    const e = lab.evaluate().train;
    return { id: row.id, label: row.label, steps: Number(lab.step_count()), accuracy0: first.accuracy,
      accuracy: e.accuracy, loss: e.loss, diverged: !!r.diverged, ms: performance.now() - t0 };
  });
}

/** Per-block growth of the stream's second moment: the mean over seeds vs mean-field theory. */
function addRow(Lab, spec) {
  return withLab(Lab, spec.config, (lab) => {
    const L = spec.config.model.depth;
    const g = lab.depth_sweep(spec.seeds).act_mean_sq.mean;
    const th = lab.theory().second_moment;
    const ratios = [];
    for (let l = 0; l < L; l++) ratios.push(g[l + 1] / g[l]);
    return { measured: (g[L] / g[0]) ** (1 / L), min: Math.min(...ratios), max: Math.max(...ratios),
      predicted: th ? (th[L] / th[0]) ** (1 / L) : null, seeds: spec.seeds, depth: L, width: spec.config.model.width };
  });
}

function truths(Lab, msg) {
  const parts = {};
  const send = (part, result) => { parts[part] = result; self.postMessage({ type: "progress", id: msg.id, part, result }); };
  send("jacobian", TRUTHS.jacobian.rows.map((row) => spectrumRow(Lab, row)));
  send("add", addRow(Lab, TRUTHS.add));
  send("norm", TRUTHS.norm.rows.map((row) => trainRow(Lab, row, TRUTHS.norm.steps)));
  self.postMessage({ type: "truths", id: msg.id, parts });
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  try {
    const { Lab } = await loadCore();
    if (msg.type === "phase") phase(Lab, msg);
    else if (msg.type === "point") point(Lab, msg);
    else if (msg.type === "truths") truths(Lab, msg);
    else throw new Error(`unknown request ${msg.type}`);
  } catch (e) {
    const m = e && typeof e === "object" && "message" in e ? e.message : String(e);
    self.postMessage({ type: "error", id: msg.id, message: m });
  }
};
