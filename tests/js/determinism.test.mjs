// Native vs wasm: the same config and seed must give the same losses, bit for bit, for 100
// steps. The core fixes the summation order of its matmuls and takes its transcendentals
// from the libm crate, so an x86-64 build and the wasm build round identically.
// The native side is examples/losses.rs (built in release on first use: that takes a few
// minutes on a cold target/).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { initSync, Lab } from "../../pkg/residual_lab.js";
import { CONFIGS, ROOT as root, STEPS, nativeLosses } from "./determinism.mjs";

initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

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
