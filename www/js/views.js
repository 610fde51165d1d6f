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

  // hand-drawn canvases redraw on resize too
  const ro = new ResizeObserver(() => { state.dirty.heat = true; state.dirty.boundary = true; });
  for (const card of [$("#card-heat"), $("#card-boundary")]) if (card) ro.observe(card);
  details?.addEventListener("toggle", () => { state.dirty.table = true; });

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
    setText("#round-ms", `worker time per round: A ${fmt(ms[0], 2)} ms, B ${fmt(ms[1], 2)} ms`);
  }

  function render(now) {
    const d = state.dirty;
    const v = state.cfg.view;
    if (d.profile) {
      state.shown.fwd = profileData(state, v.fwd);
      state.shown.bwd = profileData(state, v.bwd);
      fwd?.setData(state.shown.fwd);
      bwd?.setData(state.shown.bwd);
      setText("#fwd-ylabel", `y: ${STAT_LABELS[v.fwd]} (log scale)`);
      setText("#bwd-ylabel", `y: ${STAT_LABELS[v.bwd]} (log scale)`);
      regimes($("#regime-fwd"), v.fwd, false);
      regimes($("#regime-bwd"), v.bwd, true);
      if ($("#weight-warning")) $("#weight-warning").hidden = v.bwd === "grad_rms";
      captions();
      if (state.perf.firstChartMs === null && state.nets.some((n) => n.latest)) state.perf.firstChartMs = now;
    }
    if (d.curves) {
      loss?.setData(curveData(state.hist, "loss"));
      acc?.setData(curveData(state.hist, "acc"));
    }
    if (d.heat && heat[0]) {
      const [lo, hi] = heatRange(state.hist);
      state.nets.forEach((net, i) => drawHeatmap(heat[i], { cols: state.hist.heat[i], steps: state.hist.heatSteps, vmin: lo, vmax: hi,
        height: opts.heatHeight, theme: opts.theme, empty: net.status === "error" ? "this net could not run" : undefined }));
      const bar = $("#heat-bar");
      const barSig = bar ? `${lo},${hi},${bar.parentElement.clientWidth}` : "";
      if (bar && drawn.colorbar !== barSig) {
        drawn.colorbar = barSig;
        drawColorbar(bar, lo, hi, "colour: log₁₀ RMS of dL/dh_l (same scale for both nets)", opts.theme);
      }
    }
    if (d.boundary && bound[0]) {
      const box = $("#card-boundary .pair");
      const size = Math.max(opts.minBoundary ?? 140, Math.min(opts.maxBoundary ?? 340, Math.floor((box.clientWidth - 16) / 2)));
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
