// Builds the control widgets from the schema table and keeps them in sync with state.cfg.
import { SCHEMA, getPath, coerce } from "../schema.js";
import { el } from "./dom.js";

const OPTION_TEXT = { inv_sqrt_depth: "1/√L", one: "1", learnable: "learnable", none: "none",
  batch: "BatchNorm", layer: "LayerNorm", rms: "RMSNorm", adamw: "AdamW", adam: "Adam", sgd: "SGD",
  momentum: "SGD + momentum", act_mean_sq: "second moment E[h²]", act_var: "variance Var[h]",
  grad_rms: "RMS of dL/dh_l (activation gradient)", weight_grad_norm: "weight-gradient norm ‖∂L/∂W_l‖",
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
  input.addEventListener("change", () => {
    const raw = row.type === "bool" ? (input.checked ? "1" : "0") : input.value;
    const c = coerce(row, raw);
    onChange(row, c);
  });
  const wrap = el("div", { class: "field", "data-key": row.key },
    el("label", { for: id, text: row.label }), input);
  if (row.hint) { input.title = row.hint; }
  return { row, input, wrap };
}

/**
 * @param boxFor (row) => container element for the row's widget, or null for no widget
 * @param onChange (row, {ok, value, why}) => void
 */
export function buildControls(boxFor, onChange) {
  const widgets = [];
  for (const row of SCHEMA) {
    const box = boxFor(row);
    if (!box) continue;
    const w = widget(row, onChange);
    box.append(w.wrap);
    widgets.push(w);
  }
  return {
    /** Shows the state's values; hides fields that do not apply. */
    sync(cfg) {
      for (const { row, input, wrap } of widgets) {
        const v = getPath(cfg, row.path);
        if (row.type === "bool") input.checked = !!v;
        else if (input.value !== String(v)) input.value = String(v);
        const ctx = row.path[0] === "nets" ? cfg.nets[row.path[1]] : cfg;
        wrap.hidden = row.when ? !row.when(ctx) : false;
      }
    },
  };
}
