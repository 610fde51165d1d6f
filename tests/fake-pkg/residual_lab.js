// A FAKE of pkg/residual_lab.js (the wasm core) for developing and testing the page
// before the real core is built. It follows the JS API contract, but its numbers come
// from the mean-field recurrences (q_{l+1} = gain * q_l, or q + alpha^2 v for pre-norm),
// not from training a network. Only the browser tests use it, via RL_PKG_DIR.
const DEF = {
  model: { kind: "residual", depth: 8, width: 32, activation: "relu", leaky_slope: 0.01, norm: "none",
    norm_position: "pre", final_norm: false, init: "he_normal", sigma_w2: 2.0, sigma_b2: 0.0,
    branch_layers: 2, branch_scale: "inv_sqrt_depth", stem_activation: false },
  optimizer: { kind: "adam", lr: 0.003, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8,
    weight_decay: 0, clip_norm: 0 },
  data: { name: "spiral", n: 512, noise: 0.1, test_fraction: 0.2, classes: 2 },
  loss: "auto", batch_size: 64, bn_momentum: 0.1, seed: 42,
};
function merge(def, v, path) {
  if (v === undefined) return structuredClone(def);
  if (typeof def === "object" && def !== null) {
    if (typeof v !== "object" || v === null) throw new Error(`${path}: expected an object`);
    const out = {};
    for (const k of Object.keys(v)) if (!(k in def)) throw new Error(`${path ? path + "." : ""}${k}: unknown field`);
    for (const k of Object.keys(def)) out[k] = merge(def[k], v[k], path ? `${path}.${k}` : k);
    return out;
  }
  if (typeof def !== typeof v) throw new Error(`${path}: expected a ${typeof def}`);
  return v;
}
function rng(seed) {
  let s = seed >>> 0 || 1;
  const f = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  f.get = () => s;
  f.set = (v) => { s = v; };
  return f;
}
export default async function init() { return {}; }

export class Lab {
  constructor(config = {}) {
    this.cfg = merge(DEF, config, "");
    const m = this.cfg.model;
    if (!(m.depth >= 1 && m.depth <= 10000)) throw new Error(`model.depth: ${m.depth} is out of range; allowed 1 to 10000`);
    if (!(m.width >= 1 && m.width <= 1024)) throw new Error(`model.width: ${m.width} is out of range; allowed 1 to 1024`);
    if ((m.init === "fixup" || m.init === "rezero") && m.kind !== "residual") throw new Error(`model.init: ${m.init} requires model.kind "residual"`);
    if (m.init === "fixup" && m.norm !== "none") throw new Error(`model.init: fixup requires model.norm "none"`);
    if (m.depth * m.width * this.cfg.batch_size > 8388608) throw new Error("depth*width*batch_size exceeds 8388608");
    this.reset(this.cfg.seed);
    this._data = this._makeData();
  }
  reset(seed) { if (seed !== undefined) this.cfg.seed = seed; this.rand = rng(this.cfg.seed + 1); this.step = 0; this.div = null; this.lossv = null; }
  config() { return structuredClone(this.cfg); }
  set_lr(lr) { if (!(lr > 0)) throw new Error("optimizer.lr: must be > 0"); this.cfg.optimizer.lr = lr; }
  _profile() {
    const m = this.cfg.model, L = m.depth;
    const c = { relu: 0.5, leaky_relu: 0.5, gelu: 0.42, tanh: 0.6, sigmoid: 0.25, linear: 1 }[m.activation];
    const sw2 = { xavier_uniform: 1, xavier_normal: 1, he_normal: 2, he_uniform: 2, lecun_normal: 1, orthogonal: 1, custom: m.sigma_w2, fixup: 2, rezero: 2 }[m.init];
    const alpha2 = m.init === "fixup" || m.init === "rezero" ? 0 : m.branch_scale === "inv_sqrt_depth" ? 1 / L : m.branch_scale === "learnable" ? 0 : 1;
    const v = m.branch_layers === 2 ? sw2 * c * sw2 : sw2;
    const drift = 1 + 0.3 * (1 - Math.exp(-this.step / 200));
    const q = new Float32Array(L + 1), g = new Float32Array(L + 1);
    q[0] = 1;
    for (let l = 1; l <= L; l++) {
      if (m.kind === "plain") q[l] = m.norm !== "none" ? c : q[l - 1] * sw2 * c;
      else if (m.norm !== "none" && m.norm_position === "post") q[l] = 1;
      else if (m.norm !== "none") q[l] = q[l - 1] + alpha2 * v;
      else q[l] = q[l - 1] * (1 + alpha2 * v);
    }
    g[L] = 0.05;
    for (let l = L - 1; l >= 0; l--) g[l] = m.kind === "plain" ? g[l + 1] * Math.sqrt(m.norm !== "none" ? 1 : sw2 * c) : g[l + 1] * Math.sqrt(m.norm !== "none" ? 1 : 1 + alpha2 * v);
    for (let l = 0; l <= L; l++) { q[l] *= drift * (1 + 0.05 * this.rand()); g[l] *= 1 + 0.05 * this.rand(); }
    return { q, g };
  }
  _report() {
    const L = this.cfg.model.depth, { q, g } = this._profile();
    const f = (fn) => Float32Array.from({ length: L + 1 }, (_, l) => fn(l));
    const layers = {
      act_mean: f((l) => Math.sqrt(q[l]) * 0.3), act_mean_sq: q, act_var: f((l) => q[l] * 0.91),
      dead_frac: f((l) => (this.cfg.model.activation === "relu" && l > 0 ? 0.05 * this.rand() : 0)), grad_rms: g,
      weight_grad_norm: f((l) => 0.1 * (1 + 0.1 * this.rand())), weight_norm: f(() => 5.6),
      update_ratio: f(() => this.cfg.optimizer.lr * (0.8 + 0.4 * this.rand())), nonfinite: f(() => 0),
    };
    if (this.div) { layers.act_mean_sq[this.div.layer] = NaN; layers.nonfinite[this.div.layer] = 64; }
    const cls = this.cfg.data.name !== "regression";
    return { step: this.step, loss: this.div ? NaN : this.lossv ?? 0.69, accuracy: cls ? Math.min(1, 1.2 - (this.lossv ?? 0.69)) : null, diverged: this.div, layers };
  }
  _trainability() {
    const { q, g } = this._profile(), L = q.length - 1;
    const r = q[L] / q[0], gr = g[0] / g[L];
    if (r > 1e12) return -1;
    return 1 / (1 + Math.abs(Math.log10(r)) + Math.abs(Math.log10(gr)) + (this.cfg.model.kind === "plain" ? L / 15 : 0));
  }
  train_step() {
    if (this.div) return this._report();
    this.step++;
    const t = this._trainability();
    if (t < 0 && this.step > 3) this.div = { step: this.step, layer: this.cfg.model.depth, what: "activation overflow (fake)" };
    const tau = 300 / Math.max(t, 0.01) * (0.003 / this.cfg.optimizer.lr);
    this.lossv = 0.05 + 0.64 * Math.exp(-this.step / tau) + 0.03 * this.rand();
    return this._report();
  }
  train(n) { let r; for (let i = 0; i < n; i++) r = this.train_step(); return r ?? this._report(); }
  probe() { return this._report(); }
  evaluate() {
    const l = this.lossv ?? 0.69, cls = this.cfg.data.name !== "regression";
    return { train: { loss: l, accuracy: cls ? Math.min(1, 1.2 - l) : null }, test: { loss: l * 1.1, accuracy: cls ? Math.min(1, 1.15 - l) : null } };
  }
  _makeData() {
    const d = this.cfg.data, n = d.n, r = rng(this.cfg.seed), reg = d.name === "regression";
    const classes = reg ? 1 : d.name === "blobs" ? d.classes : 2;
    const x = new Float32Array(n * 2), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % Math.max(classes, 1), t = r() * 3;
      x[2 * i] = Math.cos(t + k * Math.PI) * t / 3 + d.noise * (r() - 0.5);
      x[2 * i + 1] = Math.sin(t + k * Math.PI) * t / 3 + d.noise * (r() - 0.5);
      y[i] = reg ? Math.sin(3 * x[2 * i]) : k;
    }
    return { x, y, d_in: 2, d_out: classes, classification: !reg, n_train: Math.round(n * (1 - d.test_fraction)) };
  }
  data() { const d = this._data; return { ...d, x: d.x.slice(), y: d.y.slice() }; }
  predict_grid(res, b) {
    const C = this._data.d_out, out = new Float32Array(res * res * C), sharp = 1 + this.step / 50;
    for (let j = 0; j < res; j++) for (let i = 0; i < res; i++) {
      const x = b[0] + (b[1] - b[0]) * (i + 0.5) / res, y = b[2] + (b[3] - b[2]) * (j + 0.5) / res;
      const p = 1 / (1 + Math.exp(-sharp * Math.sin(3 * Math.atan2(y, x) + 4 * Math.hypot(x, y))));
      if (!this._data.classification) out[j * res + i] = Math.sin(3 * x);
      else for (let k = 0; k < C; k++) out[(j * res + i) * C + k] = k === 0 ? p : (1 - p) / (C - 1);
    }
    return out;
  }
  theory() {
    const { q, g } = this._profile();
    return { supported: this.cfg.model.norm === "none", reason: "fake", second_moment: q, grad_ms: g.map((v) => v * v) };
  }
  to_json() { return JSON.stringify({ cfg: this.cfg, step: this.step, rand: this.rand.get(), div: this.div, lossv: this.lossv }); }
  static from_json(s) {
    const o = JSON.parse(s), lab = new Lab(o.cfg);
    Object.assign(lab, { step: o.step, div: o.div, lossv: o.lossv });
    lab.rand.set(o.rand);
    return lab;
  }
  free() {}
}
