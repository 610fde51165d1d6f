// Liu et al. 2020: post-LN amplifies parameter changes with depth; pre-LN does not.
import { C, curve, found } from "./util.js";

export default {
  id: "amplification",
  title: "Post-LN amplifies parameter changes with depth; pre-LN does not",
  cite: "Liu, Liu, Gao, Chen & Han (2020), Understanding the difficulty of training transformers, EMNLP.",
  claim: `With the layer norm after each residual sum (post-LN), every layer depends heavily on its residual branch,
    so a parameter update of a given size changes the output more the deeper the network. Liu et al. showed that the
    variance of the output change grows like O(N) in the number of layers N, against O(log N) with the layer norm
    inside the branch (pre-LN), and traced the instability of post-LN training to this amplification rather than to
    vanishing gradients.`,
  setup: {
    default: `Residual ReLU nets (h ← LN(h + W₂ReLU(W₁h)) for post-LN; h ← h + W₂ReLU(W₁LN(h)) and a final LN for
      pre-LN; α = 1, Xavier init, width 64) of 1 to 64 blocks, at init. Every block weight matrix moves by a random
      δ with ‖δ‖ = 1% of its norm; the relative change of the outputs on 64 random inputs, ‖Δf‖/‖f‖, is averaged
      over 8 draws and 8 seeds and divided by the 1%. Its square is the output change's variance (up to the fixed
      output scale).`,
    full: `Full size: width 128, up to 256 blocks.`,
  },
  findings: ["post_doubling", "pre_doubling", "post_exponent", "pre_exponent", "post_top", "pre_top"],
  charts: [{ key: "change", kind: "plot", title: "Relative output change per relative weight change", opts: { xLabel: "blocks N", yLabel: "(‖Δf‖/‖f‖) / 1%", logX: true, logY: true } }],
  draw(view, results, summary) {
    const series = [];
    for (const [variant, name, color] of [["post_ln", "post-LN", C.vermillion], ["pre_ln", "pre-LN", C.blue]]) {
      const pts = results.filter((r) => r?.variant === variant && r.change.length).sort((a, b) => a.depth - b.depth);
      if (pts.length) series.push({ label: name, color, points: true, x: pts.map((p) => p.depth), y: pts.map((p) => p.change_mean / 0.01) });
    }
    const post = curve(summary, "post-LN");
    if (post && post.x.length > 1) {
      // O(N) in variance: sqrt(N) in the change, through the first point
      series.push({ label: "∝ √N (variance O(N))", color: C.grey, dash: [5, 4], x: post.x, y: post.x.map((n) => post.y[0] * Math.sqrt(n / post.x[0])) });
    }
    view.charts.change.setData(series);
  },
  verdict(summary) {
    const v = (k) => found(summary, k);
    if (!Number.isFinite(v("pre_doubling"))) return "";
    const top = summary.findings.find((f) => f.key === "post_doubling");
    const [, hi, lo] = /L = (\d+) \/ at L = (\d+)/.exec(top.label) ?? [];
    return `From ${lo} to ${hi} blocks the variance of the output change grows ${v("post_doubling").toFixed(2)}-fold with
      post-LN (O(N): 2) and ${v("pre_doubling").toFixed(2)}-fold with pre-LN (O(log N): ${(Math.log(hi) / Math.log(lo)).toFixed(2)}).
      Over all depths it grows like N<sup>${v("post_exponent").toFixed(2)}</sup> with post-LN and N<sup>${v("pre_exponent").toFixed(2)}</sup>
      with pre-LN; log N itself grows with a local exponent of 1/ln N (0.48 at N = 8, 0.24 at N = 64).`;
  },
};
