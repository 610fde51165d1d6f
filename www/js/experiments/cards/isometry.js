// Pennington et al. 2017: dynamical isometry with orthogonal weights at the edge of chaos.
import { SERIES, found, range } from "./util.js";

const NETS = ["tanh, orthogonal", "tanh, Gaussian", "ReLU, orthogonal", "ReLU, Gaussian"];

export default {
  id: "isometry",
  title: "Dynamical isometry: orthogonal weights at the edge of chaos",
  cite: "Pennington, Schoenholz & Ganguli (2017), Resurrecting the sigmoid in deep learning through dynamical isometry: theory and practice, NeurIPS.",
  claim: `At the edge of chaos the mean squared singular value of a deep net's input-output Jacobian J is 1 at any
    depth, but the spread of the singular values need not be. With free probability, Pennington et al. showed that
    the variance of the spectrum of JJ<sup>T</sup> grows linearly with depth L: L(μ₂/μ₁² − 1) with orthogonal
    weights and L·μ₂/μ₁² with Gaussian ones, where μ<sub>k</sub> = E[(σ<sub>w</sub>²φ′(h)²)<sup>k</sup>] at the
    fixed point q*. For ReLU μ₂/μ₁² = 2 at any q*, so no ReLU net is isometric; for tanh it tends to 1 as q* → 0,
    so orthogonal tanh nets near q* = 0 are (dynamical isometry), and in their experiments these trained faster
    than Gaussian tanh and ReLU nets.`,
  setup: {
    default: `Plain nets of depth 50 and width 128 at the edge of chaos: tanh at q* = 1/64 (σ<sub>w</sub>² = 1.031,
      σ<sub>b</sub>² = 4.7·10⁻⁶) and ReLU at σ<sub>w</sub>² = 2, each with orthogonal or Gaussian block weights.
      J = dh<sub>L</sub>/dh<sub>0</sub> is computed exactly at four inputs whose stem output has second moment q*;
      the normalised variance is Var(s²)/mean(s²)² of its singular values s, the spectrum's variance when the mean
      is 1. Each net is then trained on a 2-arm spiral with SGD and momentum 0.9 at learning rates 0.003 and 0.01
      for at most 300 steps; the fewer steps to 90% training accuracy counts.`,
    full: `Full size: depth 100, learning rates 0.001 to 0.01, up to 1000 steps.`,
  },
  findings: ["tanh_orth_var", "tanh_gauss_var", "relu_orth_var", "relu_gauss_var", "tanh_orth_steps", "tanh_gauss_steps", "relu_orth_steps", "relu_gauss_steps"],
  charts: [
    { key: "spectrum", kind: "plot", title: "Squared singular values of J at init, largest first (first input; below 10⁻⁴ off the chart)", opts: { xLabel: "rank", yLabel: "s²", logY: true, yRange: [1e-4, 1e3] } },
    { key: "train", kind: "plot", title: "Training accuracy at each net's better learning rate", opts: { xLabel: "step", yLabel: "training accuracy", yRange: [0.4, 1] } },
  ],
  draw(view, results) {
    const byNet = NETS.map((name) => results.filter((r) => r && r.label === name));
    const spec = [], train = [];
    byNet.forEach((runs, i) => {
      const first = runs.find((r) => r.singular_values.length);
      if (first) spec.push({ label: NETS[i], color: SERIES[i], x: range(first.singular_values.length).map((k) => k + 1), y: first.singular_values.map((s) => s * s) });
      const done = runs.filter((r) => r.curve.step.length);
      if (!done.length) return;
      const best = done.reduce((a, b) => ((b.steps_to_90 ?? Infinity) < (a.steps_to_90 ?? Infinity) ? b : a));
      train.push({ label: `${NETS[i]}, lr ${best.lr}`, color: SERIES[i], x: best.curve.step, y: best.curve.accuracy });
    });
    view.charts.spectrum.setData(spec);
    view.charts.train.setData(train);
  },
  verdict(summary, results) {
    const nets = NETS.map((name) => results.find((r) => r && r.label === name && Number.isFinite(r.normalized_var)));
    if (nets.some((n) => !n)) return "";
    const near = (n) => Math.abs(n.normalized_var - n.predicted_var) <= Math.max(0.1, 0.25 * n.predicted_var);
    const steps = (k) => found(summary, k);
    const say = (k) => (Number.isFinite(steps(k)) ? `${steps(k)}` : "not within 300");
    const orthFaster = steps("tanh_orth_steps") < steps("tanh_gauss_steps") && steps("relu_orth_steps") < steps("relu_gauss_steps");
    const tanhFirst = ["tanh_gauss_steps", "relu_orth_steps", "relu_gauss_steps"].every((k) => steps("tanh_orth_steps") < steps(k));
    const gaussBelow = !near(nets[1]) && nets[1].normalized_var < nets[1].predicted_var && !near(nets[3]) && nets[3].normalized_var < nets[3].predicted_var;
    return `The orthogonal nets ${near(nets[0]) && near(nets[2]) ? "are close to" : "differ from"} the free-probability
      prediction (${nets[0].normalized_var.toFixed(2)} against ${nets[0].predicted_var.toFixed(2)} for tanh,
      ${nets[2].normalized_var.toFixed(1)} against ${nets[2].predicted_var.toFixed(1)} for ReLU).
      ${gaussBelow ? `The Gaussian nets spread less than the formula says (${nets[1].normalized_var.toFixed(1)} and
      ${nets[3].normalized_var.toFixed(1)} against ${nets[1].predicted_var.toFixed(1)} and ${nets[3].predicted_var.toFixed(1)}):
      the formula is the limit of infinite width at fixed depth, and here L/W = ${(nets[1].depth / nets[1].width).toFixed(2)}
      (the core's tests find all three within 10% of it at W = 384, L = 12).` : ""}
      Steps to 90% training accuracy: orthogonal tanh ${say("tanh_orth_steps")}, Gaussian tanh ${say("tanh_gauss_steps")},
      orthogonal ReLU ${say("relu_orth_steps")}, Gaussian ReLU ${say("relu_gauss_steps")}.
      ${tanhFirst ? "The orthogonal tanh net trained fastest, as in the paper." : "The paper's result that orthogonal tanh nets train fastest (CIFAR-10, depth 200) is not reproduced at this toy scale (a 2-D spiral, at most 300 steps)."}
      ${orthFaster ? "For each activation, orthogonal weights trained faster than Gaussian ones." : ""}`;
  },
};
