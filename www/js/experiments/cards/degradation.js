// He et al. 2016: the degradation problem.
import { C, found } from "./util.js";

// unit order: plain shallow, plain deep, residual shallow, residual deep
const COLORS = [C.orange, C.vermillion, C.sky, C.blue];

export default {
  id: "degradation",
  title: "Degradation: deeper plain nets train worse, residual nets do not",
  cite: "He, Zhang, Ren & Sun (2016), Deep residual learning for image recognition, CVPR.",
  claim: `Plain networks with batch normalisation, whose forward and backward signals neither vanish nor explode,
    reached a higher training error when made deeper (34 against 18 layers on ImageNet, 56 against 20 on CIFAR-10):
    not overfitting, since the training error itself is higher, but a difficulty of optimisation. Residual networks
    of the same depths did not degrade: the deeper one reached the lower training error.`,
  setup: {
    default: `Plain nets h ← ReLU(BN(Wh + b)) and residual nets h ← h + W₂ReLU(W₁BN(h)) (α = 1, a BatchNorm before
      the head as in the pre-activation ResNet) of 10 and 40 layers (blocks), width 32, on a 3-arm spiral: SGD with
      momentum 0.9, learning rate 0.02 (a tenth of it for the first 5% of the steps, then divided by 10 at half and
      at three quarters of 2500 steps: the shape of He et al.'s schedule, warm-up included). The training loss is the training split's mean loss
      with BatchNorm on its running statistics, and the final loss the mean over the last quarter.`,
    full: `Full size: 20 and 80 layers, width 64, 6000 steps.`,
  },
  findings: ["plain_shallow", "plain_deep", "plain_ratio", "res_shallow", "res_deep", "res_ratio"],
  charts: [{ key: "loss", kind: "plot", title: "Training loss", opts: { xLabel: "step", yLabel: "training loss", logY: true } }],
  draw(view, results) {
    const series = [];
    results.forEach((r, i) => {
      if (r?.curve.step.length) series.push({ label: `${r.residual ? "residual" : "plain"}, ${r.depth}`, color: COLORS[i], width: i % 2 ? 2 : 1.4, x: r.curve.step, y: r.curve.loss });
    });
    view.charts.loss.setData(series);
  },
  verdict(summary, results) {
    const v = (k) => found(summary, k);
    const diverged = results.filter((r) => r?.diverged).map((r) => `the ${r.depth}-${r.residual ? "block residual" : "layer plain"} net`);
    if (diverged.length) return `At this learning rate ${diverged.join(" and ")} diverged (a NaN appeared), so no final loss is given for ${diverged.length > 1 ? "them" : "it"}.`;
    if (!Number.isFinite(v("res_ratio"))) return "";
    const f = (x) => (Number.isFinite(x) ? x.toPrecision(2) : "–");
    const plainDegrades = v("plain_ratio") > 1.5;
    const r = v("res_ratio");
    const resSays = r < 0.95 ? ": the deeper one trains to the lower loss, as in the paper"
      : r <= 1.1 ? ": the two end within 10% of each other, where the paper's deeper ResNet ended lower" : ": the deeper one ends higher";
    // a uniform guess over the spiral's 3 classes has loss ln 3
    const stuck = v("plain_deep") > 0.9 * Math.log(3) ? `; a uniform guess has ${Math.log(3).toFixed(2)}, so it hardly trains at all,
      a stronger failure than the paper's deeper plain nets, which trained to a higher error` : "";
    return `The deep plain net ends at ${f(v("plain_ratio"))} times the shallow one's training loss
      (${f(v("plain_deep"))} against ${f(v("plain_shallow"))}${stuck})${plainDegrades ? ": it degrades" : ""}; the deep
      residual net at ${f(r)} times (${f(v("res_deep"))} against ${f(v("res_shallow"))})${resSays}.`;
  },
};
