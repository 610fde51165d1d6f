// Wiring only: state from the URL, controls, presets, the simulation and the frame loop.
// index.html?embed=1&preset=..&charts=..&controls=..&autoplay=1 is the iframe mode: no page
// chrome, only the chosen charts and controls (see embedopts.js).
import { parseHash, writeHash, setPath, defaults } from "./schema.js";
import { createState, markAllDirty } from "./state.js";
import { Sim } from "./sim.js";
import { createViews } from "./views.js";
import { buildControls } from "./ui/controls.js";
import { renderNotices } from "./ui/banners.js";
import { PRESETS, presetById, presetConfig } from "./presets.js";
import { installDebugHandle } from "./debug.js";
import { el, $ } from "./ui/dom.js";
import { embedOptions, CHARTS, DARK_THEME, prefersDark } from "./embedopts.js";
import { buildExportPanel } from "./ui/exportpanel.js";
import { cfgFromLabConfigs } from "./export.js";
import { initTheory } from "./theory/index.js";
import { createDataView } from "./ui/dataview.js";
import { buildDataPanel } from "./ui/datapanel.js";
import { adoptRestoredData, linkPointsProblem } from "./data/owndata.js";

const query = new URLSearchParams(location.search);
const embed = query.get("embed") === "1"
  ? embedOptions((k) => (k === "config" && location.hash.length > 1 ? location.hash : query.get(k))) : null;
const parsed = embed ?? parseWithPreset(location.hash);
const state = createState(parsed.cfg);
state.notices = parsed.notices;
const sim = new Sim(state);
if (embed) applyEmbedLayout(embed);
// own data: points drawn on the boundary view rebuild both nets
const dataView = createDataView({ state, onChange: () => { state.cfg.view.preset = ""; restart(); } });
if (linkPointsProblem(state)) state.notices.push(linkPointsProblem(state));
const views = createViews(state, document, { ...(embed && prefersDark() ? { theme: DARK_THEME } : {}), dataView });
installDebugHandle(state);

const boxes = { a: $("#fs-a"), b: $("#fs-b"), data: $("#fs-data"), opt: $("#fs-opt"), run: $("#ctl-run") };
const controls = buildControls(
  embed ? (row) => (embed.rows.has(row.key) ? boxes.run : null)
    : (row) => (row.key === "fwd" ? $("#select-fwd") : row.key === "bwd" ? $("#select-bwd") : boxes[row.group] ?? null),
  onControl, () => state.cfg);

/** A link naming a preset starts from that preset's settings; its other keys apply on top
 *  (the page writes `preset=` only while the settings are the preset's own). */
function parseWithPreset(hash) {
  const first = parseHash(hash);
  const p = presetById(first.cfg.view.preset);
  return p ? parseHash(hash, presetConfig(p, defaults())) : first;
}

/** Iframe mode: hides the page chrome and every chart and control that was not chosen. */
function applyEmbedLayout(o) {
  document.documentElement.classList.add("embed");
  for (const sel of ["header.top", "section.settings", "footer.foot", "#card-export", "#own-data"]) $(sel)?.remove();
  $("main").prepend(el("h1", { class: "visually-hidden", text: "Residual Lab" })); // the page's name, for screen readers
  if (!o.buttons.has("preset")) $(".presets")?.remove();
  for (const b of ["play", "step", "reset"]) if (!o.buttons.has(b)) $(`#btn-${b}`).hidden = true;
  const keep = new Set(o.charts.map((c) => CHARTS[c]));
  for (const card of document.querySelectorAll("main.cards > section.card")) if (!keep.has(card.id)) card.remove();
  if (o.charts.includes("table")) $("#table-details").open = true;
}

let writtenHash = "";
function writeUrl() {
  writtenHash = writeHash(state.cfg);
  if (writtenHash !== location.hash) history.replaceState(null, "", writtenHash);
}

function showNotices() {
  renderNotices($("#notices"), state.notices, () => { state.notices = []; showNotices(); },
    embed ? "Some settings of this embed were not used:" : "Some settings from the link were not used:");
}

function showPreset() {
  const p = presetById(state.cfg.view.preset);
  for (const b of document.querySelectorAll("#preset-buttons button")) b.setAttribute("aria-pressed", String(b.dataset.preset === p?.id));
  $("#preset-text").textContent = p ? `${p.title}: ${p.text}` : "Pick a preset to load a classic comparison, or set up both nets yourself below.";
}

function showPresetIfShown() { if ($("#preset-buttons")) showPreset(); }

function restart() {
  controls.reset(state.cfg);
  writeUrl();
  showPresetIfShown();
  showNotices();
  return sim.reset();
}

/** A value the lab can take (controls.js refuses the others beside their control). A change
 *  also retires the notices about the link, which no longer holds what they describe. */
function onControl(row, c) {
  setPath(state.cfg, row.path, c.value);
  if (state.notices.length) { state.notices = []; showNotices(); }
  if (row.reset) {
    state.cfg.view.preset = "";
    restart();
  } else {
    if (row.key === "lr") sim.setLr(c.value);
    controls.sync(state.cfg);
    writeUrl();
    markAllDirty(state);
  }
}

for (const p of $("#preset-buttons") ? PRESETS : []) {
  $("#preset-buttons").append(el("button", { type: "button", "data-preset": p.id, text: p.title, "aria-pressed": "false",
    onclick: async () => {
      state.cfg = presetConfig(p, state.cfg);
      state.cfg.view.preset = p.id;
      state.notices = [];
      state.playing = false;
      await restart();
      state.playing = true;
    } }));
}

const playBtn = $("#btn-play");
playBtn.addEventListener("click", () => { state.playing = !state.playing; });
$("#btn-step").addEventListener("click", () => { state.playing = false; sim.stepOnce(); });
$("#btn-reset").addEventListener("click", () => { state.playing = false; restart(); });

window.addEventListener("hashchange", () => {
  if (location.hash === writtenHash) return;
  const p = parseHash(location.hash);
  state.cfg = p.cfg;
  state.notices = p.notices;
  state.playing = false;
  restart();
});

let shownPlaying = null;
function frame(now) {
  state.perf.frames++;
  sim.tick();
  const t = performance.now();
  views.render(now);
  state.perf.renderMs = 0.9 * state.perf.renderMs + 0.1 * (performance.now() - t); // moving average
  if (shownPlaying !== state.playing) {
    shownPlaying = state.playing;
    playBtn.textContent = state.playing ? "Pause" : "Play";
    playBtn.setAttribute("aria-pressed", String(state.playing));
  }
  requestAnimationFrame(frame);
}

if ($("#card-export")) {
  buildExportPanel($("#card-export"), { state, sim, onRestored(configs) {
    const before = state.cfg;
    state.cfg = cfgFromLabConfigs(configs, state.cfg);
    adoptRestoredData(state, before); // custom data comes back as drawn points or a loaded file
    state.notices = [];
    controls.reset(state.cfg);
    writeUrl();
    showPresetIfShown();
    showNotices();
  } });
}

if ($("#own-data")) buildDataPanel($("#own-data"), { state, onApply: restart });

// On a phone the settings start folded so the charts are on the first screens.
if (window.matchMedia("(max-width: 700px)").matches && $("details.controls")) $("details.controls").open = false;
if (!embed && $("#theory")) initTheory({ state, sim, restart });
else $("#theory")?.remove(); // the iframe mode shows only the chosen charts
restart().then(() => { if (embed?.autoplay) state.playing = true; });
requestAnimationFrame(frame);
