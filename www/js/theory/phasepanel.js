// The phase diagram panel: log10 chi1 (or xi_c) over (s_w^2, s_b^2) for the chosen activation,
// computed in the theory worker, with the edge of chaos. A click sets net A to a plain net with
// init "custom" at that point and starts training.
import { drawPhase, pointAt } from "../charts/phase.js";
import { crossCheck } from "../schema.js";
import { fmt } from "../format.js";
import { el } from "../ui/dom.js";
import { SW2_RANGE, SB2_RANGE } from "./config.js";

const XI_CAP = 1000; // xi_c at or above this (and infinite on the edge of chaos) gets the top colour
const HOMOGENEOUS = new Set(["relu", "leaky_relu", "linear"]); // no chaotic phase (phi(a x) = a phi(x), a > 0)

/** Rounds a click to values a reader would type: s_w^2 to 0.05, s_b^2 to 0.005. */
export function roundPoint(p) {
  const sw2 = Math.min(SW2_RANGE[1], Math.max(SW2_RANGE[0], Math.round(p.sw2 * 20) / 20));
  const sb2 = Math.min(SB2_RANGE[1], Math.max(SB2_RANGE[0], Math.round(p.sb2 * 200) / 200));
  return { sw2, sb2 };
}

/** The colour variable, its range and the colour-bar ticks for a computed diagram. */
function field(pd, mode) {
  const n = pd.chi1.length, values = new Float32Array(n);
  if (mode === "xi") {
    let lo = Infinity;
    for (let k = 0; k < n; k++) {
      const xi = pd.xi_c[k];
      values[k] = xi === Infinity ? Math.log10(XI_CAP) : Number.isFinite(xi) && xi > 0 ? Math.log10(Math.min(xi, XI_CAP)) : NaN;
      if (Number.isFinite(values[k])) lo = Math.min(lo, values[k]);
    }
    const vmin = Math.min(0, Math.floor(lo)), vmax = Math.log10(XI_CAP);
    const ticks = [];
    for (let d = vmin; d <= vmax; d++) ticks.push({ v: d, label: d === vmax ? `≥${XI_CAP}` : fmt(10 ** d) });
    return { values, vmin, vmax, palette: "viridis", ticks, label: `colour: ξ_c in layers (log scale; ∞ on the line shown as ≥${XI_CAP})` };
  }
  let m = 0;
  for (let k = 0; k < n; k++) {
    const c = pd.chi1[k];
    values[k] = Number.isFinite(c) && c > 0 ? Math.log10(c) : NaN;
    if (Number.isFinite(values[k])) m = Math.max(m, Math.abs(values[k]));
  }
  const vmax = Math.max(0.2, Math.ceil(m * 10) / 10);
  const ticks = [0.1, 0.2, 0.5, 1, 2, 5, 10].map((c) => ({ v: Math.log10(c), label: c === 1 ? "χ₁ = 1" : String(c) }))
    .filter((t) => Math.abs(t.v) <= vmax + 1e-9);
  return { values, vmin: -vmax, vmax, palette: "diverging", ticks,
    label: "colour: χ₁ (log scale)" };
}

/** Where the edge of chaos is when it is not inside the window (sigmoid's lies near σ_w² ≈ 103). */
function edgeNote(pd) {
  const c = Array.from(pd.critical ?? []);
  if (c.length && c.every((v) => v === null)) return "; no edge of chaos for σ_w² up to 1000";
  const known = c.filter((v) => v !== null);
  if (known.length && known.every((v) => v > SW2_RANGE[1])) {
    return `; its edge of chaos lies outside this window, at σ_w² ≈ ${fmt(Math.min(...known), 3)}–${fmt(Math.max(...known), 3)}`;
  }
  return "";
}

export function phasePanel(state, client, restart) {
  const $ = (s) => document.querySelector(s);
  const card = $("#card-phase");
  if (!card) return null;
  const canvas = $("#phase-canvas"), act = $("#phase-act"), mode = $("#phase-mode");
  const status = $("#phase-status"), pointText = $("#phase-point");
  const cache = new Map(); // activation -> the worker's reply
  let pending = null, drawn = "", pointSig = "", resized = 0;
  let boxWidth = canvas.parentElement.clientWidth; // read on resize only: reading it every frame forces a layout
  new ResizeObserver(() => { resized++; boxWidth = canvas.parentElement.clientWidth; }).observe(card);

  async function load(a) {
    if (cache.has(a) || pending === a) return;
    pending = a;
    status.textContent = `computing the ${a} diagram…`;
    const m = await client.request("phase", { activation: a });
    pending = null;
    if (m.type !== "phase") { status.textContent = `could not compute the diagram: ${m.message}`; return; }
    cache.set(a, m);
  }
  act.addEventListener("change", () => load(act.value));

  /** Net A's (s_w^2, s_b^2) when it is a plain custom-init net with this activation. */
  function netAPoint() {
    const m = state.cfg.nets[0];
    return m.kind === "plain" && m.init === "custom" && m.activation === act.value ? { sw2: m.sigma_w2, sb2: m.sigma_b2 } : null;
  }

  async function describe(p, a) {
    const m = await client.request("point", { activation: a, ...p });
    if (m.type !== "point") { pointText.textContent = `could not compute χ₁ here: ${m.message}`; return; }
    const L = state.cfg.nets[0].depth;
    const xi = m.xi_c, finite = Number.isFinite(xi) && xi > 0;
    const reluLike = HOMOGENEOUS.has(a), unbounded = !Number.isFinite(m.q_star);
    const edge = Math.abs(m.chi1 - 1) < 0.01;
    // ReLU-like nets have no chaotic phase: beyond chi1 = 1 the variance grows without bound while
    // correlations still go to 1.
    const phase = edge ? "at the edge of chaos" : m.chi1 < 1 ? "ordered (gradients vanish)"
      : reluLike ? "unbounded: q and the gradients grow without limit (ReLU-like nets have no chaotic phase; correlations still go to 1)"
        : "chaotic (gradients explode)";
    const formal = finite && m.q_star === 0;
    let depthText;
    if (unbounded) {
      depthText = `there is no fixed point to relax to: q grows without bound. Net A has ${L} layers.`;
    } else if (finite) {
      depthText = `so plain ${a} nets up to about 6ξ_c ≈ ${fmt(6 * xi, 2)} layers train (Schoenholz et al. 2017). Net A has ${L}: ${L <= 6 * xi ? "within" : "beyond"} that.` +
        (formal ? " At σ_b² = 0 that ξ_c is only formal: q itself decays to q* = 0, and correlations approach 1 more slowly than e^(−l/ξ_c)." : "");
    } else {
      depthText = "infinite here: correlations approach their fixed point polynomially, not exponentially, so ξ_c sets no depth limit of its own " +
        "(Schoenholz et al. 2017)" + (reluLike ? `; they still approach it: for ReLU at σ_b² = 0, two orthogonal inputs reach correlation 0.988 after 50 layers. Net A has ${L} layers.` : `. Net A has ${L} layers.`);
    }
    pointText.replaceChildren();
    const num = (k, v, text) => el("strong", { class: "num", "data-k": k, "data-v": String(v), text });
    const xiq = m.xi_q, xiqFinite = Number.isFinite(xiq) && xiq > 0;
    pointText.append(`Net A: plain, ${a}, σ_w² = `, num("sw2", p.sw2, fmt(p.sw2)), ", σ_b² = ", num("sb2", p.sb2, fmt(p.sb2)),
      `: ${phase}, χ₁ = `, num("chi1", m.chi1, fmt(m.chi1)), ", ξ_q = ", num("xi_q", xiq, xiqFinite ? `${fmt(xiq, 3)} layers` : "∞"),
      xiqFinite ? " (q settles to q* over about that many layers), ξ_c = " : ", ξ_c = ", num("xi", xi, finite ? `${fmt(xi, 3)} layers` : "∞"),
      `${finite ? ", " : unbounded ? ": " : ", is "}${depthText}`);
  }

  canvas.addEventListener("click", async (ev) => {
    const raw = pointAt(canvas, ev.clientX, ev.clientY);
    if (!raw) return;
    const p = roundPoint(raw);
    const m = state.cfg.nets[0];
    Object.assign(m, { kind: "plain", init: "custom", norm: "none", activation: act.value, sigma_w2: p.sw2, sigma_b2: p.sb2 });
    state.cfg.view.preset = "";
    const notes = [];
    crossCheck(state.cfg, notes);
    state.notices = notes;
    state.playing = false;
    await restart();
    state.playing = true;
  });

  return {
    tick() {
      if (!cache.has(act.value)) { load(act.value); return; }
      const pd = cache.get(act.value), marker = netAPoint();
      const width = Math.min(560, Math.max(220, boxWidth));
      const sig = `${act.value}|${mode.value}|${marker?.sw2}|${marker?.sb2}|${width}|${resized}`;
      if (sig !== drawn) {
        drawn = sig;
        const f = field(pd, mode.value);
        drawPhase(canvas, { nx: pd.nx, ny: pd.ny, sw2: pd.sw2, sb2: pd.sb2, values: f.values, vmin: f.vmin, vmax: f.vmax,
          palette: f.palette, line: pd.critical, marker, width, height: Math.round((width - 68) * (width < 420 ? 0.75 : 0.6)) + 98,
          barLabel: f.label, barTicks: f.ticks });
        status.textContent = `${pd.activation}: ${pd.nx} × ${pd.ny} grid, computed in ${fmt(pd.ms, 2)} ms in the theory worker` + edgeNote(pd);
        status.dataset.activation = pd.activation;
      }
      const ps = marker ? `${act.value}|${marker.sw2}|${marker.sb2}|${state.cfg.nets[0].depth}` : "";
      if (ps !== pointSig) {
        pointSig = ps;
        if (marker) describe(marker, act.value);
      }
    },
  };
}
