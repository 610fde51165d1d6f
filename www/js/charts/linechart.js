// A thin wrapper around uPlot: log or linear y, legend, hover cursor, resizes with its box.
// Draws only: setData takes prepared columns { x, series: [{label, color, dash, width, values}] }.
// uPlot as scripts/vendor.mjs builds it: no time scales, no bars, stepped or spline paths.
import uPlot from "../../vendor/uPlot.esm.js";
import { fmt, fmtTick } from "../format.js";

/** Log-axis labels: every decade when there is room, else every k-th decade (no overlap). */
function logTicks(u, splits) {
  const isDecade = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-6;
  const decades = splits.filter(isDecade).length;
  const room = Math.max(2, Math.floor(u.bbox.height / (devicePixelRatio || 1) / 16));
  const k = Math.max(1, Math.ceil(decades / room));
  const labels = splits.map((v) => (isDecade(v) && Math.round(Math.log10(v)) % k === 0 ? fmtTick(v) : ""));
  // a narrow range may hold at most one decade: then label the in-between ticks too
  return decades >= 2 ? labels : splits.map((v) => fmtTick(v));
}

const axisTheme = (t) => (t ? { stroke: t.ink, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 } } : {});

export class LineChart {
  /** @param el container; opts { xLabel, yLabel, log, yRange?: [min,max], height, xInt,
   *  theme?: { ink, grid } (axis text and grid colours, for dark hosts) } */
  constructor(el, opts) {
    this.el = el;
    this.opts = opts;
    this.plot = null;
    this.signature = "";
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(el);
  }

  size() {
    return { width: Math.max(200, Math.floor(this.el.clientWidth)), height: this.opts.height ?? 240 };
  }

  resize() {
    if (this.plot) {
      const s = this.size();
      if (s.width !== this.plot.width || s.height !== this.plot.height) this.plot.setSize(s);
    }
  }

  build(series) {
    const o = this.opts;
    this.plot?.destroy();
    const yScale = o.log
      ? { distr: 3, log: 10, range: (u, min, max) => (min > 0 && max > 0 ? uPlot.rangeLog(min, max, 10, true) : [0.1, 10]) }
      : { range: o.yRange ? () => o.yRange : undefined };
    this.plot = new uPlot({
      ...this.size(),
      scales: { x: { time: false }, y: yScale },
      legend: { live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      axes: [
        { label: o.xLabel, labelSize: 18, size: 36, ...axisTheme(o.theme), values: o.xInt ? (u, v) => v.map((t) => (Number.isInteger(t) ? String(t) : "")) : undefined },
        { label: o.yLabel, labelSize: 18, size: 52, ...axisTheme(o.theme), values: o.log ? logTicks : (u, v) => v.map((t) => fmt(t, 2)) },
      ],
      series: [
        { label: o.xLabel, value: (u, v) => (v == null ? "–" : fmt(v)) },
        ...series.map((s) => ({
          label: s.label, stroke: s.color, width: s.width ?? 2, dash: s.dash, spanGaps: true,
          points: { show: s.points ?? false, size: 4, fill: s.color },
          value: (u, v) => (v == null ? "–" : fmt(v)),
        })),
      ],
    }, [[], ...series.map(() => [])], this.el);
  }

  /** @param d { x: number[], series: [{label, color, dash?, width?, values}] } — values: numbers or null */
  setData(d) {
    const sig = d.series.map((s) => `${s.label}|${s.color}|${s.dash}|${s.points}`).join(";");
    if (!this.plot || sig !== this.signature) { this.build(d.series); this.signature = sig; }
    this.plot.setData([d.x, ...d.series.map((s) => s.values)]);
  }
}
