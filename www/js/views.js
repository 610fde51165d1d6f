// Creates every chart once and redraws the ones whose data changed (at most once per frame).
import { LineChart } from "./charts/linechart.js";
import { drawHeatmap, drawColorbar } from "./charts/heatmap.js";
import { drawBoundary } from "./charts/boundary.js";
import { profileData, curveData, heatRange, regime, netLabel, targetRange, STAT_LABELS } from "./prep.js";
import { renderTable } from "./ui/table.js";
import { renderBanners } from "./ui/banners.js";
import { REGIME_COLORS, NET_NAMES, NET_COLORS } from "./palette.js";
import { el } from "./ui/dom.js";
import { fmt, fmtInt } from "./format.js";

/**
 * @param state the one state object
 * @param root where the chart elements are (the page's document, or an embed's shadow root);
 *   charts whose elements are absent are skipped, so an embed shows only the ones it chose
 * @param opts { chartHeight?: px for the line charts, theme?: { bg, ink, muted, grid } for dark hosts }
 */
export function createViews(state, root = document, opts = {}) {
  const $ = (sel) => root.querySelector(sel);
  const line = (sel, o) => ($(sel) ? new LineChart($(sel), { ...o, height: opts.chartHeight ?? o.height, theme: opts.theme }) : null);
  const fwd = line("#chart-fwd", { xLabel: "layer l", yLabel: "", log: true, height: 250, xInt: true });
  const bwd = line("#chart-bwd", { xLabel: "layer l", yLabel: "", log: true, height: 250, xInt: true });
  const loss = line("#chart-loss", { xLabel: "step", yLabel: "loss", log: true, height: 220 });
  const acc = line("#chart-acc", { xLabel: "step", yLabel: "accuracy", log: false, yRange: [0, 1], height: 220 });
  const heat = [$("#heat-a"), $("#heat-b")];
  const bound = [$("#boundary-a"), $("#boundary-b")];
  const tables = [$("#table-a"), $("#table-b")];
  const details = $("#table-details");
  const setText = (sel, text) => { const e = $(sel); if (e && e.textContent !== text) e.textContent = text; };
  let lastTable = 0;
  const drawn = { regimes: {}, colorbar: "" }; // what is on screen, to skip identical redraws

  // Widths of the hand-drawn charts' boxes, read when they resize (reading clientWidth while
  // drawing would force a layout on every redraw); they redraw on resize too.
  const widths = new Map();
  const widthOf = (e) => widths.get(e) ?? (widths.set(e, e.clientWidth), e.clientWidth);
  const ro = new ResizeObserver((entries) => {
    for (const en of entries) if (widths.has(en.target)) widths.set(en.target, en.target.clientWidth);
    state.dirty.heat = true; state.dirty.boundary = true;
  });
  const heatBox = heat[0]?.parentElement, heatBox1 = heat[1]?.parentElement, barBox = $("#heat-bar")?.parentElement;
  const boundBox = $("#card-boundary .pair");
  for (const e of [$("#card-heat"), $("#card-boundary"), heatBox, heatBox1, barBox, boundBox]) if (e) { widthOf(e); ro.observe(e); }
  details?.addEventListener("toggle", () => { state.dirty.table = true; });

  // Charts out of view redraw at most once a second (and at once when they scroll into view);
  // the heatmaps, which redraw a whole history, at most 4 times a second when in view.
  const PACE = { profile: 0, curves: 0, heat: 250, boundary: 0 };
  const OUT_OF_VIEW_MS = 1000;
  const cardOf = { profile: [$("#chart-fwd"), $("#chart-bwd")], curves: [$("#chart-loss"), $("#chart-acc")],
    heat: [heat[0]], boundary: [bound[0]] };
  const inView = new Map(); // card element -> boolean
  const cardsFor = {};
  const io = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver((entries) => {
    for (const en of entries) inView.set(en.target, en.isIntersecting);
    for (const [k, cards] of Object.entries(cardsFor)) if (cards.some((c) => inView.get(c) && pendingDraw[k])) state.dirty[k] = true;
  });
  for (const [k, els] of Object.entries(cardOf)) {
    cardsFor[k] = els.filter(Boolean).map((e) => e.closest("section") ?? e);
    for (const c of cardsFor[k]) { inView.set(c, true); io?.observe(c); }
  }
  const lastDraw = { profile: -1e9, curves: -1e9, heat: -1e9, boundary: -1e9 };
  const pendingDraw = {}; // kinds whose new data is waiting for their pace
  const UNPACED_DRAWS = 3; // a fresh run's first draws (empty, first evaluation, first round) are not delayed
  let drawsGen = null;
  const draws = { profile: 0, curves: 0, heat: 0, boundary: 0 };
  /** Whether a chart kind with new data draws in this frame. */
  function due(k, now) {
    if (drawsGen !== state.generation) { drawsGen = state.generation; for (const j of Object.keys(draws)) draws[j] = 0; }
    const visible = !io || cardsFor[k].length === 0 || cardsFor[k].some((c) => inView.get(c));
    const wait = draws[k] < UNPACED_DRAWS ? 0 : visible ? PACE[k] : OUT_OF_VIEW_MS;
    if (now - lastDraw[k] < wait) { pendingDraw[k] = true; return false; }
    lastDraw[k] = now;
    draws[k]++;
    pendingDraw[k] = false;
    return true;
  }

  function regimes(box, key, backward) {
    if (!box) return;
    const items = state.nets.map((net, i) => {
      const v = net.latest?.layers?.[key];
      if (net.status !== "ready" || !v) return null;
      const r = regime(Array.from(v), backward);
      return el("li", { class: "regime", "data-regime": r.regime, style: `--net:${NET_COLORS[i]};--reg:${REGIME_COLORS[r.regime]}` },
        el("span", { class: "swatch", "aria-hidden": "true" }),
        el("strong", { text: `${NET_NAMES[i]}: ` }),
        el("span", { class: "tag", text: r.regime }),
        document.createTextNode(` ${backward ? "toward layer 0, " : ""}${r.text}`));
    }).filter(Boolean);
    const sig = items.map((li) => li.textContent + li.dataset.regime).join("|");
    if (drawn.regimes[box.id] === sig) return;
    drawn.regimes[box.id] = sig;
    box.replaceChildren(...items);
  }

  function captions() {
    state.nets.forEach((net, i) => {
      const text = `${NET_NAMES[i]}: ${netLabel(state.cfg.nets[i])}`;
      for (const c of root.querySelectorAll(`.cap-${i}`)) if (c.textContent !== text) c.textContent = text;
    });
    const step = Math.max(0, ...state.nets.map((n) => n.latest?.step ?? 0));
    setText("#step-count", `step ${fmtInt(step)}`);
    const ms = state.nets.map((n) => n.stepMs);
    const simd = state.nets.find((n) => n.simd)?.simd;
    const build = simd === "relaxed-simd" ? " (wasm, relaxed SIMD)" : simd ? " (wasm, simd128)" : "";
    setText("#round-ms", `worker time per round: A ${fmt(ms[0], 2)} ms, B ${fmt(ms[1], 2)} ms${build}`);
  }

  function render(now) {
    const d = state.dirty;
    const v = state.cfg.view;
    for (const k of Object.keys(PACE)) if (pendingDraw[k]) d[k] = true;
    // the captions and step counter follow every report, whether the charts draw or not
    if (d.profile) captions();
    if (d.profile && due("profile", now)) {
      state.shown.fwd = profileData(state, v.fwd);
      state.shown.bwd = profileData(state, v.bwd);
      fwd?.setData(state.shown.fwd);
      bwd?.setData(state.shown.bwd);
      setText("#fwd-ylabel", `y: ${STAT_LABELS[v.fwd]} (log scale)`);
      setText("#bwd-ylabel", `y: ${STAT_LABELS[v.bwd]} (log scale)`);
      regimes($("#regime-fwd"), v.fwd, false);
      regimes($("#regime-bwd"), v.bwd, true);
      if ($("#weight-warning")) $("#weight-warning").hidden = v.bwd === "grad_rms";
      if (state.perf.firstChartMs === null && state.nets.some((n) => n.latest)) state.perf.firstChartMs = now;
    }
    if (d.curves && due("curves", now)) {
      loss?.setData(curveData(state.hist, "loss"));
      acc?.setData(curveData(state.hist, "acc"));
    }
    if (d.heat && heat[0] && due("heat", now)) {
      const [lo, hi] = heatRange(state.hist);
      state.nets.forEach((net, i) => drawHeatmap(heat[i], { cols: state.hist.heat[i], steps: state.hist.heatSteps, vmin: lo, vmax: hi,
        width: widthOf(heat[i].parentElement),
        height: opts.heatHeight, theme: opts.theme, empty: net.status === "error" ? "this net could not run" : undefined }));
      const bar = $("#heat-bar");
      const barSig = bar ? `${lo},${hi},${widthOf(bar.parentElement)}` : "";
      if (bar && drawn.colorbar !== barSig) {
        drawn.colorbar = barSig;
        drawColorbar(bar, lo, hi, "colour: log₁₀ RMS of dL/dh_l (same scale for both nets)", opts.theme, widthOf(bar.parentElement));
      }
    }
    if (d.boundary && bound[0] && due("boundary", now)) {
      const size = Math.max(opts.minBoundary ?? 140, Math.min(opts.maxBoundary ?? 340, Math.floor((widthOf(boundBox) - 16) / 2)));
      state.nets.forEach((net, i) => {
        const data = net.data;
        drawBoundary(bound[i], {
          size, theme: opts.theme, grid: net.grid, classes: data?.classes ?? 2, classification: data?.classification, data, bounds: net.bounds,
          yRange: data && data.classification === false ? targetRange(data.y) : undefined,
          message: net.status === "error" ? "this net could not run" : !data ? "loading…" : undefined,
        });
      });
    }
    if (d.table && details?.open && now - lastTable > 250) {
      lastTable = now;
      state.nets.forEach((net, i) => renderTable(tables[i], `Net ${NET_NAMES[i]}: ${netLabel(state.cfg.nets[i])}`, net.latest));
      d.table = false;
    }
    if (d.banner && $("#banners")) renderBanners($("#banners"), state);
    const keepTable = d.table;
    for (const k of Object.keys(d)) d[k] = false;
    d.table = keepTable && !!details?.open;
  }

  return { render };
}
