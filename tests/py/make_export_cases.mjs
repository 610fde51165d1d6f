// Writes PyTorch-export test cases for tests/py/test_pytorch_export.py into a directory:
// for each config, trains a lab a few steps, then writes <case>.py (www/js/pytorch.js's script,
// weights embedded), <case>_separate.py + <case>_weights.json (weights in a companion file),
// and <case>.expect.json ({ x, out: lab.predict(x), classification }).
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

const base = { batch_size: 32, data: { n: 128 }, seed: 7, optimizer: { kind: "adam", lr: 0.01 } };
// Every structural choice of src/net.rs at least once: plain with and without norm, residual
// pre/post norm of each kind, 1- and 2-layer branches, Fixup scalars, ReZero/learnable alpha,
// stem activation, final norm, every activation, regression.
const CASES = {
  plain_relu: { model: { kind: "plain", depth: 4, width: 8 } },
  plain_bn_tanh: { model: { kind: "plain", depth: 3, width: 8, norm: "batch", activation: "tanh", final_norm: true } },
  res_pre_layer: { model: { kind: "residual", depth: 3, width: 8, norm: "layer", norm_position: "pre", branch_scale: "one" } },
  res_post_rms_gelu: { model: { kind: "residual", depth: 3, width: 8, norm: "rms", norm_position: "post", activation: "gelu", final_norm: true } },
  res_pre_bn_1layer: { model: { kind: "residual", depth: 3, width: 8, norm: "batch", branch_layers: 1, stem_activation: true } },
  res_fixup: { model: { kind: "residual", depth: 4, width: 8, init: "fixup", branch_scale: "one" } },
  res_fixup_1layer_leaky: { model: { kind: "residual", depth: 3, width: 8, init: "fixup", branch_layers: 1, activation: "leaky_relu", leaky_slope: 0.1 } },
  res_rezero_sigmoid: { model: { kind: "residual", depth: 3, width: 8, init: "rezero", activation: "sigmoid", final_norm: true } },
  res_learnable_blobs: { model: { kind: "residual", depth: 2, width: 8, branch_scale: "learnable", activation: "linear" }, data: { name: "blobs", classes: 3, n: 128 } },
  res_regression: { model: { kind: "residual", depth: 3, width: 8, norm: "layer" }, data: { name: "regression", n: 128 } },
};

for (const [name, c] of Object.entries(CASES)) {
  const cfg = { ...base, ...c, data: { ...base.data, ...(c.data ?? {}) } };
  const lab = new Lab(cfg);
  lab.train(40); // moves every parameter (Fixup scalars, alpha) and the BatchNorm running stats
  const d = lab.data();
  const dump = {
    config: lab.config(), info: lab.param_info(), weights: lab.get_weights(),
    running_stats: JSON.parse(lab.to_json()).running_stats,
    data: { d_in: d.d_in, d_out: d.d_out, classification: d.classification },
  };
  const n = 24;
  const x = Array.from(d.x.slice(0, n * d.d_in));
  const outputs = Array.from(lab.predict(Float32Array.from(x)));
  writeFileSync(`${out}/${name}.py`, pytorchScript(dump, { name, embedWeights: true, sampleX: x.slice(0, 3 * d.d_in) }));
  writeFileSync(`${out}/${name}_separate.py`, pytorchScript(dump, { name, embedWeights: false, weightsFile: `${name}_weights.json` }));
  writeFileSync(`${out}/${name}_weights.json`, JSON.stringify(weightsJson(dump)));
  writeFileSync(`${out}/${name}.expect.json`, JSON.stringify({ x, d_in: d.d_in, d_out: d.d_out, out: outputs,
    classification: d.classification, params: lab.param_info().map((p) => ({ name: p.name, shape: p.shape })) }));
  lab.free();
}
console.log(Object.keys(CASES).join(" "));
