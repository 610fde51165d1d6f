// Creates every chart once and redraws the ones whose data changed (at most once per frame).
import { LineChart } from "./charts/linechart.js";
import { drawHeatmap, drawColorbar } from "./charts/heatmap.js";
import { drawBoundary } from "./charts/boundary.js";
import { profileData, curveData, heatRange, regime, netLabel, targetRange, STAT_LABELS } from "./prep.js";
import { renderTable } from "./ui/table.js";
import { renderBanners } from "./ui/banners.js";
import { REGIME_COLORS, NET_NAMES, NET_COLORS } from "./palette.js";
import { el, $ } from "./ui/dom.js";
import { fmt, fmtInt } from "./format.js";

export function createViews(state) {
  const fwd = new LineChart($("#chart-fwd"), { xLabel: "layer l", yLabel: "", log: true, height: 250, xInt: true });
  const bwd = new LineChart($("#chart-bwd"), { xLabel: "layer l", yLabel: "", log: true, height: 250, xInt: true });
  const loss = new LineChart($("#chart-loss"), { xLabel: "step", yLabel: "loss", log: true, height: 220 });
  const acc = new LineChart($("#chart-acc"), { xLabel: "step", yLabel: "accuracy", log: false, yRange: [0, 1], height: 220 });
  const heat = [$("#heat-a"), $("#heat-b")];
  const bound = [$("#boundary-a"), $("#boundary-b")];
  const tables = [$("#table-a"), $("#table-b")];
  const details = $("#table-details");
  let lastTable = 0;
  const drawn = { regimes: {}, colorbar: "" }; // what is on screen, to skip identical redraws

  // hand-drawn canvases redraw on resize too
  const ro = new ResizeObserver(() => { state.dirty.heat = true; state.dirty.boundary = true; });
  ro.observe($("#card-heat"));
  ro.observe($("#card-boundary"));
  details.addEventListener("toggle", () => { state.dirty.table = true; });

  function regimes(box, key, backward) {
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
      for (const c of document.querySelectorAll(`.cap-${i}`)) if (c.textContent !== text) c.textContent = text;
    });
    const step = Math.max(0, ...state.nets.map((n) => n.latest?.step ?? 0));
    $("#step-count").textContent = `step ${fmtInt(step)}`;
    const ms = state.nets.map((n) => n.stepMs);
    $("#round-ms").textContent = `worker time per round: A ${fmt(ms[0], 2)} ms, B ${fmt(ms[1], 2)} ms`;
  }

  function render(now) {
    const d = state.dirty;
    const v = state.cfg.view;
    if (d.profile) {
      state.shown.fwd = profileData(state, v.fwd);
      state.shown.bwd = profileData(state, v.bwd);
      fwd.setData(state.shown.fwd);
      bwd.setData(state.shown.bwd);
      $("#fwd-ylabel").textContent = `y: ${STAT_LABELS[v.fwd]} (log scale)`;
      $("#bwd-ylabel").textContent = `y: ${STAT_LABELS[v.bwd]} (log scale)`;
      regimes($("#regime-fwd"), v.fwd, false);
      regimes($("#regime-bwd"), v.bwd, true);
      $("#weight-warning").hidden = v.bwd === "grad_rms";
      captions();
      if (state.perf.firstChartMs === null && state.nets.some((n) => n.latest)) state.perf.firstChartMs = now;
    }
    if (d.curves) {
      loss.setData(curveData(state.hist, "loss"));
      acc.setData(curveData(state.hist, "acc"));
    }
    if (d.heat) {
      const [lo, hi] = heatRange(state.hist);
      state.nets.forEach((net, i) => drawHeatmap(heat[i], { cols: state.hist.heat[i], steps: state.hist.heatSteps, vmin: lo, vmax: hi,
        empty: net.status === "error" ? "this net could not run" : undefined }));
      const barSig = `${lo},${hi},${$("#heat-bar").parentElement.clientWidth}`;
      if (drawn.colorbar !== barSig) {
        drawn.colorbar = barSig;
        drawColorbar($("#heat-bar"), lo, hi, "colour: log₁₀ RMS of dL/dh_l (same scale for both nets)");
      }
    }
    if (d.boundary) {
      const box = $("#card-boundary .pair");
      const size = Math.max(140, Math.min(340, Math.floor((box.clientWidth - 16) / 2)));
      state.nets.forEach((net, i) => {
        const data = net.data;
        drawBoundary(bound[i], {
          size, grid: net.grid, classes: data?.classes ?? 2, classification: data?.classification, data, bounds: net.bounds,
          yRange: data && data.classification === false ? targetRange(data.y) : undefined,
          message: net.status === "error" ? "this net could not run" : !data ? "loading…" : undefined,
        });
      });
    }
    if (d.table && details.open && now - lastTable > 250) {
      lastTable = now;
      state.nets.forEach((net, i) => renderTable(tables[i], `Net ${NET_NAMES[i]}: ${netLabel(state.cfg.nets[i])}`, net.latest));
      d.table = false;
    }
    if (d.banner) renderBanners($("#banners"), state);
    const keepTable = d.table;
    for (const k of Object.keys(d)) d[k] = false;
    d.table = keepTable && details.open;
  }

  return { render };
}
