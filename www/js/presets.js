// Presets: each sets both nets (and resets the shared settings, keeping the seed), says in one
// line what you should see (`see`) and, in `text`, why. The first is what the page opens with.
import { defaults } from "./schema.js";

const res = (o) => ({ kind: "residual", ...o });

// Each sentence says which moment it describes: "at init" is what the dashed curves and the
// "at init" badges show; what training does is measured (tests/browser/presets.test.mjs checks
// every claim on the page, seed 42).
export const PRESETS = [
  {
    // tests/js/defaultpair.test.mjs trains this pair natively over 10 seeds and checks every claim
    id: "plain-vs-residual", title: "Plain vs residual, 100 layers each",
    see: "A (plain) stays at chance, its loss flat at ln 2 ≈ 0.69; B, the same 100 layers with skips, learns the spiral.",
    text: "Both nets have 100 weight layers of width 32 and the same number of weights, the same He init, data and seed. " +
      "B adds a skip around every layer: h ← h + α·W·φ(h) with α = 1/√100, where A computes h ← φ(W·h). " +
      "Trained (Adam, learning rate 0.003), A stays at chance: its training loss sits at ln 2 ≈ 0.693, the loss of a " +
      "coin flip, and within 50 steps its gradient at layer 0 falls below a thousandth of the gradient at the top. " +
      "B's gradient at layer 0 stays about as large as at the top (or larger), and B classifies 97% or more of the training points within 300 steps.",
    nets: [{ kind: "plain", depth: 100 }, { kind: "residual", depth: 100, branch_layers: 1 }],
  },
  {
    id: "xavier-he", title: "Xavier vs He in a 30-layer ReLU net",
    see: "At init Xavier's signal (A) halves at every layer and A stays near chance; He's (B) stays flat and B learns.",
    text: "Two plain 30-layer ReLU nets, 128 wide. At init, Xavier (σ_w² = 1) halves the signal's second moment at every layer " +
      "going up, to about 2⁻³⁰ ≈ 10⁻⁹ at the top, and the gradient's mean square at every layer going down, so it is smallest " +
      "at layer 0; He (σ_w² = 2) keeps both flat. Trained (Adam, learning rate 0.001), the He net learns the spiral within a " +
      "few hundred steps and the Xavier net stays near chance. " +
      "(At width 32 a single net wanders a decade or two away from flat: the mean-field rule holds for wide nets.)",
    shared: { optimizer: { lr: 0.001 } },
    nets: [{ kind: "plain", depth: 30, width: 128, init: "xavier_normal" }, { kind: "plain", depth: 30, width: 128, init: "he_normal" }],
  },
  {
    id: "degradation", title: "Degradation: the deeper plain net trains worse",
    see: "The 50-layer plain+BN net (B) ends at a higher training loss than the 10-layer one (A), on the training set itself.",
    text: "Two plain nets with BatchNorm, as in He et al. (2016): 10 layers (left) and 50 (right), same He init, same data. " +
      "The deeper net ends at the higher training loss: on the training set itself, so it is the optimization that fails, " +
      "not generalization. Residual versions of the same two depths do not degrade (set Kind to residual on both).",
    nets: [{ kind: "plain", depth: 10, norm: "batch" }, { kind: "plain", depth: 50, norm: "batch" }],
  },
  {
    id: "explode", title: "Un-normalized residual stream explodes",
    see: "At init α = 1 (A) multiplies the stream's second moment by about 3 per block; α = 1/√L (B) keeps it bounded and learns.",
    text: "No normalization, He init, branch scale α = 1 (left): at init each block adds its branch's variance to the stream, " +
      "about ×3 per block with a 2-layer He branch, 3³⁰ ≈ 10¹⁴ at the top. With α = 1/√L (right) it still grows, by " +
      "(1 + 2/L)^L ≈ 6.9 over all 30 blocks in mean-field theory, a factor that approaches e² ≈ 7.4 as L grows but never exceeds it " +
      "(a single net of width 32 scatters around it). Trained, the α = 1/√L net learns within a few hundred steps; the α = 1 " +
      "net starts from a loss near 10⁶ and lags far behind.",
    nets: [res({ depth: 30, branch_scale: "one" }), res({ depth: 30, branch_scale: "inv_sqrt_depth" })],
  },
  {
    id: "prenorm-linear", title: "Pre-norm / BatchNorm: linear growth",
    see: "With the norm inside the branch the stream's second moment grows linearly with depth, not geometrically; both learn.",
    text: "The norm sits inside the branch (pre-norm), so every block adds a branch of fixed size to the stream: at init " +
      "its second moment grows linearly, q_l = q_0 + 2l on average (each He/He branch sees a unit-variance input and adds 2), " +
      "not geometrically. BatchNorm (left), LayerNorm (right). Both train.",
    nets: [res({ depth: 32, norm: "batch", norm_position: "pre", branch_scale: "one" }),
      res({ depth: 32, norm: "layer", norm_position: "pre", branch_scale: "one" })],
  },
  {
    id: "fixup-rezero", title: "Fixup and ReZero: deep nets without normalization",
    see: "No normalization, 50 blocks: every block starts as the identity, so both forward profiles start flat; both learn.",
    text: "No normalization at all. Fixup zeroes the head and each branch's last layer, ReZero starts each branch's learnable " +
      "α at 0: at init every block is the identity, so both forward profiles are flat at any depth (here 50 blocks). Fixup's " +
      "gradient is 0 at init (the zero head passes none back) and appears with the first update. Both train.",
    shared: { view: { speed: 10 } },
    nets: [res({ depth: 50, init: "fixup", branch_scale: "one" }), res({ depth: 50, init: "rezero", branch_scale: "learnable" })],
  },
  {
    id: "post-pre", title: "Post-norm vs pre-norm",
    see: "Post-norm (A) stays at loss ln 2 ≈ 0.693 for thousands of steps; pre-norm (B) learns within a few hundred.",
    text: "Post-norm (left) renormalizes the stream after every block, so at init its second moment is pinned near 1 at every depth; " +
      "pre-norm (right) leaves the identity path untouched, so the stream grows linearly, q_l = q_0 + 2l on average, and the gradient's " +
      "mean square grows toward layer 0 as q_L/q_l for each input (each norm divides its branch's gradient by the stream's RMS): " +
      "about ×17 in RMS at layer 0 for an input of average size, and by tens to hundreds of times for the batch, whose RMS the " +
      "points near the spiral's centre dominate (their q_0 is small). The dotted theory averages the per-input prediction over the data. " +
      "Trained (Adam, learning rate 0.003), the 50-block post-norm net does not learn here: its loss stays at ln 2 ≈ 0.693 for " +
      "thousands of steps, while the pre-norm net learns within a few hundred. Xiong et al. (2020) found the same contrast in " +
      "Transformers: post-norm needs a learning-rate warm-up, pre-norm does not.",
    nets: [res({ depth: 50, norm: "layer", norm_position: "post", branch_scale: "one" }),
      res({ depth: 50, norm: "layer", norm_position: "pre", branch_scale: "one" })],
  },
];

export const presetById = (id) => PRESETS.find((p) => p.id === id);

/** The config of a preset: defaults, the preset's nets and shared settings, the current seed and view. */
export function presetConfig(preset, current) {
  const cfg = defaults();
  preset.nets.forEach((n, i) => Object.assign(cfg.nets[i], n));
  cfg.seed = current.seed;
  cfg.view = { ...current.view, speed: cfg.view.speed, source: cfg.view.source }; // presets use the lab's data (drawn points are kept)
  for (const [k, v] of Object.entries(preset.shared ?? {})) Object.assign(cfg[k], v);
  return cfg;
}
