// A value grid on a canvas (x linear, y log), cells spanning halfway to their neighbours,
// with curves drawn over it and a colour bar. Draws only.
import { fitCanvas, FONT, INK, MUTED } from "../charts/hidpi.js";
import { viridis } from "../charts/colormap.js";

const M = { left: 46, right: 70, top: 8, bottom: 34 };

/** Cell edges around sorted centres `c` in transformed coordinates. */
function edges(c) {
  if (c.length === 1) return [c[0] - 0.5, c[0] + 0.5];
  const e = [c[0] - (c[1] - c[0]) / 2];
  for (let i = 0; i + 1 < c.length; i++) e.push((c[i] + c[i + 1]) / 2);
  e.push(c[c.length - 1] + (c[c.length - 1] - c[c.length - 2]) / 2);
  return e;
}

/**
 * @param canvas target (its parent's width is used)
 * @param spec { xs: number[] (sorted), ys: number[] (sorted, > 0, log axis), value(ix, iy) -> number in
 *   [vmin, vmax] or null (not measured yet, drawn blank), vmin, vmax, xLabel, yLabel, barLabel,
 *   curves: [{ x: number[], y: number[], color, dash?, label }], height }
 */
export function drawGrid(canvas, spec) {
  const cssW = Math.max(260, canvas.parentElement.clientWidth);
  const { ctx, w, h } = fitCanvas(canvas, cssW, spec.height ?? 300);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  const pw = w - M.left - M.right, ph = h - M.top - M.bottom;
  const xe = edges(spec.xs), ye = edges(spec.ys.map(Math.log));
  const [x0, x1, y0, y1] = [xe[0], xe[xe.length - 1], ye[0], ye[ye.length - 1]];
  const px = (x) => M.left + ((x - x0) / (x1 - x0)) * pw;
  const py = (y) => M.top + ph - ((Math.log(y) - y0) / (y1 - y0)) * ph;
  const pyLog = (ly) => M.top + ph - ((ly - y0) / (y1 - y0)) * ph;
  const t = (v) => (v - spec.vmin) / (spec.vmax - spec.vmin);
  let cells = 0;
  for (let ix = 0; ix < spec.xs.length; ix++) {
    for (let iy = 0; iy < spec.ys.length; iy++) {
      const v = spec.value(ix, iy);
      if (v == null) continue;
      cells++;
      const [r, g, b] = viridis(t(v));
      ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
      const xa = px(xe[ix]), xb = px(xe[ix + 1]), ya = pyLog(ye[iy + 1]), yb = pyLog(ye[iy]);
      ctx.fillRect(xa, ya, xb - xa + 0.5, yb - ya + 0.5);
    }
  }
  canvas.dataset.points = String(cells); // for tests and debugging
  // curves, clipped to the plot
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, pw, ph);
  ctx.clip();
  for (const c of spec.curves ?? []) {
    ctx.strokeStyle = c.color;
    ctx.lineWidth = 2;
    ctx.setLineDash(c.dash ?? []);
    ctx.beginPath();
    let pen = false;
    c.x.forEach((x, i) => {
      const y = c.y[i];
      if (!(Number.isFinite(y) && y > 0)) { pen = false; return; }
      const Y = Math.max(-1e4, Math.min(1e4, py(y)));
      if (pen) ctx.lineTo(px(x), Y); else ctx.moveTo(px(x), Y);
      pen = true;
    });
    ctx.stroke();
  }
  ctx.restore();
  ctx.setLineDash([]);
  // axes
  ctx.strokeStyle = "#999";
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
  ctx.fillStyle = INK;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  let right = -Infinity; // skip a tick label that would overlap the previous one
  spec.xs.forEach((x) => {
    const half = ctx.measureText(String(x)).width / 2;
    if (px(x) - half < right + 4) return;
    ctx.fillText(String(x), px(x), M.top + ph + 4);
    right = px(x) + half;
  });
  ctx.fillText(spec.xLabel, M.left + pw / 2, M.top + ph + 18);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  spec.ys.forEach((y) => ctx.fillText(String(y), M.left - 5, py(y)));
  ctx.save();
  ctx.translate(11, M.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(spec.yLabel, 0, 0);
  ctx.restore();
  // colour bar
  const bx = w - M.right + 14, bw = 12;
  for (let i = 0; i < ph; i++) {
    const [r, g, b] = viridis(1 - i / (ph - 1));
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    ctx.fillRect(bx, M.top + i, bw, 1);
  }
  ctx.fillStyle = INK;
  ctx.textAlign = "left";
  ctx.fillText(String(spec.vmax), bx + bw + 3, M.top + 5);
  ctx.fillText(String(spec.vmin), bx + bw + 3, M.top + ph - 5);
  ctx.fillStyle = MUTED;
  ctx.save();
  ctx.translate(bx + bw + 30, M.top + ph / 2);
  ctx.rotate(Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(spec.barLabel ?? "", 0, 0);
  ctx.restore();
}
