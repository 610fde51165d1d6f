// Runs a wasm32-wasip1 build of a native example (examples/kernels.rs, examples/bench.rs) in
// headless Chromium, the browser the lab runs in, and prints its output: the same benchmark
// source then measures native code, Node and Chromium. The page is cross-origin isolated
// (COOP/COEP), so performance.now() has microsecond resolution, not 100 us.
// The WASI layer is the minimum those examples use: stdout/stderr, the clock, args, exit.
// Usage: node bench/wasi-chromium.mjs target/wasm32-wasip1/release/examples/kernels.wasm [args]
// `--cpu-profile` (first) also samples the run with V8's profiler and prints the functions
// with the most self time (the wasm's name section gives Rust's function names). The run's CPU
// time on the page's thread is printed after the output.
import { createServer } from "node:http";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const argv0 = process.argv.slice(2);
const profile = argv0[0] === "--cpu-profile";
const [file, ...args] = profile ? argv0.slice(1) : argv0;
if (!file) {
  console.error("usage: node bench/wasi-chromium.mjs <example.wasm> [args]");
  process.exit(2);
}
const wasm = readFileSync(file);

// Runs in the page: instantiate with a tiny WASI, run _start, return the output.
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
window.run = async (args) => {
  const bytes = await (await fetch("/module.wasm")).arrayBuffer();
  const module = await WebAssembly.compile(bytes);
  let memory, out = "";
  const dec = new TextDecoder();
  const view = () => new DataView(memory.buffer);
  const argv = [${JSON.stringify(path.basename(file))}, ...args].map((a) => new TextEncoder().encode(a + "\\0"));
  const wasi = {
    fd_write(fd, iovs, n, nwritten) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true), len = view().getUint32(iovs + 8 * i + 4, true);
        out += dec.decode(new Uint8Array(memory.buffer, ptr, len));
        total += len;
      }
      view().setUint32(nwritten, total, true);
      return 0;
    },
    clock_time_get(id, precision, ptr) {
      const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      view().setBigUint64(ptr, ns, true);
      return 0;
    },
    args_sizes_get(argc, size) {
      view().setUint32(argc, argv.length, true);
      view().setUint32(size, argv.reduce((s, a) => s + a.length, 0), true);
      return 0;
    },
    args_get(ptrs, buf) {
      for (const a of argv) {
        view().setUint32(ptrs, buf, true); ptrs += 4;
        new Uint8Array(memory.buffer, buf, a.length).set(a); buf += a.length;
      }
      return 0;
    },
    environ_sizes_get(count, size) { view().setUint32(count, 0, true); view().setUint32(size, 0, true); return 0; },
    environ_get() { return 0; },
    proc_exit(code) { throw { exit: code }; },
  };
  const imports = { wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = wasi[imp.name] ?? (() => 52); // ENOSYS for the rest
  }
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory;
  try { instance.exports._start(); } catch (e) { if (e.exit === undefined) out += "error: " + e; else if (e.exit) out += "exit " + e.exit; }
  return out;
};
</script>`;

const server = createServer((req, res) => {
  const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
  if (req.url === "/module.wasm") res.writeHead(200, { ...headers, "Content-Type": "application/wasm" }).end(wasm);
  else res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(PAGE);
}).listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const dir = mkdtempSync(path.join(tmpdir(), "rl-wasi-"));
const context = await chromium.launchPersistentContext(dir, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => typeof window.run === "function");
  const version = context.browser()?.version() ?? "";
  process.stdout.write(`# headless Chromium ${version}, cross-origin isolated: ${await page.evaluate(() => crossOriginIsolated)}\n`);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const threadTime = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "ThreadTime").value;
  if (profile) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
  }
  const [cpu0, wall0] = [await threadTime(), performance.now()];
  process.stdout.write(await page.evaluate((a) => window.run(a), args));
  // CPU time of the page's thread: on a busy machine it varies much less than wall time.
  const [cpu, wall] = [(await threadTime()) - cpu0, (performance.now() - wall0) / 1e3];
  process.stdout.write(`# run: ${cpu.toFixed(3)} s CPU on the page's thread, ${wall.toFixed(3)} s wall\n`);
  if (profile) printProfile((await cdp.send("Profiler.stop")).profile);
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
  server.close();
}

/** Self time per function name, from a CDP profile: the top 25 with their share of samples. */
function printProfile({ nodes, samples }) {
  const nameOf = new Map(nodes.map((n) => [n.id, n.callFrame.functionName || "(anonymous)"]));
  const self = new Map();
  for (const id of samples) self.set(nameOf.get(id), (self.get(nameOf.get(id)) ?? 0) + 1);
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  process.stdout.write(`# self time, ${samples.length} samples\n`);
  for (const [name, n] of rows) process.stdout.write(`${((100 * n) / samples.length).toFixed(1).padStart(6)}%  ${name.slice(0, 140)}\n`);
}
