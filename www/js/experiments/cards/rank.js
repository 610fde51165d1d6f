// Daneshmand et al. 2020; Noci et al. 2022: rank collapse.
import { SERIES, C, curve, found } from "./util.js";

export default {
  id: "rank_collapse",
  title: "Rank collapse of deep representations",
  cite: "Daneshmand, Kohler, Bach, Hofmann & Lucchi (2020), Batch normalization provably avoids rank collapse for randomly initialised deep networks, NeurIPS. Noci, Anagnostidis, Biggio, Orvieto, Singh & Lucchi (2022), Signal propagation in transformers: theoretical perspectives and the role of rank collapse, NeurIPS.",
  claim: `At initialisation, a deep plain network maps different inputs to representations that align more and more
    with depth, so the batch's representation matrix tends to rank one and the network's output barely depends on
    which input it sees. Daneshmand et al. proved that batch normalisation keeps the rank of the representations
    bounded away from one (for linear networks, with experiments on ReLU networks); Noci et al. traced the same
    collapse in transformers, where the scaling of the residual branches sets how fast it happens.`,
  setup: {
    default: `32 orthonormal inputs (x<sub>a</sub> = e<sub>a</sub>) through fresh nets of depth 50 and width 128,
      averaged over 10 seeds: plain He-ReLU; plain ReLU with BatchNorm (batch statistics); residual He-ReLU nets with
      2-layer branches and α = 1/√L or α = 1. At every layer: the mean cosine between the 32 representations, and the
      stable rank ‖H‖<sub>F</sub>²/‖H‖₂² of the 32 × 128 matrix H (1: all on one line; 32: orthogonal, equal norms).
      For plain He-ReLU the mean-field cosine after l layers is the ReLU correlation map applied l times to 0.`,
    full: `Full size: depth 100, width 256, 64 inputs, 20 seeds.`,
  },
  findings: ["cos_10", "cos_20", "cos_50", "srank_plain", "srank_bn", "srank_res_inv", "srank_res_one"],
  charts: [
    { key: "cos", kind: "plot", title: "Mean cosine between the samples' representations", opts: { xLabel: "layer l", yLabel: "mean cosine", yRange: [-0.05, 1.02] } },
    { key: "srank", kind: "plot", title: "Stable rank of the batch's representation matrix", opts: { xLabel: "layer l", yLabel: "stable rank", logY: true } },
  ],
  draw(view, results, summary) {
    const cos = [], sr = [];
    results.forEach((r, i) => {
      if (!r?.seeds) return;
      const x = r.mean_cosine.map((_, l) => l);
      cos.push({ label: r.label, color: SERIES[i], x, y: r.mean_cosine });
      sr.push({ label: r.label, color: SERIES[i], x, y: r.stable_rank });
    });
    const theory = curve(summary, "plain He-ReLU, mean field");
    if (theory) cos.push({ label: "plain He-ReLU, mean field", color: C.black, dash: [5, 4], x: theory.x, y: theory.y });
    view.charts.cos.setData(cos);
    view.charts.srank.setData(sr);
  },
  verdict(summary) {
    const v = (k) => found(summary, k);
    if (!Number.isFinite(v("srank_res_one"))) return "";
    const th = curve(summary, "plain He-ReLU, mean field").y;
    const lower = [10, 20, 50].every((l) => v(`cos_${l}`) < th[l]);
    return `Plain He-ReLU: mean cosine ${v("cos_10").toFixed(3)}, ${v("cos_20").toFixed(3)}, ${v("cos_50").toFixed(3)} at
      l = 10, 20, 50 against the mean-field ${th[10].toFixed(3)}, ${th[20].toFixed(3)}, ${th[50].toFixed(3)}${lower ? " (slightly lower at finite width)" : ""}. Stable rank at the top: plain
      ${v("srank_plain").toFixed(2)}, with BatchNorm ${v("srank_bn").toFixed(2)}, residual α = 1/√L
      ${v("srank_res_inv").toFixed(2)}, residual α = 1 ${v("srank_res_one").toFixed(2)}. With BatchNorm the cosine
      stays near 1/π, its value for uncorrelated zero-mean pre-activations, and the stable rank stays at a few:
      every sample's ReLU output shares a positive mean direction, which takes the largest singular value. Residual
      branches slow the collapse only when scaled down: with α = 1 each He-initialised branch outweighs the stream
      it is added to.`;
  },
};
