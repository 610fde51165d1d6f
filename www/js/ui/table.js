// Per-layer numbers of the latest report, as an HTML table (text only, never markup from data).
import { el } from "./dom.js";
import { fmt, DASH } from "../format.js";

const COLS = [
  ["act_mean", "E[h]"], ["act_mean_sq", "E[h²]"], ["act_var", "Var[h]"], ["dead_frac", "dead"],
  ["grad_rms", "RMS dL/dh"], ["weight_grad_norm", "‖∂L/∂W‖"], ["weight_norm", "‖W‖"],
  ["update_ratio", "‖ΔW‖/‖W‖"], ["nonfinite", "NaN/Inf"],
];

export function renderTable(box, title, report) {
  const table = el("table", { class: "layers" });
  table.append(el("caption", { text: title }));
  const head = el("tr", {}, el("th", { scope: "col", text: "layer" }));
  for (const [, label] of COLS) head.append(el("th", { scope: "col", text: label }));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  const L = report?.layers?.grad_rms?.length ?? 0;
  for (let l = 0; l < L; l++) {
    const tr = el("tr", {}, el("th", { scope: "row", text: l === 0 ? "0 (stem)" : String(l) }));
    let bad = false;
    for (const [k] of COLS) {
      const v = report.layers[k]?.[l];
      let text;
      if (k === "nonfinite") { text = Number.isFinite(v) ? String(Math.round(v)) : DASH; bad ||= v > 0; }
      else { text = fmt(v); bad ||= v !== undefined && !Number.isFinite(v); }
      tr.append(el("td", { text }));
    }
    if (bad) tr.className = "bad";
    body.append(tr);
  }
  table.append(body);
  box.replaceChildren(L ? table : el("p", { text: `${title}: no report yet` }));
}
