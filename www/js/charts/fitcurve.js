// The fitted curve of a net on 1-D regression data (y against x), over the data points: what
// the decision boundary is for 2-D classification. Draws only.
import { fitCanvas, FONT, INK, MUTED } from "./hidpi.js";
import { fmt } from "../format.js";

const M = { left: 34, right: 8, top: 8, bottom: 20 };

/** Up to ~5 round tick values in [lo, hi]. */
function ticks(lo, hi) {
  const raw = (hi - lo) / 4, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return out;
}

/**
 * @param canvas target
 * @param spec { size: CSS px (square), color: the net's colour, theme?: { bg, ink, muted },
 *   data: { x, y, d_in: 1, n_train } | null, bounds: [xmin, xmax, ...],
 *   curve: { xs: Float32Array, values: Float32Array } | null (the net's prediction at xs),
 *   yRange: [min, max] of the targets, message?: text instead of the chart }
 */
export function drawFitCurve(canvas, spec) {
  const { ctx, w, h } = fitCanvas(canvas, spec.size, spec.size);
  const ink = spec.theme?.ink ?? INK, muted = spec.theme?.muted ?? MUTED;
  ctx.fillStyle = spec.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  if (spec.message || !spec.data) {
    ctx.fillStyle = muted;
    ctx.textAlign = "center";
    ctx.fillText(spec.message ?? "loading…", w / 2, h / 2);
    return;
  }
  const [x0, x1] = spec.bounds;
  const [t0, t1] = spec.yRange, pad = 0.15 * (t1 - t0 || 1);
  const y0 = t0 - pad, y1 = t1 + pad; // the targets' range: a curve far off it runs off the plot, clipped
  const pw = w - M.left - M.right, ph = h - M.top - M.bottom;
  const px = (v) => M.left + ((v - x0) / (x1 - x0)) * pw, py = (v) => M.top + (1 - (v - y0) / (y1 - y0)) * ph;

  ctx.strokeStyle = spec.theme?.grid ?? "#e6e6e6";
  ctx.lineWidth = 1;
  ctx.fillStyle = ink;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of ticks(y0, y1)) {
    ctx.beginPath(); ctx.moveTo(M.left, py(v)); ctx.lineTo(M.left + pw, py(v)); ctx.stroke();
    ctx.fillText(fmt(v, 2), M.left - 4, py(v));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of ticks(x0, x1)) ctx.fillText(fmt(v, 2), px(v), M.top + ph + 4);
  ctx.fillStyle = muted; // the axis names sit in the corners, clear of the tick labels
  ctx.textAlign = "right";
  ctx.fillText("x →", M.left - 4, M.top + ph + 4);
  ctx.textAlign = "left";
  ctx.fillText("y", 4, M.top - 2);

  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, pw, ph);
  ctx.clip();
  const { x, y, n_train } = spec.data;
  const rad = w < 240 ? 2 : 2.6;
  for (let p = 0; p < y.length; p++) {
    ctx.beginPath();
    ctx.arc(px(x[p]), py(y[p]), rad, 0, 2 * Math.PI);
    if (p < n_train) { ctx.fillStyle = "#9a9a9a"; ctx.fill(); }
    else { ctx.fillStyle = "#fff"; ctx.fill(); ctx.lineWidth = 1.4; ctx.strokeStyle = "#777"; ctx.stroke(); }
  }
  const c = spec.curve;
  if (c) {
    ctx.beginPath();
    let pen = false;
    for (let k = 0; k < c.xs.length; k++) {
      const v = c.values[k];
      if (!Number.isFinite(v)) { pen = false; continue; }
      const yy = py(Math.max(y0 - 10 * (y1 - y0), Math.min(y1 + 10 * (y1 - y0), v))); // clipped anyway; keeps the path finite
      if (pen) ctx.lineTo(px(c.xs[k]), yy); else ctx.moveTo(px(c.xs[k]), yy);
      pen = true;
    }
    ctx.lineWidth = 2.4;
    ctx.strokeStyle = spec.color;
    ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = "#999";
  ctx.lineWidth = 1;
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw - 1, ph - 1);
}
