// Schoenholz et al. 2017: trainable depth follows 6 xi_c.
import { C, curve, found } from "./util.js";
import { drawGrid } from "../grid.js";

export default {
  id: "trainability",
  title: "Trainable depth follows the correlation depth scale ξ<sub>c</sub>",
  cite: "Schoenholz, Gilmer, Ganguli & Sohl-Dickstein (2017), Deep information propagation, ICLR.",
  claim: `Mean-field theory of random tanh networks gives a depth scale ξ<sub>c</sub> over which the correlation
    between the representations of two inputs relaxes to its fixed point; ξ<sub>c</sub> diverges at the
    order-to-chaos transition (σ<sub>w</sub>² ≈ 1.76 at σ<sub>b</sub>² = 0.05). Schoenholz et al. trained fully
    connected tanh networks on MNIST and CIFAR-10 over a grid of depth and σ<sub>w</sub>², and found that they
    train only where the depth is below a few times ξ<sub>c</sub>: the edge of the trainable region followed
    6ξ<sub>c</sub>.`,
  setup: {
    default: `Plain tanh nets of width 32 with σ<sub>b</sub>² = 0.05 on a 9 × 9 grid of σ<sub>w</sub>² (1 to 4) and
      depth L (4 to 96), each trained 300 steps of SGD (learning rate 0.002, batch 32) on four Gaussian blobs. A
      cell counts as trainable when its training accuracy ends at least halfway from chance (25%) to 100%. The
      fitted c is the one for which “trainable if and only if L ≤ c·ξ<sub>c</sub>” holds for the most cells;
      ξ<sub>c</sub> comes from the core's mean-field theory.`,
    full: `Full size: width 64, a 13 × 14 grid (depth 4 to 160), 600 steps per cell.`,
  },
  findings: ["c", "agreement", "agreement_6", "xi_c_1.5", "xi_c_2.5"],
  charts: [{ key: "grid", kind: "grid", title: "Training accuracy after training (colour) with 6ξ<sub>c</sub> (white, dashed) and the fitted c·ξ<sub>c</sub> (orange)" }],
  draw(view, results, summary) {
    const cells = results.filter(Boolean);
    // the grid from the unit labels ("σ_w² = 1.5, L = 24"), so it is drawn whole from the start
    const cellOf = (u) => /= ([\d.]+), L = (\d+)$/.exec(u.label)?.slice(1).map(Number) ?? [NaN, NaN];
    const sw2 = [...new Set(view.units.map((u) => cellOf(u)[0]))].sort((a, b) => a - b);
    const depths = [...new Set(view.units.map((u) => cellOf(u)[1]))].sort((a, b) => a - b);
    const at = new Map(cells.map((c) => [`${c.sw2}|${c.depth}`, c.accuracy]));
    const curves = [];
    const six = curve(summary, "6 xi_c"), fit = curve(summary, "fitted c xi_c");
    if (six) curves.push({ ...six, color: "#fff", dash: [6, 4] });
    if (fit) curves.push({ ...fit, color: C.orange });
    drawGrid(view.charts.grid, {
      xs: sw2, ys: depths, vmin: 0.25, vmax: 1, value: (ix, iy) => at.get(`${sw2[ix]}|${depths[iy]}`) ?? null,
      xLabel: "σ_w²", yLabel: "depth L", barLabel: "training accuracy", curves, height: 320,
    });
  },
  verdict(summary, results) {
    const c = found(summary, "c"), a = found(summary, "agreement"), a6 = found(summary, "agreement_6");
    if (!Number.isFinite(c)) return "";
    const critical = results.filter((r) => r && Math.abs(r.sw2 - 1.76) < 1e-9);
    const deepest = critical.reduce((m, r) => (!m || r.depth > m.depth ? r : m), null);
    return `The boundary fitted here is ${c.toFixed(1)}·ξ<sub>c</sub>, with ${(100 * a).toFixed(0)}% of the cells on its
      correct side (6ξ<sub>c</sub> itself: ${(100 * a6).toFixed(0)}%).
      ${deepest ? `At σ<sub>w</sub>² = 1.76, where ξ<sub>c</sub> exceeds 1000 layers, the deepest net (L = ${deepest.depth})
      reached ${(100 * deepest.accuracy).toFixed(0)}% training accuracy in ${deepest.steps} steps: the theory bounds
      how deep a net can be trained, not how fast it trains.` : ""}`;
  },
};
