// Writes pkg/package.json: pkg/ is an npm-style package that a user can install from a
// path or a tarball (`npm install ./pkg`).
import { readFileSync, writeFileSync } from "node:fs";
const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const version = /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
const pkg = {
  name: "residual-lab",
  version,
  description: "Train small plain and residual networks in WebAssembly and measure signal propagation layer by layer",
  license: "MIT",
  type: "module",
  module: "residual_lab.js",
  main: "residual_lab.js",
  types: "residual_lab.d.ts",
  files: ["residual_lab.js", "residual_lab.d.ts", "residual_lab_bg.wasm", "residual_lab_bg.wasm.d.ts"],
  sideEffects: ["./snippets/*"],
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
