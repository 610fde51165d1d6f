// A uPlot chart for the experiment cards: several series, each with its own x values (merged
// into one x column, gaps where a series has no point), linear or log axes, a legend. Draws
// only: setData takes prepared series.
import uPlot from "../../vendor/uPlot.esm.js";
import { fmt } from "../format.js";
import { logLabels, logRange, logSplits } from "../charts/linechart.js";

/** Series [{x, y}] -> one sorted x column and one y column per series (null where absent, and
 * on a log axis where not positive). */
export function mergeColumns(series, { logX = false, logY = false } = {}) {
  const okX = (x) => Number.isFinite(x) && (!logX || x > 0);
  const okY = (y) => Number.isFinite(y) && (!logY || y > 0);
  const xs = [...new Set(series.flatMap((s) => s.x.filter(okX)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const cols = series.map((s) => {
    const col = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (index.has(x) && okY(y)) col[index.get(x)] = y;
    });
    return col;
  });
  return { xs, cols };
}

// Log axes as the lab's charts draw them (charts/linechart.js): whole decades, ticks from
// logSplits (uPlot's own log ticks fail beyond 1e±32), thinned to the axis's length.
const logScale = (fixed) => ({ distr: 3, log: 10, range: fixed ? () => fixed : (u, min, max) => logRange(min, max) });
const logAxis = (px) => ({
  incrs: [1e300], filter: (u, splits) => splits, values: (u, splits) => logLabels(splits),
  splits: (u, i, min, max) => logSplits(min, max, (i === 0 ? u.bbox.width : u.bbox.height) / uPlot.pxRatio, px),
});

export class Plot {
  /** @param el container; opts { xLabel, yLabel, logX, logY, yRange?: [min, max] (fixed; whole
   *  decades on a log axis), xRange?, height } */
  constructor(el, opts) {
    this.el = el;
    this.opts = opts;
    this.plot = null;
    this.signature = "";
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(el);
  }

  size() {
    return { width: Math.max(220, Math.floor(this.el.clientWidth)), height: this.opts.height ?? 220 };
  }

  resize() {
    if (!this.plot) return;
    const s = this.size();
    if (s.width !== this.plot.width || s.height !== this.plot.height) this.plot.setSize(s);
  }

  build(series) {
    const o = this.opts;
    this.plot?.destroy();
    const y = o.logY ? logScale(o.yRange) : { range: o.yRange ? () => o.yRange : undefined };
    const x = { time: false, ...(o.logX ? logScale(o.xRange) : { range: o.xRange ? () => o.xRange : undefined }) };
    const linear = { values: (u, v) => v.map((t) => fmt(t, 3)) };
    this.plot = new uPlot({
      ...this.size(),
      scales: { x, y },
      legend: { live: false },
      cursor: { drag: { x: false, y: false }, points: { size: 5 } },
      axes: [
        { label: o.xLabel, labelSize: 16, size: 34, ...(o.logX ? logAxis(60) : linear) },
        { label: o.yLabel, labelSize: 16, size: 50, ...(o.logY ? logAxis(16) : linear) },
      ],
      series: [
        { label: o.xLabel },
        ...series.map((s) => ({
          label: s.label, stroke: s.color, width: s.width ?? 1.6, dash: s.dash, spanGaps: true,
          points: { show: s.points ?? false, size: 5, fill: s.color },
        })),
      ],
    }, [[], ...series.map(() => [])], this.el);
  }

  /** @param series [{label, color, x: number[], y: number[], dash?, width?, points?}] */
  setData(series) {
    const shown = series.filter((s) => s.x.length);
    const sig = shown.map((s) => `${s.label}|${s.color}|${s.dash}|${s.points}`).join(";");
    if (!this.plot || sig !== this.signature) { this.build(shown); this.signature = sig; }
    const { xs, cols } = mergeColumns(shown, this.opts);
    this.plot.setData([xs, ...cols]);
    // for tests and debugging: how many points are drawn
    this.el.dataset.points = String(cols.reduce((n, c) => n + c.filter((v) => v !== null).length, 0));
  }
}
