// Runs a wasm32-wasip1 build of a native example (e.g. examples/kernels.rs, examples/bench.rs)
// under Node's WASI, so one benchmark source measures both native and wasm code.
// Usage: node bench/wasi-run.mjs target/wasm32-wasip1/release/examples/kernels.wasm [args]
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
