// Jacobian singular values of each net (lab.jacobian_spectrum in the net's worker): a log-x
// histogram per net on a shared axis and the summary numbers. Refreshed on the button, once
// after every reset, and every 2 s while training, only while the panel is on screen.
import { Histogram, logRange } from "../charts/histogram.js";
import { NET_COLORS, NET_NAMES } from "../palette.js";
import { fmt, fmtInt } from "../format.js";
import { netsSettled, visibility } from "./util.js";

const EVERY_MS = 2000;

/** @param root the page, or an embed's shadow root (whose card has no button and no status line)
 *  @param opts { height?: px of each histogram, theme? } */
export function spectrumPanel(state, sim, root = document, opts = {}) {
  const $ = (s) => root.querySelector(s);
  const card = $("#card-spectrum");
  if (!card) return null;
  const charts = [$("#spectrum-a"), $("#spectrum-b")].map((el) => new Histogram(el, { height: opts.height ?? 190, theme: opts.theme }));
  const texts = [$("#spectrum-text-a"), $("#spectrum-text-b")];
  const status = $("#spectrum-status");
  const visible = visibility(card);
  let spectra = [null, null], errors = [null, null];
  let gen = null, busy = false, last = -Infinity, dirty = true;

  async function refresh() {
    if (busy || !netsSettled(state)) return;
    busy = true;
    last = performance.now();
    const g = state.generation;
    const msgs = await Promise.all(sim.clients.map((c, i) => (state.nets[i].status === "ready"
      ? c.request("spectrum") : Promise.resolve({ type: "error", message: state.nets[i].error ?? "no net" }))));
    busy = false;
    if (g !== state.generation) return;
    gen = g;
    spectra = msgs.map((m) => (m.type === "spectrum" ? { ...m.spectrum, step: m.step } : null));
    state.spectra = spectra; // for the element's snapshot (the article reads its numbers)
    errors = msgs.map((m) => (m.type === "spectrum" ? null : m.message));
    if (status) status.textContent = `at step ${fmtInt(Math.max(...spectra.map((s) => s?.step ?? 0)))}, ${fmt(Math.max(...msgs.map((m) => m.ms ?? 0)), 2)} ms in the workers`;
    dirty = true;
  }
  $("#btn-spectrum")?.addEventListener("click", refresh);

  function draw() {
    const range = logRange(spectra.map((s) => s?.singular_values));
    spectra.forEach((s, i) => {
      charts[i].setData({ values: s?.singular_values, range, color: NET_COLORS[i], mark: 1,
        message: errors[i] ? "this net could not run" : s ? undefined : "computing…" });
      const t = texts[i];
      if (!s) { t.textContent = errors[i] ? `${NET_NAMES[i]}: ${errors[i]}` : ""; return; }
      t.replaceChildren();
      for (const [k, label, v] of [["max", "max s", s.max], ["mean_sq", "mean s²", s.mean_sq], ["normalized_var", "normalized variance", s.normalized_var]]) {
        const b = document.createElement("span");
        b.className = "num";
        b.dataset.k = k;
        b.dataset.v = String(v);
        b.textContent = `${label} = ${fmt(v)}`;
        t.append(b, " ");
      }
    });
  }

  return {
    tick(now, reset) {
      if (reset) { spectra = [null, null]; state.spectra = spectra; errors = [null, null]; gen = null; dirty = true; if (status) status.textContent = ""; }
      const settled = netsSettled(state);
      if (settled && !busy && visible() && (gen !== state.generation || (state.playing && now - last > EVERY_MS))) refresh();
      if (dirty) { dirty = false; draw(); }
    },
  };
}
