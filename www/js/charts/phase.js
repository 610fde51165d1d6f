// The order/chaos phase diagram on a canvas: a heatmap over (s_w^2, s_b^2), a line (the edge of
// chaos), a marker, and a colour bar. Draws only: takes the grid, values already in the colour
// variable (e.g. log10 chi1), and the range. pointAt() maps a click back to (s_w^2, s_b^2).
import { fitCanvas, FONT, INK, MUTED } from "./hidpi.js";
import { viridis, diverging } from "./colormap.js";
import { fmt } from "../format.js";

const M = { left: 56, right: 12, top: 8, bottom: 90 };
const BAR_H = 12;
const scratch = document.createElement("canvas");

/**
 * @param canvas
 * @param o { nx, ny, sw2: Float32Array(nx), sb2: Float32Array(ny), values: Float32Array(nx*ny)
 *   row-major iy*nx+ix (colour variable; NaN = grey), vmin, vmax, palette: "diverging"|"viridis",
 *   line: [sw2|null per row] (the critical line), marker: {sw2, sb2} | null, width, height,
 *   barLabel, barTicks: [{v, label}], message? }
 */
export function drawPhase(canvas, o) {
  const { ctx, w, h } = fitCanvas(canvas, o.width, o.height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  const pw = w - M.left - M.right, ph = h - M.top - M.bottom;
  canvas._phase = null;
  if (o.message || !o.values) {
    ctx.strokeStyle = "#ccc";
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
    ctx.fillStyle = MUTED;
    ctx.textAlign = "center";
    ctx.fillText(o.message ?? "computing…", M.left + pw / 2, M.top + ph / 2);
    return;
  }
  const { nx, ny } = o;
  const x0 = o.sw2[0], x1 = o.sw2[nx - 1], y0 = o.sb2[0], y1 = o.sb2[ny - 1];
  const span = o.vmax - o.vmin || 1;
  const color = o.palette === "viridis" ? viridis : diverging;
  scratch.width = nx;
  scratch.height = ny;
  const sctx = scratch.getContext("2d");
  const img = sctx.createImageData(nx, ny);
  for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
    const v = o.values[iy * nx + ix];
    const [r, g, b] = color(Number.isFinite(v) ? (v - o.vmin) / span : NaN);
    const p = ((ny - 1 - iy) * nx + ix) * 4; // s_b^2 grows upwards
    img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, M.left, M.top, pw, ph);
  const X = (v) => M.left + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v) => M.top + ph - ((v - y0) / (y1 - y0)) * ph;
  canvas._phase = { left: M.left, top: M.top, pw, ph, x0, x1, y0, y1 };

  // the critical line (chi1 = 1), drawn white under black so it shows on every colour
  const pts = [];
  o.line?.forEach((sw, iy) => { if (sw !== null && Number.isFinite(sw) && sw >= x0 && sw <= x1) pts.push([X(sw), Y(o.sb2[iy])]); });
  if (pts.length >= 2) {
    for (const [style, lw] of [["#fff", 4], ["#000", 1.8]]) {
      ctx.strokeStyle = style;
      ctx.lineWidth = lw;
      ctx.beginPath();
      pts.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
    }
  }
  if (o.marker && o.marker.sw2 >= x0 && o.marker.sw2 <= x1 && o.marker.sb2 >= y0 && o.marker.sb2 <= y1) {
    const mx = X(o.marker.sw2), my = Y(o.marker.sb2);
    ctx.lineWidth = 2;
    for (const [style, r] of [["#fff", 7], ["#000", 5]]) {
      ctx.strokeStyle = style;
      ctx.beginPath();
      ctx.arc(mx, my, r, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#888";
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);

  // axes
  ctx.fillStyle = INK;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let v = Math.ceil(x0 * 2) / 2; v <= x1 + 1e-9; v += 0.5) {
    ctx.fillRect(Math.round(X(v)), M.top + ph, 1, 4);
    ctx.fillText(fmt(v, 2), X(v), M.top + ph + 5);
  }
  ctx.fillText("σ_w² (weight variance × fan-in)", M.left + pw / 2, M.top + ph + 19);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let v = y0; v <= y1 + 1e-9; v += 0.05) {
    ctx.fillRect(M.left - 4, Math.round(Y(v)), 4, 1);
    ctx.fillText(fmt(Math.round(v * 100) / 100, 2), M.left - 6, Y(v));
  }
  ctx.save();
  ctx.translate(10, M.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText("σ_b²", 0, 0);
  ctx.restore();

  // colour bar
  const by = M.top + ph + 52;
  for (let k = 0; k < pw; k++) {
    const [r, g, b] = color(k / Math.max(1, pw - 1));
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    ctx.fillRect(M.left + k, by, 1, BAR_H);
  }
  ctx.strokeStyle = "#888";
  ctx.strokeRect(M.left + 0.5, by + 0.5, pw, BAR_H);
  ctx.fillStyle = INK;
  ctx.textBaseline = "top";
  for (const t of o.barTicks ?? []) {
    const x = M.left + ((t.v - o.vmin) / span) * pw;
    if (x < M.left - 1 || x > M.left + pw + 1) continue;
    ctx.fillRect(Math.round(x), by + BAR_H, 1, 3);
    ctx.textAlign = x < M.left + 20 ? "left" : x > M.left + pw - 20 ? "right" : "center";
    ctx.fillText(t.label, x, by + BAR_H + 4);
  }
  ctx.fillStyle = MUTED;
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.fillText(o.barLabel ?? "", M.left, by - 2);
}

/** The (s_w^2, s_b^2) under a click at (clientX, clientY), or null outside the plot. */
export function pointAt(canvas, clientX, clientY) {
  const p = canvas._phase;
  if (!p) return null;
  const r = canvas.getBoundingClientRect();
  const fx = (clientX - r.left - p.left) / p.pw, fy = (clientY - r.top - p.top) / p.ph;
  if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return null;
  return { sw2: p.x0 + fx * (p.x1 - p.x0), sb2: p.y1 - fy * (p.y1 - p.y0) };
}
