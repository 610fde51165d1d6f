// Veit et al. 2016: residual nets survive deleted blocks; the gradient comes from short paths.
import { C, found, hline } from "./util.js";

const pct = (v) => `${(100 * v).toFixed(1)}%`;

export default {
  id: "lesions",
  title: "Residual networks behave like ensembles of shallow paths",
  cite: "Veit, Wilber & Belongie (2016), Residual networks behave like ensembles of relatively shallow networks, NeurIPS.",
  claim: `Deleting a single block from a trained 110-layer ResNet at test time changed its CIFAR-10 error only a
    little (except at the few blocks that downsample), while deleting a single layer from a trained VGG net dropped it
    to chance; deleting more and more blocks degraded the ResNet smoothly. Unrolled, a residual net of n blocks is a
    sum of 2<sup>n</sup> paths whose lengths follow Binomial(n, ½). Measuring the gradient through paths of each
    length, Veit et al. found that in a 54-block ResNet almost all of it comes from paths 5 to 17 blocks long, far
    shorter than the typical path of 27.`,
  setup: {
    default: `A residual net of 54 blocks (h ← h + α·W₂ReLU(W₁h), α = 1/√54, He init, width 32, no normalisation) and a
      plain ReLU net of 15 layers, each trained 3000 Adam steps on a 3-arm spiral (1200 points, a quarter held out).
      Then each block (layer) is deleted in turn, h<sub>l</sub> = h<sub>l−1</sub>, and the test accuracy measured; then
      k random blocks at once (10 random sets per k). Path gradients (residual net): on a training batch, the gradient
      at the stem output through the branches of k random blocks and the skips of all others (10 patterns per k),
      times the C(54, k) paths of that length.`,
    full: `Full size: width 64, 6000 steps, up to 27 blocks deleted, 20 sets and patterns per k.`,
  },
  findings: ["res_test_accuracy", "res_single_drop", "res_single_worst", "plain_test_accuracy", "plain_single_mean", "chance", "res_k5", "res_k10", "path_bulk_lo", "path_bulk_hi", "path_mode"],
  charts: [
    { key: "single", kind: "plot", title: "Test accuracy with one block (layer) deleted", opts: { xLabel: "deleted block / layer", yLabel: "test accuracy", yRange: [0, 1] } },
    { key: "k", kind: "plot", title: "Residual net: test accuracy with k random blocks deleted (mean, lowest, highest)", opts: { xLabel: "blocks deleted k", yLabel: "test accuracy", yRange: [0, 1] } },
    { key: "paths", kind: "plot", title: "Path lengths: share of paths, and share of the gradient they carry", opts: { xLabel: "path length k", yLabel: "share" } },
  ],
  draw(view, results) {
    const [res, plain] = results;
    const idx = (a) => a.map((_, i) => i + 1);
    const single = [];
    if (res?.single.length) single.push({ label: `residual (${res.depth} blocks)`, color: C.blue, points: true, x: idx(res.single), y: res.single });
    if (plain?.single.length) single.push({ label: `plain (${plain.depth} layers)`, color: C.vermillion, points: true, x: idx(plain.single), y: plain.single });
    const top = Math.max(res?.depth ?? 1, plain?.depth ?? 1);
    if (res?.single.length) single.push(hline("residual intact", C.blue, res.test_accuracy, 1, top));
    if (plain?.single.length) single.push(hline("plain intact", C.vermillion, plain.test_accuracy, 1, top));
    const chance = (res ?? plain)?.chance;
    if (chance && single.length) single.push(hline("chance", C.grey, chance, 1, top, [2, 3]));
    view.charts.single.setData(single);
    const k = [];
    if (res?.k.length) {
      k.push({ label: "mean", color: C.blue, points: true, x: res.k, y: res.k_mean });
      k.push({ label: "lowest", color: C.sky, dash: [4, 3], x: res.k, y: res.k_min });
      k.push({ label: "highest", color: C.sky, dash: [4, 3], x: res.k, y: res.k_max });
      k.push(hline("chance", C.grey, res.chance, 1, res.k[res.k.length - 1], [2, 3]));
    }
    view.charts.k.setData(k);
    const p = [];
    if (res?.path_weighted.length) {
      p.push({ label: "share of paths, C(L,k)/2^L", color: C.grey, x: res.path_length, y: res.path_fraction });
      p.push({ label: "share of the gradient", color: C.blue, points: true, x: res.path_length, y: res.path_weighted });
    }
    view.charts.paths.setData(p);
  },
  verdict(summary) {
    const lo = found(summary, "path_bulk_lo"), hi = found(summary, "path_bulk_hi");
    if (!Number.isFinite(hi)) return "";
    return `Deleting one block of the residual net cost ${pct(found(summary, "res_single_drop"))} of test accuracy on
      average (at most ${pct(found(summary, "res_single_worst"))}); deleting one layer of the plain net left it at
      ${pct(found(summary, "plain_single_mean"))} on average, with chance at ${pct(found(summary, "chance"))}.
      90% of the gradient comes from paths ${lo} to ${hi} blocks long, the most from length ${found(summary, "path_mode")}.
      This residual net has no downsampling blocks (whose deletion hurt most in the paper), and its branches are
      scaled by α = 1/√L, which weighs a path through k branches by α<sup>k</sup>.`;
  },
};
