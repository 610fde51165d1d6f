// One lab, mounted: two nets in their workers (sim.js), the chosen cards (cards.js) drawn by
// views.js, the controls, the preset picker, Play / Step / Reset, and the notices. The page
// (main.js, also in its iframe mode) and the <residual-lab> element (embed.js) both mount
// through here; what differs (the URL, the page's panels, an element's visibility and size) is
// theirs, passed in as hooks.
import { createState, markAllDirty } from "../state.js";
import { Sim } from "../sim.js";
import { createViews } from "../views.js";
import { createDataView } from "../ui/dataview.js";
import { buildControls } from "../ui/controls.js";
import { renderNotices } from "../ui/banners.js";
import { setPath } from "../schema.js";
import { PRESETS, presetById, presetConfig } from "../presets.js";
import { spectrumPanel } from "../theory/spectrum.js";
import { cardsHtml } from "./cards.js";
import { el } from "../ui/dom.js";

/**
 * @param root the page's document or an element's shadow root, holding #btn-play, #btn-step,
 *   #btn-reset, #step-count, #notices, #banners and a container #lab-cards for the cards
 * @param o {
 *   cfg, notices: the settings to start from and what was wrong with the link or attributes
 *   cards: card ids (cards.js), full: the page's cards (true) or the embed's compact ones
 *   boxFor(row): the element a setting's control goes in, or null for none
 *   viewOpts(): chart sizes and theme for views.js (called again by rebuildViews)
 *   noticeHeading: the line above the notices
 *   presets: "select" puts a preset picker in #preset-box (and its line in #preset-see, when present)
 *   onConfig(): after any change of the settings (the page writes its link)
 *   isPlaying(): what the Play button shows (the embed counts a play waiting for visibility)
 *   setPlaying(on): how Play, Step and Reset start and stop training (default: state.playing)
 * }
 */
export function mountLab(root, o) {
  const $ = (sel) => root.querySelector(sel);
  $("#lab-cards").innerHTML = cardsHtml(o.cards, { full: o.full });
  const state = createState(o.cfg);
  state.notices = o.notices ?? [];
  const sim = new Sim(state);
  const setPlaying = o.setPlaying ?? ((on) => { state.playing = on; });
  const isPlaying = o.isPlaying ?? (() => state.playing);
  const changed = () => o.onConfig?.();

  // own data: drawn points (on the boundary view) rebuild both nets
  const dataView = createDataView({ state, root, onChange: () => { state.cfg.view.preset = ""; restart(); } });
  let views = null;
  function rebuildViews() {
    for (const c of root.querySelectorAll("#lab-cards .chart")) c.replaceChildren();
    views = createViews(state, root, { ...o.viewOpts(), dataView });
    markAllDirty(state);
  }
  rebuildViews();
  // the Jacobian card of an embed (the page's is one of its theory panels)
  const spectrum = $("#card-spectrum") && !o.full ? spectrumPanel(state, sim, root, o.viewOpts().spectrum) : null;
  let spectrumGen = null;

  const showNotices = () => renderNotices($("#notices"), state.notices, () => { state.notices = []; showNotices(); }, o.noticeHeading);

  /** A value the lab can take (controls.js refuses the others beside their control). A change
   *  also retires the notices, which no longer describe what runs. */
  function onControl(row, c) {
    setPath(state.cfg, row.path, c.value);
    if (state.notices.length) { state.notices = []; showNotices(); }
    if (row.reset) {
      state.cfg.view.preset = "";
      restart();
    } else {
      if (row.key === "lr") sim.setLr(c.value);
      controls.sync(state.cfg);
      changed();
      markAllDirty(state);
    }
  }
  const controls = buildControls(o.boxFor, onControl, () => state.cfg);

  // the preset picker: one select, and under it what you should see
  const picker = o.presets === "select" && $("#preset-box") ? presetPicker() : null;
  function presetPicker() {
    const sel = el("select", { id: "preset-select", ...(o.full ? {} : { "aria-label": "Preset" }) },
      el("option", { value: "", text: "Your own settings" }), ...PRESETS.map((p) => el("option", { value: p.id, text: p.title })));
    const box = $("#preset-box");
    if (o.full) box.append(el("label", { for: "preset-select", text: "Preset" }));
    box.append(sel);
    sel.addEventListener("change", () => { const p = presetById(sel.value); if (p) choosePreset(p); });
    return {
      show() {
        const p = presetById(state.cfg.view.preset);
        sel.value = p ? p.id : "";
        const see = $("#preset-see"), text = $("#preset-text");
        if (see) see.textContent = p ? p.see : "Your own settings: change either net in Settings, or pick a preset above.";
        if (text) { text.textContent = p ? p.text : ""; text.closest("details")?.toggleAttribute("hidden", !p); }
      },
    };
  }

  async function choosePreset(p) {
    state.cfg = presetConfig(p, state.cfg);
    state.cfg.view.preset = p.id;
    state.notices = [];
    setPlaying(false);
    await restart();
    setPlaying(true);
  }

  /** The controls, the picker, the notices and the owner (its link) follow state.cfg. */
  function follow() {
    controls.reset(state.cfg);
    picker?.show();
    showNotices();
    changed();
  }

  /** Rebuilds both nets from state.cfg. */
  function restart() {
    follow();
    return sim.reset();
  }

  $("#btn-play").addEventListener("click", () => setPlaying(!isPlaying()));
  $("#btn-step").addEventListener("click", () => { setPlaying(false); sim.stepOnce(); });
  $("#btn-reset").addEventListener("click", () => { setPlaying(false); restart(); });

  let shownPlaying = null;
  const playBtn = $("#btn-play");
  /** One animation frame: the next training round when due, then the charts. */
  function frame(now) {
    sim.tick();
    views.render(now);
    if (spectrum) { spectrum.tick(now, spectrumGen !== state.generation); spectrumGen = state.generation; }
    const playing = isPlaying();
    if (playing !== shownPlaying) {
      shownPlaying = playing;
      playBtn.textContent = playing ? "Pause" : "Play";
      playBtn.setAttribute("aria-pressed", String(playing));
    }
  }

  return {
    state, sim, controls, restart, frame, rebuildViews, choosePreset, showNotices,
    get views() { return views; },
    /** Takes a config from elsewhere (a link, a restored state): the controls and picker follow. */
    adopt(cfg, notices = []) {
      state.cfg = cfg;
      state.notices = notices;
      follow();
    },
    stop() {
      state.generation++;
      for (const c of sim.clients) c.terminate();
    },
  };
}
