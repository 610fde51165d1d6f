// The view of a regression on inputs that are not 2-D: predictions against true targets on the
// test split. Draws only.
import { fitCanvas, FONT, MUTED } from "./hidpi.js";
import { OI } from "../palette.js";
import { fmt } from "../format.js";

/**
 * Regression on inputs that are not 2-D: each test point at (true target, prediction), the
 * diagonal where they are equal.
 * @param spec { size, truth: ArrayLike, pred: ArrayLike, theme? }
 */
export function drawPredVsTrue(canvas, spec) {
  const { size, truth, pred } = spec;
  const { ctx, w, h } = fitCanvas(canvas, size, size);
  ctx.fillStyle = spec.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  let lo = Infinity, hi = -Infinity;
  for (const v of [...truth, ...pred]) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const pad = 0.05 * (hi - lo);
  lo -= pad; hi += pad;
  const m = 30;
  const sx = (v) => m + ((v - lo) / (hi - lo)) * (w - m - 6);
  const sy = (v) => h - m - ((v - lo) / (hi - lo)) * (h - m - 6);
  ctx.strokeStyle = "#999";
  ctx.strokeRect(m + 0.5, 6.5, w - m - 7, h - m - 7);
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(sx(lo), sy(lo));
  ctx.lineTo(sx(hi), sy(hi));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = OI.blue;
  for (let i = 0; i < truth.length; i++) {
    if (!Number.isFinite(truth[i]) || !Number.isFinite(pred[i])) continue;
    ctx.beginPath();
    ctx.arc(sx(truth[i]), sy(pred[i]), 2.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.fillStyle = spec.theme?.muted ?? MUTED;
  // the range's ends on both axes (the same range: the diagonal is y = x)
  ctx.textAlign = "left";
  ctx.fillText(fmt(lo, 2), m + 2, h - m + 12);
  ctx.textAlign = "right";
  ctx.fillText(fmt(hi, 2), w - 6, h - m + 12);
  ctx.save();
  ctx.translate(m - 6, 6);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(fmt(hi, 2), 0, 0);
  ctx.textAlign = "left";
  ctx.fillText(fmt(lo, 2), -(h - m), 0);
  ctx.restore();
  ctx.textAlign = "center";
  ctx.fillText("true target →", m + (w - m) / 2, h - 10);
  ctx.save();
  ctx.translate(10, (h - m) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText("prediction →", 0, 0);
  ctx.restore();
}
