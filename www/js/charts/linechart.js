// A thin wrapper around uPlot: log or linear y, legend, hover cursor, resizes with its box.
// Draws only: setData takes prepared columns { x, series: [{label, color, dash, width, values}] }.
// uPlot as scripts/vendor.mjs builds it: no time scales, no bars, stepped or spline paths.
import uPlot from "../../vendor/uPlot.esm.js";
import { fmt, fmtTick } from "../format.js";

// A log axis spans at most LOG_FLOOR .. LOG_CEIL, in whole decades, and its ticks come from
// logSplits below, never from uPlot: uPlot's log ticks step through a table of increments
// from 1e-32 to 1e32, and a range outside it (a Xavier net 80 layers deep reaches 1e-40, a
// float32 that underflowed is 0) made its tick loop run for ~11 s and then throw "RangeError:
// Invalid array length". Values under the floor (0 included) and over the ceiling (Inf
// included) are left out of the lines and marked with a triangle on the plot's edge.
export const LOG_FLOOR = 1e-40, LOG_CEIL = 1e40;
const MARK = 5; // CSS px: half the width of an edge triangle

const decade = (e) => Number(`1e${e}`); // exact, unlike 10 ** e for negative e

/** [min, max] of a log axis: whole decades around the data, at least one decade wide. */
export function logRange(min, max) {
  if (!(min > 0 && max >= min && Number.isFinite(max))) return [0.1, 10];
  let lo = Math.floor(Math.log10(Math.max(min, LOG_FLOOR)) + 1e-9), hi = Math.ceil(Math.log10(Math.min(max, LOG_CEIL)) - 1e-9);
  if (hi <= lo) { lo -= 1; hi += 1; }
  return [decade(Math.max(lo, -40)), decade(Math.min(hi, 40))];
}

/** Ticks of a log axis [min, max] (whole decades): every k-th decade so that labels `px` apart
 *  fit in `height` CSS px; within a range of at most two decades the 2..9 multiples as well. */
export function logSplits(min, max, height, px = 16) {
  const lo = Math.round(Math.log10(min)), hi = Math.round(Math.log10(max));
  const out = [];
  if (hi - lo <= 2) {
    for (let e = lo; e < hi; e++) for (let m = 1; m < 10; m++) out.push(m * decade(e));
    out.push(decade(hi));
    return out;
  }
  const k = Math.max(1, Math.ceil((hi - lo) / Math.max(2, Math.floor(height / px))));
  for (let e = Math.ceil(lo / k) * k; e <= hi; e += k) out.push(decade(e));
  return out;
}

/** Labels of log ticks: every decade; within a range of at most two decades 2 and 5 as well
 *  (all multiples within one decade). */
export function logLabels(splits) {
  const decades = splits.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9).length;
  return splits.map((v) => {
    const m = Math.round(v / decade(Math.floor(Math.log10(v) + 1e-9)));
    return m === 1 || decades <= 2 && (m === 2 || m === 5) || decades <= 1 ? fmtTick(v) : "";
  });
}

/** A log chart's column: the values it can draw, and where the others go (edge marks). */
function logColumn(values) {
  const drawn = new Array(values.length), under = [], over = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || Number.isNaN(v)) drawn[i] = null;
    else if (v < LOG_FLOOR) { drawn[i] = null; under.push(i); }
    else if (v > LOG_CEIL) { drawn[i] = null; over.push(i); }
    else drawn[i] = v;
  }
  return { drawn, under, over };
}

/** Legend text of a value, as measured (a value off the axis included). */
function valueText(v) {
  if (v == null || Number.isNaN(v)) return "–";
  if (v === Infinity) return "Inf (overflow)";
  return fmt(v);
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
    this.raw = [];   // per series: the values as given (for the legend)
    this.marks = []; // per series: { under: [index], over: [index] } (log charts)
    this.note = document.createElement("p");
    this.note.className = "chart-note";
    this.note.hidden = true;
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

  /** Triangles on the bottom (under the floor) and top (over the ceiling) edges. */
  drawMarks(u) {
    const ctx = u.ctx, px = uPlot.pxRatio, { top, height } = u.bbox, half = MARK * px;
    ctx.save();
    this.marks.forEach((m, s) => {
      if (!m.under.length && !m.over.length) return;
      ctx.fillStyle = u.series[s + 1].stroke(u, s + 1);
      for (const [list, edge, dir] of [[m.under, top + height, -1], [m.over, top, 1]]) {
        for (const i of list) {
          const x = u.valToPos(u.data[0][i], "x", true);
          ctx.beginPath();
          ctx.moveTo(x - half, edge + dir * 2 * half);
          ctx.lineTo(x + half, edge + dir * 2 * half);
          ctx.lineTo(x, edge);
          ctx.closePath();
          ctx.fill();
        }
      }
    });
    ctx.restore();
  }

  build(series) {
    const o = this.opts;
    this.plot?.destroy();
    const yScale = o.log
      ? { distr: 3, log: 10, range: (u, min, max) => logRange(min, max) }
      : { range: o.yRange ? () => o.yRange : undefined };
    // one x value (the first round after restoring a saved state) gets a range around it, not
    // uPlot's ±10% (which read 916.1 … 916.9)
    const xScale = { time: false, range: (u, min, max) => (min == null ? [0, 1] : min === max ? [min - 1, max + 1] : [min, max]) };
    this.plot = new uPlot({
      ...this.size(),
      scales: { x: xScale, y: yScale },
      // the legend names the series; the values at the cursor are in a tooltip (tip below)
      legend: { live: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      hooks: {
        setCursor: [(u) => this.cursorMoved(u)],
        ...(o.log ? { draw: [(u) => this.drawMarks(u)] } : {}),
        // what the y axis shows, on the chart's element (for tests and the curious)
        drawAxes: [(u) => {
          const labels = (i) => (u.axes[i]._values ?? []).filter((t) => t !== "" && t != null).join(" ");
          const set = (k, v) => { if (this.el.dataset[k] !== v) this.el.dataset[k] = v; };
          set("yRange", `${u.scales.y.min} ${u.scales.y.max}`);
          set("yTicks", labels(1));
          set("xTicks", labels(0));
        }],
      },
      axes: [
        { label: o.xLabel, labelSize: 18, size: 36, ...axisTheme(o.theme), values: o.xInt ? (u, v) => v.map((t) => (Number.isInteger(t) ? t.toLocaleString("en-US") : "")) : undefined },
        o.log
          // one huge increment: uPlot picks an axis's tick step from a table that ends at 1e32
          // and draws no axis at all when none fits (a range of 1e-2 .. 1e40 had no labels);
          // logSplits ignores the step
          ? { label: o.yLabel, labelSize: 18, size: 52, ...axisTheme(o.theme), incrs: [1e300], filter: (u, splits) => splits,
            splits: (u, i, min, max) => logSplits(min, max, u.bbox.height / uPlot.pxRatio), values: (u, splits) => logLabels(splits) }
          : { label: o.yLabel, labelSize: 18, size: 52, ...axisTheme(o.theme), values: (u, v) => v.map((t) => fmt(t, 2)) },
      ],
      series: [
        { label: o.xLabel, value: (u, v) => (v == null ? "–" : fmt(v)) },
        ...series.map((s, si) => ({
          label: s.label, stroke: s.color, width: s.width ?? 2, dash: s.dash, spanGaps: true,
          points: { show: s.points ?? false, size: 4, fill: s.color },
          value: (u, v, sIdx, i) => (i == null ? "–" : valueText(this.raw[si]?.[i] ?? v)),
        })),
      ],
    }, [[], ...series.map(() => [])], this.el);
    this.el.append(this.note);
    // the tooltip: one row per series (colour, name, value at the cursor), made once per build
    this.tip = document.createElement("div");
    this.tip.className = "chart-tip";
    this.tip.hidden = true;
    this.tipHead = document.createElement("div");
    this.tipHead.className = "tip-head";
    this.tipRows = series.map((s) => {
      const row = document.createElement("div"), sw = document.createElement("span"), label = document.createElement("span"), value = document.createElement("b");
      sw.className = "tip-swatch";
      sw.style.borderTop = `${s.dash ? "2px dashed" : "3px solid"} ${s.color}`;
      label.textContent = `${s.label} `;
      row.append(sw, label, value);
      this.tip.append(row);
      return { row, value };
    });
    this.tip.prepend(this.tipHead);
    this.plot.over.append(this.tip);
  }

  /** Fills and places the tooltip at the cursor; tells opts.onCursor which x the user points at. */
  cursorMoved(u) {
    const idx = u.cursor.idx, tip = this.tip;
    if (!tip) return;
    const x = idx == null || u.cursor.left < 0 ? null : u.data[0][idx];
    // uPlot calls this on every redraw too: tell only of a change, and only the user's
    if (!this.programmatic && x !== this.cursorX) this.opts.onCursor?.(x);
    this.cursorX = x;
    if (idx == null || u.cursor.left < 0) { if (!tip.hidden) tip.hidden = true; return; }
    this.tipHead.textContent = `${this.opts.xLabel} ${Number.isInteger(x) ? x.toLocaleString("en-US") : fmt(x)}`;
    this.tipRows.forEach((r, si) => {
      const shown = u.series[si + 1]?.show !== false;
      r.row.hidden = !shown;
      if (shown) r.value.textContent = valueText(this.raw[si]?.[idx] ?? u.data[si + 1]?.[idx]);
    });
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight, W = u.over.clientWidth, H = u.over.clientHeight;
    const left = u.cursor.left + 14 + w > W ? Math.max(0, u.cursor.left - 14 - w) : u.cursor.left + 14;
    tip.style.transform = `translate(${left}px, ${Math.max(0, Math.min(H - h, u.cursor.top - h / 2))}px)`;
  }

  /** Marks x (a layer picked elsewhere, e.g. in the network strip) with the cursor and its
   *  tooltip; null takes the mark away. */
  highlight(x) {
    const u = this.plot;
    if (!u) return;
    this.programmatic = true;
    try {
      if (x == null || !u.data[0]?.length) u.setCursor({ left: -10, top: -10 });
      else u.setCursor({ left: u.valToPos(x, "x"), top: u.over.clientHeight / 2 });
    } finally { this.programmatic = false; }
  }

  /** @param d { x: number[], series: [{label, color, dash?, width?, values}], notes?: [string] } —
   *  values: numbers or null; on a log chart 0, values under LOG_FLOOR and Infinity are marked on
   *  the plot's edges. `notes` (curves left out, and why) are written under the plot. */
  setData(d) {
    const sig = d.series.map((s) => `${s.label}|${s.color}|${s.dash}|${s.points}`).join(";");
    if (!this.plot || sig !== this.signature) { this.build(d.series); this.signature = sig; }
    this.raw = d.series.map((s) => s.values);
    const cols = this.opts.log ? d.series.map((s) => logColumn(s.values)) : null;
    this.marks = cols ? cols.map(({ under, over }) => ({ under, over })) : [];
    const under = this.marks.some((m) => m.under.length), over = this.marks.some((m) => m.over.length);
    const note = [...(d.notes ?? []), under && "▼ on the bottom edge: under 1e-40, or exactly 0 (below the smallest float32)",
      over && "▲ on the top edge: over 1e40, or Inf (overflow)"].filter(Boolean).join(". ");
    if (this.note.textContent !== note) this.note.textContent = note;
    if (this.note.hidden !== !note) this.note.hidden = !note;
    this.plot.setData([d.x, ...(cols ? cols.map((c) => c.drawn) : d.series.map((s) => s.values))]);
  }
}
