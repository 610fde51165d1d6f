// Depth sweep at init: for each net, the mean over seeds (the statistic mean-field theory
// predicts), the median and the 10-90% band of the forward and backward signal at every depth,
// next to the mean-field prediction. The sweep runs in each net's worker (lab.depth_sweep) on
// the "Run sweep" button.
import { LineChart } from "../charts/linechart.js";
import { NET_COLORS, NET_NAMES } from "../palette.js";
import { positiveOrNull, scaledToTop } from "../prep.js";
import { fmt } from "../format.js";
import { netsSettled } from "./util.js";

const Z90 = 1.2816; // the 90% quantile of N(0, 1): p90 / p10 spans 2 * Z90 standard deviations

/** LineChart with shaded bands: a series with `bandTo: j` fills down to series j. */
class BandChart extends LineChart {
  build(series) {
    super.build(series);
    const rows = this.plot.root.querySelectorAll(".u-legend .u-series"); // row 0 is x
    series.forEach((s, i) => {
      if (s.bandTo !== undefined) this.plot.addBand({ series: [s.bandTo + 1, i + 1], fill: s.bandFill }); // [upper, lower]
      if (s.legend === false && rows[i + 1]) rows[i + 1].style.display = "none";
    });
  }
}

const col = (arr, len) => Array.from({ length: len }, (_, l) => positiveOrNull(arr?.[l]));

/** Columns for one side (fwd: act_mean_sq, bwd: grad_rms) of every net's sweep. */
export function sweepData(state, sweeps, side) {
  const len = Math.max(2, ...sweeps.map((s) => s?.act_mean_sq.mean.length ?? 0));
  const series = [];
  sweeps.forEach((s, i) => {
    if (!s) return;
    const b = side === "fwd" ? s.act_mean_sq : s.grad_rms;
    const name = NET_NAMES[i], color = NET_COLORS[i];
    const hi = series.length;
    series.push({ label: `${name} 90%`, color: `${color}55`, width: 0.8, legend: false, values: col(b.p90, len) });
    series.push({ label: `${name} 10%`, color: `${color}55`, width: 0.8, legend: false, values: col(b.p10, len), bandTo: hi, bandFill: `${color}33` });
    series.push({ label: `${name} mean (band 10–90%)`, color, width: 2.2, points: len <= 40, values: col(b.mean, len) });
    series.push({ label: `${name} median`, color, width: 1, dash: [6, 4], values: col(b.median, len) });
    const t = state.cfg.view.theory === false ? null : state.nets[i].theory;
    const th = side === "fwd" ? t?.second_moment : t?.grad_rms_relative && scaledToTop(t.grad_rms_relative, b.mean);
    if (th) series.push({ label: side === "fwd" ? `${name} theory` : `${name} theory, = mean at l=L`, color, width: 1.5, dash: [2, 3], values: col(th, len) });
  });
  return { x: Array.from({ length: len }, (_, l) => l), series };
}

/** One sentence per net: the spread of ln E[h_L²] over seeds and the gap between the geometric
 * mean and the mean, next to Hanin & Rolnick's √(5L/W) and exp(−5L/(2W)) for plain ReLU nets. */
function bandText(state, sweeps) {
  const parts = [];
  sweeps.forEach((s, i) => {
    const m = state.nets[i].config?.model;
    if (!s || !m) return;
    const b = s.act_mean_sq, L = b.mean.length - 1;
    const sigma = Math.log(b.p90[L] / b.p10[L]) / (2 * Z90);
    const est = Math.sqrt((5 * m.depth) / m.width), gap = Math.exp((-5 * m.depth) / (2 * m.width));
    const plainRelu = m.kind === "plain" && m.activation === "relu";
    parts.push(`Net ${NET_NAMES[i]} (${m.kind}, ${m.activation}, L = ${m.depth}, W = ${m.width}): the 10–90% band at l = L ` +
      `spans ×${fmt(Math.exp(2 * Z90 * sigma), 2)}, a spread of ${fmt(sigma, 2)} in ln E[h_L²]; ` +
      `the geometric mean over seeds is ${fmt(b.geo_mean[L] / b.mean[L], 2)} × the mean` +
      (plainRelu ? ` (√(5L/W) = ${fmt(est, 2)} and exp(−5L/(2W)) = ${fmt(gap, 2)} for plain ReLU).`
        : ` (for plain ReLU nets √(5L/W) = ${fmt(est, 2)} and exp(−5L/(2W)) = ${fmt(gap, 2)}).`) +
      (s.diverged ? ` ${s.diverged} of ${s.seeds} seeds gave NaN/Inf and are left out.` : ""));
  });
  return parts.join(" ");
}

export function sweepPanel(state, sim) {
  const $ = (s) => document.querySelector(s);
  if (!$("#card-sweep")) return null;
  const opts = { xLabel: "layer l", yLabel: "", log: true, height: 240, xInt: true };
  const charts = { fwd: new BandChart($("#chart-sweep-fwd"), opts), bwd: new BandChart($("#chart-sweep-bwd"), opts) };
  const btn = $("#btn-sweep"), status = $("#sweep-status"), band = $("#sweep-band"), seedsBox = $("#sweep-seeds");
  let result = null; // { gen, sweeps: [sweep | null, sweep | null] }
  let busy = false, drawn = "";

  function draw() {
    const sweeps = result?.sweeps ?? [null, null];
    for (const side of ["fwd", "bwd"]) charts[side].setData(sweepData(state, sweeps, side));
    band.textContent = result ? bandText(state, sweeps) : "";
  }

  async function run() {
    if (busy || !netsSettled(state)) return;
    const gen = state.generation;
    const seeds = Math.max(1, Math.min(64, Math.round(Number(seedsBox.value) || 32)));
    seedsBox.value = String(seeds);
    busy = true;
    btn.disabled = true;
    status.textContent = `running… (${seeds} fresh nets at init per net, in the workers)`;
    const t0 = performance.now();
    const msgs = await Promise.all(sim.clients.map((c, i) => (state.nets[i].status === "ready"
      ? c.request("sweep", { seeds }) : Promise.resolve({ type: "error", message: state.nets[i].error ?? "no net" }))));
    busy = false;
    btn.disabled = false;
    if (gen !== state.generation) { status.textContent = "the settings changed while the sweep ran: run it again"; return; }
    result = { gen, sweeps: msgs.map((m) => (m.type === "sweep" ? m.sweep : null)) };
    const errs = msgs.map((m, i) => (m.type === "sweep" ? "" : ` net ${NET_NAMES[i]}: ${m.message}.`)).join("");
    status.textContent = `${seeds} seeds per net, done in ${fmt((performance.now() - t0) / 1000, 2)} s.${errs}`;
    status.dataset.done = String(gen);
    drawn = "";
  }
  btn.addEventListener("click", run);

  return {
    tick(now, reset) {
      if (reset && result) { result = null; status.textContent = "settings changed: press Run sweep"; delete status.dataset.done; }
      const sig = `${result?.gen}|${state.cfg.view.theory}|${state.nets.map((n) => n.status).join()}`;
      if (sig === drawn) return;
      drawn = sig;
      draw();
      if (!result && !busy && !status.textContent) status.textContent = "press Run sweep";
    },
  };
}
