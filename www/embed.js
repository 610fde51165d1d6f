// <residual-lab>: Residual Lab as a custom element, for blog posts. One module script:
//   <script type="module" src="https://example.org/residual-lab/embed.js"></script>
//   <residual-lab preset="degradation" controls="play,depth" charts="variance,gradient" height="420"></residual-lab>
// Attributes: preset (a js/presets.js id), config (the page's URL-hash syntax, e.g.
// "a.kind=plain&a.depth=30&seed=3"), charts (network, variance, gradient, heatmap, loss,
// accuracy, boundary, table, jacobian), controls (play, step, reset, preset, or any setting:
// depth, init, lr, ...), autoplay (unless the reader prefers reduced motion), height, width (CSS
// pixels). The lab itself is js/lab/mount.js, as on the page. Each element runs its own two
// workers, started when it comes within 600 px of the screen, pauses while it is out of view, lives in a shadow root (styles neither leak
// in nor out) and follows the host's light or dark scheme. Everything (modules, worker, wasm, CSS) loads relative to this
// file, so the files can be copied to any static host; a cross-origin host needs the lab's
// server to send Access-Control-Allow-Origin.
import { mountLab } from "./js/lab/mount.js";
import { writeHash } from "./js/schema.js";
import { embedOptions, CHARTS, DARK_THEME, prefersDark } from "./js/embedopts.js";
import { reducedMotion } from "./js/ui/layout.js";
import { markAllDirty } from "./js/state.js";

const BASE = new URL(".", import.meta.url);
const ATTRS = ["preset", "config", "charts", "controls", "autoplay", "height", "width"];
// cards as wide as the element: a row of their own
const FULL_ROW = new Set(["card-strip", "card-heat", "card-table", "card-spectrum"]);

export class ResidualLabElement extends HTMLElement {
  static get observedAttributes() { return ATTRS; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._run = null; // everything of one started lab; null when disconnected
  }

  // An element starts (its two workers, their wasm, the nets) when it comes near the screen: a
  // post with seven figures does not start fourteen workers at once.
  connectedCallback() {
    if (this._run || this._near) return;
    this._near = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this._near.disconnect();
      this._near = null;
      if (!this._run && this.isConnected) this._start();
    }, { rootMargin: "600px 0px" });
    this._near.observe(this);
  }
  disconnectedCallback() { this._near?.disconnect(); this._near = null; this._stop(); }
  attributeChangedCallback(name, old, now) {
    if (this._run && old !== now) { this._stop(); this._start(); } // a new choice: start over
  }

  /** Steps trained, both nets' status and latest numbers, for scripts (the article fills its
   *  numbers in from here) and tests. Per-layer series are plain arrays: `latest` and `init`
   *  hold act_mean_sq and grad_rms; `hist` the evaluations; `spectra` the Jacobian card's. */
  snapshot() {
    const s = this._run?.state;
    if (!s) return null;
    const layers = (r) => (r ? { act_mean_sq: Array.from(r.layers.act_mean_sq), grad_rms: Array.from(r.layers.grad_rms) } : null);
    return { cfg: structuredClone(s.cfg), playing: s.playing, visible: this._run.visible,
      nets: s.nets.map((n) => ({ status: n.status, error: n.error, step: n.latest?.step ?? 0, loss: n.latest?.loss ?? null,
        latest: layers(n.latest), init: layers(n.initReport), theory: n.theory?.second_moment ? Array.from(n.theory.second_moment) : null })),
      hist: { evalSteps: s.hist.evalSteps.slice(), trainLoss: s.hist.trainLoss.map((a) => a.slice()), trainAcc: s.hist.trainAcc.map((a) => a.slice()),
        testAcc: s.hist.testAcc.map((a) => a.slice()) },
      spectra: (s.spectra ?? [null, null]).map((x) => (x ? { max: x.max, mean_sq: x.mean_sq, normalized_var: x.normalized_var, step: x.step,
        count: x.singular_values.length, min: Math.min(...x.singular_values),
        nearZero: x.singular_values.filter((v) => !(v > 1e-6 * x.max)).length } : null)) };
  }

  _start() {
    const o = embedOptions((k) => this.getAttribute(k));
    const root = this.shadowRoot;
    const run = { visible: true, wantPlay: false, raf: 0, lab: null };
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
        <div id="lab-cards" class="cards n${Math.min(cards.length, 3)}"></div>
        <p class="credit"><a id="open-lab" target="_blank" rel="noopener">Open in Residual Lab ↗</a></p>
      </div>`;
    const $ = (sel) => root.querySelector(sel);
    for (const b of ["play", "step", "reset"]) $(`#btn-${b}`).hidden = !o.buttons.has(b);

    // With a height, size the charts so every row of cards fits in it (cards are >= 260 px wide).
    const cells = cards.filter((id) => !FULL_ROW.has(id));
    const cols = Math.max(1, Math.min(cells.length || 1, Math.floor(((o.width ?? this.clientWidth) || 600) / 268)));
    const rows = Math.ceil(cells.length / cols) + cards.filter((id) => FULL_ROW.has(id) && id !== "card-strip").length;
    // a card's other lines are one line each (embed.css): its title, two captions, four regime
    // badges (each net at init and now) and a note, about 180 px with the note of values off the axis; the bar and the link take 64;
    // the strips take a fixed 150
    const free = o.height ? o.height - 64 - (cards.includes("card-strip") ? 150 : 0) : 0;
    const rowPx = o.height ? free / Math.max(1, rows) : 330;
    const viewOpts = () => ({
      chartHeight: Math.max(110, Math.min(480, rowPx - 180)), heatHeight: Math.max(70, Math.min(300, rowPx - 90)),
      maxBoundary: Math.max(90, rowPx - 60), minBoundary: 80, theme: prefersDark() ? DARK_THEME : undefined,
      spectrum: { height: Math.max(90, Math.min(300, rowPx - 110)), theme: prefersDark() ? DARK_THEME : undefined },
    });
    const playing = () => run.lab.state.playing || (!run.visible && run.wantPlay);
    run.lab = mountLab(root, {
      cfg: o.cfg, notices: o.notices, cards, full: false,
      boxFor: (row) => (o.rows.has(row.key) ? $("#ctl-run") : null),
      viewOpts, noticeHeading: "Some attributes of this <residual-lab> were not used:",
      presets: o.buttons.has("preset") ? "select" : null,
      onConfig: () => { $("#open-lab").href = new URL(`index.html${writeHash(run.lab?.state.cfg ?? o.cfg)}`, BASE).href; },
      isPlaying: playing, setPlaying: (on) => this._setPlaying(on),
    });
    const state = run.lab.state;
    run.state = state;
    run.mq = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
    run.onScheme = () => run.lab.rebuildViews();
    run.mq?.addEventListener("change", run.onScheme);
    // In the run bar the two nets' settings sit side by side: say which net each one sets.
    for (const f of $("#ctl-run").querySelectorAll('.field[data-key^="a."], .field[data-key^="b."]')) {
      const label = f.querySelector("label");
      label.textContent = `${f.dataset.key[0].toUpperCase()}: ${label.textContent}`;
    }

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

    const shown = { step: -1, status: "" };
    run.frame = (now) => {
      run.raf = 0;
      if (this._run !== run) return;
      run.lab.frame(now);
      const step = Math.min(...state.nets.map((n) => n.latest?.step ?? 0));
      if (step !== shown.step) { shown.step = step; this.setAttribute("data-step", String(step)); }
      const status = state.nets.map((n) => n.status).join(",");
      if (status !== shown.status) { shown.status = status; this.setAttribute("data-status", status); }
      if (run.visible) this._loop();
    };
    // autoplay, unless the reader prefers reduced motion (Play starts it then)
    run.lab.restart().then(() => { if (o.autoplay && !reducedMotion() && this._run === run) this._setPlaying(true); });
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
    run.lab.stop();
  }
}

if (!customElements.get("residual-lab")) customElements.define("residual-lab", ResidualLabElement);
