/// <reference lib="esnext.disposable" />
/// <reference lib="dom" />
// The two lib references above let a strict project compile this file without skipLibCheck
// under any target: the generated class has [Symbol.dispose]() (esnext.disposable) and init()
// takes a RequestInfo | URL | Response (dom).

/** Model architecture. Every field optional; defaults in parentheses. */
export interface ModelConfig {
  /** "plain": h <- phi(N(W h + b)); "residual": h <- h + alpha F(h). ("residual") */
  kind?: "plain" | "residual";
  /** Number of blocks L, 1 to 10000; the stem and head are extra. (8) */
  depth?: number;
  /** Width W of the stream, 1 to 1024. (32) */
  width?: number;
  /** phi. ("relu") */
  activation?: "relu" | "leaky_relu" | "tanh" | "linear" | "gelu" | "sigmoid";
  /** Negative slope of leaky_relu, in [0, 1]. (0.01) */
  leaky_slope?: number;
  /** Normalization in each block. ("none") */
  norm?: "none" | "batch" | "layer" | "rms";
  /** Residual only: "pre" = first inside the branch, "post" = N(h + alpha F(h)). ("pre") */
  norm_position?: "pre" | "post";
  /** A norm before the head. (false) */
  final_norm?: boolean;
  /** Weight init. fixup and rezero need kind "residual"; fixup needs norm "none". ("he_normal") */
  init?: "xavier_uniform" | "xavier_normal" | "he_normal" | "he_uniform" | "lecun_normal" | "orthogonal" | "fixup" | "rezero" | "custom";
  /** init "custom": W ~ N(0, sigma_w2 / fan_in), in (0, 100]. (2) */
  sigma_w2?: number;
  /** init "custom": b ~ N(0, sigma_b2), in [0, 100]. (0) */
  sigma_b2?: number;
  /** Linear layers per residual branch, 1 to 2: 1 (W phi(N(h))) or 2 (W2 phi(W1 N(h))). (2) */
  branch_layers?: 1 | 2;
  /** alpha: 1, 1/sqrt(depth), or a learnable scalar starting at 1 (0 with init "rezero"). ("inv_sqrt_depth") */
  branch_scale?: "one" | "inv_sqrt_depth" | "learnable";
  /** Apply phi to the stem output too. (false) */
  stem_activation?: boolean;
}

export interface OptimizerConfig {
  /** ("adam") */
  kind?: "sgd" | "momentum" | "adam" | "adamw";
  /** Learning rate in (0, 10]. (0.003) */
  lr?: number;
  /** Momentum coefficient in [0, 0.9999]. (0.9) */
  momentum?: number;
  /** Nesterov momentum. (false) */
  nesterov?: boolean;
  /** Adam beta1 in [0, 0.9999]. (0.9) */
  beta1?: number;
  /** Adam beta2 in [0, 0.999999]. (0.999) */
  beta2?: number;
  /** Adam epsilon in (0, 1]. (1e-8) */
  eps?: number;
  /** L2 penalty (sgd, momentum, adam) or decoupled decay (adamw), in [0, 1]. (0) */
  weight_decay?: number;
  /** Clip the global gradient norm to this, in [0, 1000000]; 0 = off. (0) */
  clip_norm?: number;
}

export interface DataConfig {
  /** Built-in dataset. "digits": 8 x 8 handwritten digits (64 inputs, 10 classes, all 1,797
   *  images, a test split fixed for every seed; pixel / 16, standardized over the training
   *  split). "custom" comes from set_data. ("spiral") */
  name?: "spiral" | "circles" | "xor" | "blobs" | "regression" | "digits" | "custom";
  /** Points (train + test), 4 to 100000; digits always have 1797. (512) */
  n?: number;
  /** Std of the Gaussian noise on the coordinates (regression: on y), in [0, 10]. (0.1) */
  noise?: number;
  /** Held-out fraction, in [0, 0.9]. (0.2) */
  test_fraction?: number;
  /** Spiral arms or blobs, 2 to 64. (2) */
  classes?: number;
  /** Reshuffle the training points every epoch; false walks them in order. (true) */
  shuffle?: boolean;
}

export interface LabConfig {
  model?: ModelConfig;
  optimizer?: OptimizerConfig;
  data?: DataConfig;
  /** "auto": cross-entropy for classification data, MSE for regression. ("auto") */
  loss?: "auto" | "cross_entropy" | "mse";
  /** Mini-batch size, 1 to 4096. (64) */
  batch_size?: number;
  /** BatchNorm running-statistics momentum in (0, 1]. (0.1) */
  bn_momentum?: number;
  /** Seed of every random draw (data, init, shuffling), 0 to 4294967295. (42) */
  seed?: number;
  /** Halt at the first divergence, keeping the last finite parameters. false keeps stepping
   *  through NaNs, `diverged` still set in every report (for benchmarks). (true) */
  stop_on_divergence?: boolean;
}

/** The config with every field present, as `lab.config()` returns it (defaults filled in). */
export type ResolvedLabConfig = {
  [K in keyof LabConfig]-?: NonNullable<LabConfig[K]> extends object ? Required<NonNullable<LabConfig[K]>> : NonNullable<LabConfig[K]>;
};

/** The names each enum setting takes (the unions of the config interfaces above). */
export type NetKind = NonNullable<ModelConfig["kind"]>;
export type Activation = NonNullable<ModelConfig["activation"]>;
export type Norm = NonNullable<ModelConfig["norm"]>;
export type NormPosition = NonNullable<ModelConfig["norm_position"]>;
export type Init = NonNullable<ModelConfig["init"]>;
export type BranchScale = NonNullable<ModelConfig["branch_scale"]>;
export type OptimizerKind = NonNullable<OptimizerConfig["kind"]>;
export type DatasetName = NonNullable<DataConfig["name"]>;
export type LossKind = NonNullable<LabConfig["loss"]>;

/** Per-layer statistics: each array has depth + 1 entries; index 0 is the stem output h_0,
 *  index l the output h_l of block l. */
export interface LayerStats {
  /** Mean of h_l over batch and units. */
  act_mean: Float32Array;
  /** Mean of h_l^2 over batch and units (the mean-field q). */
  act_mean_sq: Float32Array;
  /** Variance of h_l over batch and units. */
  act_var: Float32Array;
  /** Fraction of block l's ReLU units off for every sample of the batch (0 without ReLU). */
  dead_frac: Float32Array;
  /** RMS over batch and units of dL/dh_l, the gradient of the batch-mean loss. */
  grad_rms: Float32Array;
  /** Frobenius norm of the gradient of block l's Linear weights. Hides vanishing gradients: compare grad_rms. */
  weight_grad_norm: Float32Array;
  /** Frobenius norm of block l's Linear weights. */
  weight_norm: Float32Array;
  /** ||delta W|| / ||W|| of the last update. */
  update_ratio: Float32Array;
  /** NaN/Inf entries in h_l and dL/dh_l. */
  nonfinite: Float32Array;
}

export interface Divergence {
  /** The step at which a non-finite value first appeared. */
  step: number;
  /** Stream position 0..depth, or depth + 1 for the head and the loss. */
  layer: number;
  what: "activation" | "loss" | "gradient" | "parameter";
}

export interface StepReport {
  /** Updates applied so far. */
  step: number;
  /** Mean loss of this step's batch. */
  loss: number;
  /** Fraction of the batch classified correctly; null for regression. */
  accuracy: number | null;
  /** Global gradient norm before clipping. */
  grad_norm: number;
  /** null, or where training first produced NaN/Inf; training is then halted. */
  diverged: Divergence | null;
  layers: LayerStats;
  head: { weight_grad_norm: number; weight_norm: number; update_ratio: number };
}

export interface SplitMetrics {
  loss: number;
  /** null for regression. */
  accuracy: number | null;
  /** Points in the split. */
  n: number;
}

export interface LabData {
  /** n * d_in values, row-major. */
  x: Float32Array;
  /** n class indices, or n * d_out regression targets. */
  y: Float32Array;
  d_in: number;
  /** Classes, or regression outputs. */
  d_out: number;
  /** The first n_train rows are the training split. */
  n_train: number;
  classification: boolean;
}

export interface TheoryProfileJs {
  /** Both curves are given. */
  supported: boolean;
  /** Why not, when a curve is missing. */
  reason: string;
  /** Mean second moment per input feature of the training data (the theory's q_x). */
  input_second_moment: number;
  notes: string[];
  /** Predicted mean of h_l^2, l = 0..depth (Infinity where it overflows); null if unsupported. */
  second_moment: Float32Array | null;
  second_moment_reason: string;
  /** Predicted RMS of dL/dh_l divided by its value at l = depth; null if unsupported. */
  grad_rms_relative: Float32Array | null;
  grad_reason: string;
}

export interface Band {
  /** Per layer, the statistic mean-field theory predicts: the arithmetic mean over seeds of
   * the second moment (act_mean_sq), the root mean square over seeds of the RMS (grad_rms). */
  mean: Float32Array;
  /** Median over seeds, per layer. */
  median: Float32Array;
  /** Geometric mean over seeds, per layer (below the mean by about exp(-Var(ln)/2)). */
  geo_mean: Float32Array;
  /** 10% and 90% quantiles over seeds, per layer. */
  p10: Float32Array;
  p90: Float32Array;
}

export interface DepthSweepJs {
  seeds: number;
  /** Seeds whose probe produced NaN/Inf (left out). */
  diverged: number;
  act_mean_sq: Band;
  grad_rms: Band;
}

export interface PhaseDiagramJs {
  nx: number;
  ny: number;
  /** The nx values of s_w^2 and ny values of s_b^2. */
  sw2: Float32Array;
  sb2: Float32Array;
  /** Per grid point, row-major iy * nx + ix. */
  q_star: Float32Array;
  chi1: Float32Array;
  xi_c: Float32Array;
  /** The length depth scale: q_l - q* decays like exp(-l / xi_q) (Schoenholz et al. 2017). */
  xi_q: Float32Array;
}

/** The experiments of the Experiments page (www/experiments.html), in its order. */
export type ExperimentId =
  | "trainability" | "lesions" | "isometry" | "shattered"
  | "rank_collapse" | "tat" | "degradation" | "amplification";

/** "reduced": the tests' size (seconds natively); "default": the page's (at most two minutes on
 *  two cores); "full": closer to the papers' scale. */
export type ExperimentSize = "reduced" | "default" | "full";

/** One headline number of an experiment: the paper's (or theory's) value beside the measured one. */
export interface ExperimentFinding {
  /** A stable name, e.g. "c" (trainability) or "cos_50" (rank_collapse). */
  key: string;
  label: string;
  /** The paper's or the theory's value, as text ("6", "about 0.40", "to chance"); may be empty. */
  paper: string;
  /** NaN when not measured; Infinity for "not within the step budget". */
  measured: number;
}

export interface ExperimentSummary {
  findings: ExperimentFinding[];
  /** Curves to draw beside the measurement (theory lines, fitted boundaries). */
  curves: { name: string; x: number[]; y: number[] }[];
}

/** What one unit measured, tagged by `kind` (the experiment id); the fields per experiment are
 *  those of the Rust structs in src/experiments/ (arrays of numbers, NaN where not measured). */
export type ExperimentUnitResult = { kind: ExperimentId; [field: string]: unknown };
