// Data preparation for the charts: turns reports and histories into plot-ready columns.
// Nothing here draws; non-finite and non-positive (on log axes) values become null.
import { NET_COLORS, NET_NAMES } from "./palette.js";

export const positiveOrNull = (v) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null);
export const finiteOrNull = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

export const STAT_LABELS = {
  act_mean_sq: "second moment E[h_l²]",
  act_var: "variance Var[h_l]",
  grad_rms: "RMS of dL/dh_l (activation gradient)",
  weight_grad_norm: "weight-gradient norm ‖∂L/∂W_l‖",
  update_ratio: "update ratio ‖ΔW_l‖ / ‖W_l‖",
};

/** Short description of net i's architecture, for captions and legends. */
export function netLabel(m) {
  if (!m) return "";
  let s = `${m.kind}, ${m.depth} blocks × ${m.width}, ${m.activation}, ${m.init}`;
  if (m.norm !== "none") s += `, ${m.kind === "residual" ? m.norm_position + "-" : ""}${m.norm}norm`;
  if (m.kind === "residual") s += `, α=${{ one: "1", inv_sqrt_depth: "1/√L", learnable: "learned" }[m.branch_scale]}`;
  return s;
}

function padded(arr, len, map = positiveOrNull) {
  const out = new Array(len).fill(null);
  if (arr) for (let l = 0; l < Math.min(len, arr.length); l++) out[l] = map(arr[l]);
  return out;
}

/**
 * The theory's relative gradient profile (1 at l = L) scaled so it equals `measured` at l = L:
 * the theory gives the shape, the head and the loss set the scale. null when it cannot be scaled.
 */
export function scaledToTop(relative, measured) {
  const L = relative.length - 1, top = measured?.[L];
  if (!(Number.isFinite(top) && top > 0 && relative[L] > 0 && Number.isFinite(relative[L]))) return null;
  const s = top / relative[L];
  return Array.from(relative, (v) => v * s);
}

/** Depth-profile columns for statistic `key`: both nets, now (solid) and at init (dashed), theory (dotted). */
export function profileData(state, key) {
  const depths = state.nets.map((n) => (n.latest?.layers?.[key]?.length ?? 0));
  const len = Math.max(2, ...depths);
  const x = Array.from({ length: len }, (_, l) => l);
  const series = [];
  state.nets.forEach((net, i) => {
    if (net.status !== "ready" || !net.latest) return;
    const name = NET_NAMES[i], color = NET_COLORS[i];
    const pts = len <= 40;
    series.push({ label: `${name} now`, color, width: 2.2, points: pts, values: padded(net.latest.layers[key], len) });
    if (net.initReport && net.latest !== net.initReport) {
      series.push({ label: `${name} at init`, color, width: 1.2, dash: [6, 4], values: padded(net.initReport.layers[key], len) });
    }
    const t = state.cfg.view.theory === false ? null : net.theory;
    if (key === "act_mean_sq" && t?.second_moment) {
      series.push({ label: `${name} theory`, color, width: 1.5, dash: [2, 3], values: padded(t.second_moment, len) });
    }
    if (key === "grad_rms" && t?.grad_rms_relative && net.initReport) {
      const values = scaledToTop(t.grad_rms_relative, net.initReport.layers.grad_rms);
      if (values) series.push({ label: `${name} theory, scaled to init at l=L`, color, width: 1.5, dash: [2, 3], values: padded(values, len) });
    }
  });
  return { x, series };
}

/**
 * Regime of a depth profile (forward: growth from layer 0 to L; backward: from L down to 0).
 * Returns { regime: vanishing|shrinking|stable|linear|growing|exploding|broken, text }.
 */
export function regime(values, backward) {
  if (!values || values.length < 3) return { regime: "stable", text: "too shallow to tell" };
  const L = values.length - 1;
  const first = backward ? values[L] : values[0], last = backward ? values[0] : values[L];
  const mid = values[Math.round(L / 2)];
  if (![first, last, mid].every((v) => Number.isFinite(v) && v > 0)) {
    return { regime: "broken", text: "contains zeros or non-finite values" };
  }
  const total = last / first, per = total ** (1 / L);
  const times = (v) => (v >= 100 || v < 0.01 ? `10^${Math.log10(v).toFixed(1)}` : v.toPrecision(2));
  const over = `×${times(total)} over ${L} layers`;
  if (Math.abs(Math.log10(total)) < 0.6) return { regime: "stable", text: `about flat (${over})` };
  const secondHalf = backward ? mid / last : last / mid; // geometric: ≈ sqrt(total); linear: ≈ 2
  if (total > 1 && total < 10 * (L + 1) && Math.abs(Math.log10(total / (secondHalf * secondHalf))) > 0.3 && secondHalf < 3) {
    return { regime: "linear", text: `grows roughly linearly (${over})` };
  }
  const big = Math.abs(Math.log10(total)) >= 2;
  if (total < 1) return { regime: big ? "vanishing" : "shrinking", text: `shrinks ×${per.toPrecision(2)} per layer (${over})` };
  return { regime: big ? "exploding" : "growing", text: `grows ×${per.toPrecision(2)} per layer (${over})` };
}

/** Loss or accuracy curves from the eval history: train solid, test dashed. */
export function curveData(hist, which) {
  const [tr, te] = which === "loss" ? [hist.trainLoss, hist.testLoss] : [hist.trainAcc, hist.testAcc];
  const map = which === "loss" ? positiveOrNull : finiteOrNull;
  const series = [];
  for (let i = 0; i < 2; i++) {
    series.push({ label: `${NET_NAMES[i]} train`, color: NET_COLORS[i], width: 2, values: tr[i].map(map) });
    series.push({ label: `${NET_NAMES[i]} test`, color: NET_COLORS[i], width: 1.5, dash: [5, 4], values: te[i].map(map) });
  }
  return { x: hist.evalSteps.slice(), series };
}

/** Shared colour range (whole decades) of the heatmap columns of both nets. */
const colRange = new WeakMap(); // column -> [min, max] of its finite values (columns never change)

export function heatRange(hist) {
  let lo = Infinity, hi = -Infinity;
  for (const cols of hist.heat) {
    for (const c of cols) {
      if (!c) continue;
      let r = colRange.get(c);
      if (!r) {
        r = [Infinity, -Infinity];
        for (const v of c) if (Number.isFinite(v)) { if (v < r[0]) r[0] = v; if (v > r[1]) r[1] = v; }
        colRange.set(c, r);
      }
      if (r[0] < lo) lo = r[0];
      if (r[1] > hi) hi = r[1];
    }
  }
  if (!(hi >= lo)) return [-4, 0];
  lo = Math.max(-30, Math.floor(lo));
  hi = Math.min(30, Math.ceil(hi));
  return hi - lo < 1 ? [lo - 1, hi + 1] : [lo, hi];
}

/** [min, max] of finite regression targets, for the boundary's colour scale. */
export function targetRange(y) {
  let lo = Infinity, hi = -Infinity;
  for (const v of y) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
}
