// Loads the wasm core once per worker, relative to this module's own URL (so it also works
// when the files are served from another origin or copied to dist/).
//
// There are two builds of the same core. pkg/relaxed/ fuses the multiply-adds of its matrix
// kernel (relaxed SIMD), which made whole steps 1.3-1.6x faster in one benchmark session;
// pkg/ keeps them separate (plain simd128), which rounds exactly like the native build. A
// worker takes the relaxed build where the browser validates relaxed SIMD, unless it was
// started with "simd=plain" in its name (the page passes its ?simd=plain on).
import { plainRequested } from "./simdchoice.js";

const BUILDS = {
  "relaxed-simd": { js: new URL("../../pkg/relaxed/residual_lab.js", import.meta.url), wasm: new URL("../../pkg/relaxed/residual_lab_bg.wasm", import.meta.url) },
  simd128: { js: new URL("../../pkg/residual_lab.js", import.meta.url), wasm: new URL("../../pkg/residual_lab_bg.wasm", import.meta.url) },
};

// (module (func (param v128 v128 v128) (result v128)
//   local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
export const RELAXED_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123,
  3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11]);

/** Which build this browser runs: "relaxed-simd" or "simd128". */
export function simdBuild() {
  const plain = typeof self !== "undefined" && plainRequested(self.name);
  return !plain && WebAssembly.validate(RELAXED_PROBE) ? "relaxed-simd" : "simd128";
}

let core = null; // the imported module's exports, and `simd`: its build

/** The core's module (Lab, ...) and `simd`, the build it came from. */
export async function loadCore() {
  if (core) return core;
  const simd = simdBuild();
  const mod = await import(BUILDS[simd].js.href);
  await mod.default({ module_or_path: BUILDS[simd].wasm });
  core = { ...mod, simd };
  return core;
}
