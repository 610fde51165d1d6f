// The choices of an embedded lab, shared by the <residual-lab> element (attributes) and the
// page's iframe mode (index.html?embed=1&..., query parameters): which preset or config,
// which charts, which controls, autoplay, size.
import { parseHash, SCHEMA, rowByKey } from "./schema.js";
import { presetById, presetConfig } from "./presets.js";
import { CHARTS } from "./lab/cards.js";

export { CHARTS }; // chart name -> card id (lab/cards.js)
export const BUTTONS = ["play", "step", "reset", "preset"];
const NET_FIELD_NAMES = new Set(SCHEMA.filter((r) => r.path[0] === "nets").map((r) => r.field));

const list = (s, dflt) => (s == null ? dflt : String(s).split(/[\s,]+/).map((x) => x.trim()).filter(Boolean));
const truthy = (s) => s != null && !/^(0|false|no|off)$/i.test(String(s).trim());

/**
 * @param get (name) => string | null: the attribute or query parameter
 * @returns { cfg, notices, charts: [name], buttons: Set, rows: Set of schema keys, autoplay, height, width }
 */
export function embedOptions(get) {
  const { cfg: parsed, notices } = parseHash(get("config") ?? "");
  let cfg = parsed;
  const pid = get("preset");
  if (pid) {
    const p = presetById(pid);
    if (p) { cfg = presetConfig(p, cfg); cfg.view.preset = p.id; }
    else notices.push(`unknown preset "${String(pid).slice(0, 40)}"`);
  }
  const charts = list(get("charts"), ["variance", "gradient"]).filter((c) => {
    if (CHARTS[c]) return true;
    notices.push(`unknown chart "${c.slice(0, 40)}"; choose from ${Object.keys(CHARTS).join(", ")}`);
    return false;
  });
  const buttons = new Set(), rows = new Set();
  for (const c of list(get("controls"), ["play", "reset"])) {
    if (c === "none") continue;
    if (BUTTONS.includes(c)) buttons.add(c);
    else if (NET_FIELD_NAMES.has(c)) { rows.add(`a.${c}`); rows.add(`b.${c}`); }
    else if (rowByKey(c) && rowByKey(c).group !== "none") rows.add(c);
    else notices.push(`unknown control "${c.slice(0, 40)}"`);
  }
  const num = (s) => (s != null && /^\d+(\.\d+)?$/.test(String(s).trim()) ? Number(s) : null);
  return { cfg, notices, charts, buttons, rows, autoplay: truthy(get("autoplay")),
    height: num(get("height")), width: num(get("width")) };
}

/** Chart colours for a dark host (prefers-color-scheme: dark); undefined keeps the light defaults. */
export const DARK_THEME = { bg: "#202024", ink: "#e8e8ea", muted: "#a8a8b0", grid: "rgba(255,255,255,0.14)" };
export const prefersDark = () => typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
