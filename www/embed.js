// <residual-lab>: Residual Lab as a custom element, for blog posts. One module script:
//   <script type="module" src="https://example.org/residual-lab/embed.js"></script>
//   <residual-lab preset="degradation" controls="play,depth" charts="variance,gradient" height="420"></residual-lab>
// Attributes: preset (a js/presets.js id), config (the page's URL-hash syntax, e.g.
// "a.kind=plain&a.depth=30&seed=3"), charts (variance, gradient, heatmap, loss, accuracy,
// boundary, table), controls (play, step, reset, preset, or any setting: depth, init, lr, ...),
// autoplay, height, width (CSS pixels). Each element runs its own two workers, pauses while it is
// scrolled out of view, lives in a shadow root (styles neither leak in nor out) and follows the
// host's light or dark scheme. Everything (modules, worker, wasm, CSS) loads relative to this
// file, so the files can be copied to any static host; a cross-origin host needs the lab's
// server to send Access-Control-Allow-Origin.
import { Sim } from "./js/sim.js";
import { createState, markAllDirty } from "./js/state.js";
import { setPath, writeHash } from "./js/schema.js";
import { createViews } from "./js/views.js";
import { createDataView } from "./js/ui/dataview.js";
import { buildControls } from "./js/ui/controls.js";
import { renderNotices } from "./js/ui/banners.js";
import { PRESETS, presetById, presetConfig } from "./js/presets.js";
import { embedOptions, CHARTS, DARK_THEME, prefersDark } from "./js/embedopts.js";
import { fmtInt } from "./js/format.js";
import { el } from "./js/ui/dom.js";

const BASE = new URL(".", import.meta.url);
const ATTRS = ["preset", "config", "charts", "controls", "autoplay", "height", "width"];

// The same ids and structure as index.html, so js/views.js draws into them unchanged.
const CAPS = '<div class="caps"><span class="cap cap-0"></span><span class="cap cap-1"></span></div>';
const CARDS = {
  "card-fwd": `<h3>Forward signal <span class="ylabel" id="fwd-ylabel"></span></h3>${CAPS}<div class="chart" id="chart-fwd"></div><ul class="regimes" id="regime-fwd"></ul>`,
  "card-bwd": `<h3>Backward signal <span class="ylabel" id="bwd-ylabel"></span></h3>${CAPS}<div class="chart" id="chart-bwd"></div><ul class="regimes" id="regime-bwd"></ul>`,
  "card-heat": '<h3>Gradient over training: layer × step</h3><div class="pair"><figure><figcaption class="cap cap-0"></figcaption><canvas id="heat-a"></canvas></figure><figure><figcaption class="cap cap-1"></figcaption><canvas id="heat-b"></canvas></figure></div><div class="colorbar"><canvas id="heat-bar"></canvas></div>',
  "card-loss": `<h3>Loss (train solid, test dashed)</h3><div class="chart" id="chart-loss"></div>`,
  "card-acc": `<h3>Accuracy (train solid, test dashed)</h3><div class="chart" id="chart-acc"></div>`,
  "card-boundary": '<h3>Decision boundary</h3><div class="pair"><figure><figcaption class="cap cap-0"></figcaption><canvas id="boundary-a"></canvas></figure><figure><figcaption class="cap cap-1"></figcaption><canvas id="boundary-b"></canvas></figure></div>',
  "card-table": '<h3>Per-layer numbers</h3><details id="table-details" open><summary>latest report</summary><div class="pair"><div id="table-a" class="table-box"></div><div id="table-b" class="table-box"></div></div></details>',
};

export class ResidualLabElement extends HTMLElement {
  static get observedAttributes() { return ATTRS; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._run = null; // everything of one started lab; null when disconnected
  }

  connectedCallback() { if (!this._run) this._start(); }
  disconnectedCallback() { this._stop(); }
  attributeChangedCallback(name, old, now) {
    if (this._run && old !== now) { this._stop(); this._start(); } // a new choice: start over
  }

  /** Steps trained (the slower of the two nets) and both nets' status, for scripts and tests. */
  snapshot() {
    const s = this._run?.state;
    if (!s) return null;
    return { cfg: structuredClone(s.cfg), playing: s.playing, visible: this._run.visible,
      nets: s.nets.map((n) => ({ status: n.status, error: n.error, step: n.latest?.step ?? 0, loss: n.latest?.loss ?? null })) };
  }

  _start() {
    const o = embedOptions((k) => this.getAttribute(k));
    const root = this.shadowRoot;
    const state = createState(o.cfg);
    state.notices = o.notices;
    const run = { state, visible: true, wantPlay: false, raf: 0, views: null };
    this._run = run;
    if (o.height) this.style.setProperty("--rl-height", `${o.height}px`);
    if (o.width) this.style.setProperty("--rl-width", `${o.width}px`);
    const cards = o.charts.map((c) => CHARTS[c]);
    root.innerHTML = `<link rel="stylesheet" href="${new URL("vendor/uPlot.min.css", BASE)}">
      <link rel="stylesheet" href="${new URL("embed.css", BASE)}">
      <div class="rl" part="lab">
        <div class="bar">
          <button type="button" id="btn-play" class="primary" aria-pressed="false">Play</button>
          <button type="button" id="btn-step">Step</button>
          <button type="button" id="btn-reset">Reset</button>
          <span id="preset-box"></span>
          <span id="ctl-run" class="inline-fields"></span>
          <span id="step-count" class="status" aria-live="off">step 0</span>
        </div>
        <div id="notices"></div>
        <div id="banners" class="banners"></div>
        <div class="cards n${Math.min(cards.length, 3)}">${cards.map((id) => `<section class="card" id="${id}">${CARDS[id]}</section>`).join("")}</div>
        <p class="credit"><a id="open-lab" target="_blank" rel="noopener">Open in Residual Lab ↗</a></p>
      </div>`;
    const $ = (sel) => root.querySelector(sel);
    for (const b of ["play", "step", "reset"]) $(`#btn-${b}`).hidden = !o.buttons.has(b);

    const sim = new Sim(state);
    run.sim = sim;
    // With a height, size the charts so every row of cards fits in it (cards are >= 260 px wide).
    const cols = Math.max(1, Math.min(cards.filter((id) => id !== "card-heat" && id !== "card-table").length || 1,
      Math.floor(((o.width ?? this.clientWidth) || 600) / 268)));
    const rows = Math.ceil(cards.filter((id) => id !== "card-heat" && id !== "card-table").length / cols) + (cards.includes("card-heat") ? 1 : 0);
    // a card's other lines are one line each (embed.css): its title, two captions, four regime
    // badges (each net at init and now) and a note, about 150 px; the bar and the link take 64
    const rowPx = o.height ? (o.height - 64) / Math.max(1, rows) : 330;
    const viewOpts = () => ({
      chartHeight: Math.max(110, Math.min(480, rowPx - 150)), heatHeight: Math.max(70, Math.min(300, rowPx - 90)),
      maxBoundary: Math.max(90, rowPx - 60), minBoundary: 80, theme: prefersDark() ? DARK_THEME : undefined,
    });
    // own data: the test-split views for data that is not 2-D (the digits), drawing for src=draw
    const dataView = createDataView({ state, root, onChange: () => restart() });
    const buildViews = () => {
      for (const c of root.querySelectorAll(".chart")) c.replaceChildren();
      run.views = createViews(state, root, { ...viewOpts(), dataView });
      markAllDirty(state);
    };
    buildViews();
    run.mq = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
    run.onScheme = () => buildViews();
    run.mq?.addEventListener("change", run.onScheme);

    const showNotices = () => renderNotices($("#notices"), state.notices, () => { state.notices = []; showNotices(); },
      "Some attributes of this <residual-lab> were not used:");
    const controls = buildControls((row) => (o.rows.has(row.key) ? $("#ctl-run") : null), (row, c) => {
      setPath(state.cfg, row.path, c.value); // a value the lab can take: controls.js refuses the others
      if (row.reset) {
        state.cfg.view.preset = "";
        restart();
      } else {
        if (row.key === "lr") sim.setLr(c.value);
        controls.sync(state.cfg);
        markAllDirty(state);
      }
    }, () => state.cfg);
    // In the run bar the two nets' settings sit side by side: say which net each one sets.
    for (const f of $("#ctl-run").querySelectorAll('.field[data-key^="a."], .field[data-key^="b."]')) {
      const label = f.querySelector("label");
      label.textContent = `${f.dataset.key[0].toUpperCase()}: ${label.textContent}`;
    }
    const restart = () => {
      controls.sync(state.cfg);
      showNotices();
      $("#open-lab").href = new URL(`index.html${writeHash(state.cfg)}`, BASE).href;
      return sim.reset();
    };
    if (o.buttons.has("preset")) {
      const sel = el("select", { id: "preset-select", "aria-label": "Preset" }, el("option", { value: "", text: "Preset…" }),
        ...PRESETS.map((p) => el("option", { value: p.id, text: p.title })));
      sel.value = state.cfg.view.preset;
      sel.addEventListener("change", async () => {
        const p = presetById(sel.value);
        if (!p) return;
        state.cfg = presetConfig(p, state.cfg);
        state.cfg.view.preset = p.id;
        state.playing = false;
        await restart();
        this._setPlaying(true);
      });
      $("#preset-box").append(sel);
    }
    $("#btn-play").addEventListener("click", () => this._setPlaying(!(state.playing || (!run.visible && run.wantPlay))));
    $("#btn-step").addEventListener("click", () => { this._setPlaying(false); sim.stepOnce(); });
    $("#btn-reset").addEventListener("click", () => { this._setPlaying(false); restart(); });

    // Pause while out of view; carry on when back.
    run.io = new IntersectionObserver((entries) => {
      const vis = entries[entries.length - 1].isIntersecting;
      if (vis === run.visible) return;
      run.visible = vis;
      if (!vis) { run.wantPlay = state.playing; state.playing = false; }
      else { state.playing = run.wantPlay; markAllDirty(state); this._loop(); }
      this.toggleAttribute("data-paused-offscreen", !vis);
    });
    run.io.observe(this);

    let shown = { step: -1, playing: null, status: "" };
    run.frame = (now) => {
      run.raf = 0;
      if (this._run !== run) return;
      sim.tick();
      run.views.render(now);
      const step = Math.min(...state.nets.map((n) => n.latest?.step ?? 0));
      if (step !== shown.step) { shown.step = step; this.setAttribute("data-step", String(step)); }
      const status = state.nets.map((n) => n.status).join(",");
      if (status !== shown.status) { shown.status = status; this.setAttribute("data-status", status); }
      const playing = state.playing || (!run.visible && run.wantPlay);
      if (playing !== shown.playing) {
        shown.playing = playing;
        $("#btn-play").textContent = playing ? "Pause" : "Play";
        $("#btn-play").setAttribute("aria-pressed", String(playing));
      }
      $("#step-count").textContent = `step ${fmtInt(Math.max(0, ...state.nets.map((n) => n.latest?.step ?? 0)))}`;
      if (run.visible) this._loop();
    };
    restart().then(() => { if (o.autoplay && this._run === run) this._setPlaying(true); });
    this._loop();
  }

  _loop() {
    const run = this._run;
    if (run && !run.raf) run.raf = requestAnimationFrame(run.frame);
  }

  _setPlaying(on) {
    const run = this._run;
    if (!run) return;
    if (run.visible) run.state.playing = on;
    else run.wantPlay = on;
  }

  _stop() {
    const run = this._run;
    if (!run) return;
    this._run = null;
    if (run.raf) cancelAnimationFrame(run.raf);
    run.io?.disconnect();
    run.mq?.removeEventListener("change", run.onScheme);
    run.state.generation++;
    for (const c of run.sim.clients) c.terminate();
  }
}

if (!customElements.get("residual-lab")) customElements.define("residual-lab", ResidualLabElement);
