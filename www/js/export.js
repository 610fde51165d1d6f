// Taking results away: the trainer states of both nets as one JSON file (and reading it back),
// the per-layer statistics history as CSV, chart canvases as PNG. Pure functions except
// `download` and `canvasesPng`; the panel that wires them to buttons is ui/exportpanel.js.
import { SCHEMA, getPath, setPath } from "./schema.js";
import { LAYER_KEYS } from "./report.js";
import { NET_NAMES } from "./palette.js";

export const PAIR_FORMAT = "residual-lab-pair/1";
const STATE_FORMAT = "residual-lab-state/1"; // src/trainer.rs STATE_FORMAT
const MAX_FILE = 200 * 1024 * 1024;

/** The file: { format, a: lab.to_json(), b: lab.to_json() } (each a JSON string, so the u64
 * RNG state and every f32 go through untouched). */
export function pairJson(jsons, meta = {}) {
  return JSON.stringify({ format: PAIR_FORMAT, saved: meta.saved ?? new Date().toISOString(), a: jsons[0], b: jsons[1] }, null, 1);
}

/**
 * Reads a pair file; returns [jsonA, jsonB] or throws an Error whose message says what is wrong.
 * Accepts each net's state as a string (what pairJson writes) or as an object.
 */
export function parsePair(text) {
  if (typeof text !== "string" || !text.trim()) throw new Error("the file is empty");
  if (text.length > MAX_FILE) throw new Error("the file is too large to be a saved state");
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new Error(`the file is not valid JSON (${e.message})`);
  }
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new Error("the file is not a Residual Lab state: expected an object with \"a\" and \"b\"");
  if (obj.format !== undefined && obj.format !== PAIR_FORMAT) throw new Error(`unknown format "${String(obj.format).slice(0, 40)}"; expected ${PAIR_FORMAT}`);
  return ["a", "b"].map((k, i) => {
    const v = obj[k];
    if (v === undefined) throw new Error(`the file has no state for net ${NET_NAMES[i]} (field "${k}")`);
    let s;
    if (typeof v === "string") {
      s = v;
      try { JSON.parse(s); } catch { throw new Error(`net ${NET_NAMES[i]}: the state is not valid JSON`); }
    } else if (v && typeof v === "object") {
      s = JSON.stringify(v);
    } else {
      throw new Error(`net ${NET_NAMES[i]}: the state must be lab.to_json() text`);
    }
    const fmt = /"format"\s*:\s*"([^"]*)"/.exec(s)?.[1];
    if (fmt !== STATE_FORMAT) throw new Error(`net ${NET_NAMES[i]}: not a lab state (format ${fmt ? `"${fmt.slice(0, 40)}"` : "missing"}; expected ${STATE_FORMAT})`);
    return s;
  });
}

/** The page's URL config for restored core configs (view settings kept from `current`). */
export function cfgFromLabConfigs(configs, current) {
  const cfg = structuredClone(current);
  for (const row of SCHEMA) {
    if (row.path[0] === "view") continue;
    const src = row.path[0] === "nets" ? configs[row.path[1]]?.model : configs[0];
    const path = row.path[0] === "nets" ? [row.field] : row.path;
    let v;
    try { v = getPath(src, path); } catch { v = undefined; }
    if (v !== undefined && v !== null) setPath(cfg, row.path, v);
  }
  cfg.view.preset = "";
  return cfg;
}

const csvNum = (v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : v == null ? "" : String(v));

/** Per-layer statistics of every kept training round, both nets: one row per (net, step, layer).
 * No field is quoted: the architecture text has its commas turned into semicolons. */
export function statsCsv(hist, netLabels = ["", ""]) {
  const rows = [["net", "architecture", "step", "layer", "batch_loss", "batch_accuracy", ...LAYER_KEYS].join(",")];
  hist.reports.forEach((reps, i) => {
    for (const r of reps) {
      if (!r?.layers) continue;
      const L = r.layers.grad_rms?.length ?? 0;
      for (let l = 0; l < L; l++) {
        rows.push([NET_NAMES[i], String(netLabels[i]).replace(/[,"\n]/g, ";"), r.step, l, csvNum(r.loss), csvNum(r.accuracy),
          ...LAYER_KEYS.map((k) => csvNum(r.layers[k]?.[l]))].join(","));
      }
    }
  });
  return rows.join("\n") + "\n";
}

/** The canvases, side by side on a background, as one PNG blob. */
export function canvasesPng(canvases, background = "#fff") {
  const list = canvases.filter((c) => c && c.width > 0 && c.height > 0);
  if (!list.length) return Promise.reject(new Error("nothing drawn yet"));
  const gap = 8;
  const out = document.createElement("canvas");
  out.width = list.reduce((s, c) => s + c.width, 0) + gap * (list.length - 1);
  out.height = Math.max(...list.map((c) => c.height));
  const ctx = out.getContext("2d");
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  let x = 0;
  for (const c of list) { ctx.drawImage(c, x, 0); x += c.width + gap; }
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error("toBlob failed"))), "image/png"));
}

/** Saves a Blob or text as a file through a temporary link. */
export function download(name, data, type = "application/octet-stream") {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
