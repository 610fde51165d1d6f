// The network strip: one net drawn as a row of layers. One column per layer (several layers per
// column when the net is deeper than the strip has room for), two rows: the forward signal on
// top, the backward signal below, each cell coloured and sized by the log of its value on a
// scale shared by both nets. A residual net gets its skip path: a line above the cells with a
// bridge over every block. Draws only: the numbers come prepared (ui/strips.js).
import { fitCanvas, FONT } from "./hidpi.js";
import { viridis } from "./colormap.js";

export const LABEL_W = 64;       // CSS px of the row labels on the left
export const MIN_COL_PX = 3;     // narrower columns than this take several layers each
const SKIP_H = 12, ROW_H = 22, GAP = 3, PAD_B = 2;
export const STRIP_H = SKIP_H + 2 * ROW_H + GAP + PAD_B;
const NAN_GREY = "#bdbdbd";
// viridis in 256 steps as CSS colours, made once: a strip redraws up to 10 times a second
const LUT = Array.from({ length: 256 }, (_, k) => { const [r, g, b] = viridis(k / 255); return `rgb(${r | 0},${g | 0},${b | 0})`; });

/** How `layers` layers (0..L) fit into `px` CSS pixels: layers per column and columns. */
export function columnsFor(layers, px) {
  const maxCols = Math.max(1, Math.floor(px / MIN_COL_PX));
  const per = Math.max(1, Math.ceil(layers / maxCols));
  return { per, cols: Math.ceil(layers / per) };
}

/** log10 of each column's values: the mean of the logs of its layers; -Infinity when every value
 *  of the column is 0, NaN when one is NaN, Inf or negative. */
export function columnLogs(values, per) {
  const n = values?.length ?? 0, cols = Math.ceil(n / per), out = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let sum = 0, k = 0, zeros = 0, bad = false;
    for (let l = c * per; l < Math.min(n, (c + 1) * per); l++) {
      const v = values[l];
      if (v === 0) zeros++;
      else if (v > 0 && Number.isFinite(v)) { sum += Math.log10(v); k++; } else bad = true;
    }
    out[c] = bad ? NaN : k ? sum / k : zeros ? -Infinity : NaN;
  }
  return out;
}

/**
 * @param canvas the strip's canvas
 * @param spec { width: CSS px, fwd, bwd: per-layer values (layer 0..L) or null, residual: bool,
 *   span: layers the width stands for (the deeper net's, so that both strips share one scale of
 *   depth and a shallower net draws shorter), fwdRange, bwdRange: [lo, hi] in log10 (shared by
 *   both nets), highlight: layer or null,
 *   theme?: { bg, ink, muted }, message?: text drawn instead (loading, error) }
 * @returns { per, cols, x0, colW }: the geometry, for hover hit-testing
 */
export function drawStrip(canvas, spec) {
  const { ctx, w } = fitCanvas(canvas, spec.width, STRIP_H);
  const t = spec.theme ?? {};
  ctx.fillStyle = t.bg ?? "#fff";
  ctx.fillRect(0, 0, w, STRIP_H);
  ctx.font = FONT;
  ctx.textBaseline = "middle";
  ctx.fillStyle = t.muted ?? "#5b5b60";
  const rowY = [SKIP_H, SKIP_H + ROW_H + GAP];
  ctx.fillText("forward", 2, rowY[0] + ROW_H / 2);
  ctx.fillText("backward", 2, rowY[1] + ROW_H / 2);
  const layers = Math.max(spec.fwd?.length ?? 0, spec.bwd?.length ?? 0);
  const x0 = LABEL_W, span = Math.max(1, w - LABEL_W - 2);
  if (spec.message || !layers) {
    ctx.fillStyle = t.muted ?? "#5b5b60";
    ctx.fillText(spec.message ?? "", x0 + 4, rowY[0] + ROW_H);
    return { per: 1, cols: 0, x0, colW: 0 };
  }
  const { per, cols: slots } = columnsFor(Math.max(layers, spec.span ?? 0), span);
  const colW = span / slots, cols = Math.ceil(layers / per);
  const gap = colW >= 5 ? 1 : 0; // a hairline between columns where there is room for it
  [[spec.fwd, spec.fwdRange], [spec.bwd, spec.bwdRange]].forEach(([values, [lo, hi]], r) => {
    const logs = columnLogs(values, per);
    for (let c = 0; c < logs.length; c++) {
      const x = x0 + c * colW, v = logs[c];
      if (Number.isNaN(v)) { ctx.fillStyle = NAN_GREY; ctx.fillRect(x, rowY[r], colW - gap, ROW_H); continue; }
      const f = v === -Infinity ? 0 : Math.min(1, Math.max(0, (v - lo) / (hi - lo || 1)));
      ctx.fillStyle = LUT[Math.round(f * 255)];
      const h = Math.max(2, Math.round(f * ROW_H)); // sized by the log too: a fading bar is a vanishing signal
      ctx.fillRect(x, rowY[r] + ROW_H - h, Math.max(1, colW - gap), h);
    }
  });
  if (spec.residual) {
    // the skip path: the stream passes over every block; each bridge lands where the branch adds in
    ctx.strokeStyle = t.ink ?? "#1d1d1f";
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    const y = SKIP_H / 2 + 1;
    if (colW / per >= 7) { // a bridge over each block
      ctx.moveTo(x0 + colW / 2, y + 3);
      for (let c = 1; c < cols; c++) {
        const xa = x0 + (c - 0.5) * colW, xb = x0 + (c + 0.5) * colW;
        ctx.quadraticCurveTo((xa + xb) / 2, y - 6, xb, y + 3);
      }
    } else { // too narrow for bridges: the stream's line, joined by each column where its blocks add in
      ctx.moveTo(x0, y);
      ctx.lineTo(x0 + cols * colW, y);
      if (colW >= 3) for (let c = 1; c < cols; c++) { const x = x0 + (c + 0.5) * colW; ctx.moveTo(x, y); ctx.lineTo(x, SKIP_H); }
    }
    ctx.stroke();
  }
  if (Number.isInteger(spec.highlight) && spec.highlight >= 0 && spec.highlight < layers) {
    const c = Math.floor(spec.highlight / per);
    ctx.strokeStyle = t.ink ?? "#1d1d1f";
    ctx.lineWidth = 2;
    ctx.strokeRect(x0 + c * colW - 1, rowY[0] - 1, Math.max(3, colW) + 1, 2 * ROW_H + GAP + 2);
  }
  return { per, cols, x0, colW };
}
