// Loads the wasm core once per worker, relative to this module's own URL (so it also works
// when the files are served from another origin or copied to dist/).
const PKG = new URL("../../pkg/residual_lab.js", import.meta.url);
const WASM = new URL("../../pkg/residual_lab_bg.wasm", import.meta.url);
let core = null; // the imported module

export async function loadCore() {
  if (core) return core;
  const mod = await import(PKG.href);
  await mod.default({ module_or_path: WASM });
  core = mod;
  return core;
}
