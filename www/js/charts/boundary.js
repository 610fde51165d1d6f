// Decision boundary of one net over the 2-D input plane, with the data points. Draws only.
import { fitCanvas, FONT, MUTED } from "./hidpi.js";
import { CLASS_COLORS, hexToRgb } from "../palette.js";

const scratch = document.createElement("canvas");
const CLASS_RGB = CLASS_COLORS.map(hexToRgb);

function regressionRgb(t) { // t in [0,1]: blue -> white -> orange (diverging, colour-blind safe)
  const a = [0, 114, 178], m = [247, 247, 247], b = [230, 159, 0];
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
  const [p, q, f] = u < 0.5 ? [a, m, u * 2] : [m, b, (u - 0.5) * 2];
  return [p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1]), p[2] + f * (q[2] - p[2])];
}

// The data points do not change while a net trains, only the colours under them: they are drawn
// once per data set and size into a layer of their own, and each redraw copies that layer. Drawn
// afresh every time, the 512 circles took Chromium's software rasterizer 11-16 ms per redraw,
// long enough to drop a frame while two nets train.
const pointLayers = new WeakMap(); // target canvas -> { data, key, layer }

function pointsLayer(canvas, spec, w, h, dpr, bounds, yr, C, reg) {
  const key = `${canvas.width}x${canvas.height}|${bounds.join()}|${yr.join()}|${C}|${reg}`;
  const cached = pointLayers.get(canvas);
  if (cached && cached.data === spec.data && cached.key === key) return cached.layer;
  const layer = cached?.layer ?? document.createElement("canvas");
  layer.width = canvas.width;
  layer.height = canvas.height;
  const ctx = layer.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const [bx0, bx1, by0, by1] = bounds;
  const { x, y, d_in, n_train } = spec.data;
  const n = Math.floor(x.length / d_in);
  const rad = w < 240 ? 2 : 2.6;
  for (let p = 0; p < n; p++) {
    const px = ((x[p * d_in] - bx0) / (bx1 - bx0)) * w;
    const py = (1 - (x[p * d_in + 1] - by0) / (by1 - by0)) * h;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    const rgb = reg ? regressionRgb((y[p * C] - yr[0]) / (yr[1] - yr[0] || 1)) : CLASS_RGB[(y[p] | 0) % CLASS_RGB.length];
    const col = `rgb(${rgb[0] | 0},${rgb[1] | 0},${rgb[2] | 0})`;
    ctx.beginPath();
    ctx.arc(px, py, rad, 0, 2 * Math.PI);
    if (p < n_train) {
      ctx.fillStyle = col; ctx.fill();
      ctx.lineWidth = 0.6; ctx.strokeStyle = "rgba(0,0,0,0.55)"; ctx.stroke();
    } else {
      ctx.fillStyle = "#fff"; ctx.fill();
      ctx.lineWidth = 1.6; ctx.strokeStyle = col; ctx.stroke();
    }
  }
  pointLayers.set(canvas, { data: spec.data, key, layer });
  return layer;
}

/**
 * @param spec { grid: {res, bounds:[x0,x1,y0,y1], values: Float32Array} | null,
 *               classes (values per grid point), classification (false: regression, first output drawn),
 *               data: {x, y, d_in, n_train} | null, yRange: [min,max] for regression, size, message }
 */
export function drawBoundary(canvas, spec) {
  const size = spec.size;
  const { ctx, w, h, dpr } = fitCanvas(canvas, size, size);
  ctx.fillStyle = spec.theme?.bg ?? "#fff";
  ctx.fillRect(0, 0, w, h);
  ctx.font = FONT;
  if (spec.message || !spec.data || spec.data.d_in < 2) {
    ctx.fillStyle = spec.theme?.muted ?? MUTED;
    ctx.textAlign = "center";
    ctx.fillText(spec.message ?? "decision boundary: 2-D inputs only", w / 2, h / 2);
    return;
  }
  const C = Math.max(1, spec.classes);
  const reg = spec.classification === false;
  const [bx0, bx1, by0, by1] = spec.grid?.bounds ?? spec.bounds;
  const yr = spec.yRange ?? [0, 1];
  if (spec.grid) {
    const { res, values } = spec.grid;
    scratch.width = res;
    scratch.height = res;
    const sctx = scratch.getContext("2d");
    const img = sctx.createImageData(res, res);
    for (let j = 0; j < res; j++) {
      for (let i = 0; i < res; i++) {
        const base = (j * res + i) * C;
        let r = 0, g = 0, b = 0;
        if (reg) {
          [r, g, b] = regressionRgb((values[base] - yr[0]) / (yr[1] - yr[0] || 1));
        } else {
          let tot = 0;
          for (let k = 0; k < C; k++) {
            const p = Number.isFinite(values[base + k]) ? Math.max(0, values[base + k]) : 0;
            const c = CLASS_RGB[k % CLASS_RGB.length];
            r += p * c[0]; g += p * c[1]; b += p * c[2]; tot += p;
          }
          if (tot > 0) { r /= tot; g /= tot; b /= tot; } else { r = g = b = 200; }
          r = 255 - 0.55 * (255 - r); g = 255 - 0.55 * (255 - g); b = 255 - 0.55 * (255 - b); // lighten
        }
        const o = ((res - 1 - j) * res + i) * 4; // j counts from ymin: flip so ymin is at the bottom
        img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b; img.data[o + 3] = 255;
      }
    }
    sctx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(scratch, 0, 0, w, h);
  }
  ctx.drawImage(pointsLayer(canvas, spec, w, h, dpr, [bx0, bx1, by0, by1], yr, C, reg), 0, 0, w, h);
  ctx.strokeStyle = "#999";
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
}
