// Taking results away: the trainer states of both nets as one JSON file (and reading it back),
// the per-layer statistics history as CSV, chart canvases as PNG. Pure functions except
// `download` and `chartPng`; the panel that wires them to buttons is ui/exportpanel.js.
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

const PNG_FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";

/**
 * A chart as one PNG that says what it shows: the title, the legend (series names in their
 * colours) and lines of text (axis, captions, notes), then the panels (canvases) in `columns`
 * columns, each under its caption, then the footers (a colour bar) at full width.
 * @param spec { title, legend?: [{ label, color }], lines?: [string], panels: [{ canvas, caption? }],
 *   columns?: 1 | 2, footer?: [canvas], background? }
 */
export function chartPng(spec) {
  const panels = spec.panels.filter((p) => p.canvas && p.canvas.width > 0 && p.canvas.height > 0);
  if (!panels.length) return Promise.reject(new Error("nothing drawn yet"));
  const scale = Math.max(1, panels[0].canvas.width / (panels[0].canvas.clientWidth || panels[0].canvas.width));
  const px = (v) => Math.round(v * scale), pad = px(12), gap = px(10);
  const cols = Math.min(spec.columns ?? 1, panels.length), cellW = Math.max(...panels.map((p) => p.canvas.width));
  const footer = (spec.footer ?? []).filter((c) => c && c.width > 0);
  const W = Math.max(px(360), cols * cellW + (cols - 1) * gap + 2 * pad, ...footer.map((c) => c.width + 2 * pad));
  const out = document.createElement("canvas");
  const ctx = out.getContext("2d");
  const font = (size, bold = false) => `${bold ? "600 " : ""}${px(size)}px ${PNG_FONT}`;

  // lay the text out first (the canvas height depends on it), then draw
  const ops = [];
  let y = pad;
  const text = (t, size, bold, color) => {
    ctx.font = font(size, bold);
    const words = String(t).split(" ");
    let line = "";
    for (const w of words) {
      const next = line ? `${line} ${w}` : w;
      if (line && ctx.measureText(next).width > W - 2 * pad) { ops.push(["text", line, pad, y, size, bold, color]); y += px(size * 1.35); line = w; }
      else line = next;
    }
    if (line) { ops.push(["text", line, pad, y, size, bold, color]); y += px(size * 1.35); }
  };
  text(spec.title, 16, true, "#1d1d1f");
  y += px(2);
  if (spec.legend?.length) {
    ctx.font = font(12);
    let x = pad;
    for (const item of spec.legend) {
      const w = px(18) + ctx.measureText(item.label).width + px(14);
      if (x > pad && x + w > W - pad) { x = pad; y += px(17); }
      ops.push(["swatch", item.color, x, y + px(6)], ["text", item.label, x + px(18), y, 12, false, "#1d1d1f"]);
      x += w;
    }
    y += px(19);
  }
  for (const line of spec.lines ?? []) if (line) text(line, 11.5, false, "#5b5b60");
  y += px(4);
  const rows = Math.ceil(panels.length / cols);
  for (let r = 0; r < rows; r++) {
    const row = panels.slice(r * cols, r * cols + cols);
    let capH = 0;
    row.forEach((p, c) => {
      if (!p.caption) return;
      const y0 = y;
      ctx.font = font(11.5);
      ops.push(["text", p.caption, pad + c * (cellW + gap), y0, 11.5, false, "#5b5b60", cellW]);
      capH = Math.max(capH, px(16));
    });
    y += capH;
    row.forEach((p, c) => ops.push(["image", p.canvas, pad + c * (cellW + gap), y]));
    y += Math.max(...row.map((p) => p.canvas.height)) + gap;
  }
  for (const c of footer) { ops.push(["image", c, pad, y]); y += c.height + gap; }
  out.width = W;
  out.height = y - gap + pad;
  ctx.fillStyle = spec.background ?? "#fff";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = "top";
  for (const op of ops) {
    if (op[0] === "image") ctx.drawImage(op[1], op[2], op[3]);
    else if (op[0] === "swatch") { ctx.fillStyle = op[1]; ctx.fillRect(op[2], op[3], px(14), px(3)); }
    else {
      const [, t, x, yy, size, bold, color, maxW] = op;
      ctx.font = font(size, bold);
      ctx.fillStyle = color;
      ctx.fillText(t, x, yy, maxW);
    }
  }
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
