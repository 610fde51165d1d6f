// Time to first chart: the page loaded N times (default 5), each in a fresh headless Chromium
// profile (nothing cached), served by scripts/serve.mjs as users get it (minified bundles);
// prints each load and the median of `perf.firstChartMs` (ms after navigation until a depth
// profile has data to draw) and, where the page trains by itself (issue 16), of
// `perf.firstMoveMs`: the first moving chart, a profile drawn after a training step.
// Usage: node bench/first-chart.mjs [repo root] [loads]
// (the root defaults to this repository; another checkout measures that one's page).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, openPage } from "../tests/browser/helpers.mjs";

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(process.argv[2] ?? here);
const loads = Number(process.argv[3] ?? 5);

const server = spawn(process.execPath, [path.join(root, "scripts", "serve.mjs")], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((resolve, reject) => {
  let out = "";
  server.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\/www\//);
    if (m) resolve(`http://127.0.0.1:${m[1]}`);
  });
});

const times = [], moves = [];
try {
  // one load to warm the server's bundle cache, not counted
  for (let i = 0; i <= loads; i++) {
    const browser = await launch(undefined, { reducedMotion: "no-preference" }); // a reader with no motion preference
    const page = await openPage(browser.context, `${base}/www/`);
    await page.waitForFunction(() => window.__lab?.snapshot().perf.firstChartMs != null, null, { timeout: 60000 });
    // pages that train by themselves: wait for the first moving chart (at most 10 s more)
    const move = await page.waitForFunction(() => window.__lab.snapshot().perf.firstMoveMs ?? false, null, { timeout: 10000 })
      .then((h) => h.jsonValue(), () => null);
    const ms = await page.evaluate(() => window.__lab.snapshot().perf.firstChartMs);
    await browser.close();
    if (i > 0) {
      times.push(ms);
      if (move != null) moves.push(move);
      console.log(`load ${i}: first chart at ${ms.toFixed(0)} ms, first moving chart at ${move == null ? "- (the page waits for Play)" : `${move.toFixed(0)} ms`}`);
    }
  }
} finally {
  server.kill("SIGTERM");
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const range = (a) => `min ${Math.min(...a).toFixed(0)}, max ${Math.max(...a).toFixed(0)}`;
console.log(`${root}: median time to first chart ${median(times).toFixed(0)} ms over ${loads} loads (${range(times)})`);
if (moves.length) console.log(`${root}: median time to first moving chart ${median(moves).toFixed(0)} ms over ${moves.length} loads (${range(moves)})`);
