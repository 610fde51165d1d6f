// Martens et al. 2021 (DKS); Zhang et al. 2022 (TAT): deep plain nets with tailored activations.
import { SERIES, found, tail } from "./util.js";

const NETS = ["plain, TAT leaky ReLU", "residual, α = 1/√L", "plain, ReLU (edge of chaos)"];

export default {
  id: "tat",
  title: "Deep plain nets without shortcuts: tailored activations",
  cite: "Martens, Ballard, Desjardins, Swirszcz, Dalibard, Sohl-Dickstein & Schoenholz (2021), Rapid training of deep neural networks without skip connections or normalization layers using Deep Kernel Shaping, arXiv:2110.01765. Zhang, Botev & Martens (2022), Deep learning without shortcuts: shaping the kernel with tailored rectifiers, ICLR.",
  claim: `The kernel of a deep plain net, the map from the correlation of two inputs to that of their outputs,
    degenerates with depth: with ReLU every pair of inputs ends up almost perfectly correlated. Deep Kernel Shaping
    and its successor TAT choose the activation function for the depth so that the whole net's kernel stays
    well-behaved. TAT for leaky ReLU uses φ(x) = √(2/(1+a²))·LeakyReLU<sub>a</sub>(x), with the negative slope a
    set so that the net's composed correlation map sends 0 to η. With it, deep plain networks without skip
    connections or normalisation trained on ImageNet nearly as well as residual networks of the same depth, most
    closely with the K-FAC optimiser.`,
  setup: {
    default: `Three nets of depth 50 and width 48 trained alike on a 3-arm spiral: a plain leaky-ReLU net with TAT's slope
      for L = 50 and η = 0.9 (a = 0.43 from the core's correlation map, σ<sub>w</sub>² = 2/(1+a²) = 1.69) and
      orthogonal weights; a residual net (h ← h + α·W·ReLU(h), α = 1/√L, He init); a plain ReLU net with orthogonal
      weights at the edge of chaos (σ<sub>w</sub>² = 2). Adam for 1500 steps, the learning rate divided by 10 at half
      and three quarters, at 3·10⁻⁴ and 10⁻³; the final training loss is the mean over the last quarter.`,
    full: `Full size: depth 100 (TAT's slope for L = 100), width 64, 3000 steps.`,
  },
  findings: ["tat_loss", "res_loss", "relu_loss", "tat_loss_common", "res_loss_common", "relu_loss_common", "relu_c0"],
  charts: [
    { key: "loss", kind: "plot", title: "Training loss at each net's best learning rate (solid) and at 10⁻³ (dashed)", opts: { xLabel: "step", yLabel: "training loss", logY: true } },
  ],
  draw(view, results) {
    const series = [];
    NETS.forEach((name, i) => {
      const runs = results.filter((r) => r && r.label === name && r.curve.step.length);
      if (!runs.length) return;
      const best = runs.reduce((a, b) => (tail(b.curve.loss) < tail(a.curve.loss) ? b : a));
      series.push({ label: `${name}, lr ${best.lr}`, color: SERIES[i], x: best.curve.step, y: best.curve.loss });
      const common = runs.find((r) => r.lr === 1e-3 && r !== best);
      if (common) series.push({ label: `${name}, lr 0.001`, color: SERIES[i], dash: [4, 4], width: 1, x: common.curve.step, y: common.curve.loss });
    });
    view.charts.loss.setData(series);
  },
  verdict(summary, results) {
    const v = (k) => found(summary, k);
    const diverged = results.filter((r) => r?.diverged).map((r) => `${r.label} at lr ${r.lr}`);
    const note = diverged.length ? ` Diverged (a NaN appeared, no final loss): ${diverged.join("; ")}.` : "";
    if (!["tat_loss", "res_loss", "relu_loss"].some((k) => Number.isFinite(v(k)))) return note.trim();
    const f = (x) => (Number.isFinite(x) ? x.toPrecision(2) : "–");
    const depth = results.find(Boolean)?.depth;
    const close = v("tat_loss") <= 2 * v("res_loss");
    const reluBehind = v("relu_loss") > 2 * Math.min(v("tat_loss"), v("res_loss"));
    const reluBehindCommon = v("relu_loss_common") > 2 * Math.max(v("tat_loss_common"), v("res_loss_common"));
    return `At its best learning rate the TAT net ends at a training loss of ${f(v("tat_loss"))}, the residual net at
      ${f(v("res_loss"))}${close ? " (within a factor of 2)" : ""}, the plain ReLU net at ${f(v("relu_loss"))}${reluBehind ? "" :
      `: at this toy scale a ${depth}-layer plain ReLU net with orthogonal weights also trains${v("relu_lr") < v("tat_lr") ? ", at a lower learning rate" : ""}`}.
      At 10⁻³ the losses are ${f(v("tat_loss_common"))}, ${f(v("res_loss_common"))} and ${f(v("relu_loss_common"))}${reluBehindCommon ?
      ": there the plain ReLU net lags well behind" : ""}. For the ReLU net the composed correlation map sends 0 to
      ${v("relu_c0").toFixed(3)}, against TAT's 0.9.${note}`;
  },
};
