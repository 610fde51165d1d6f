// Wiring only: the page's lab (lab/mount.js) with its link, settings panel, autoplay and the
// page's own panels (own data, theory, export). index.html?embed=1&preset=..&charts=..&controls=..
// &autoplay=1 is the iframe mode: no page chrome, only the chosen charts and controls.
import { parseHash, writeHash, defaults } from "./schema.js";
import { mountLab } from "./lab/mount.js";
import { PAGE_CARDS } from "./lab/cards.js";
import { presetById, presetConfig, PRESETS } from "./presets.js";
import { installDebugHandle } from "./debug.js";
import { el, $ } from "./ui/dom.js";
import { embedOptions, CHARTS, DARK_THEME, prefersDark } from "./embedopts.js";
import { buildExportPanel } from "./ui/exportpanel.js";
import { cfgFromLabConfigs } from "./export.js";
import { initTheory } from "./theory/index.js";
import { buildDataPanel } from "./ui/datapanel.js";
import { adoptRestoredData, linkPointsProblem } from "./data/owndata.js";
import { initLayout, chartHeights, reducedMotion } from "./ui/layout.js";
import { statsForNerds } from "./ui/nerds.js";

const query = new URLSearchParams(location.search);
const embed = query.get("embed") === "1"
  ? embedOptions((k) => (k === "config" && location.hash.length > 1 ? location.hash : query.get(k))) : null;
if (embed) applyEmbedLayout(embed);
const parsed = embed ?? parseWithPreset(location.hash);

/** A link naming a preset starts from that preset's settings; its other keys apply on top
 *  (the page writes `preset=` only while the settings are the preset's own). A page opened
 *  without a link starts from the first preset: the contrast the lab is about. */
function parseWithPreset(hash) {
  if (!hash || hash === "#") {
    const cfg = presetConfig(PRESETS[0], defaults());
    cfg.view.preset = PRESETS[0].id;
    return { cfg, notices: [] };
  }
  const first = parseHash(hash);
  const p = presetById(first.cfg.view.preset);
  return p ? parseHash(hash, presetConfig(p, defaults())) : first;
}

/** Iframe mode: hides the page chrome; only the chosen charts and controls are built. */
function applyEmbedLayout(o) {
  document.documentElement.classList.add("embed");
  for (const sel of ["header.top", "#settings", "footer.foot", "#card-export", "#own-data", "#theory", "#nerds", "#btn-settings"]) $(sel)?.remove();
  $("main").prepend(el("h1", { class: "visually-hidden", text: "Residual Lab" })); // the page's name, for screen readers
  if (!o.buttons.has("preset")) for (const sel of [".presetbar", "#preset-box"]) $(sel)?.remove();
  for (const b of ["play", "step", "reset"]) if (!o.buttons.has(b)) $(`#btn-${b}`).hidden = true;
}

let writtenHash = "";
function writeUrl() {
  if (!lab) return;
  writtenHash = writeHash(lab.state.cfg);
  if (writtenHash !== location.hash) history.replaceState(null, "", writtenHash);
}

const boxes = { a: $("#fs-a"), b: $("#fs-b"), data: $("#fs-data"), opt: $("#fs-opt"), run: $("#fs-view") };
let lab = null;
lab = mountLab(document, {
  cfg: parsed.cfg, notices: parsed.notices,
  cards: embed ? embed.charts.map((c) => CHARTS[c]) : PAGE_CARDS, full: true,
  boxFor: embed ? (row) => (embed.rows.has(row.key) ? $("#ctl-run") : null)
    : (row) => (row.key === "fwd" ? $("#select-fwd") : row.key === "bwd" ? $("#select-bwd") : boxes[row.group] ?? null),
  viewOpts: () => ({ ...(embed && prefersDark() ? { theme: DARK_THEME } : {}), ...(embed ? {} : chartHeights(innerHeight, innerWidth)) }),
  noticeHeading: embed ? "Some settings of this embed were not used:" : "Some settings from the link were not used:",
  presets: "select",
  onConfig: writeUrl,
});
const state = lab.state;
if (linkPointsProblem(state)) { state.notices.push(linkPointsProblem(state)); lab.showNotices(); }
installDebugHandle(state);
if (embed) $("#table-details")?.setAttribute("open", "");

window.addEventListener("hashchange", () => {
  if (location.hash === writtenHash) return;
  const p = parseHash(location.hash);
  state.playing = false;
  lab.adopt(p.cfg, p.notices);
  lab.restart();
});

if ($("#card-export")) {
  buildExportPanel($("#card-export"), { state, sim: lab.sim, onRestored(configs) {
    const before = state.cfg;
    const cfg = cfgFromLabConfigs(configs, state.cfg);
    state.cfg = cfg;
    adoptRestoredData(state, before); // custom data comes back as drawn points or a loaded file
    lab.adopt(state.cfg, []);
  } });
}
if ($("#own-data")) buildDataPanel($("#own-data"), { state, onApply: lab.restart });
if (!embed) {
  initLayout();
  initTheory({ state, sim: lab.sim, restart: lab.restart });
}
const nerds = statsForNerds(state);

function frame(now) {
  state.perf.frames++;
  const t = performance.now();
  lab.frame(now);
  state.perf.renderMs = 0.9 * state.perf.renderMs + 0.1 * (performance.now() - t); // moving average
  nerds?.tick(now);
  requestAnimationFrame(frame);
}

// Training starts by itself, unless the reader prefers reduced motion (then Play starts it); the
// iframe mode plays when its link says autoplay=1.
const autoplay = embed ? embed.autoplay && !reducedMotion() : !reducedMotion();
lab.restart().then(() => { if (autoplay) state.playing = true; });
requestAnimationFrame(frame);
