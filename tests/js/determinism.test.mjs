// Native vs wasm: the same config and seed must give the same losses, bit for bit, for 100
// steps. The core fixes the summation order of its matmuls and takes its transcendentals
// from the libm crate, so an x86-64 build and the wasm build round identically.
// The native side is examples/losses.rs (built in release on first use: that takes a few
// minutes on a cold target/).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

const STEPS = 100;
const small = { batch_size: 32, data: { n: 256 } };
const CONFIGS = {
  "residual relu adam": { ...small, model: { depth: 4, width: 16 }, seed: 1 },
  "plain tanh sgd": { ...small, model: { kind: "plain", depth: 4, width: 16, activation: "tanh", init: "xavier_normal" }, optimizer: { kind: "sgd", lr: 0.05 }, seed: 2 },
  "plain batch norm, nesterov momentum": { ...small, model: { kind: "plain", depth: 3, width: 16, norm: "batch" }, optimizer: { kind: "momentum", lr: 0.02, nesterov: true }, seed: 3 },
  "residual layer norm gelu adamw": { ...small, model: { depth: 4, width: 16, norm: "layer", activation: "gelu", final_norm: true }, optimizer: { kind: "adamw", weight_decay: 0.01 }, data: { name: "circles", n: 256 }, seed: 4 },
  "post rms norm sigmoid, learnable alpha, clipping": { ...small, model: { depth: 3, width: 12, norm: "rms", norm_position: "post", activation: "sigmoid", branch_scale: "learnable", branch_layers: 1 }, optimizer: { clip_norm: 0.5, lr: 0.01 }, data: { name: "blobs", classes: 4, n: 256 }, seed: 5 },
  "fixup init, leaky relu, momentum": { ...small, model: { depth: 6, width: 16, init: "fixup", activation: "leaky_relu", stem_activation: true }, optimizer: { kind: "momentum", lr: 0.05 }, data: { name: "xor", n: 256 }, seed: 6 },
  "orthogonal init, batch norm residual, adam": { ...small, model: { depth: 3, width: 16, init: "orthogonal", norm: "batch" }, seed: 7 },
  "regression mse, custom init": { ...small, model: { kind: "plain", depth: 3, width: 16, init: "custom", sigma_w2: 1.5, sigma_b2: 0.1, activation: "tanh" }, optimizer: { kind: "sgd", lr: 0.02 }, data: { name: "regression", n: 256 }, seed: 8 },
};

function nativeLosses(config) {
  const out = execFileSync("cargo", ["run", "--quiet", "--release", "--example", "losses", "--", JSON.stringify(config), String(STEPS)], {
    cwd: root, encoding: "utf8", timeout: 20 * 60 * 1000, stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out);
}

function wasmLosses(config) {
  const lab = new Lab(config);
  const out = [];
  for (let i = 0; i < STEPS; i++) out.push(lab.train_step().loss);
  lab.free();
  return out;
}

/** Sources newer than pkg/: then the two sides were built from different code. */
function staleNote() {
  const built = statSync(`${root}pkg/residual_lab_bg.wasm`).mtimeMs;
  const newer = ["Cargo.toml", ...readdirSync(`${root}src`).map((f) => `src/${f}`)].filter((f) => statSync(`${root}${f}`).mtimeMs > built);
  return newer.length ? ` NOTE: ${newer.join(", ")} changed after pkg/ was built; run scripts/build.sh and compare again.` : "";
}

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a, b) {
  const v = new DataView(new ArrayBuffer(16));
  v.setFloat64(0, a);
  v.setFloat64(8, b);
  const d = v.getBigInt64(0) - v.getBigInt64(8);
  return d < 0n ? -d : d;
}

before(() => {
  // Build once (cold: minutes), so each test below only runs the binary.
  execFileSync("cargo", ["build", "--quiet", "--release", "--example", "losses"], { cwd: root, stdio: "inherit", timeout: 20 * 60 * 1000 });
}, { timeout: 20 * 60 * 1000 });

for (const [name, config] of Object.entries(CONFIGS)) {
  test(`native and wasm losses are identical for ${STEPS} steps: ${name}`, { timeout: 5 * 60 * 1000 }, () => {
    const native = nativeLosses(config);
    const wasm = wasmLosses(config);
    assert.equal(native.length, STEPS);
    assert.ok(wasm.every(Number.isFinite), "wasm losses are finite");
    const first = wasm.findIndex((w, i) => !Object.is(w, native[i]));
    if (first >= 0) {
      const [w, n] = [wasm[first], native[first]];
      assert.fail(`first difference at step ${first + 1}: wasm ${w} native ${n} ` +
        `(|diff| ${Math.abs(w - n)}, relative ${Math.abs(w - n) / Math.abs(n)}, ${ulps(w, n)} ulp).${staleNote()}`);
    }
    // training did something, so the comparison covers the updates, not just the init
    assert.notEqual(wasm[0], wasm[STEPS - 1]);
  });
}
