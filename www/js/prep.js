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

/** A profile value for a log chart: 0 and Infinity are kept (the chart marks them on its edges),
 *  NaN and negative values become null. */
export const nonNegativeOrNull = (v) => (typeof v === "number" && v >= 0 ? v : null);

const allZero = (a) => a && a.length > 0 && Array.prototype.every.call(a, (v) => v === 0);

/** Why a net's gradient is 0 at every layer at init, when its config says. */
function zeroGradReason(m) {
  return m?.init === "fixup" ? ": Fixup sets the head and each branch's last layer to 0, so no gradient reaches the stream before the first update" : "";
}

/**
 * Depth-profile columns for statistic `key`: both nets, now (solid) and at init (dashed), theory
 * (dotted), and `notes`: a sentence for each curve that is not drawn because it is 0 at every
 * layer (a log axis has no place for it).
 */
export function profileData(state, key) {
  const depths = state.nets.map((n) => (n.latest?.layers?.[key]?.length ?? 0));
  const len = Math.max(2, ...depths);
  const x = Array.from({ length: len }, (_, l) => l);
  const series = [], notes = [];
  const stat = STAT_LABELS[key]?.split(" (")[0] ?? key;
  state.nets.forEach((net, i) => {
    if (net.status !== "ready" || !net.latest) return;
    const name = NET_NAMES[i], color = NET_COLORS[i];
    const pts = len <= 40;
    const add = (label, values, style) => {
      if (allZero(values)) {
        // a step's report holds the gradient before its update: at step 1 Fixup's is still 0
        const early = label.endsWith("at init") || net.latest.step <= 1;
        const why = key === "grad_rms" && early ? zeroGradReason(state.cfg.nets[i]) : "";
        notes.push(`${label}: not drawn, the ${stat} is 0 at every layer${why}`);
      } else series.push({ label, color, ...style, values: padded(values, len, nonNegativeOrNull) });
    };
    add(`${name} now`, net.latest.layers[key], { width: 2.2, points: pts });
    if (net.initReport && net.latest !== net.initReport) add(`${name} at init`, net.initReport.layers[key], { width: 1.2, dash: [6, 4] });
    const t = state.cfg.view.theory === false ? null : net.theory;
    if (key === "act_mean_sq" && t?.second_moment) {
      series.push({ label: `${name} theory`, color, width: 1.5, dash: [2, 3], values: padded(t.second_moment, len, nonNegativeOrNull) });
    }
    if (key === "grad_rms" && t?.grad_rms_relative && net.initReport) {
      const values = scaledToTop(t.grad_rms_relative, net.initReport.layers.grad_rms);
      if (values) series.push({ label: `${name} theory, scaled`, color, width: 1.5, dash: [2, 3], values: padded(values, len, nonNegativeOrNull) });
      else notes.push(`${name} theory: not drawn, it is scaled to the measured gradient at l = L at init, which is 0`);
    }
  });
  return { x, series, notes };
}

const SAMPLES = 64; // the fits read at most this many layers (a 10000-layer profile is read every frame)

/** "×44", "×0.50" or "×10^-7.2" for a factor given as log10. */
function timesLog(decades) {
  return Math.abs(decades) >= 2 ? `×10^${decades.toFixed(1)}` : `×${(10 ** decades).toPrecision(2)}`;
}

/** Least-squares residual of y[k] against the best line c + g·x[k] in (x, y). */
function lineFitError(x, y) {
  const n = x.length, mx = x.reduce((a, b) => a + b) / n, my = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  const g = sxx > 0 ? sxy / sxx : 0;
  let err = 0;
  for (let i = 0; i < n; i++) err += (y[i] - my - g * (x[i] - mx)) ** 2;
  return err;
}

/** Residual (in log10) of the best linear-growth profile a·(1 + r·k), r > 0, over a grid of r. */
function linearFitError(k, y) {
  let best = Infinity;
  for (let e = -3; e <= 6; e += 0.05) {
    const r = 10 ** e, shape = k.map((kk) => Math.log10(1 + r * kk));
    const c = y.reduce((a, v, i) => a + v - shape[i], 0) / y.length;
    let err = 0;
    for (let i = 0; i < y.length; i++) err += (y[i] - c - shape[i]) ** 2;
    best = Math.min(best, err);
  }
  return best;
}

/**
 * Regime of a depth profile, read in the direction the signal travels: forward from layer 0 up
 * to L, backward (the gradient) from layer L down to 0. Layers are named by their number.
 * Returns { regime, text }, regime one of vanishing | shrinking | stable | linear | growing |
 * exploding | uneven (an interior peak or dip of more than a decade) | zero (0 at every layer)
 * | broken (NaN or Inf). Geometric and linear growth are told apart by which of the two shapes,
 * a·g^k or a·(1 + r·k), fits the profile's log10 better.
 */
export function regime(values, backward) {
  if (!values || values.length < 3) return { regime: "stable", text: "too shallow to tell" };
  const L = values.length - 1;
  const layerAt = (k) => (backward ? L - k : k); // position k along the travel -> layer number
  const s = Array.from({ length: L + 1 }, (_, k) => values[layerAt(k)]);
  const toEnd = backward ? "down to layer 0" : `up to layer ${L}`;
  const bad = s.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const n = s.filter((v) => !Number.isFinite(v)).length;
    return { regime: "broken", text: n === L + 1 ? "NaN or Inf at every layer"
      : `NaN or Inf at layer ${layerAt(bad)}${n > 1 ? ` and ${n - 1} more layers` : ""}` };
  }
  if (s.every((v) => v === 0)) return { regime: "zero", text: "0 at every layer" };
  const zero = s.findIndex((v) => v <= 0);
  if (zero >= 0) {
    if (s.slice(zero).every((v) => v <= 0)) {
      return { regime: "vanishing", text: `exactly 0 from layer ${layerAt(zero)} ${toEnd}: below the smallest float32 ` +
        "(1.4e-45), or every unit of the layer dead" };
    }
    const n = s.filter((v) => v <= 0).length;
    return { regime: "uneven", text: `exactly 0 at ${n} of ${L + 1} layers (first at layer ${layerAt(zero)}), nonzero around them` };
  }
  const y = s.map((v) => Math.log10(v));
  const total = y[L] - y[0];
  const over = `${timesLog(total)} over ${L} layers`;
  let kMax = 0, kMin = 0;
  for (let k = 1; k <= L; k++) { if (y[k] > y[kMax]) kMax = k; if (y[k] < y[kMin]) kMin = k; }
  const top = Math.max(y[0], y[L]), bottom = Math.min(y[0], y[L]);
  if (y[kMax] - top > 1 && y[kMax] - top >= bottom - y[kMin]) {
    return { regime: "uneven", text: `rises ${timesLog(y[kMax] - y[0])} to a peak at layer ${layerAt(kMax)}, ` +
      `then falls ${timesLog(y[L] - y[kMax])} ${toEnd}` };
  }
  if (bottom - y[kMin] > 1) {
    return { regime: "uneven", text: `falls ${timesLog(y[kMin] - y[0])} to a dip at layer ${layerAt(kMin)}, ` +
      `then rises ${timesLog(y[L] - y[kMin])} ${toEnd}` };
  }
  if (Math.abs(total) < 0.6) return { regime: "stable", text: `about flat (${over})` };
  const stride = Math.max(1, Math.ceil((L + 1) / SAMPLES));
  const ks = [];
  for (let k = 0; k <= L; k += stride) ks.push(k);
  if (ks.at(-1) !== L) ks.push(L);
  const ys = ks.map((k) => y[k]);
  if (total > 0 && linearFitError(ks, ys) < 0.5 * lineFitError(ks, ys)) {
    return { regime: "linear", text: `grows roughly linearly (${over})` };
  }
  const g = 10 ** (total / L), big = Math.abs(total) >= 2;
  const per = g.toPrecision(Math.abs(g - 1) < 0.095 ? 3 : 2); // ×1.04, not ×1.0, for a slow growth
  if (total < 0) return { regime: big ? "vanishing" : "shrinking", text: `shrinks ×${per} per layer (${over})` };
  return { regime: big ? "exploding" : "growing", text: `grows ×${per} per layer (${over})` };
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
