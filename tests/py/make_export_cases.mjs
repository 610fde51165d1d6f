// Writes PyTorch-export test cases for tests/py/test_pytorch_export.py into a directory:
// for each config, trains a lab a few steps, then writes <case>.py (www/js/pytorch.js's script,
// weights embedded), <case>_separate.py + <case>_weights.json (weights in a companion file),
// and <case>.expect.json: what the lab says about those weights, for torch to reproduce:
//   eval_x, eval_out   24 training points and lab.predict() on them (running statistics);
//   probe_x, probe_y   the probe batch (the first batch_size training points);
//   probe_loss         lab.probe().loss on it (batch statistics);
//   gradients          lab.gradients() after that probe: { name: number[] };
//   running_after      BatchNorm running statistics after one training step on the probe batch
//                      (data.shuffle is false and the step count a whole number of epochs, so
//                      the next step's batch is the probe batch), in forward order [mean, var].
// Usage: node tests/py/make_export_cases.mjs OUT_DIR   (needs pkg/: scripts/build.sh)
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";
import { pytorchScript, weightsJson } from "../../www/js/pytorch.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });
const out = process.argv[2];
if (!out) { console.error("usage: node tests/py/make_export_cases.mjs OUT_DIR"); process.exit(2); }
mkdirSync(out, { recursive: true });

// 128 points, 20% held out: 102 training points, 3 batches of 32 per epoch (the last 6 unused).
const base = { batch_size: 32, data: { n: 128, shuffle: false }, seed: 7, optimizer: { kind: "adam", lr: 0.01 } };
const STEPS = 42; // a whole number of epochs: the step after the dump trains on the probe batch
// Every structural choice of src/net.rs at least once: plain with and without norm; residual
// pre and post norm of each kind (batch, layer, rms); 1- and 2-layer branches; Fixup scalars
// (1- and 2-layer); ReZero; learnable alpha; alpha 1 and 1/sqrt(L); orthogonal init; stem
// activation; final norm (BatchNorm, LayerNorm, RMSNorm); every activation; 2 and 3 classes;
// regression (MSE).
const CASES = {
  plain_relu: { model: { kind: "plain", depth: 4, width: 8 } },
  plain_bn_tanh: { model: { kind: "plain", depth: 3, width: 8, norm: "batch", activation: "tanh", final_norm: true } },
  plain_layer_sigmoid_orth: { model: { kind: "plain", depth: 3, width: 8, norm: "layer", activation: "sigmoid", init: "orthogonal" } },
  res_pre_layer: { model: { kind: "residual", depth: 3, width: 8, norm: "layer", norm_position: "pre", branch_scale: "one" } },
  res_post_layer_tanh: { model: { kind: "residual", depth: 3, width: 8, norm: "layer", norm_position: "post", activation: "tanh" } },
  res_pre_rms_leaky_orth: { model: { kind: "residual", depth: 4, width: 8, norm: "rms", norm_position: "pre", activation: "leaky_relu", leaky_slope: 0.2, init: "orthogonal" } },
  res_post_rms_gelu: { model: { kind: "residual", depth: 3, width: 8, norm: "rms", norm_position: "post", activation: "gelu", final_norm: true } },
  res_pre_bn_1layer: { model: { kind: "residual", depth: 3, width: 8, norm: "batch", branch_layers: 1, stem_activation: true } },
  res_post_bn_sigmoid: { model: { kind: "residual", depth: 3, width: 8, norm: "batch", norm_position: "post", activation: "sigmoid", final_norm: true } },
  res_fixup: { model: { kind: "residual", depth: 4, width: 8, init: "fixup", branch_scale: "one" } },
  res_fixup_1layer_leaky: { model: { kind: "residual", depth: 3, width: 8, init: "fixup", branch_layers: 1, activation: "leaky_relu", leaky_slope: 0.1 } },
  res_rezero_sigmoid: { model: { kind: "residual", depth: 3, width: 8, init: "rezero", activation: "sigmoid", final_norm: true } },
  res_learnable_blobs3: { model: { kind: "residual", depth: 2, width: 8, branch_scale: "learnable", activation: "linear" }, data: { name: "blobs", classes: 3, noise: 0.5 } }, // overlapping blobs: a loss far from 0
  res_spiral3_deep: { model: { kind: "residual", depth: 12, width: 16, norm: "layer", activation: "gelu", stem_activation: true }, data: { classes: 3 } },
  res_regression: { model: { kind: "residual", depth: 3, width: 8, norm: "layer" }, data: { name: "regression" } },
  plain_regression_rms: { model: { kind: "plain", depth: 3, width: 8, norm: "rms", activation: "tanh", final_norm: true }, data: { name: "regression" } },
  // Step 0 of ReZero: alpha = 0, so every branch weight's gradient is exactly zero.
  res_rezero_step0: { model: { kind: "residual", depth: 3, width: 8, init: "rezero" }, steps: 0 },
  // Step 0 of Fixup: each branch's last layer (and the head) start at zero.
  res_fixup_step0: { model: { kind: "residual", depth: 3, width: 8, init: "fixup" }, steps: 0 },
};

const runningStats = (lab) => JSON.parse(lab.to_json()).running_stats ?? [];
const plain = (typed) => Array.from(typed, Number);

for (const [name, c] of Object.entries(CASES)) {
  const cfg = { ...base, model: c.model, data: { ...base.data, ...(c.data ?? {}) } };
  const lab = new Lab(cfg);
  const steps = c.steps ?? STEPS;
  if (steps > 0) lab.train(steps); // moves every parameter (Fixup scalars, alpha) and the BatchNorm running stats
  const d = lab.data();
  const dump = {
    config: lab.config(), info: lab.param_info(), weights: lab.get_weights(),
    running_stats: runningStats(lab),
    data: { d_in: d.d_in, d_out: d.d_out, classification: d.classification },
  };
  const nEval = 24;
  const evalX = plain(d.x.slice(0, nEval * d.d_in));
  const evalOut = plain(lab.predict(Float32Array.from(evalX)));
  const b = Math.min(cfg.batch_size, d.n_train);
  if (steps % Math.floor(d.n_train / b) !== 0) throw new Error(`${name}: ${steps} steps are not whole epochs of ${d.n_train} points`);
  const probe = lab.probe();
  const grads = lab.gradients();
  const gradients = Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, plain(v)]));
  lab.train_step(); // on the probe batch (see STEPS): BatchNorm's running statistics take its batch statistics
  const expect = {
    config: dump.config, d_in: d.d_in, d_out: d.d_out, classification: d.classification, steps,
    params: lab.param_info().map((p) => ({ name: p.name, shape: p.shape })),
    eval_x: evalX, eval_out: evalOut,
    probe_x: plain(d.x.slice(0, b * d.d_in)),
    probe_y: plain(d.y.slice(0, b * (d.classification ? 1 : d.d_out))),
    probe_loss: probe.loss, gradients,
    running_before: dump.running_stats, running_after: runningStats(lab), bn_momentum: dump.config.bn_momentum,
  };
  writeFileSync(`${out}/${name}.py`, pytorchScript(dump, { name, embedWeights: true, sampleX: evalX.slice(0, 3 * d.d_in) }));
  writeFileSync(`${out}/${name}_separate.py`, pytorchScript(dump, { name, embedWeights: false, weightsFile: `${name}_weights.json` }));
  writeFileSync(`${out}/${name}_weights.json`, JSON.stringify(weightsJson(dump)));
  writeFileSync(`${out}/${name}.expect.json`, JSON.stringify(expect));
  lab.free();
}
console.log(Object.keys(CASES).join(" "));
