// The fixed settings of the theory panels, shared by the page and the theory worker: the
// phase-diagram window and the small Labs behind "What is true" (each claim names its nets).

export const SW2_RANGE = [0.5, 4];
export const SB2_RANGE = [0, 0.3];
export const GRID = 60; // phase-diagram points per axis

const residual = (over) => ({ kind: "residual", depth: 20, width: 32, activation: "relu", norm: "none", ...over });

export const TRUTHS = {
  // (a) Jacobian dh_L/dh_0 at init: ReLU, 20 blocks of width 32, 2-layer branches.
  jacobian: {
    rows: [
      { id: "he1", label: "He branches, α = 1", config: { model: residual({ init: "he_normal", branch_scale: "one" }), seed: 42 } },
      { id: "invsqrt", label: "He branches, α = 1/√L", config: { model: residual({ init: "he_normal", branch_scale: "inv_sqrt_depth" }), seed: 42 } },
      { id: "prenorm", label: "pre-LayerNorm, α = 1", config: { model: residual({ init: "he_normal", norm: "layer", norm_position: "pre", branch_scale: "one" }), seed: 42 } },
      { id: "rezero", label: "ReZero (α starts at 0)", config: { model: residual({ init: "rezero", branch_scale: "learnable" }), seed: 42 } },
      { id: "plain", label: "plain He net, no skips", config: { model: { kind: "plain", depth: 20, width: 32, activation: "relu", init: "he_normal" }, seed: 42 } },
    ],
  },
  // (b) 50 blocks, no normalization anywhere, Adam 0.01, 300 steps on the 2-arm spiral.
  norm: {
    steps: 300,
    rows: [
      { id: "plain", label: "plain, 50 layers, He", model: { kind: "plain", init: "he_normal" } },
      { id: "fixup", label: "residual, 50 blocks, Fixup", model: { kind: "residual", init: "fixup", branch_scale: "one" } },
      { id: "rezero", label: "residual, 50 blocks, ReZero", model: { kind: "residual", init: "rezero", branch_scale: "learnable" } },
    ].map((r) => ({ ...r, config: { model: { depth: 50, width: 16, activation: "relu", norm: "none", ...r.model },
      optimizer: { kind: "adam", lr: 0.01 }, data: { name: "spiral", n: 256 }, batch_size: 32, seed: 42 } })),
  },
  // (c) q_{l+1} / q_l for He/He blocks with α = 1: 6 blocks of width 128, 8 seeds.
  add: {
    seeds: 8,
    config: { model: { kind: "residual", depth: 6, width: 128, activation: "relu", norm: "none", init: "he_normal",
      branch_layers: 2, branch_scale: "one" }, seed: 42 },
  },
};
