#!/usr/bin/env node
// Training speed of built wasm packages in Node: median milliseconds per train_step() on two
// workloads, after warm-up. Give several package dirs to compare builds in one process; the
// runs alternate between them (round-robin, several rounds) because the machine is noisy.
//   node bench/node-speed.mjs                      # pkg/
//   node bench/node-speed.mjs /tmp/a/pkg /tmp/b/pkg [--rounds 5] [--steps 300]
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const ROUNDS = opt("--rounds", 5);
const STEPS = opt("--steps", 300);
const WARMUP = opt("--warmup", 30);
const dirs = args.length ? args : ["pkg"];

const WORKLOADS = {
  "residual L16 W128 B256": { model: { kind: "residual", depth: 16, width: 128 }, batch_size: 256 },
  "plain L8 W32 B64": { model: { kind: "plain", depth: 8, width: 32 }, batch_size: 64 },
};

const pkgs = [];
for (const d of dirs) {
  const dir = path.resolve(d);
  const mod = await import(pathToFileURL(path.join(dir, "residual_lab.js")).href);
  const wasm = readFileSync(path.join(dir, "residual_lab_bg.wasm"));
  mod.initSync({ module: wasm });
  pkgs.push({ dir: d, mod, bytes: wasm.length, med: {} });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function run(mod, config) {
  const lab = new mod.Lab(config);
  for (let i = 0; i < WARMUP; i++) lab.train_step();
  const t = new Float64Array(STEPS);
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    lab.train_step();
    t[i] = performance.now() - t0;
  }
  lab.free();
  return median(t);
}

for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...pkgs].reverse() : pkgs;
  for (const p of order) {
    for (const [name, cfg] of Object.entries(WORKLOADS)) (p.med[name] ??= []).push(run(p.mod, cfg));
  }
}

console.log(`median ms per train_step (${STEPS} steps after ${WARMUP} warm-up; median over ${ROUNDS} alternating rounds, [min..max] of the round medians)`);
for (const name of Object.keys(WORKLOADS)) {
  console.log(`  ${name}`);
  for (const p of pkgs) {
    const m = p.med[name];
    console.log(`    ${median(m).toFixed(3).padStart(8)} ms  [${Math.min(...m).toFixed(3)}..${Math.max(...m).toFixed(3)}]  ${p.dir} (${(p.bytes / 1024).toFixed(0)} KiB wasm)`);
  }
}
