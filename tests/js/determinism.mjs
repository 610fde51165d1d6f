// What the native-vs-wasm determinism tests share (determinism.test.mjs for the plain build,
// determinism-fused.test.mjs for the fused one): the configs, which cover every layer kind,
// norm, activation, init and optimizer at least once, the step count, and the native losses
// from examples/losses.rs.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const STEPS = 100;

/** The native build's losses for `config` (`env` picks the build, e.g. its RUSTFLAGS). */
export function nativeLosses(config, env = process.env) {
  const out = execFileSync("cargo", ["run", "--quiet", "--release", "--example", "losses", "--", JSON.stringify(config), String(STEPS)], {
    cwd: ROOT, env, encoding: "utf8", timeout: 20 * 60 * 1000, stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out);
}

const small = { batch_size: 32, data: { n: 256 } };
export const CONFIGS = {
  "residual relu adam": { ...small, model: { depth: 4, width: 16 }, seed: 1 },
  "plain tanh sgd": { ...small, model: { kind: "plain", depth: 4, width: 16, activation: "tanh", init: "xavier_normal" }, optimizer: { kind: "sgd", lr: 0.05 }, seed: 2 },
  "plain batch norm, nesterov momentum": { ...small, model: { kind: "plain", depth: 3, width: 16, norm: "batch" }, optimizer: { kind: "momentum", lr: 0.02, nesterov: true }, seed: 3 },
  "residual layer norm gelu adamw": { ...small, model: { depth: 4, width: 16, norm: "layer", activation: "gelu", final_norm: true }, optimizer: { kind: "adamw", weight_decay: 0.01 }, data: { name: "circles", n: 256 }, seed: 4 },
  "post rms norm sigmoid, learnable alpha, clipping": { ...small, model: { depth: 3, width: 12, norm: "rms", norm_position: "post", activation: "sigmoid", branch_scale: "learnable", branch_layers: 1 }, optimizer: { clip_norm: 0.5, lr: 0.01 }, data: { name: "blobs", classes: 4, n: 256 }, seed: 5 },
  "fixup init, leaky relu, momentum": { ...small, model: { depth: 6, width: 16, init: "fixup", activation: "leaky_relu", stem_activation: true }, optimizer: { kind: "momentum", lr: 0.05 }, data: { name: "xor", n: 256 }, seed: 6 },
  "orthogonal init, batch norm residual, adam": { ...small, model: { depth: 3, width: 16, init: "orthogonal", norm: "batch" }, seed: 7 },
  "digits (64 inputs, 10 classes), residual pre-layernorm 8 x 64, adam": { model: { depth: 8, width: 64, norm: "layer" }, data: { name: "digits" }, seed: 42 },
  "regression mse, custom init": { ...small, model: { kind: "plain", depth: 3, width: 16, init: "custom", sigma_w2: 1.5, sigma_b2: 0.1, activation: "tanh" }, optimizer: { kind: "sgd", lr: 0.02 }, data: { name: "regression", n: 256 }, seed: 8 },
};
