// A hand-written canvas histogram on a log-x axis (singular values span decades).
// Draws only: takes the values and the shared x range; positive finite values are binned in
// log10, the others are counted and named in a note instead of being drawn.
import { fitCanvas, FONT, INK, MUTED } from "./hidpi.js";
import { fmtTick } from "../format.js";

const PAD = { l: 40, r: 10, t: 8, b: 34 };

/** [lo, hi] (positive) covering the positive finite values of every array, with a margin;
 *  a single value v gets [v/2, 2v]. null when there is none. */
export function logRange(arrays) {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) for (const v of a ?? []) if (Number.isFinite(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi >= lo)) return null;
  if (hi / lo < 4) { const m = Math.sqrt(hi * lo); return [Math.min(lo, m / 2), Math.max(hi, m * 2)]; }
  return [lo / 1.15, hi * 1.15];
}

/** Tick values for a log axis over [lo, hi]: decades, or 1-2-5 steps when there are few decades. */
function logTicks(lo, hi) {
  const out = [];
  const d0 = Math.floor(Math.log10(lo)), d1 = Math.ceil(Math.log10(hi));
  const mult = d1 - d0 <= 2 ? [1, 2, 5] : [1];
  const step = Math.max(1, Math.ceil((d1 - d0) / 7));
  for (let d = d0; d <= d1; d += mult.length > 1 ? 1 : step) for (const m of mult) {
    const v = m * 10 ** d;
    if (v >= lo && v <= hi) out.push(v);
  }
  return out;
}

/**
 * @param canvas
 * @param o { values: Float32Array | number[] | null, range: [lo, hi] | null (log-x extent, shared
 *   between charts), width, height, color, bins?, mark? (an x to draw as a vertical line, e.g. 1),
 *   message? (drawn instead of bars), theme? { bg, ink, muted, grid } }
 */
export function drawHistogram(canvas, o) {
  const { ctx, w, h } = fitCanvas(canvas, o.width, o.height);
  const ink = o.theme?.ink ?? INK, muted = o.theme?.muted ?? MUTED;
  ctx.fillStyle = o.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  const pw = w - PAD.l - PAD.r, ph = h - PAD.t - PAD.b;
  ctx.strokeStyle = "#bbb";
  ctx.lineWidth = 1;
  ctx.strokeRect(PAD.l + 0.5, PAD.t + 0.5, pw, ph);
  const values = o.values ?? [];
  if (o.message || !o.range || values.length === 0) {
    ctx.fillStyle = muted;
    ctx.textAlign = "center";
    ctx.fillText(o.message ?? "no data", PAD.l + pw / 2, PAD.t + ph / 2);
    return;
  }
  const [lo, hi] = o.range;
  const a = Math.log10(lo), b = Math.log10(hi);
  const bins = o.bins ?? 30;
  const counts = new Array(bins).fill(0);
  let skipped = 0;
  for (const v of values) {
    if (!(Number.isFinite(v) && v > 0)) { skipped++; continue; }
    const k = Math.min(bins - 1, Math.max(0, Math.floor(((Math.log10(v) - a) / (b - a)) * bins)));
    counts[k]++;
  }
  const cmax = Math.max(1, ...counts);
  const X = (v) => PAD.l + ((Math.log10(v) - a) / (b - a)) * pw;
  const Y = (c) => PAD.t + ph - (c / cmax) * ph;
  // y grid and labels (counts)
  ctx.fillStyle = muted;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const ystep = Math.max(1, Math.ceil(cmax / 4));
  for (let c = 0; c <= cmax; c += ystep) {
    ctx.fillText(String(c), PAD.l - 4, Y(c));
    if (c > 0) { ctx.fillStyle = "#eee"; ctx.fillRect(PAD.l + 1, Math.round(Y(c)), pw - 1, 1); ctx.fillStyle = muted; }
  }
  // bars
  ctx.fillStyle = o.color;
  const bw = pw / bins;
  counts.forEach((c, k) => {
    if (c === 0) return;
    const y = Y(c);
    ctx.fillRect(PAD.l + k * bw + 0.5, y, Math.max(1, bw - 1), PAD.t + ph - y);
  });
  // the mark (s = 1: perfect isometry)
  if (o.mark && o.mark > lo && o.mark < hi) {
    ctx.strokeStyle = ink;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(Math.round(X(o.mark)) + 0.5, PAD.t);
    ctx.lineTo(Math.round(X(o.mark)) + 0.5, PAD.t + ph);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  // x ticks
  ctx.fillStyle = ink;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  let lastRight = -Infinity;
  for (const v of logTicks(lo, hi)) {
    const x = X(v), label = fmtTick(v), tw = ctx.measureText(label).width;
    ctx.fillRect(Math.round(x), PAD.t + ph, 1, 4);
    if (x - tw / 2 > lastRight + 4 && x + tw / 2 <= w) { ctx.fillText(label, x, PAD.t + ph + 5); lastRight = x + tw / 2; }
  }
  ctx.fillStyle = muted;
  ctx.textAlign = "left";
  const long = `singular value s (log scale)${skipped ? `; ${skipped} zero or non-finite not shown` : ""}`;
  ctx.fillText(ctx.measureText(long).width <= w - PAD.l ? long : `s (log)${skipped ? `; ${skipped} ≤ 0 not shown` : ""}`, PAD.l, PAD.t + ph + 19);
}
