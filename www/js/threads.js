// The threads build of the core (pkg/threads/): the relaxed-SIMD core on shared memory, with a
// helper thread (a Web Worker running the same module on the same memory) that computes half
// of every large matrix product. Same results bit for bit as pkg/relaxed/ (each entry of a
// product is summed as on one thread); 1.5-1.75x faster steps at W=64-128 on two cores.
//
// For a page that trains one Lab at a time and is cross-origin isolated (served with
// `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`,
// which SharedArrayBuffer needs):
//   const core = (await loadThreadedCore()) ?? (await loadCore());  // loadCore: ./core.js
//   const lab = new core.Lab(config);                               // train_step() as usual
// The lab's own page does not use it: its two nets train in two workers, which already keep
// both cores busy.
import { RELAXED_PROBE } from "./core.js";

const JS = new URL("../../pkg/threads/residual_lab.js", import.meta.url);
const WASM = new URL("../../pkg/threads/residual_lab_bg.wasm", import.meta.url);
const HELPER = new URL("./threads-helper.js", import.meta.url);

/** Whether this context can run the threads build. */
export function threadsSupported() {
  return typeof self !== "undefined" && self.crossOriginIsolated === true && typeof SharedArrayBuffer !== "undefined" &&
    WebAssembly.validate(RELAXED_PROBE) && (navigator.hardwareConcurrency ?? 1) >= 2;
}

let loaded = null;

/**
 * Loads the threads build and starts its helper thread. Resolves to the core's module (Lab,
 * ...) with `simd: "relaxed-simd"` and `threads: 2`, or to null where threadsSupported() is
 * false; rejects if the helper does not start within `timeoutMs`.
 */
export async function loadThreadedCore({ timeoutMs = 10000 } = {}) {
  if (loaded) return loaded;
  if (!threadsSupported()) return null;
  const core = await import(JS.href);
  const module = await WebAssembly.compileStreaming(fetch(WASM));
  const exports = await core.default({ module_or_path: module });
  const helper = new Worker(HELPER, { type: "module", name: "residual-lab helper" });
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    helper.onmessage = resolve;
    helper.onerror = (e) => reject(new Error(`residual-lab: the helper thread did not start (${e.message ?? "worker error"})`));
    helper.postMessage({ module, memory: exports.memory, js: JS.href });
  });
  // "started" comes just before run_helper(), which then counts itself
  while (core.helper_threads() === 0) {
    if (performance.now() - t0 > timeoutMs) throw new Error("residual-lab: the helper thread did not start in time");
    await new Promise((r) => setTimeout(r, 1));
  }
  loaded = { ...core, simd: "relaxed-simd", threads: 1 + core.helper_threads() };
  return loaded;
}
