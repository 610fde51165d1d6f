#!/usr/bin/env node
// Peer benchmark runner: MLP train-step timing in headless Chromium.
// Installs nothing: run `npm ci` (or `npm install`) first, or use ./run.sh.
//
//   node run.mjs [--peers=a,b] [--configs=substr,...] [--quick] [--wait-idle=S]
//                [--warm-budget-ms=N] [--timed-budget-ms=N] [--min-timed=N] [--chromium=PATH]
//
// Prints one JSON line per (peer, config) on stdout, then a summary table.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as W from './page/workload.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ------------------------------------------------------------------ args --
const argv = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (!m) throw new Error(`bad argument ${a}`);
  return [m[1], m[2] === undefined ? true : m[2]];
}));
const QUICK = !!argv.quick;
// Spec: 20 warm-up + 200 timed steps. To keep the whole run at ~5 min on a
// 2-core machine, each (peer, config) also gets a wall-clock budget; a slow
// peer gets fewer steps (never fewer than 2 warm-up / minTimed timed) and the
// result is flagged "reduced":true. The wasm peers (the ones to compare with a
// Rust->wasm trainer) get the larger budget.
const BUDGETS = {
  wasm: { warmBudgetMs: 3000, timedBudgetMs: 10000, minTimed: 5 },
  slow: { warmBudgetMs: 1200, timedBudgetMs: 3000, minTimed: 5 },
  quick: { warmBudgetMs: 1000, timedBudgetMs: 1500, minTimed: 3 },
};
function optsFor(peer) {
  const b = QUICK ? BUDGETS.quick : BUDGETS[peer.budget];
  return {
    warmup: QUICK ? 3 : W.WARMUP_STEPS,
    timed: QUICK ? 10 : W.TIMED_STEPS,
    minTimed: Number(argv['min-timed'] ?? b.minTimed),
    warmBudgetMs: Number(argv['warm-budget-ms'] ?? b.warmBudgetMs),
    timedBudgetMs: Number(argv['timed-budget-ms'] ?? b.timedBudgetMs),
  };
}
const CHROMIUM = argv.chromium || '/usr/bin/chromium';
const CHROME_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const PEERS = [
  { id: 'residual-lab', backend: 'residual-lab', coi: false, budget: 'wasm',
    note: 'Residual Lab as its page runs it: the relaxed-SIMD build (fused multiply-adds) where the browser has relaxed SIMD, else simd128 (../../pkg and ../../pkg/relaxed copied to page/lab by run.sh); the spec data and weights via set_data/set_weights; stop_on_divergence: false, so it keeps stepping through the NaNs of the residual nets as the peers do' },
  { id: 'residual-lab-simd128', backend: 'residual-lab-simd128', coi: false, budget: 'wasm',
    note: 'Residual Lab, the plain simd128 build (separate multiply and add: the same bits as the native build)' },
  { id: 'tfjs-wasm', backend: 'wasm', coi: false, budget: 'wasm',
    note: 'TF.js 4.22 wasm backend, page without COOP/COEP (no SharedArrayBuffer -> no threads)' },
  { id: 'tfjs-wasm-coi', backend: 'wasm', coi: true, budget: 'wasm',
    note: 'TF.js 4.22 wasm backend, page with COOP/COEP (cross-origin isolated -> threaded SIMD build)' },
  { id: 'tfjs-cpu', backend: 'cpu', coi: false, budget: 'slow', note: 'TF.js 4.22 cpu backend (plain JS kernels)' },
  { id: 'tfjs-webgl', backend: 'webgl', coi: false, budget: 'slow',
    note: 'TF.js 4.22 webgl backend under --disable-gpu (SwiftShader software GL)' },
  { id: 'convnetjs', backend: 'convnetjs', coi: false, plainOnly: true, budget: 'slow',
    note: 'ConvNetJS 0.3.0, Trainer sgd, momentum 0, batch_size B; plain configs only' },
];

let peers = PEERS;
if (argv.peers) {
  const want = String(argv.peers).split(',');
  peers = PEERS.filter((p) => want.includes(p.id));
  if (peers.length !== want.length) throw new Error(`unknown peer in ${argv.peers}; have ${PEERS.map((p) => p.id)}`);
}
let configs = W.CONFIGS;
if (argv.configs) {
  const subs = String(argv.configs).split(',');
  configs = configs.filter((c) => subs.some((s) => W.configName(c).includes(s)));
}

// --------------------------------------------------------------- helpers --
const out = (line) => process.stdout.write(line + '\n');
const err = (line) => process.stderr.write(line + '\n');

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

function round(x, d = 4) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return x === undefined ? null : String(x);
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

// -------------------------------------------------------- static server --
let server = null;
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(HERE, 'server.mjs'), '0'], {
      cwd: HERE, stdio: ['ignore', 'pipe', 'inherit'],
    });
    server = child;
    const rl = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('static server did not start')), 10000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      try { resolve({ port: JSON.parse(line).port, pid: child.pid }); } catch (e) { reject(e); }
    });
    child.once('exit', (code) => reject(new Error(`static server exited early (${code})`)));
  });
}
async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const child = server;
  const exited = new Promise((r) => child.once('exit', r));
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
  const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
  await exited;
  clearTimeout(t);
}

// ------------------------------------------------------------- browser --
let pw = null;
try {
  pw = await import('playwright-core');
} catch (e) {
  err('playwright-core not found: run `npm ci` (or `npm install`) in ' + HERE + ' first (or use ./run.sh)');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) {
  err(`Chromium not found at ${CHROMIUM} (Debian: apt-get install -y chromium), or pass --chromium=PATH`);
  process.exit(2);
}

const profiles = [];
async function launch(extra = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-bench-profile-'));
  profiles.push(dir);
  // Playwright passes --user-data-dir=<dir> itself (it refuses it in args).
  const ctx = await pw.chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: CHROME_ARGS, timeout: 60000, ...extra,
  });
  return ctx;
}

const consoleSeen = new Map(); // peer -> Set of messages
function watchPage(page, peerId) {
  if (!consoleSeen.has(peerId)) consoleSeen.set(peerId, new Set());
  const seen = consoleSeen.get(peerId);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.add(`${m.type()}: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => seen.add(`pageerror: ${String(e).slice(0, 300)}`));
}

async function openPage(ctx, base, peer) {
  const page = await ctx.newPage();
  watchPage(page, peer.id);
  const url = `${base}${peer.coi ? '/coi' : ''}/page/bench.html`;
  await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
  const info = await withTimeout(
    page.evaluate(([b, o]) => window.benchInit(b, o), [peer.backend, { threads: peer.threads }]), 60000, 'benchInit');
  return { page, info };
}

// ----------------------------------------------------------------- main --
const results = [];
const envNotes = {};
let ctx = null;
let cleaning = false;

async function cleanup() {
  if (cleaning) return;
  cleaning = true;
  if (ctx) { try { await withTimeout(ctx.close(), 15000, 'browser close'); } catch (e) { err(String(e)); } }
  ctx = null;
  await stopServer();
  for (const d of profiles) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { err(`got ${sig}, cleaning up`); await cleanup(); process.exit(130); });
}

// Machine-wide CPU use from /proc/stat (Linux), to spot other load on the box.
function cpuSnap() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { idle, total };
  } catch { return null; }
}
// Busy cores (0..ncpu) between two snapshots.
function busyCores(a, b) {
  if (!a || !b || b.total === a.total) return null;
  return round((1 - (b.idle - a.idle) / (b.total - a.total)) * os.cpus().length, 2);
}
async function waitIdle(maxS) {
  const t0 = Date.now();
  let streak = 0;
  while ((Date.now() - t0) / 1000 < maxS) {
    const a = cpuSnap();
    await new Promise((r) => setTimeout(r, 5000));
    const busy = busyCores(a, cpuSnap());
    streak = busy !== null && busy < 0.3 ? streak + 1 : 0;
    err(`waiting for an idle machine: busy cores ${busy} (streak ${streak}/3)`);
    if (streak >= 3) return true;
  }
  return false;
}

function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch { return 'unknown'; }
}

const t00 = Date.now();
try {
  if (argv['wait-idle']) {
    const ok = await waitIdle(Number(argv['wait-idle']) || 600);
    if (!ok) err('machine still busy, running anyway');
  }
  const srv = await startServer();
  const base = `http://127.0.0.1:${srv.port}`;
  out(`# MLP peer benchmark  date=${new Date().toISOString()}  host=${os.cpus()[0].model} x${os.cpus().length}  node=${process.version}  loadavg=${os.loadavg().map((x) => x.toFixed(2)).join(',')}`);
  out(`# browser=${chromiumVersion()}  playwright-core=${JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/playwright-core/package.json'))).version}`);
  out(`# chromium args: ${CHROME_ARGS.join(' ')} --user-data-dir=<fresh tmp dir>  (+ Playwright defaults, which include --enable-unsafe-swiftshader)`);
  out(`# static server pid=${srv.pid} at ${base}`);
  out(`# workload: 2-class spiral N=${W.N_POINTS} (mulberry32(${W.DATA_SEED})), He-normal init (mulberry32(${W.WEIGHT_SEED})), SGD lr=${W.LR}, f32; step = fwd+bwd+update, loss read back each step`);
  for (const peer of peers) {
    const o = optsFor(peer);
    out(`# timing ${peer.id}: ${o.warmup} warm-up + ${o.timed} timed steps, reduced if over ${o.warmBudgetMs} ms warm-up / ${o.timedBudgetMs} ms timed (min 2 warm-up, ${o.minTimed} timed), flagged "reduced":true`);
  }
  out('# per-step time = performance.now() around one step incl. awaiting the loss value; ms_mean = total/timed_steps');
  out(`# FLOPs/step = 6 * B * sum(fan_in*fan_out over all Linear layers)  (2 fwd + 2 dX + 2 dW per multiply-add; bias/ReLU/softmax/update not counted)`);
  if (QUICK) out('# QUICK MODE: smoke test only, numbers are not comparable');
  {
    const a = cpuSnap();
    await new Promise((r) => setTimeout(r, 2000));
    const busy = busyCores(a, cpuSnap());
    out(`# machine busy cores just before the run (2 s sample): ${busy}`);
    if (busy !== null && busy > 0.5) out(`# WARNING: machine busy at start (${busy} of ${os.cpus().length} cores): timings will be inflated`);
  }

  ctx = await launch();
  for (const peer of peers) {
    // Probe the backend once; skip the peer if it does not initialise.
    let probe;
    try {
      const { page, info } = await openPage(ctx, base, peer);
      probe = info;
      await page.close();
    } catch (e) {
      probe = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    envNotes[peer.id] = probe;
    out(`# peer ${peer.id}: ${peer.note}`);
    out(`# peer ${peer.id} env: ${JSON.stringify(probe)}`);
    for (const cfg of configs) {
      const rec = {
        peer: peer.id, config: W.configName(cfg), kind: cfg.kind, L: cfg.L, W: cfg.W, B: cfg.B,
        flops_per_step: W.flopsPerStep(cfg),
      };
      if (peer.plainOnly && cfg.kind !== 'plain') {
        Object.assign(rec, { status: 'skipped', reason: 'no residual blocks in this library' });
      } else if (!probe.ok) {
        Object.assign(rec, { status: 'skipped', reason: `backend did not initialise: ${probe.error || probe.activeBackend || 'unknown'}` });
      } else {
        let page = null;
        try {
          const o = await openPage(ctx, base, peer);
          page = o.page;
          const op = optsFor(peer);
          const budget = op.warmBudgetMs + op.timedBudgetMs + 120000;
          const cpu0 = cpuSnap();
          const r = await withTimeout(page.evaluate(([c, o2]) => window.benchRun(c, o2), [cfg, op]), budget, 'benchRun');
          // ~1 for a single-threaded peer on an otherwise idle box; ~ncpu means contention.
          rec.machine_busy_cores = busyCores(cpu0, cpuSnap());
          Object.assign(rec, {
            status: 'ok',
            ms_median: round(r.msMedian), ms_mean: round(r.msMean), ms_min: round(r.msMin), ms_max: round(r.msMax),
            gflops_median: round(rec.flops_per_step / (r.msMedian * 1e6), 3),
            gflops_mean: round(rec.flops_per_step / (r.msMean * 1e6), 3),
            warmup_steps: r.warmupSteps, timed_steps: r.timedSteps, reduced: r.reduced,
            loss_first: round(r.lossFirst, 6), loss_last: round(r.lossLast, 6), loss_finite: r.lossFinite,
            loss_at_step: Object.fromEntries(Object.entries(r.lossAt).map(([k, v]) => [k, round(v, 6)])),
          });
          if (r.tensorsLeaked !== undefined) rec.tensors_leaked = r.tensorsLeaked;
          if (o.info.wasmFilesLoaded) rec.wasm_file = o.info.wasmFilesLoaded.join(',');
          if (o.info.wasmThreads !== undefined) rec.wasm_threads = o.info.wasmThreads;
        } catch (e) {
          Object.assign(rec, { status: 'error', error: String(e && e.message ? e.message : e).slice(0, 500) });
        } finally {
          if (page) { try { await page.close(); } catch { /* ignore */ } }
        }
      }
      results.push(rec);
      out(JSON.stringify(rec));
    }
  }

  // wasm thread cap: ask for hardwareConcurrency threads, report what XNNPACK got.
  if (peers.some((p) => p.backend === 'wasm' && p.coi)) {
    let info;
    try {
      const o = await openPage(ctx, base, { id: 'wasm-threads-probe', backend: 'wasm', coi: true, threads: os.cpus().length });
      info = o.info;
      await o.page.close();
    } catch (e) {
      info = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    out(`# probe: tfjs wasm (COOP/COEP) with setThreadsCount(${os.cpus().length}): ok=${info.ok} threads actually used=${info.wasmThreads} file=${info.wasmFilesLoaded}`);
  }

  // WebGL without Playwright's default --enable-unsafe-swiftshader: init probe only.
  if (peers.some((p) => p.backend === 'webgl')) {
    await withTimeout(ctx.close(), 15000, 'browser close');
    ctx = await launch({ ignoreDefaultArgs: ['--enable-unsafe-swiftshader'] });
    let info;
    try {
      const o = await openPage(ctx, base, { id: 'webgl-probe', backend: 'webgl', coi: false });
      info = o.info;
      await o.page.close();
    } catch (e) {
      info = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    out(`# probe: tfjs webgl WITHOUT --enable-unsafe-swiftshader (plain --disable-gpu): ok=${info.ok} ${JSON.stringify(info.webglProbe || info.error || '')}`);
  }
} catch (e) {
  err('FATAL: ' + (e && e.stack ? e.stack : e));
  process.exitCode = 1;
} finally {
  await cleanup();
}

// --------------------------------------------------------------- summary --
if (results.length) {
  const peerIds = peers.map((p) => p.id);
  const cell = (r) => {
    if (!r) return '-';
    if (r.status === 'skipped') return 'n/a';
    if (r.status !== 'ok') return 'ERROR';
    return `${r.ms_median.toFixed(3)}${r.reduced ? '*' : ''}`;
  };
  const gcell = (r) => (r && r.status === 'ok' ? r.gflops_median.toFixed(2) : (r && r.status === 'skipped' ? 'n/a' : '-'));
  const width = 32;
  const colW = Math.max(14, ...peerIds.map((p) => p.length + 2));
  const line = (name, cells) => name.padEnd(width) + cells.map((c) => String(c).padStart(colW)).join('');
  out('');
  out('== median ms per train step (fwd+bwd+SGD update, loss read back); * = fewer steps than 20+200 ==');
  out(line('config (MFLOP/step)', peerIds));
  for (const c of configs) {
    const name = `${W.configName(c)} (${(W.flopsPerStep(c) / 1e6).toFixed(1)})`;
    out(line(name, peerIds.map((p) => cell(results.find((r) => r.peer === p && r.config === W.configName(c))))));
  }
  out('');
  out('== mean ms per train step (total time / timed steps) ==');
  out(line('config', peerIds));
  for (const c of configs) {
    out(line(W.configName(c), peerIds.map((p) => {
      const r = results.find((x) => x.peer === p && x.config === W.configName(c));
      return r && r.status === 'ok' ? r.ms_mean.toFixed(3) : cell(r);
    })));
  }
  out('');
  out('== GFLOP/s = 6*B*sum(in*out) / median step time ==');
  out(line('config', peerIds));
  for (const c of configs) {
    out(line(W.configName(c), peerIds.map((p) => gcell(results.find((r) => r.peer === p && r.config === W.configName(c))))));
  }
  out('');
  out(`== machine-wide busy cores during each run (of ${os.cpus().length}; ~1 = only the benchmark, higher = other load or threads) ==`);
  out(line('config', peerIds));
  for (const c of configs) {
    out(line(W.configName(c), peerIds.map((p) => {
      const r = results.find((x) => x.peer === p && x.config === W.configName(c));
      return r && r.status === 'ok' && r.machine_busy_cores !== null ? r.machine_busy_cores.toFixed(2) : '-';
    })));
  }
  // Residual Lab (each build) against the fastest other peer of this run, and its losses against theirs.
  const isLab = (id) => id.startsWith('residual-lab');
  for (const labId of peerIds.filter(isLab)) {
  const lab = (c) => results.find((r) => r.peer === labId && r.config === W.configName(c) && r.status === 'ok');
  if (configs.some(lab)) {
    out('');
    out(`== ${labId} vs the fastest other peer in this run (median ms); loss agreement at the shared steps ==`);
    out('config'.padEnd(width) + 'lab ms'.padStart(10) + 'best peer'.padStart(16) + 'peer ms'.padStart(10) + 'speed-up'.padStart(10) + '   max rel. loss diff at steps 0-2 (finite ones)');
    for (const c of configs) {
      const l = lab(c);
      if (!l) continue;
      const others = results.filter((r) => !isLab(r.peer) && r.config === W.configName(c) && r.status === 'ok');
      const best = others.reduce((a, r) => (!a || r.ms_median < a.ms_median ? r : a), null);
      let worst = 0; const steps = new Set();
      for (const o of others) {
        // Steps 0-2: later steps drift apart between any two f32 implementations (different
        // summation orders), peers included, once a deep net's trajectory is chaotic.
        for (const [k, v] of Object.entries(l.loss_at_step).filter(([k]) => Number(k) <= 2)) {
          const u = o.loss_at_step[k];
          if (typeof v !== 'number' || typeof u !== 'number') continue; // non-finite, or a step the other did not reach
          worst = Math.max(worst, Math.abs(v - u) / Math.max(Math.abs(u), 1e-30));
          steps.add(k);
        }
      }
      out(W.configName(c).padEnd(width) + l.ms_median.toFixed(3).padStart(10) + (best ? best.peer : '-').padStart(16) +
        (best ? best.ms_median.toFixed(3) : '-').padStart(10) + (best ? (best.ms_median / l.ms_median).toFixed(1) + 'x' : '-').padStart(10) +
        `   ${steps.size ? worst.toExponential(1) : '-'} (${[...steps].join(',') || 'none finite'})`);
    }
  }
  }
  const bad = results.filter((r) => r.status === 'ok' && !r.loss_finite);
  if (bad.length) {
    out(`\nnote: non-finite loss (diverged to NaN) in: ${bad.map((r) => `${r.peer}/${r.config}`).join(', ')}`);
    out('note: expected from the spec: He init on BOTH Linear layers of a residual block roughly doubles the activation variance per block,');
    out('      so the step-0 loss of the residual nets is huge (see loss_first) and SGD lr=0.01 overflows to NaN within a few steps.');
    out('      Timings of dense kernels are unaffected by NaN values on these backends, but the residual runs do not train.');
  }
  const reduced = results.filter((r) => r.reduced);
  if (reduced.length) {
    out(`note: reduced step counts (warm-up/timed) in: ${reduced.map((r) => `${r.peer}/${r.config}=${r.warmup_steps}/${r.timed_steps}`).join(', ')}`);
  }
  for (const [peer, msgs] of consoleSeen) {
    if (msgs.size) out(`console (${peer}, deduplicated): ${[...msgs].slice(0, 8).join(' | ')}`);
  }
  out(`total wall time: ${((Date.now() - t00) / 1000).toFixed(1)} s  loadavg at end=${os.loadavg().map((x) => x.toFixed(2)).join(',')}`);
}
