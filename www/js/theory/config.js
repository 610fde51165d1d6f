// The fixed settings of the theory panels, shared by the page and the theory worker: the
// phase-diagram window and the small Labs behind "What is true" (each claim names its nets).

export const SW2_RANGE = [0.5, 4];
export const SB2_RANGE = [0, 0.3];
export const GRID = 60; // phase-diagram points per axis

const residual = (over) => ({ kind: "residual", depth: 20, width: 32, activation: "relu", norm: "none", ...over });

export const TRUTHS = {
  // (a) Jacobian dh_L/dh_0 at init: 20 blocks of width 32, 2-layer branches (tanh also at 80 blocks).
  jacobian: {
    rows: [
      { id: "he1", label: "ReLU, He branches, α = 1", config: { model: residual({ init: "he_normal", branch_scale: "one" }), seed: 42 } },
      { id: "invsqrt", label: "ReLU, He branches, α = 1/√L", config: { model: residual({ init: "he_normal", branch_scale: "inv_sqrt_depth" }), seed: 42 } },
      { id: "prenorm", label: "ReLU, pre-LayerNorm, α = 1", config: { model: residual({ init: "he_normal", norm: "layer", norm_position: "pre", branch_scale: "one" }), seed: 42 } },
      { id: "tanh20", label: "tanh, LeCun branches, α = 1", config: { model: residual({ activation: "tanh", init: "lecun_normal", branch_scale: "one" }), seed: 42 } },
      { id: "tanh80", label: "the same, 80 blocks", config: { model: residual({ depth: 80, activation: "tanh", init: "lecun_normal", branch_scale: "one" }), seed: 42 } },
      { id: "rezero", label: "ReZero (α starts at 0)", config: { model: residual({ init: "rezero", branch_scale: "learnable" }), seed: 42 } },
      { id: "fixup", label: "Fixup (last branch layer 0)", config: { model: residual({ init: "fixup", branch_scale: "one" }), seed: 42 } },
      { id: "plain", label: "plain He ReLU net, no skips", config: { model: { kind: "plain", depth: 20, width: 32, activation: "relu", init: "he_normal" }, seed: 42 } },
    ],
  },
  // (b) 50 residual blocks, Adam 0.01, 300 steps on the 2-arm spiral: the un-normalized α = 1 net,
  // the normalized reference (pre-LayerNorm) and three ways to train without any normalization.
  // tests/truths.rs trains the same nets natively.
  norm: {
    steps: 300,
    rows: [
      { id: "he1", label: "He, α = 1, no norm", model: { init: "he_normal", branch_scale: "one" } },
      { id: "prenorm", label: "He, α = 1, pre-LayerNorm", model: { init: "he_normal", branch_scale: "one", norm: "layer", norm_position: "pre" } },
      { id: "fixup", label: "Fixup, no norm", model: { init: "fixup", branch_scale: "one" } },
      { id: "rezero", label: "ReZero, no norm", model: { init: "rezero", branch_scale: "learnable" } },
      { id: "invsqrt", label: "He, α = 1/√L (fixed), no norm", model: { init: "he_normal", branch_scale: "inv_sqrt_depth" } },
    ].map((r) => ({ ...r, config: { model: { kind: "residual", depth: 50, width: 16, activation: "relu", norm: "none", ...r.model },
      optimizer: { kind: "adam", lr: 0.01 }, data: { name: "spiral", n: 256 }, batch_size: 32, seed: 42 } })),
  },
  // (c) q_{l+1} / q_l for He/He blocks with α = 1: 6 blocks of width 128, 8 seeds.
  add: {
    seeds: 8,
    config: { model: { kind: "residual", depth: 6, width: 128, activation: "relu", norm: "none", init: "he_normal",
      branch_layers: 2, branch_scale: "one" }, seed: 42 },
  },
};
