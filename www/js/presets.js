// One-click presets: each sets both nets (and resets the shared settings, keeping the seed)
// and says in one sentence what to look at.
import { defaults } from "./schema.js";

const res = (o) => ({ kind: "residual", ...o });

export const PRESETS = [
  {
    id: "xavier-he", title: "Xavier vs He in a 30-layer ReLU net",
    text: "Two plain 30-layer ReLU nets, 128 wide. Xavier (σ_w² = 1) halves the signal's second moment at every layer, " +
      "so it reaches about 2⁻³⁰ ≈ 10⁻⁹ at the top, and the gradient shrinks with it; He (σ_w² = 2) keeps both flat. " +
      "(At width 32 a single net wanders a decade or two away from flat: the mean-field rule holds for wide nets.)",
    nets: [{ kind: "plain", depth: 30, width: 128, init: "xavier_normal" }, { kind: "plain", depth: 30, width: 128, init: "he_normal" }],
  },
  {
    id: "degradation", title: "Deep plain vs residual (degradation)",
    text: "Same depth (50 blocks), same He init, same data. The deep plain net trains slowly or not at all; " +
      "the residual net, whose identity path carries signal and gradient, trains. Compare the loss curves.",
    nets: [{ kind: "plain", depth: 50 }, res({ depth: 50, branch_scale: "inv_sqrt_depth" })],
  },
  {
    id: "explode", title: "Un-normalized residual stream explodes",
    text: "No normalization, He init, branch scale α = 1 (left): each block adds its branch's variance to the stream, " +
      "about ×3 per block with a 2-layer He branch, 3³⁰ ≈ 10¹⁴ at the top. With α = 1/√L (right) the growth stays near e² ≈ 7.",
    nets: [res({ depth: 30, branch_scale: "one" }), res({ depth: 30, branch_scale: "inv_sqrt_depth" })],
  },
  {
    id: "prenorm-linear", title: "Pre-norm / BatchNorm: linear growth",
    text: "The norm sits inside the branch (pre-norm), so every block adds a branch of fixed size to the stream: " +
      "its second moment grows linearly, about ∝ l + 1, not geometrically. BatchNorm (left), LayerNorm (right).",
    nets: [res({ depth: 32, norm: "batch", norm_position: "pre", branch_scale: "one" }),
      res({ depth: 32, norm: "layer", norm_position: "pre", branch_scale: "one" })],
  },
  {
    id: "fixup-rezero", title: "Fixup and ReZero: deep nets without normalization",
    text: "No normalization at all. Fixup zeroes each branch's last layer, ReZero starts each branch's learnable α at 0: " +
      "at init every block is the identity, so both profiles are flat at any depth (here 50 blocks), and both train " +
      "(learning rate 0.01 here, to get going faster).",
    shared: { optimizer: { lr: 0.01 }, view: { speed: 10 } },
    nets: [res({ depth: 50, init: "fixup", branch_scale: "one" }), res({ depth: 50, init: "rezero", branch_scale: "learnable" })],
  },
  {
    id: "post-pre", title: "Post-norm vs pre-norm",
    text: "Post-norm (left) renormalizes the stream after every block, so its second moment is pinned near 1 at every depth; " +
      "pre-norm (right) leaves the identity path untouched, so the stream grows linearly and the gradient reaches layer 0 unchanged.",
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
