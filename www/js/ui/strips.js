// The network strips (charts/strip.js) of both nets: their shared colour scales, the caption
// with each net's shape and accuracy, and the hover: pointing at a column (or focusing a strip
// and pressing the arrow keys) shows that layer's numbers and tells `onLayer` which layer it is,
// so the profile charts can mark it.
import { drawStrip, columnsFor } from "../charts/strip.js";
import { logRange } from "../charts/linechart.js";
import { netLabel } from "../prep.js";
import { NET_NAMES } from "../palette.js";
import { fmt, fmtInt } from "../format.js";

/** [lo, hi] exponents of the decades around the finite positive values of `arrays`: the range
 *  the profile charts' log axes would take (linechart.js logRange). */
export function decadeRange(arrays) {
  let min = Infinity, max = -Infinity;
  for (const a of arrays) for (const v of a ?? []) if (v > 0 && Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; }
  return logRange(min, max).map((v) => Math.round(Math.log10(v)));
}

const FROM_CHARTS = -1; // picked.net when the layer was picked in a profile chart
const dec = (e) => (e >= -2 && e <= 2 ? String(10 ** e >= 1 ? 10 ** e : Number((10 ** e).toFixed(-e))) : `1e${e}`);

/**
 * @param state the lab's state
 * @param root the page or a shadow root holding #card-strip
 * @param opts { theme?, onLayer(layer | null, net): a layer was picked (hover, keys) or let go }
 */
export function createStrips(state, root, opts = {}) {
  const $ = (s) => root.querySelector(s);
  const card = $("#card-strip");
  if (!card) return null;
  const canvases = [$("#strip-a"), $("#strip-b")];
  const tip = $("#strip-tip"), scale = $("#strip-scale");
  const geo = [null, null];
  let picked = { net: null, layer: null }; // the layer hovered or chosen by keys 
  const widths = [0, 0];
  const ro = new ResizeObserver(() => { canvases.forEach((c, i) => { widths[i] = c.parentElement.clientWidth; }); state.dirty.strip = true; });
  for (const c of canvases) ro.observe(c.parentElement);

  const series = (i) => {
    const n = state.nets[i];
    return n.status === "ready" && n.latest ? { fwd: n.latest.layers.act_mean_sq, bwd: n.latest.layers.grad_rms } : null;
  };

  /** The layer's numbers, for the tooltip and the slider's value text. */
  function describe(i, layer) {
    const s = series(i);
    if (!s) return "";
    const per = geo[i]?.per ?? 1;
    const first = Math.floor(layer / per) * per, last = Math.min(s.fwd.length - 1, first + per - 1);
    const span = per > 1 ? `layers ${fmtInt(first)}–${fmtInt(last)} (geometric mean)` : `layer ${fmtInt(layer)}`;
    const gm = (a) => { // the geometric mean of a column's values, as its colour shows it
      let sum = 0, k = 0;
      for (let l = first; l <= last; l++) { if (!(a[l] > 0 && Number.isFinite(a[l]))) return a[l]; sum += Math.log10(a[l]); k++; }
      return 10 ** (sum / k);
    };
    return `Net ${NET_NAMES[i]}, ${span}: E[h²] = ${fmt(gm(s.fwd))}, RMS dL/dh = ${fmt(gm(s.bwd))}`;
  }

  function showTip(i, layer, x) {
    const text = layer == null ? "" : describe(i, layer);
    tip.hidden = !text;
    if (!text) return;
    tip.textContent = text;
    const box = canvases[i].getBoundingClientRect(), host = card.getBoundingClientRect();
    const left = Math.min(Math.max(0, box.left - host.left + x + 12), Math.max(0, host.width - tip.offsetWidth - 4));
    tip.style.left = `${left}px`;
    tip.style.top = `${box.bottom - host.top + 2}px`;
  }

  function pick(i, layer, x) {
    const changed = picked.net !== i || picked.layer !== layer;
    picked = { net: layer == null ? null : i, layer };
    if (x !== undefined || layer == null) showTip(i, layer, x ?? 0);
    const c = canvases[i];
    if (layer != null) {
      c.setAttribute("aria-valuenow", String(layer));
      c.setAttribute("aria-valuetext", describe(i, layer));
    }
    if (changed) { draw(); opts.onLayer?.(layer, i); }
  }

  canvases.forEach((c, i) => {
    const layerAt = (ev) => {
      const g = geo[i], r = c.getBoundingClientRect(), x = ev.clientX - r.left;
      if (!g || !g.cols || x < g.x0) return null;
      const col = Math.floor((x - g.x0) / g.colW);
      if (col >= g.cols) return null; // past the last layer of the shallower net
      const s = series(i);
      return s ? Math.min(s.fwd.length - 1, col * g.per) : null;
    };
    c.addEventListener("pointermove", (ev) => { const l = layerAt(ev); pick(i, l, ev.clientX - c.getBoundingClientRect().left); });
    c.addEventListener("pointerleave", () => pick(i, null));
    c.addEventListener("blur", () => pick(i, null));
    c.addEventListener("keydown", (ev) => {
      const s = series(i);
      if (!s) return;
      const L = s.fwd.length - 1, per = geo[i]?.per ?? 1, now = picked.net === i && picked.layer != null ? picked.layer : -per;
      const to = { ArrowRight: now + per, ArrowUp: now + per, ArrowLeft: now - per, ArrowDown: now - per, Home: 0, End: L,
        PageUp: now + 10 * per, PageDown: now - 10 * per }[ev.key];
      if (ev.key === "Escape") { pick(i, null); return; }
      if (to === undefined) return;
      ev.preventDefault();
      const layer = Math.max(0, Math.min(L, to));
      const g = geo[i];
      pick(i, layer, g ? g.x0 + (Math.floor(layer / per) + 0.5) * g.colW : 0);
    });
  });

  let scaleText = "";
  function draw() {
    const data = [series(0), series(1)];
    const fwdRange = decadeRange(data.map((d) => d?.fwd)), bwdRange = decadeRange(data.map((d) => d?.bwd));
    const depth = Math.max(0, ...data.map((d) => d?.fwd.length ?? 0)); // both strips on the deeper net's scale
    canvases.forEach((c, i) => {
      const net = state.nets[i], d = data[i];
      widths[i] ||= c.parentElement.clientWidth;
      const message = net.status === "error" ? "this net could not run" : net.status === "waiting" ? "waiting for data" : d ? undefined : "loading…";
      geo[i] = drawStrip(c, { width: Math.max(120, widths[i]), fwd: d?.fwd, bwd: d?.bwd, residual: state.cfg.nets[i].kind === "residual", span: depth,
        fwdRange, bwdRange, theme: opts.theme, message, highlight: picked.net === i || picked.net === -1 ? picked.layer : null });
      const L = d ? d.fwd.length - 1 : 0;
      if (c.getAttribute("aria-valuemax") !== String(L)) c.setAttribute("aria-valuemax", String(L));
      const perText = d && geo[i].per > 1 ? ` · ${geo[i].per} layers per column` : "";
      const acc = state.hist.trainAcc[i].at(-1);
      const accText = acc != null && state.nets.some((n) => n.data?.classification !== false) ? `train accuracy ${(100 * acc).toFixed(0)}% · ` : "";
      const cap = `${NET_NAMES[i]}: ${accText}${netLabel(state.cfg.nets[i])}${perText}`;
      const capEl = c.parentElement.querySelector(".strip-cap");
      if (capEl.textContent !== cap) { capEl.textContent = cap; capEl.title = cap; }
    });
    const text = `Colour and bar height: log₁₀ of the forward signal E[h²] from ${dec(fwdRange[0])} to ${dec(fwdRange[1])}, and of the ` +
      `backward signal RMS dL/dh from ${dec(bwdRange[0])} to ${dec(bwdRange[1])} (one scale per row for both nets; dark and short is small).`;
    if (text !== scaleText) { scaleText = text; scale.textContent = text; }
    if (picked.net != null && picked.net >= 0 && !tip.hidden) tip.textContent = describe(picked.net, picked.layer);
  }

  return {
    draw,
    /** The layer picked in the profile charts (their cursor), or null: marked on both strips. */
    highlight(layer) {
      if (picked.layer === layer && (layer == null || picked.net === FROM_CHARTS)) return;
      picked = { net: layer == null ? null : FROM_CHARTS, layer };
      draw();
    },
  };
}
