// The "Export / import" section: buttons for the trainer states (JSON), the per-layer history
// (CSV), each chart (PNG) and a PyTorch script per net; a file input and drag-and-drop anywhere
// on the page to restore a saved state. Bad files leave the running nets untouched.
import { pairJson, parsePair, statsCsv, chartPng, download } from "../export.js";
import { pytorchScript } from "../pytorch.js";
import { netLabel } from "../prep.js";
import { NET_NAMES } from "../palette.js";
import { el, $ } from "./dom.js";

const CHART_CARDS = [["card-fwd", "forward"], ["card-bwd", "backward"], ["card-heat", "heatmap"],
  ["card-loss", "loss"], ["card-acc", "accuracy"], ["card-boundary", "boundary"]];
// What the line styles of a card's legend mean (the legend carries names and colours only).
const STYLES = { "card-fwd": "solid: now; dashed: at init; dotted: mean-field theory",
  "card-bwd": "solid: now; dashed: at init; dotted: mean-field theory", "card-loss": "solid: train; dashed: test",
  "card-acc": "solid: train; dashed: test" };

/** What a card's PNG holds: its title, legend and notes, its canvases, its colour bar. */
function cardSpec(card) {
  const text = (sel) => [...card.querySelectorAll(sel)].map((e) => e.textContent.trim()).filter(Boolean);
  const title = card.querySelector("h2, h3")?.textContent.trim() ?? "";
  const plot = card.querySelector(".uplot canvas");
  if (plot) {
    const legend = [...card.querySelectorAll(".u-legend .u-series")].slice(1).map((row) => ({
      label: row.querySelector(".u-label")?.textContent ?? "", color: getComputedStyle(row.querySelector(".u-marker")).borderColor }));
    return { title, legend, lines: [...text(".caps .cap"), ...text(".axis-note"), STYLES[card.id], ...text(".chart-note:not([hidden])")],
      panels: [{ canvas: plot }] };
  }
  const figures = [...card.querySelectorAll(".pair figure")];
  return { title, columns: 2, lines: text(".chart-note:not([hidden])"), footer: [card.querySelector("#heat-bar")].filter(Boolean),
    panels: figures.map((f) => ({ canvas: f.querySelector("canvas"), caption: f.querySelector("figcaption")?.textContent.trim() })) };
}

/**
 * @param box the section element
 * @param { state, sim, onRestored(configs) } onRestored updates the URL config and controls
 */
export function buildExportPanel(box, { state, sim, onRestored }) {
  const status = $("#export-status", box);
  const say = (text, bad = false) => { status.textContent = text; status.classList.toggle("bad", bad); };
  const stamp = () => `step${Math.max(0, ...state.nets.map((n) => n.latest?.step ?? 0))}`;
  const guard = (fn) => async () => {
    try { await fn(); } catch (e) { say(e.message ?? String(e), true); }
  };

  const buttons = $("#export-buttons", box);
  buttons.append(
    el("button", { type: "button", id: "btn-export-state", text: "Trainer state (JSON)", onclick: guard(async () => {
      const jsons = await sim.saveStates();
      download(`residual-lab-state-${stamp()}.json`, pairJson(jsons), "application/json");
      say("Saved both trainer states. Drop the file on the page to continue from here, bit for bit.");
    }) }),
    el("button", { type: "button", id: "btn-export-csv", text: "Per-layer history (CSV)", onclick: guard(async () => {
      download(`residual-lab-layers-${stamp()}.csv`, statsCsv(state.hist, state.cfg.nets.map(netLabel)), "text/csv");
      say("Saved the per-layer statistics of every kept round (older rounds are thinned).");
    }) }),
    ...NET_NAMES.map((name, i) => el("button", { type: "button", id: `btn-export-torch-${name.toLowerCase()}`,
      text: `PyTorch script, net ${name}`, onclick: guard(async () => {
        const dump = await sim.weights(i);
        const fileName = `residual_lab_net_${name.toLowerCase()}.py`;
        const n = Math.min(4, state.nets[i].data?.n_train ?? 0);
        const x = state.nets[i].data ? Array.from(state.nets[i].data.x.slice(0, n * dump.data.d_in)) : [];
        download(fileName, pytorchScript(dump, { name, fileName, embedWeights: true, sampleX: x }), "text/x-python");
        say(`Saved ${fileName}: the architecture as torch.nn.Module with the lab's parameter names, weights included.`);
      }) })));
  const pngs = $("#export-png", box);
  for (const [id, what] of CHART_CARDS) {
    if (!document.getElementById(id)) continue;
    pngs.append(el("button", { type: "button", class: "small", "data-card": id, text: what, onclick: guard(async () => {
      download(`residual-lab-${what}-${stamp()}.png`, await chartPng(cardSpec(document.getElementById(id))));
      say(`Saved the ${what} chart as PNG.`);
    }) }));
  }

  async function restoreFrom(file) {
    if (!file) return;
    let jsons;
    try {
      jsons = parsePair(await file.text());
    } catch (e) {
      say(`Could not load ${file.name}: ${e.message}. The current run is unchanged.`, true);
      return;
    }
    say(`Loading ${file.name}…`);
    try {
      state.playing = false;
      const configs = await sim.restore(jsons);
      if (configs) onRestored(configs);
      say(`Restored both nets from ${file.name} at step ${Math.max(...state.nets.map((n) => n.latest?.step ?? 0))}.`);
    } catch (e) {
      say(`Could not load ${file.name}: ${e.message}. The current run is unchanged.`, true);
    }
  }

  const input = $("#import-file", box);
  input.addEventListener("change", () => { restoreFrom(input.files[0]); input.value = ""; });
  const zone = $("#drop-zone", box);
  let depth = 0;
  document.addEventListener("dragenter", (e) => { if (e.dataTransfer?.types?.includes("Files")) { depth++; zone.classList.add("over"); } });
  document.addEventListener("dragleave", () => { if (--depth <= 0) { depth = 0; zone.classList.remove("over"); } });
  document.addEventListener("dragover", (e) => { if (e.dataTransfer?.types?.includes("Files")) e.preventDefault(); });
  document.addEventListener("drop", (e) => {
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    depth = 0;
    zone.classList.remove("over");
    restoreFrom(e.dataTransfer.files[0]);
  });
  return { restoreFrom };
}
