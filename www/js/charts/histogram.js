// A histogram on a log-x axis (singular values span decades), drawn by uPlot's bars path.
// Draws only: setData takes the values and the x range shared between charts; positive finite
// values are binned in log10, the others are counted and named in the axis label instead.
import uPlot from "../../vendor/uPlot.esm.js";
import { fmtTick } from "../format.js";

/** Most decades a histogram spans: uPlot cannot tick a log axis over about 30 decades (a
 *  plain net's Jacobian can have singular values of 1e-40); smaller values are counted. */
export const MAX_DECADES = 12;

/** [lo, hi] (positive) covering the positive finite values of every array, with a margin,
 *  at most MAX_DECADES wide (below it: counted, not drawn); a single value v gets [v/2, 2v].
 *  null when there is none. */
export function logRange(arrays) {
  let lo = Infinity, hi = -Infinity;
  for (const a of arrays) for (const v of a ?? []) if (Number.isFinite(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi >= lo)) return null;
  if (hi / lo < 4) { const m = Math.sqrt(hi * lo); return [Math.min(lo, m / 2), Math.max(hi, m * 2)]; }
  return [Math.max(lo / 1.15, hi * 1.15 / 10 ** MAX_DECADES), hi * 1.15];
}

/** Counts of `values` in `bins` equal bins of log10 over [lo, hi]: the bins' geometric
 *  centres, their counts, how many values were zero or not finite, and how many below lo. */
export function logBins(values, [lo, hi], bins) {
  const a = Math.log10(lo), b = Math.log10(hi);
  const counts = new Array(bins).fill(0);
  let skipped = 0, below = 0;
  for (const v of values) {
    if (!(Number.isFinite(v) && v > 0)) { skipped++; continue; }
    if (v < lo) { below++; continue; }
    counts[Math.min(bins - 1, Math.floor(((Math.log10(v) - a) / (b - a)) * bins))]++;
  }
  const centres = counts.map((_, k) => 10 ** (a + ((k + 0.5) / bins) * (b - a)));
  return { centres, counts, skipped, below };
}

export class Histogram {
  /** @param el container; opts { height, bins?, theme?: { ink, grid } } */
  constructor(el, opts) {
    this.el = el;
    this.opts = opts;
    this.note = Object.assign(document.createElement("p"), { className: "chart-note" });
    this.holder = document.createElement("div");
    el.append(this.holder, this.note);
    // the same height with or without bars, so that the page below does not jump when they arrive
    this.holder.style.minHeight = `${opts.height ?? 190}px`;
    this.mark = null;
    this.plot = null;
    this.color = null;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(el);
  }

  size() {
    return { width: Math.max(150, Math.floor(this.el.clientWidth)), height: this.opts.height ?? 190 };
  }

  build(color) {
    const t = this.opts.theme;
    const axis = t ? { stroke: t.ink, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 } } : {};
    this.plot?.destroy();
    this.color = color;
    this.plot = new uPlot({
      ...this.size(),
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, distr: 3, log: 10 }, y: { range: (u, min, max) => [0, Math.max(1, max ?? 1)] } },
      axes: [
        { ...axis, label: "singular value s (log scale)", labelSize: 18, size: 34, grid: { show: false }, values: (u, v) => v.map(fmtTick) },
        { ...axis, size: 40, values: (u, v) => v.map((c) => (Number.isInteger(c) ? String(c) : "")) },
      ],
      series: [{}, { stroke: color, fill: color, points: { show: false }, paths: uPlot.paths.bars({ size: [0.9, Infinity], align: 0 }) }],
      hooks: { draw: [(u) => this.drawMark(u)] },
    }, [[], []], this.holder);
  }

  /** The dashed line at `mark` (s = 1: perfect isometry). */
  drawMark(u) {
    const [lo, hi] = [u.scales.x.min, u.scales.x.max];
    if (this.mark == null || !(this.mark > lo && this.mark < hi)) return;
    const x = Math.round(u.valToPos(this.mark, "x", true)) + 0.5, { top, height } = u.bbox, ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = this.opts.theme?.ink ?? "#222";
    ctx.lineWidth = devicePixelRatio || 1;
    ctx.setLineDash([4, 3].map((d) => d * (devicePixelRatio || 1)));
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.restore();
  }

  /** @param d { values: number[] | Float32Array | null, range: [lo, hi] | null, color, mark?,
   *  message? (shown instead of bars) } */
  setData(d) {
    const values = d.values ?? [];
    const message = d.message ?? (!d.range || values.length === 0 ? "no data" : null);
    this.holder.style.visibility = message != null ? "hidden" : "";
    if (message != null) { this.note.textContent = message; return; }
    if (!this.plot || this.color !== d.color) this.build(d.color);
    this.mark = d.mark ?? null;
    const { centres, counts, skipped, below } = logBins(values, d.range, this.opts.bins ?? 30);
    this.note.textContent = [below ? `${below} below ${fmtTick(d.range[0])}` : "", skipped ? `${skipped} zero or non-finite` : ""]
      .filter(Boolean).join(", ") + (below || skipped ? " (not shown)" : "");
    this.plot.setData([centres, counts.map((c) => c || null)]); // empty bins draw nothing
    this.plot.setScale("x", { min: d.range[0], max: d.range[1] });
  }
}
