// The one table of configurable state. It drives URL-hash parsing and writing,
// the control widgets, and the config each worker's Lab is built from.
import { fitLinkSizes } from "./limits.js";

// Row: { key (URL name), path (into cfg), type: "enum"|"int"|"float"|"bool"|"text", values | min,max
//        | max (text: length), def, label, group, hint?, reset (false: change needs no network reset), when?(cfg) }

const NET_FIELDS = [
  { key: "kind", type: "enum", values: ["plain", "residual"], label: "Kind",
    hint: "plain: h ← φ(N(W h)); residual: h ← h + α·F(h)" },
  { key: "depth", type: "int", min: 1, max: 10000, label: "Depth (blocks)" },
  { key: "width", type: "int", min: 1, max: 1024, label: "Width" },
  { key: "activation", type: "enum", values: ["relu", "leaky_relu", "tanh", "linear", "gelu", "sigmoid"], label: "Activation" },
  { key: "norm", type: "enum", values: ["none", "batch", "layer", "rms"], label: "Norm" },
  { key: "norm_position", type: "enum", values: ["pre", "post"], label: "Norm position",
    when: (m) => m.kind === "residual" && m.norm !== "none" },
  { key: "init", type: "enum", values: ["xavier_uniform", "xavier_normal", "he_normal", "he_uniform",
    "lecun_normal", "orthogonal", "fixup", "rezero", "custom"], label: "Init" },
  { key: "sigma_w2", type: "float", min: 1e-6, max: 100, label: "σ_w²", when: (m) => m.init === "custom" },
  { key: "sigma_b2", type: "float", min: 0, max: 100, label: "σ_b²", when: (m) => m.init === "custom" },
  { key: "branch_layers", type: "enum", values: [1, 2], label: "Branch layers", when: (m) => m.kind === "residual" },
  { key: "branch_scale", type: "enum", values: ["one", "inv_sqrt_depth", "learnable"], label: "Branch scale α",
    when: (m) => m.kind === "residual", hint: "one: α = 1; inv_sqrt_depth: α = 1/√L; learnable: a trained scalar (starts at 1, at 0 with ReZero)" },
];

export const NET_DEFAULTS = {
  kind: "plain", depth: 20, width: 32, activation: "relu", norm: "none", norm_position: "pre",
  init: "he_normal", sigma_w2: 2.0, sigma_b2: 0.0, branch_layers: 2, branch_scale: "inv_sqrt_depth",
};

function netRows(prefix, idx, kindDefault) {
  return NET_FIELDS.map((f) => ({
    ...f, key: `${prefix}.${f.key}`, field: f.key, path: ["nets", idx, f.key], group: prefix,
    def: f.key === "kind" ? kindDefault : NET_DEFAULTS[f.key], reset: true,
  }));
}

/** Drawn points kept in the link (4 characters each); more go into the exported state only. */
export const POINTS_IN_LINK = 200;

export const SCHEMA = [
  ...netRows("a", 0, "plain"),
  ...netRows("b", 1, "residual"),
  // own data (www/js/data/): the data's source; drawn points live in the link while they fit (pts)
  { key: "src", path: ["view", "source"], type: "enum", values: ["builtin", "draw", "csv"], def: "builtin",
    label: "Data source", group: "data", reset: true,
    hint: "builtin: a dataset of the lab; draw: click on the decision-boundary view to add points; csv: load a file" },
  { key: "pts", path: ["view", "points"], type: "text", max: POINTS_IN_LINK * 4, def: "", label: "Drawn points", group: "none", reset: true },
  { key: "data", path: ["data", "name"], type: "enum", values: ["spiral", "circles", "xor", "blobs", "regression", "digits"],
    def: "spiral", label: "Dataset", group: "data", reset: true, when: (c) => c.view.source === "builtin" },
  { key: "n", path: ["data", "n"], type: "int", min: 16, max: 20000, def: 512, label: "Points", group: "data", reset: true,
    when: (c) => c.view.source === "builtin" && c.data.name !== "digits" },
  { key: "noise", path: ["data", "noise"], type: "float", min: 0, max: 2, def: 0.1, label: "Noise", group: "data", reset: true,
    when: (c) => c.view.source === "builtin" && c.data.name !== "digits" },
  { key: "test", path: ["data", "test_fraction"], type: "float", min: 0.05, max: 0.9, def: 0.2, label: "Test fraction", group: "data", reset: true },
  { key: "classes", path: ["data", "classes"], type: "int", min: 2, max: 8, def: 2, label: "Classes (blobs)", group: "data", reset: true,
    when: (c) => c.view.source === "builtin" && c.data.name === "blobs" },
  { key: "opt", path: ["optimizer", "kind"], type: "enum", values: ["sgd", "momentum", "adam", "adamw"], def: "adam",
    label: "Optimizer", group: "opt", reset: true },
  { key: "lr", path: ["optimizer", "lr"], type: "float", min: 1e-6, max: 10, def: 0.003, label: "Learning rate", group: "opt", reset: false },
  { key: "mom", path: ["optimizer", "momentum"], type: "float", min: 0, max: 0.999, def: 0.9, label: "Momentum", group: "opt", reset: true,
    when: (c) => c.optimizer.kind === "momentum" },
  { key: "wd", path: ["optimizer", "weight_decay"], type: "float", min: 0, max: 1, def: 0, label: "Weight decay", group: "opt", reset: true },
  { key: "clip", path: ["optimizer", "clip_norm"], type: "float", min: 0, max: 1000, def: 0, label: "Clip grad norm (0 = off)", group: "opt", reset: true },
  { key: "batch", path: ["batch_size"], type: "int", min: 1, max: 4096, def: 64, label: "Batch size", group: "opt", reset: true },
  { key: "seed", path: ["seed"], type: "int", min: 0, max: 4294967295, def: 42, label: "Seed", group: "opt", reset: true },
  { key: "speed", path: ["view", "speed"], type: "int", min: 1, max: 200, def: 5, label: "Steps per frame", group: "run", reset: false },
  { key: "preset", path: ["view", "preset"], type: "enum", values: ["", "plain-vs-residual", "xavier-he", "degradation", "explode",
    "prenorm-linear", "fixup-rezero", "post-pre"], def: "", label: "Preset", group: "none", reset: false },
  { key: "fwd", path: ["view", "fwd"], type: "enum", values: ["act_mean_sq", "act_var"], def: "act_mean_sq",
    label: "Forward statistic", group: "view", reset: false },
  { key: "bwd", path: ["view", "bwd"], type: "enum", values: ["grad_rms", "weight_grad_norm", "update_ratio"], def: "grad_rms",
    label: "Backward statistic", group: "view", reset: false },
  { key: "theory", path: ["view", "theory"], type: "bool", def: true, label: "Theory overlay", group: "run", reset: false,
    hint: "dotted mean-field prediction on the two depth-profile charts" },
];

const BY_KEY = new Map(SCHEMA.map((r) => [r.key, r]));
export const rowByKey = (k) => BY_KEY.get(k);

export function getPath(obj, path) { return path.reduce((o, k) => o[k], obj); }
export function setPath(obj, path, v) { path.slice(0, -1).reduce((o, k) => o[k], obj)[path.at(-1)] = v; }

/** The default config (URL-backed state). */
export function defaults() {
  const cfg = { nets: [{}, {}], data: {}, optimizer: {}, view: {} };
  for (const r of SCHEMA) setPath(cfg, r.path, r.def);
  return cfg;
}

/** Parses a string for a row: {ok, value} or {ok:false, why}. */
export function coerce(row, s) {
  const str = String(s).trim();
  if (row.type === "enum") {
    const v = row.values.find((x) => String(x) === str);
    return v === undefined ? { ok: false, why: `not one of ${row.values.join(", ")}` } : { ok: true, value: v };
  }
  if (row.type === "text") { // URL-safe base64 (www/js/data/points.js)
    if (!/^[A-Za-z0-9_-]*$/.test(str)) return { ok: false, why: "not URL-safe base64" };
    if (str.length > row.max) return { ok: false, why: `longer than ${row.max} characters` };
    return { ok: true, value: str };
  }
  if (row.type === "bool") {
    if (str === "1" || str === "true") return { ok: true, value: true };
    if (str === "0" || str === "false") return { ok: true, value: false };
    return { ok: false, why: "not 0/1" };
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(str)) return { ok: false, why: "not a number" };
  const v = Number(str);
  if (!Number.isFinite(v)) return { ok: false, why: "not a finite number" };
  if (row.type === "int" && !Number.isInteger(v)) return { ok: false, why: "not an integer" };
  if (v < row.min || v > row.max) return { ok: false, why: `out of range ${row.min} to ${row.max}` };
  return { ok: true, value: v };
}

/** Fixes combinations the core rejects; pushes a notice for each fix. `given`: the keys a link
 *  set, so that a size over the core's caps is lowered where the link set it (limits.js). */
export function crossCheck(cfg, notices, given = new Set()) {
  cfg.nets.forEach((m, i) => {
    const name = i === 0 ? "a" : "b";
    if ((m.init === "fixup" || m.init === "rezero") && m.kind !== "residual") {
      notices.push(`${name}.init=${m.init} needs a residual net; using he_normal`);
      m.init = "he_normal";
    }
    if (m.init === "fixup" && m.norm !== "none") {
      notices.push(`${name}.init=fixup needs norm none; using norm none`);
      m.norm = "none";
    }
    notices.push(...fitLinkSizes(cfg, i, given));
  });
  return cfg;
}

const MAX_NOTICE_TEXT = 60;
const short = (s) => (s.length > MAX_NOTICE_TEXT ? s.slice(0, MAX_NOTICE_TEXT) + "…" : s);

/** Parses a location hash. Never throws: bad values fall back to defaults with a notice. */
export function parseHash(hash, base = defaults()) {
  const cfg = structuredClone(base);
  const notices = [];
  let params;
  try {
    params = new URLSearchParams(String(hash ?? "").replace(/^#/, ""));
  } catch {
    return { cfg, notices: ["could not read the link; using defaults"] };
  }
  let count = 0;
  const given = new Set();
  for (const [k, v] of params) {
    if (++count > 200) { notices.push("too many link parameters; the rest were ignored"); break; }
    const row = BY_KEY.get(k);
    if (!row) { notices.push(`ignored unknown link parameter "${short(k)}"`); continue; }
    const c = coerce(row, v);
    if (c.ok) { setPath(cfg, row.path, c.value); given.add(row.key); }
    else notices.push(`${row.key}="${short(v)}" is ${c.why}; using ${row.def === "" ? "none" : row.def}`);
  }
  crossCheck(cfg, notices, given);
  return { cfg, notices };
}

const fmt = (row, v) => (row.type === "bool" ? (v ? "1" : "0") : String(v));

/** The hash for a config: every non-default value, and the seed always. */
export function writeHash(cfg) {
  const p = new URLSearchParams();
  for (const r of SCHEMA) {
    const v = getPath(cfg, r.path);
    if (v !== r.def || r.key === "seed") p.set(r.key, fmt(r, v));
  }
  return "#" + p.toString();
}

/** The config object the core's Lab constructor takes, for net i. */
export function labConfig(cfg, i) {
  const m = cfg.nets[i];
  const model = {};
  for (const f of NET_FIELDS) model[f.key] = m[f.key];
  const o = cfg.optimizer;
  const data = { name: cfg.data.name, n: cfg.data.n, noise: cfg.data.noise, test_fraction: cfg.data.test_fraction };
  if (cfg.data.name === "blobs") data.classes = cfg.data.classes;
  return {
    model,
    optimizer: { kind: o.kind, lr: o.lr, momentum: o.momentum, weight_decay: o.weight_decay, clip_norm: o.clip_norm },
    data, batch_size: cfg.batch_size, seed: cfg.seed,
  };
}
