// The "Your own data" panel: buttons for drawing points and for the handwritten digits, and the
// CSV loader (file input, or a CSV file dropped anywhere on the page): a preview of the first
// rows, the header, label column, task and standardization choices, then "Train on this file".
// A file that cannot be used gets a message with its line and column; the running nets go on
// untouched until a good file is chosen to train on.
import { readCsv, prepareCsv, sizeProblem, CSV_LIMITS } from "../data/csv.js";
import { el, $ } from "./dom.js";
import { fmtInt } from "../format.js";

const PREVIEW_ROWS = 6, PREVIEW_COLUMNS = 12;
const CSV_NAME = /\.(csv|tsv|txt)$/i;
const int = (v) => fmtInt(v);

/**
 * @param box the panel's element
 * @param { state, onApply(): the data source changed (write the link, rebuild the nets) }
 */
export function buildDataPanel(box, { state, onApply }) {
  const status = el("p", { class: "csv-status", id: "csv-status", role: "status", "aria-live": "polite" });
  const say = (text, bad = false) => { status.textContent = text; status.classList.toggle("bad", bad); };
  const fileInput = el("input", { type: "file", id: "csv-file", accept: ".csv,.tsv,.txt,text/csv,text/tab-separated-values" });
  const preview = el("div", { class: "csv-preview", id: "csv-preview", hidden: true });
  let pending = null; // { name, table, opts }

  box.append(
    el("h2", { id: "h-own", text: "Your own data" }),
    el("div", { class: "inline-fields own-buttons" },
      el("button", { type: "button", id: "btn-draw", text: "Draw points", onclick: () => use({ source: "draw" }),
        title: "Click on the decision-boundary view to add points of up to 5 classes" }),
      el("label", { class: "file-label button-like" }, "Load a CSV file… ", fileInput),
      el("button", { type: "button", id: "btn-digits", text: "Handwritten digits (8 × 8)", onclick: () => use({ source: "builtin", name: "digits" }) }),
      el("span", { class: "muted", text: "or drop a CSV file anywhere on the page." })),
    status, preview,
    el("p", { class: "explain", text: `A CSV file: one row per example, numbers in every column but the label, which may ` +
      `hold text or numbers (classification, ${CSV_LIMITS.maxClasses} classes at most) or numbers (regression). At most ` +
      `${(CSV_LIMITS.maxBytes / 1048576).toFixed(0)} MiB, ${int(CSV_LIMITS.maxRows)} rows and ${int(CSV_LIMITS.maxColumns)} ` +
      `columns; empty lines are skipped; an empty cell, NaN, text in a number column or a row with a different number of ` +
      `fields is refused, with its line and column. The rows are put in a fixed shuffled order and the last ` +
      `“test fraction” of them held out; standardization (on by default) scales each feature, and a regression target, ` +
      `by the mean and standard deviation of the training rows only. The digits are the UCI optical-digits test set ` +
      `(Alpaydin & Kaynak 1998, CC BY 4.0): 1,797 images of 8 × 8 pixels, pixel / 16 standardized over the training ` +
      `images, with the same test split for every seed.` }));

  /** Switches the data source (and dataset) and rebuilds the nets. */
  function use({ source, name }) {
    state.cfg.view.source = source;
    if (name) state.cfg.data.name = name;
    state.cfg.view.preset = "";
    onApply();
  }

  async function load(file) {
    if (!file) return;
    const big = sizeProblem(file.size);
    if (big) { say(`Could not use ${file.name}: ${big}. The running nets are unchanged.`, true); return; }
    say(`Reading ${file.name}…`);
    let r;
    try {
      r = await readCsv(await file.text());
    } catch (e) {
      r = { ok: false, error: { message: e?.message ?? String(e) } };
    }
    if (!r.ok) {
      pending = null;
      preview.hidden = true;
      say(`Could not use ${file.name}: ${r.error.message}. The running nets are unchanged.`, true);
      return;
    }
    const t = r.table;
    pending = { name: file.name, table: t, opts: { header: t.header, label: t.label, task: t.task, standardize: true } };
    showPreview();
  }

  /** The preview of the pending file with its choices; the summary or the problem under it. */
  function showPreview() {
    const { name, table: t, opts } = pending;
    const names = t.cells[0].map((c, j) => (opts.header && c.trim() ? c.trim() : `column ${j + 1}`));
    const labelSelect = el("select", { id: "csv-label", onchange: (e) => { opts.label = Number(e.target.value); showPreview(); } },
      ...names.map((n, j) => el("option", { value: j, text: `${j + 1}: ${n}`, selected: j === opts.label })));
    const taskSelect = el("select", { id: "csv-task", onchange: (e) => { opts.task = e.target.value; showPreview(); } },
      ...["classification", "regression"].map((v) => el("option", { value: v, text: v, selected: v === opts.task })));
    const check = (id, text, key) => el("label", { class: "check" },
      el("input", { type: "checkbox", id, checked: opts[key], onchange: (e) => { opts[key] = e.target.checked; showPreview(); } }), ` ${text}`);
    const r = prepareCsv(t, { ...opts, testFraction: state.cfg.data.test_fraction });
    const shown = names.slice(0, PREVIEW_COLUMNS);
    const more = names.length - shown.length;
    const rows = t.cells.slice(opts.header ? 1 : 0, (opts.header ? 1 : 0) + PREVIEW_ROWS);
    const table = el("table", { class: "csv-table" },
      el("thead", {}, el("tr", {}, el("th", { text: "line" }),
        ...shown.map((n, j) => el("th", { class: j === opts.label ? "label" : "", text: n })), more > 0 ? el("th", { text: `… ${more} more` }) : null)),
      el("tbody", {}, ...rows.map((row, k) => el("tr", {}, el("td", { class: "line", text: String(t.lines[k + (opts.header ? 1 : 0)]) }),
        ...row.slice(0, PREVIEW_COLUMNS).map((c, j) => el("td", { class: j === opts.label ? "label" : "", text: c })),
        more > 0 ? el("td", { text: "…" }) : null))));
    const apply = el("button", { type: "button", class: "primary", id: "btn-csv-apply", text: "Train on this file", disabled: !r.ok,
      onclick: () => {
        state.own.csv = { name, table: t, opts: { ...opts } };
        state.own.prepared = null;
        pending = null;
        preview.hidden = true;
        say(`Training on ${name}: ${summary(r.data)}`);
        use({ source: "csv" });
      } });
    const cancel = el("button", { type: "button", text: "Cancel", onclick: () => { pending = null; preview.hidden = true; say(""); } });
    preview.replaceChildren(
      el("div", { class: "inline-fields" }, check("csv-header", "first row is a header", "header"),
        el("label", { class: "check" }, "label column ", labelSelect), el("label", { class: "check" }, "task ", taskSelect),
        check("csv-standardize", "standardize", "standardize")),
      el("div", { class: "table-box" }, table),
      el("p", { class: r.ok ? "csv-summary" : "csv-summary bad", id: "csv-summary",
        text: r.ok ? `${name}: ${summary(r.data)}` : `${name}: ${r.error.message}` }),
      el("div", { class: "inline-fields" }, apply, cancel));
    preview.hidden = false;
    say(r.ok ? `Read ${name}: ${int(t.cells.length)} rows of ${t.columns} columns, separated by ${DELIMS[t.delimiter] ?? JSON.stringify(t.delimiter)}. Check the choices, then train.`
      : `Could not use ${name} with these choices: ${r.error.message}. The running nets are unchanged.`, !r.ok);
  }

  fileInput.addEventListener("change", () => { load(fileInput.files[0]); fileInput.value = ""; });
  // A CSV file dropped anywhere is ours (captured before the state import's page-wide drop).
  document.addEventListener("drop", (e) => {
    const f = e.dataTransfer?.files?.[0];
    if (!f || !(CSV_NAME.test(f.name) || /csv|tab-separated/.test(f.type))) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    document.querySelector("#drop-zone")?.classList.remove("over");
    box.scrollIntoView?.({ block: "nearest" });
    load(f);
  }, true);

  return { load };
}

const DELIMS = { ",": "commas", "\t": "tabs", ";": "semicolons", "|": "bars" };

/** One line about prepared data: rows, split, features, label. */
export function summary(d) {
  const label = d.classification
    ? `label “${d.labelName}”, ${d.classNames.length} classes (${d.classNames.slice(0, 6).map((c, k) => `${c}: ${d.counts[k]}`).join(", ")}${d.classNames.length > 6 ? ", …" : ""})`
    : `label “${d.labelName}”, regression${d.target ? " (standardized)" : ""}`;
  const scale = d.standardized ? ", standardized on the training rows" : ", not standardized";
  const constant = d.constant.length ? `; constant on the training rows: ${d.constant.slice(0, 4).join(", ")}${d.constant.length > 4 ? ", …" : ""}` : "";
  return `${int(d.n)} rows (${int(d.n_train)} to train on, ${int(d.n - d.n_train)} held out), ${d.d_in} feature${d.d_in === 1 ? "" : "s"}${scale}; ${label}${constant}.`;
}
