// Layer x step heatmap on a canvas. Draws only: takes columns of log10 values.
import { fitCanvas, FONT, INK as INK0, MUTED as MUTED0 } from "./hidpi.js";
import { viridis } from "./colormap.js";

const M = { left: 44, right: 8, top: 6, bottom: 26 };
const scratch = document.createElement("canvas");

// viridis as packed RGBA pixels (ImageData's byte order read as one Uint32 on this machine's endianness)
const LUT_N = 1024;
const pack = ([r, g, b]) => {
  const u8 = new Uint8ClampedArray([r, g, b, 255]);
  return new Uint32Array(u8.buffer)[0];
};
const LUT = Uint32Array.from({ length: LUT_N }, (_, i) => pack(viridis(i / (LUT_N - 1))));
const NAN_PIXEL = pack(viridis(NaN));

/**
 * @param canvas target canvas (its parent's width is used)
 * @param spec { cols: (Float32Array|null)[] of log10 values per layer (-Infinity: zero, drawn as vmin;
 *               NaN: non-finite, grey), steps: number[],
 *               vmin, vmax (log10 colour range), width? (CSS px; default: the parent's width), height,
 *               empty: message when nothing to draw,
 *               theme?: { bg, ink, muted } (default: dark text on white) }
 */
export function drawHeatmap(canvas, spec) {
  const INK = spec.theme?.ink ?? INK0, MUTED = spec.theme?.muted ?? MUTED0;
  const cssW = Math.max(120, spec.width ?? canvas.parentElement.clientWidth);
  const { ctx, w, h } = fitCanvas(canvas, cssW, spec.height ?? 170);
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = spec.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  const pw = w - M.left - M.right, ph = h - M.top - M.bottom;
  const cols = spec.cols.filter(Boolean);
  if (!cols.length) {
    ctx.fillStyle = MUTED;
    ctx.textAlign = "center";
    ctx.fillText(spec.empty ?? "press Play or Step to train", M.left + pw / 2, M.top + ph / 2);
    ctx.strokeStyle = "#ccc";
    ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);
    return;
  }
  const rows = cols[0].length, n = spec.cols.length;
  scratch.width = n;
  scratch.height = rows;
  const sctx = scratch.getContext("2d");
  const img = sctx.createImageData(n, rows);
  const span = spec.vmax - spec.vmin || 1;
  const px = new Uint32Array(img.data.buffer); // one RGBA pixel per entry (a 1000-layer history has 360k)
  for (let c = 0; c < n; c++) {
    const col = spec.cols[c];
    for (let l = 0; l < rows; l++) {
      const o = (rows - 1 - l) * n + c; // layer 0 at the bottom
      if (!col) { px[o] = 0; continue; }
      const t = (col[l] - spec.vmin) / span;
      px[o] = Number.isFinite(t) ? LUT[Math.round(Math.min(1, Math.max(0, t)) * (LUT_N - 1))] : t === -Infinity ? LUT[0] : NAN_PIXEL;
    }
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, M.left, M.top, pw, ph);
  ctx.strokeStyle = "#999";
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, pw, ph);

  // axes: layers on the left, steps below
  ctx.fillStyle = INK;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  const L = rows - 1;
  const yTicks = L === 0 ? [0] : [0, Math.round(L / 2), L].filter((v, i, a) => a.indexOf(v) === i);
  for (const l of yTicks) ctx.fillText(String(l), M.left - 6, M.top + ph * (1 - (l + 0.5) / rows));
  ctx.save();
  ctx.translate(10, M.top + ph / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillStyle = MUTED;
  ctx.fillText("layer", 0, 0);
  ctx.restore();
  ctx.textBaseline = "top";
  ctx.fillStyle = INK;
  const s = spec.steps;
  ctx.textAlign = "left";
  ctx.fillText(`step ${s[0]}`, M.left, M.top + ph + 6);
  ctx.textAlign = "right";
  ctx.fillText(`step ${s[s.length - 1]}`, M.left + pw, M.top + ph + 6);
}

/** A horizontal colour bar for the range [vmin, vmax] of log10 values. */
export function drawColorbar(canvas, vmin, vmax, label, theme, width) {
  const INK = theme?.ink ?? INK0, MUTED = theme?.muted ?? MUTED0;
  const cssW = Math.max(120, width ?? canvas.parentElement.clientWidth);
  const { ctx, w, h } = fitCanvas(canvas, cssW, 40);
  ctx.clearRect(0, 0, w, h);
  const x0 = M.left, x1 = w - M.right - 70, bh = 10;
  for (let x = x0; x < x1; x++) {
    const [r, g, b] = viridis((x - x0) / (x1 - x0));
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    ctx.fillRect(x, 4, 1, bh);
  }
  ctx.fillStyle = "rgb(190,190,190)";
  ctx.fillRect(x1 + 14, 4, 14, bh);
  ctx.font = FONT;
  ctx.fillStyle = INK;
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText("NaN/Inf", x1 + 32, 4);
  const span = vmax - vmin || 1;
  const step = Math.max(1, Math.ceil(span / 6));
  ctx.textAlign = "center";
  for (let e = Math.ceil(vmin); e <= vmax; e += step) {
    const x = x0 + ((e - vmin) / span) * (x1 - x0);
    ctx.fillRect(x, 4 + bh, 1, 3);
    ctx.fillText(`1e${e}`, x, 4 + bh + 4);
  }
  ctx.textAlign = "left";
  ctx.fillStyle = MUTED;
  if (label) ctx.fillText(label, 0, 4 + bh + 16 > h - 12 ? h - 12 : 4 + bh + 16);
}
