// The relaxed-SIMD build (pkg/relaxed/, fused multiply-adds in the matrix kernel) against the
// native core built with FMA: the same losses, bit for bit, for 100 steps, as for the plain
// builds (determinism.test.mjs). Both fuse exactly the same operations (src/simd.rs `madd`),
// and a fused multiply-add rounds once, the same on every machine that fuses it.
// Needs an x86-64 CPU with FMA; the native side is examples/losses.rs built with
// RUSTFLAGS=-Ctarget-feature=+fma into target/fma (minutes on first use). Where this Node does
// not validate relaxed SIMD by default, the wasm side runs in a child Node with
// --experimental-wasm-relaxed-simd.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { CONFIGS, ROOT as root, STEPS, nativeLosses } from "./determinism.mjs";
import { RELAXED_PROBE as PROBE } from "../../www/js/core.js";

const FMA_ENV = { ...process.env, RUSTFLAGS: "-C target-feature=+fma", CARGO_TARGET_DIR: `${root}target/fma` };
const hasFma = (() => {
  try { return /^flags\s*:.*\bfma\b/m.test(readFileSync("/proc/cpuinfo", "utf8")); } catch { return false; }
})();
/** Losses of every config from pkg/relaxed/, computed in a Node that has relaxed SIMD. */
function relaxedLosses() {
  const script = `
    import { readFileSync } from "node:fs";
    const mod = await import(${JSON.stringify(`${root}pkg/relaxed/residual_lab.js`)});
    mod.initSync({ module: readFileSync(${JSON.stringify(`${root}pkg/relaxed/residual_lab_bg.wasm`)}) });
    const out = {};
    for (const [name, config] of Object.entries(JSON.parse(process.argv[1]))) {
      const lab = new mod.Lab(config);
      out[name] = [];
      for (let i = 0; i < ${STEPS}; i++) out[name].push(lab.train_step().loss);
      lab.free();
    }
    process.stdout.write(JSON.stringify(out));`;
  const flags = WebAssembly.validate(PROBE) ? [] : ["--experimental-wasm-relaxed-simd"];
  const out = execFileSync(process.execPath, [...flags, "--input-type=module", "-e", script, JSON.stringify(CONFIGS)], { encoding: "utf8", timeout: 5 * 60 * 1000 });
  return JSON.parse(out);
}

let relaxed = null;
before(() => {
  if (!hasFma) return;
  execFileSync("cargo", ["build", "--quiet", "--release", "--example", "losses"], { cwd: root, env: FMA_ENV, stdio: "inherit", timeout: 20 * 60 * 1000 });
  relaxed = relaxedLosses();
}, { timeout: 25 * 60 * 1000 });

for (const [name, config] of Object.entries(CONFIGS)) {
  test(`relaxed-SIMD wasm and native FMA losses are identical for ${STEPS} steps: ${name}`, { skip: !hasFma && "this CPU has no FMA" }, () => {
    const native = nativeLosses(config, FMA_ENV);
    const wasm = relaxed[name];
    assert.equal(native.length, STEPS);
    assert.ok(wasm.every(Number.isFinite), "wasm losses are finite");
    const first = wasm.findIndex((w, i) => !Object.is(w, native[i]));
    assert.equal(first, -1, first >= 0 && `first difference at step ${first + 1}: wasm ${wasm[first]} native ${native[first]}`);
    assert.notEqual(wasm[0], wasm[STEPS - 1]);
  });
}

test("the fused builds differ from the plain ones (so the test above is not the plain test again)", { skip: !hasFma && "this CPU has no FMA" }, () => {
  const plain = nativeLosses(CONFIGS["residual relu adam"]);
  assert.ok(plain.some((p, i) => !Object.is(p, relaxed["residual relu adam"][i])));
});
