// The article (article.html): fills each number in the text from the figure it describes. A
// number is a <span class="fill" data-fill="figure.key">; FIGURES says how each is read from the
// figure's <residual-lab> element (its snapshot(): the nets' init and latest per-layer profiles,
// the evaluations, the Jacobian spectra). Numbers that need training or a spectrum show "…"
// until the figure has them; all are refreshed twice a second while their figure is on screen.
// Imports nothing of the lab: embed.js defines the element.

const FILL_MS = 500;

// --- formatting -----------------------------------------------------------------------------
const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
/** 0.0123 -> "0.012", 2.2e-9 -> "2.2 × 10⁻⁹", 4.7e13 -> "4.7 × 10¹³". */
export function num(v, digits = 2) {
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  if (v === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(v)));
  if (e >= -3 && e < 4) return String(Number(v.toPrecision(digits)));
  const m = Number((v / 10 ** e).toPrecision(digits));
  return `${m === 1 ? "" : `${m} × `}10${String(e).split("").map((c) => SUP[c]).join("")}`;
}
const pct = (v) => (typeof v === "number" && Number.isFinite(v) ? `${Math.round(100 * v)}%` : null);
const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : null);

// --- reading a snapshot ----------------------------------------------------------------------
const ratio = (a, i, j) => (a && a[j] > 0 ? a[i] / a[j] : null);
/** The latest evaluation: its step and each net's training loss and accuracy. */
function lastEval(s) {
  const k = s.hist.evalSteps.length - 1;
  if (k < 1) return null; // the first evaluation is before any training
  return { step: s.hist.evalSteps[k], loss: s.hist.trainLoss.map((a) => a[k]), acc: s.hist.trainAcc.map((a) => a[k]) };
}
const top = (a) => a?.[a.length - 1];

/** figure id -> { element id, fill key -> (snapshot) => text or null } */
export const FIGURES = {
  init: { el: "lab-init", read: (s) => {
    const [A, B] = s.nets, L = A.init?.act_mean_sq.length - 1, e = lastEval(s);
    return { xavierFwd: num(ratio(A.init?.act_mean_sq, L, 1)), heFwd: num(ratio(B.init?.act_mean_sq, L, 1)),
      step: int(e?.step), xavierAcc: pct(e?.acc[0]), heAcc: pct(e?.acc[1]) };
  } },
  degradation: { el: "lab-degradation", read: (s) => {
    const B = s.nets[1], g = B.init?.grad_rms, L = g ? g.length - 1 : 0, e = lastEval(s);
    const total = g && g[L] > 0 ? g[0] / g[L] : null;
    return { step: int(e?.step), shallowLoss: num(e?.loss[0], 3), deepLoss: num(e?.loss[1], 3),
      growth: num(total > 0 ? total ** (1 / L) : null, 3), total: num(total) };
  } },
  identity: { el: "lab-identity", read: (s) => {
    const [A, B] = s.nets, e = lastEval(s), g = (n) => n.latest?.grad_rms;
    return { plainTop: num(top(g(A))), plainBottom: num(g(A)?.[0]), resTop: num(top(g(B))), resBottom: num(g(B)?.[0]), step: int(e?.step),
      plainLoss: num(e?.loss[0], 3), resLoss: num(e?.loss[1], 3) };
  } },
  variances: { el: "lab-variances", read: (s) => {
    const [A, B] = s.nets, a = A.init?.act_mean_sq, b = B.init?.act_mean_sq, L = a ? a.length - 1 : 0;
    const first = (i) => s.hist.trainLoss[i].find((v) => v != null);
    return { perBlock: num(a && a[0] > 0 ? (a[L] / a[0]) ** (1 / L) : null, 3), alphaOneTotal: num(ratio(a, L, 0)),
      invSqrtTotal: num(ratio(b, L, 0)), firstLoss: num(first(0), 3), firstLossB: num(first(1), 3) };
  } },
  normalization: { el: "lab-normalization", read: (s) => {
    const [A, B] = s.nets, a = A.init?.act_mean_sq?.slice(1), b = B.init?.act_mean_sq, e = lastEval(s);
    const L = b ? b.length - 1 : 0;
    const growth = ratio(b, L, 1);
    return { postMin: num(a ? Math.min(...a) : null, 3), postMax: num(a ? Math.max(...a) : null, 3), preGrowth: num(growth, 3),
      preHalf: num(ratio(b, L, Math.round(L / 2)), 3), geoHalf: num(growth > 0 ? growth ** ((L - Math.round(L / 2)) / (L - 1)) : null, 2), // the same total, block 1 to L, geometric
      step: int(e?.step), postLoss: num(e?.loss[0], 3), preLoss: num(e?.loss[1], 3) };
  } },
  thousand: { el: "lab-thousand", read: (s) => {
    const [A, B] = s.nets, e = lastEval(s), flat = (n) => { const q = n.init?.act_mean_sq; return q ? ratio(q, q.length - 1, 0) : null; };
    return { rezeroFlat: num(flat(A), 3), fixupFlat: num(flat(B), 3), step: int(e?.step), rezeroAcc: pct(e?.acc[0]), fixupAcc: pct(e?.acc[1]) };
  } },
  jacobian: { el: "lab-jacobian", read: (s) => {
    const [a, b] = s.spectra ?? [];
    return { step: int(a?.step ?? b?.step), plainZero: a ? `${a.nearZero}` : null, plainVar: num(a?.normalized_var, 3),
      resMin: num(b?.min), resMax: num(b?.max) };
  } },
};

/** Writes every number of figure `id` from its element; returns the texts written. */
export function fill(id) {
  const f = FIGURES[id], el = document.getElementById(f.el), s = el?.snapshot?.();
  if (!s) return null;
  const values = f.read(s);
  for (const span of document.querySelectorAll(`[data-fill^="${id}."]`)) {
    const text = values[span.dataset.fill.slice(id.length + 1)] ?? "…";
    if (span.textContent !== text) span.textContent = text;
    span.dataset.filled = String(text !== "…");
  }
  return values;
}

// Every started figure's numbers are refreshed twice a second (a figure out of view is paused,
// so its numbers stand still; one not started yet, far below, has none).
await customElements.whenDefined("residual-lab");
for (const [id, f] of Object.entries(FIGURES)) {
  const el = document.getElementById(f.el);
  if (el) el.dataset.figure = id;
}
setInterval(() => { for (const id of Object.keys(FIGURES)) fill(id); }, FILL_MS);
window.__article = { fill, FIGURES }; // for tests: the numbers as the text shows them
