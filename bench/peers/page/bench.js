// Browser side of the peer benchmark. Driven by run.mjs through Playwright:
//   await window.benchInit(backend)          -> environment info
//   await window.benchRun(cfg, opts)         -> timing result for one config
// backend: 'wasm' | 'cpu' | 'webgl' (TensorFlow.js) or 'convnetjs'.
import * as W from './workload.js';

/* global tf, convnetjs */

const now = () => performance.now();

function median(a) {
  const s = Array.from(a).sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function wasmResources() {
  return performance.getEntriesByType('resource')
    .map((e) => e.name)
    .filter((n) => n.endsWith('.wasm'))
    .map((n) => n.split('/').pop());
}

function webglRendererInfo() {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') || canvas.getContext('webgl');
    if (!gl) return { ok: false, renderer: null };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    const vendor = ext ? gl.getParameter(ext.UNMASKED_VENDOR_WEBGL) : gl.getParameter(gl.VENDOR);
    return { ok: true, version: gl.getParameter(gl.VERSION), vendor, renderer };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}

let BACKEND = null;
let LabMod = null;

// ------------------------------------------------------------ Residual Lab --
// Same data, initial weights, batches and optimizer as the spec: the spec's data and He
// weights are loaded with set_data / set_weights ([fan_in][fan_out] -> PyTorch's [out][in]),
// batches walk the points in order (shuffle off), residual blocks are h + fc2(relu(fc1(h)))
// (alpha = 1). The spec's residual nets overflow to NaN within a few steps; the Lab would
// halt there (and then time nothing), so stop_on_divergence: false keeps it stepping through
// the NaNs as the peers do.
async function labRun(cfg, opts) {
  const data = W.makeSpiral();
  const residual = cfg.kind === 'residual';
  const lab = new LabMod.Lab({
    model: { kind: cfg.kind, depth: cfg.L, width: cfg.W, stem_activation: true, branch_layers: 2,
      branch_scale: 'one', init: 'he_normal' },
    stop_on_divergence: false,
    optimizer: { kind: 'sgd', lr: W.LR },
    data: { name: 'spiral', n: W.N_POINTS, test_fraction: 0, shuffle: false },
    batch_size: cfg.B,
  });
  lab.set_data(data.x, Float32Array.from(data.y), 2);
  const layers = W.heInit(cfg);
  const names = ['stem'];
  for (let l = 0; l < cfg.L; l++) names.push(...(residual ? [`blocks.${l}.fc1`, `blocks.${l}.fc2`] : [`blocks.${l}.fc1`]));
  names.push('head');
  const weights = {};
  layers.forEach(({ fin, fout, w, b }, k) => {
    const t = new Float32Array(fin * fout);
    for (let i = 0; i < fin; i++) for (let o = 0; o < fout; o++) t[o * fin + i] = w[i * fout + o];
    weights[`${names[k]}.weight`] = t;
    weights[`${names[k]}.bias`] = b;
  });
  lab.set_weights(weights);
  const result = await timeLoop(async () => lab.train_step().loss, opts);
  lab.free();
  return result;
}

window.benchInit = async function benchInit(backend, initOpts = {}) {
  BACKEND = backend;
  const info = {
    backend,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: self.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  };
  if (backend === 'residual-lab' || backend === 'residual-lab-simd128') {
    // As the lab's page chooses (www/js/core.js): the relaxed-SIMD build where it validates.
    const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123,
      3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11]);
    const relaxed = backend === 'residual-lab' && WebAssembly.validate(probe);
    LabMod = await import(relaxed ? './lab/relaxed/residual_lab.js' : './lab/residual_lab.js');
    await LabMod.default();
    info.ok = typeof LabMod.Lab === 'function';
    info.library = `Residual Lab (Rust -> wasm, ${relaxed ? 'simd128 + relaxed SIMD (fused multiply-add)' : 'simd128'})`;
    return info;
  }
  if (backend === 'convnetjs') {
    info.ok = typeof convnetjs !== 'undefined' && typeof convnetjs.Net === 'function';
    info.library = 'convnetjs 0.3.0 (Float64Array, one example per forward/backward)';
    return info;
  }
  info.tfjsVersion = tf.version.tfjs;
  if (backend === 'wasm') {
    // Serve the .wasm binaries from node_modules (same origin).
    tf.wasm.setWasmPaths(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
    info.wasmHasSimd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.wasmHasThreads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    if (initOpts.threads) {
      tf.wasm.setThreadsCount(initOpts.threads);
      info.wasmThreadsRequested = initOpts.threads;
    }
  }
  if (backend === 'webgl') info.webglProbe = webglRendererInfo();
  let ok = false;
  try {
    ok = await tf.setBackend(backend);
    await tf.ready();
  } catch (e) {
    info.error = String(e && e.message ? e.message : e);
    ok = false;
  }
  info.ok = ok && tf.getBackend() === backend;
  info.activeBackend = tf.getBackend();
  if (info.ok && backend === 'wasm') {
    info.wasmThreads = tf.wasm.getThreadsCount();
    info.wasmFilesLoaded = wasmResources();
  }
  if (info.ok && backend === 'webgl') {
    info.webglVersion = tf.env().get('WEBGL_VERSION');
    info.webglFloat32 = tf.env().get('WEBGL_RENDER_FLOAT32_ENABLED');
  }
  return info;
};

// ---------------------------------------------------------------- TF.js ----
function tfjsModel(cfg) {
  // tidy() frees the temporary initial-value tensors; variables survive it.
  const params = W.heInit(cfg).map((p) => tf.tidy(() => ({
    w: tf.variable(tf.tensor2d(p.w, [p.fin, p.fout]), true),
    b: tf.variable(tf.tensor1d(p.b), true),
  })));
  const varList = [];
  for (const p of params) varList.push(p.w, p.b);

  // Forward pass + mean softmax cross-entropy. tf.fused.matMul(bias, act) is
  // what tf.layers.dense uses internally; its gradient is built in.
  function loss(x, yOneHot) {
    let i = 0;
    let h = tf.fused.matMul({ a: x, b: params[i].w, bias: params[i].b, activation: 'relu' });
    i++;
    for (let l = 0; l < cfg.L; l++) {
      if (cfg.kind === 'plain') {
        h = tf.fused.matMul({ a: h, b: params[i].w, bias: params[i].b, activation: 'relu' });
        i++;
      } else {
        const r = tf.fused.matMul({ a: h, b: params[i].w, bias: params[i].b, activation: 'relu' });
        const o = tf.fused.matMul({ a: r, b: params[i + 1].w, bias: params[i + 1].b });
        h = tf.add(h, o);
        i += 2;
      }
    }
    const logits = tf.fused.matMul({ a: h, b: params[i].w, bias: params[i].b });
    return tf.losses.softmaxCrossEntropy(yOneHot, logits); // mean over batch
  }
  return { params, varList, loss };
}

async function tfjsRun(cfg, opts) {
  const tensorsBefore = tf.memory().numTensors;
  const data = W.makeSpiral();
  const nb = W.N_POINTS / cfg.B; // 512 is divisible by every B used
  const batches = [];
  for (let s = 0; s < nb; s++) {
    const idx = W.batchIndices(s, cfg.B);
    const xb = new Float32Array(2 * cfg.B);
    const yb = new Float32Array(2 * cfg.B);
    for (let k = 0; k < cfg.B; k++) {
      xb[2 * k] = data.x[2 * idx[k]];
      xb[2 * k + 1] = data.x[2 * idx[k] + 1];
      yb[2 * k + data.y[idx[k]]] = 1;
    }
    batches.push({ x: tf.tensor2d(xb, [cfg.B, 2]), y: tf.tensor2d(yb, [cfg.B, 2]) });
  }
  const model = tfjsModel(cfg);
  const opt = tf.train.sgd(W.LR);
  let stepNo = 0;
  // One train step: forward + backward + SGD update, then read the loss
  // back (await loss.data()) so the step has really finished.
  async function step() {
    const b = batches[stepNo % nb];
    stepNo++;
    const l = opt.minimize(() => model.loss(b.x, b.y), true, model.varList);
    const v = (await l.data())[0];
    l.dispose();
    return v;
  }
  const res = await timeLoop(step, opts);
  opt.dispose();
  for (const p of model.params) { p.w.dispose(); p.b.dispose(); }
  for (const b of batches) { b.x.dispose(); b.y.dispose(); }
  // Tensors still alive after disposing everything we created (0 = no leak).
  res.tensorsLeaked = tf.memory().numTensors - tensorsBefore;
  return res;
}

// ------------------------------------------------------------ ConvNetJS ----
async function convnetRun(cfg, opts) {
  if (cfg.kind !== 'plain') throw new Error('convnetjs has no residual blocks');
  const data = W.makeSpiral();
  const defs = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 }];
  defs.push({ type: 'fc', num_neurons: cfg.W, activation: 'relu', bias_pref: 0.0 });
  for (let l = 0; l < cfg.L; l++) defs.push({ type: 'fc', num_neurons: cfg.W, activation: 'relu', bias_pref: 0.0 });
  defs.push({ type: 'softmax', num_classes: 2 }); // adds fc(W->2) before it
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  // Overwrite ConvNetJS's own init with the shared He init (same numbers as TF.js).
  const init = W.heInit(cfg);
  const fcs = net.layers.filter((ly) => ly.layer_type === 'fc');
  if (fcs.length !== init.length) throw new Error(`fc count ${fcs.length} != ${init.length}`);
  fcs.forEach((ly, li) => {
    const p = init[li];
    if (ly.num_inputs !== p.fin || ly.out_depth !== p.fout) throw new Error('shape mismatch');
    for (let j = 0; j < p.fout; j++) {
      const f = ly.filters[j].w;
      for (let i = 0; i < p.fin; i++) f[i] = p.w[i * p.fout + j];
    }
    ly.biases.w.fill(0);
  });
  // ConvNetJS batching: Trainer.train(x, y) does forward+backward for ONE
  // example and accumulates gradients; every batch_size-th call it applies
  // p -= lr * g / batch_size and zeroes g. So one step = B train() calls.
  const trainer = new convnetjs.Trainer(net, {
    method: 'sgd', learning_rate: W.LR, momentum: 0.0, batch_size: cfg.B, l1_decay: 0, l2_decay: 0,
  });
  const vols = [];
  for (let i = 0; i < W.N_POINTS; i++) {
    const v = new convnetjs.Vol(1, 1, 2, 0.0);
    v.w[0] = data.x[2 * i];
    v.w[1] = data.x[2 * i + 1];
    vols.push(v);
  }
  let stepNo = 0;
  async function step() {
    const idx = W.batchIndices(stepNo, cfg.B);
    stepNo++;
    let loss = 0;
    for (let k = 0; k < cfg.B; k++) loss += trainer.train(vols[idx[k]], data.y[idx[k]]).cost_loss;
    return loss / cfg.B;
  }
  return timeLoop(step, opts);
}

// ------------------------------------------------------------- timing ----
// opts: { warmup, timed, warmBudgetMs, timedBudgetMs, minTimed }
// Runs `warmup` steps (fewer if they exceed warmBudgetMs, at least 2), then
// `timed` steps, reduced to fit timedBudgetMs (at least minTimed) based on the
// slowest of the last warm-up steps. Reductions are reported.
async function timeLoop(step, opts) {
  const losses = [];
  const warmTimes = [];
  const tw0 = now();
  for (let s = 0; s < opts.warmup; s++) {
    const t0 = now();
    losses.push(await step());
    warmTimes.push(now() - t0);
    if (s >= 1 && now() - tw0 > opts.warmBudgetMs) break;
  }
  const warmupSteps = warmTimes.length;
  const tail = warmTimes.slice(Math.max(1, warmupSteps - 5));
  const est = Math.max(...tail);
  let timed = opts.timed;
  if (est * timed > opts.timedBudgetMs) timed = Math.max(opts.minTimed, Math.floor(opts.timedBudgetMs / est));
  const times = new Float64Array(timed);
  const T0 = now();
  let last = 0;
  for (let s = 0; s < timed; s++) {
    const t0 = now();
    last = await step();
    times[s] = now() - t0;
    if (s < 3) losses.push(last); // losses[k] = loss of global step k
  }
  const total = now() - T0;
  // Loss (of the batch trained on, before that step's update) at fixed global
  // step indices, for cross-checking trajectories between implementations.
  const lossAt = {};
  for (const k of [0, 1, 2, 19]) if (k < losses.length) lossAt[k] = losses[k];
  lossAt[warmupSteps + timed - 1] = last;
  return {
    warmupSteps,
    timedSteps: timed,
    reduced: warmupSteps < opts.warmup || timed < opts.timed,
    msMedian: median(times),
    msMean: total / timed,
    msMin: Math.min(...times),
    msMax: Math.max(...times),
    totalMs: total,
    lossFirst: losses[0],
    lossLast: last,
    lossAt,
    lossFinite: Number.isFinite(losses[0]) && Number.isFinite(last),
  };
}

window.benchRun = async function benchRun(cfg, opts) {
  if (BACKEND.startsWith('residual-lab')) return labRun(cfg, opts);
  if (BACKEND === 'convnetjs') return convnetRun(cfg, opts);
  return tfjsRun(cfg, opts);
};

document.getElementById('log').textContent = 'ready';
window.benchReady = true;
