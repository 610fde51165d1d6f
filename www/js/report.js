// Shapes what the core returns into plain objects with Float32Array series,
// ready to be posted across the worker boundary (used by the worker only).

export const LAYER_KEYS = ["act_mean", "act_mean_sq", "act_var", "dead_frac", "grad_rms",
  "weight_grad_norm", "weight_norm", "update_ratio", "nonfinite"];

/** A report with owned Float32Arrays; their buffers are pushed onto `transfer`. */
export function packReport(r, transfer) {
  const layers = {};
  for (const k of Object.keys(r.layers ?? {})) {
    let a = r.layers[k];
    a = a instanceof Float32Array ? a : Float32Array.from(a ?? []);
    if (a.byteOffset !== 0 || a.buffer.byteLength !== a.byteLength || transfer.includes(a.buffer)) a = a.slice();
    layers[k] = a;
    transfer.push(a.buffer);
  }
  const d = r.diverged;
  return {
    step: Number(r.step),
    loss: r.loss == null ? NaN : Number(r.loss),
    accuracy: r.accuracy == null ? null : Number(r.accuracy),
    diverged: d ? { step: Number(d.step), layer: d.layer, what: String(d.what ?? "") } : null,
    layers,
  };
}

/** [xmin, xmax, ymin, ymax] around the first two input columns, with a margin; for 1-D inputs
 *  [xmin, xmax] of the one column and [-1, 1] (the fitted-curve view takes y from the targets). */
export function dataBounds(x, dIn) {
  if (x.length < 2 || dIn < 1) return [-1, 1, -1, 1];
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < x.length; i += dIn) {
    const a = x[i], b = dIn >= 2 ? x[i + 1] : 0;
    if (Number.isFinite(a)) { x0 = Math.min(x0, a); x1 = Math.max(x1, a); }
    if (Number.isFinite(b)) { y0 = Math.min(y0, b); y1 = Math.max(y1, b); }
  }
  if (!(x1 > x0)) { x0 = -1; x1 = 1; }
  if (!(y1 > y0)) { y0 = -1; y1 = 1; }
  const mx = 0.08 * (x1 - x0), my = 0.08 * (y1 - y0);
  return dIn >= 2 ? [x0 - mx, x1 + mx, y0 - my, y1 + my] : [x0 - mx, x1 + mx, -1, 1];
}

/** The inputs of a 1-D prediction curve: `n` points evenly across [xmin, xmax]. */
export function curveInputs(bounds, n) {
  const [x0, x1] = bounds;
  return Float32Array.from({ length: n }, (_, k) => x0 + ((x1 - x0) * k) / (n - 1));
}
