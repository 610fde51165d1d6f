// Builds the control widgets from the schema table and keeps them in sync with state.cfg. A value
// the lab cannot take is refused beside its control (the error clears when the value is fixed);
// depth, width and batch size offer exactly the range the core accepts with the other settings.
import { SCHEMA, getPath, coerce } from "../schema.js";
import { rowMax, checkChange } from "../limits.js";
import { el } from "./dom.js";

const OPTION_TEXT = { inv_sqrt_depth: "1/√L", one: "1", learnable: "learnable", none: "none",
  batch: "BatchNorm", layer: "LayerNorm", rms: "RMSNorm", adamw: "AdamW", adam: "Adam", sgd: "SGD",
  momentum: "SGD + momentum", act_mean_sq: "second moment E[h²]", act_var: "variance Var[h]",
  grad_rms: "RMS of dL/dh_l", weight_grad_norm: "weight gradient ‖∂L/∂W_l‖",
  update_ratio: "update ratio ‖ΔW_l‖/‖W_l‖" };

const idOf = (key) => `ctl-${key.replace(/\./g, "-")}`;

function widget(row, onChange) {
  const id = idOf(row.key);
  let input;
  if (row.type === "enum") {
    input = el("select", { id, name: row.key });
    for (const v of row.values) input.append(el("option", { value: String(v), text: OPTION_TEXT[v] ?? String(v) }));
  } else if (row.type === "bool") {
    input = el("input", { id, name: row.key, type: "checkbox" });
  } else {
    input = el("input", { id, name: row.key, type: "number", inputmode: row.type === "int" ? "numeric" : "decimal",
      min: row.min, max: row.max, step: row.type === "int" ? 1 : "any" });
  }
  const error = el("span", { id: `${id}-error`, class: "field-error", role: "alert", hidden: true });
  input.addEventListener("change", () => onChange(row, row.type === "bool" ? (input.checked ? "1" : "0") : input.value));
  const wrap = el("div", { class: "field", "data-key": row.key },
    el("label", { for: id, text: row.label }), input, error);
  if (row.hint) { input.title = row.hint; }
  return { row, input, wrap, error };
}

/** The value a control shows for a config value. */
const shown = (v) => String(v);

/**
 * @param boxFor (row) => container element for the row's widget, or null for no widget
 * @param onChange (row, {ok, value}) => void, called with values the lab can take only
 * @param getCfg () => the current config (the one a change is checked against)
 */
export function buildControls(boxFor, onChange, getCfg) {
  const widgets = [];
  const byKey = new Map();
  function setError(w, text) {
    w.error.textContent = text ?? "";
    w.error.hidden = !text;
    w.wrap.classList.toggle("invalid", !!text);
    if (text) { w.input.setAttribute("aria-invalid", "true"); w.input.setAttribute("aria-describedby", w.error.id); }
    else { w.input.removeAttribute("aria-invalid"); w.input.removeAttribute("aria-describedby"); }
  }
  /** Checks a typed or chosen value against the row's range and the other settings: refused
   *  with a message beside the control, or passed on (and every earlier error cleared, the
   *  controls showing the values in use again). */
  function changed(row, raw) {
    const w = byKey.get(row.key), cfg = getCfg();
    const max = rowMax(cfg, row) ?? row.max;
    const c = coerce({ ...row, max }, raw);
    let why = c.ok ? checkChange(cfg, row, c.value) : `${String(raw).trim() || "an empty value"} is ${c.why}`;
    const typed = Number(raw);
    if (!c.ok && max < row.max && Number.isInteger(typed) && typed > max) why = checkChange(cfg, row, typed) ?? why; // say which cap
    if (why) { setError(w, `${why}; still ${shown(getPath(cfg, row.path))}`); return; }
    for (const other of widgets) setError(other, null);
    onChange(row, c);
  }
  for (const row of SCHEMA) {
    const box = boxFor(row);
    if (!box) continue;
    const w = widget(row, changed);
    box.append(w.wrap);
    widgets.push(w);
    byKey.set(row.key, w);
  }
  return {
    /** Shows the state's values (a refused value stays in its control, beside its error, until
     *  a value is taken); hides fields that do not apply; sets the size rows' ranges. */
    sync(cfg) {
      for (const w of widgets) {
        const { row, input, wrap } = w;
        const v = getPath(cfg, row.path);
        if (row.type === "bool") input.checked = !!v;
        else if (!w.wrap.classList.contains("invalid") && input.value !== shown(v)) input.value = shown(v);
        const max = rowMax(cfg, row);
        if (max !== undefined && input.max !== String(max)) input.max = String(max);
        const ctx = row.path[0] === "nets" ? cfg.nets[row.path[1]] : cfg;
        wrap.hidden = row.when ? !row.when(ctx) : false;
      }
    },
    /** Clears every error and shows the state's values (a preset, a link, a restored state). */
    reset(cfg) {
      for (const w of widgets) setError(w, null);
      this.sync(cfg);
    },
  };
}
