// The view of a classifier on data that is not 2-D: its confusion matrix on the test split,
// and small images of the digits it got wrong. Draw only: counts and pixels come in.
import { fitCanvas, FONT, MUTED, INK } from "./hidpi.js";
import { OI, hexToRgb } from "../palette.js";

const BLUE = hexToRgb(OI.blue), RED = hexToRgb(OI.vermillion);
const mix = (rgb, t) => rgb.map((c) => Math.round(255 - t * (255 - c))); // white -> rgb

/**
 * Rows: the true class; columns: the predicted class. A cell's shade is its share of its row
 * (blue on the diagonal: right; vermillion off it: wrong, on a square-root scale so that a few
 * errors show), and its count is written in it when the cell is large enough.
 * @param spec { size (CSS px), counts: number[K*K] (row-major, true x predicted), names: K labels, theme? }
 */
export function drawConfusion(canvas, spec) {
  const { size, counts, names } = spec;
  const K = names.length;
  const { ctx, w, h } = fitCanvas(canvas, size, size);
  ctx.fillStyle = spec.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  const ink = spec.theme?.ink ?? INK, muted = spec.theme?.muted ?? MUTED;
  if (!K) return;
  const longest = Math.max(...names.map((s) => ctx.measureText(s).width));
  const left = Math.min(80, Math.ceil(longest) + 34), top = 30;
  const cell = Math.max(2, Math.floor(Math.min(w - left - 4, h - top - 4) / K));
  const rowSums = names.map((_, t) => names.reduce((s, __, p) => s + counts[t * K + p], 0));
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let t = 0; t < K; t++) {
    for (let p = 0; p < K; p++) {
      const c = counts[t * K + p];
      const share = rowSums[t] > 0 ? c / rowSums[t] : 0;
      const rgb = t === p ? mix(BLUE, share) : mix(RED, c > 0 ? Math.max(0.12, Math.sqrt(share)) : 0);
      const x = left + p * cell, y = top + t * cell;
      ctx.fillStyle = `rgb(${rgb})`;
      ctx.fillRect(x, y, cell - 1, cell - 1);
      if (c > 0 && cell >= 16) {
        ctx.fillStyle = (t === p ? share : Math.sqrt(share)) > 0.55 ? "#fff" : ink;
        ctx.fillText(String(c), x + cell / 2, y + cell / 2);
      }
    }
  }
  // class names along both axes, thinned when the cells are small
  const every = Math.max(1, Math.ceil(12 / cell));
  ctx.fillStyle = muted;
  for (let k = 0; k < K; k += every) {
    ctx.textAlign = "center";
    ctx.fillText(names[k], left + k * cell + cell / 2, top - 8);
    ctx.textAlign = "right";
    ctx.fillText(names[k], left - 8, top + k * cell + cell / 2);
  }
  ctx.fillStyle = ink;
  ctx.textAlign = "left";
  ctx.fillText("predicted class", left, 9);
  ctx.save();
  ctx.translate(8, top + (K * cell) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText("true class", 0, 0);
  ctx.restore();
}

/**
 * A row of small grey images (8 x 8 digits) with a caption under each.
 * @param spec { width (CSS px), images: [{ pixels: ArrayLike (side*side, row-major), text }],
 *   side (8), lo, hi (the values drawn black and white), empty: text when there are none, theme? }
 */
export function drawImages(canvas, spec) {
  const { images, side = 8, lo, hi } = spec;
  const box = 40, gap = 8, captionH = 14;
  const h = box + captionH + 2;
  const { ctx, w } = fitCanvas(canvas, spec.width, h);
  ctx.fillStyle = spec.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  ctx.textBaseline = "middle";
  if (!images.length) {
    ctx.fillStyle = spec.theme?.muted ?? MUTED;
    ctx.textAlign = "left";
    ctx.fillText(spec.empty ?? "", 0, h / 2);
    return;
  }
  const px = box / side;
  images.forEach((im, k) => {
    const x0 = k * (box + gap);
    if (x0 + box > w) return;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const t = Math.min(1, Math.max(0, (im.pixels[r * side + c] - lo) / (hi - lo || 1)));
        const g = Math.round(255 * (1 - t)); // ink is dark, as on paper
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fillRect(x0 + c * px, r * px, Math.ceil(px), Math.ceil(px));
      }
    }
    ctx.strokeStyle = "#bbb";
    ctx.strokeRect(x0 + 0.5, 0.5, box - 1, box - 1);
    ctx.fillStyle = spec.theme?.ink ?? INK;
    ctx.textAlign = "center";
    ctx.fillText(im.text, x0 + box / 2, box + captionH / 2 + 2);
  });
}
