// CSV files as training data. Papa Parse (www/vendor/, MIT) reads the text: quoting (RFC 4180),
// the delimiter (comma, tab, semicolon or bar, guessed), a UTF-8 byte-order mark. This module
// adds what a training set needs, and a message with the line and column for every file it
// refuses (nothing here touches a running net):
//   readCsv(text)            the cells, each row's line, and a guess of the header and the label
//   prepareCsv(table, opts)  features and labels as numbers, the split, the standardization
//
// What is accepted, and what not (tests/js/csv.test.mjs tries each):
// - Line ends: LF, CRLF or CR, mixed too. Empty lines, and lines of spaces only, are skipped
//   (line numbers still count them). A quoted field may span lines.
// - Numbers: decimal, with an optional sign, fraction and exponent ("3", "-0.5", ".5", "1e-3"),
//   spaces around them ignored, quoted or not. Refused, naming line and column: an empty cell,
//   "NaN", "Infinity", any other text ("1,5" in a comma file is two fields, in a semicolon file
//   text), and values beyond a 32-bit float (|v| > 3.4e38, e.g. 1e400). Values below 1e-45 round to 0.
// - Every row must have as many fields as the first (a ragged row is refused).
// - Labels: classification takes any text or numbers (sorted: numbers by value, text by code
//   point), 2 to 20 classes; regression takes numbers.
// - Limits: at most CSV_LIMITS.maxBytes (10 MiB) of text, maxRows (20,000) data rows and
//   maxColumns (257: 256 features and the label) columns; at least 4 data rows.

import { seededOrder, trainCount, standardizeColumns } from "./split.js";

/** The stated limits of a CSV file. */
export const CSV_LIMITS = Object.freeze({ maxBytes: 10 * 1024 * 1024, maxRows: 20000, maxColumns: 257, maxClasses: 20, minRows: 4 });

const F32_MAX = 3.4028234663852886e38;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

let papa = null;
/** Papa Parse, imported once, on first use (the page loads it only when a file is read). */
async function parser() {
  papa ??= (await import("../../vendor/papaparse.esm.js")).default;
  return papa;
}

const fail = (message, line, column) => ({ ok: false, error: { message: where(line, column) + message, line, column } });
const where = (line, column) => (line ? `line ${line}${column ? `, column ${column}` : ""}: ` : column ? `column ${column}: ` : "");
/** An error at a cell or a whole column, with the column's name: `line 3, column 2 ("b"): ...`. */
function failAt(line, column, name, message) {
  return { ok: false, error: { message: `${where(line, column).slice(0, -2)} (${quote(name, 40)}): ${message}`, line, column } };
}
const quote = (s, max = 24) => JSON.stringify(s.length > max ? s.slice(0, max) + "…" : s);
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;
const int = (v) => v.toLocaleString("en-US");

/** Whether a cell is a number this module accepts (finite or not). */
export const isNumberText = (cell) => NUMBER.test(cell.trim());

/** A message for a file too large to read, or null. */
export function sizeProblem(bytes, limits = CSV_LIMITS) {
  return bytes > limits.maxBytes ? `the file is ${mib(bytes)}; the limit is ${mib(limits.maxBytes)}` : null;
}

/**
 * Reads CSV text. Resolves to { ok: true, table } or { ok: false, error: { message, line, column } }.
 * table: { cells: string[][] (every non-empty row, the header too), lines: number[] (the line each
 *   row starts on), columns, delimiter, header: whether the first row looks like a header,
 *   names: column names (the header's, or "column k"), label: the guessed label column,
 *   task: the guessed task for it ("classification" or "regression") }
 */
export async function readCsv(text, limits = CSV_LIMITS) {
  if (typeof text !== "string") return fail("not text");
  const big = sizeProblem(text.length, limits);
  if (big) return fail(big);
  // One kind of line end, so that counting "\n" gives line numbers; the BOM goes first so that
  // Papa Parse's offsets are offsets into this same text.
  text = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const Papa = await parser();
  const cells = [], lines = [];
  let error = null, columns = 0, firstLine = 0, delimiter = ",";
  let start = 0, line = 1; // where the next row starts, and its line
  Papa.parse(text, {
    delimitersToGuess: [",", "\t", ";", "|"],
    skipEmptyLines: false,
    step(res, p) {
      const rowLine = line;
      const end = res.meta.cursor;
      for (let i = start; i < end; i++) if (text.charCodeAt(i) === 10) line++;
      start = end;
      delimiter = res.meta.delimiter;
      const row = res.data;
      const bad = res.errors.find((e) => e.type === "Quotes" || e.code === "MissingQuotes");
      if (bad) {
        error = fail(bad.code === "MissingQuotes" ? "a quoted field is not closed (a \" is missing)" : `a quote is misplaced (${bad.message})`, rowLine);
      } else if (row.length === 1 && row[0].trim() === "") {
        return; // an empty line
      } else if (!columns) {
        columns = row.length;
        firstLine = rowLine;
        if (columns > limits.maxColumns) error = fail(`${int(columns)} columns; the limit is ${int(limits.maxColumns)} (${int(limits.maxColumns - 1)} features and the label)`, rowLine);
      } else if (row.length !== columns) {
        error = fail(`${row.length} field${row.length === 1 ? "" : "s"}, but line ${firstLine} has ${columns} (a ragged row)`, rowLine, Math.min(row.length, columns) + 1);
      } else if (cells.length >= limits.maxRows + 1) {
        error = fail(`more than ${int(limits.maxRows)} data rows; the limit is ${int(limits.maxRows)}`, rowLine);
      }
      if (error) { p.abort(); return; }
      cells.push(row);
      lines.push(rowLine);
    },
  });
  if (error) return error;
  if (!cells.length) return fail("the file is empty (no rows)", 1);
  const header = looksLikeHeader(cells);
  const names = cells[0].map((c, j) => (header && c.trim() ? c.trim() : `column ${j + 1}`));
  const label = guessLabel(names, header);
  const table = { cells, lines, columns, delimiter, header, names, label };
  table.task = guessTask(table, header, label, limits);
  return { ok: true, table };
}

/** A header: the first row has text in some column whose next rows (up to 20) are all numbers,
 *  or only text while the second row has a number. */
export function looksLikeHeader(cells) {
  if (cells.length < 2) return cells.length === 1 && cells[0].every((c) => !isNumberText(c));
  const first = cells[0], next = cells.slice(1, 21);
  for (let j = 0; j < first.length; j++) {
    if (!isNumberText(first[j]) && next.every((r) => isNumberText(r[j]))) return true;
  }
  return first.every((c) => !isNumberText(c)) && cells[1].some((c) => isNumberText(c));
}

const LABEL_NAMES = /^(label|labels|class|classes|target|y|species|category|outcome)$/i;

/** The label column: one named like a label, else the last. */
function guessLabel(names, header) {
  if (header) {
    const j = names.findIndex((n) => LABEL_NAMES.test(n));
    if (j >= 0) return j;
  }
  return names.length - 1;
}

/** "classification" when the label column has text, or whole numbers with few distinct values. */
export function guessTask(table, header, label, limits = CSV_LIMITS) {
  const rows = header ? table.cells.slice(1) : table.cells;
  const seen = new Set();
  for (const r of rows) {
    const c = (r[label] ?? "").trim();
    if (!isNumberText(c)) return "classification";
    const v = Number(c);
    if (!Number.isInteger(v)) return "regression";
    seen.add(v);
  }
  return seen.size <= limits.maxClasses ? "classification" : "regression";
}

/** A cell as a number: { value } or { ok: false, error } naming its line and column. */
function number(cell, line, column, name) {
  const s = cell.trim();
  if (s === "") return failAt(line, column, name, "empty cell; every cell needs a number");
  if (/^[+-]?nan$/i.test(s)) return failAt(line, column, name, `${quote(s)} is not a number (NaN)`);
  if (/^[+-]?inf(inity)?$/i.test(s)) return failAt(line, column, name, `${quote(s)} is not a finite number`);
  if (!NUMBER.test(s)) return failAt(line, column, name, `${quote(s)} is not a number`);
  const v = Number(s);
  if (!(Math.abs(v) <= F32_MAX)) return failAt(line, column, name, `${quote(s)} is beyond the range of 32-bit floats (±3.4e38)`);
  return { value: v };
}

/**
 * Training data from a table read by readCsv.
 * @param opts { header: bool, label: column index, task: "classification" | "regression",
 *   standardize: bool (default true), testFraction: the held-out share (default 0.2) }
 * @returns { ok: true, data } or { ok: false, error: { message, line, column } }; data:
 *   { x: Float32Array [n][d_in], y: Float32Array [n], d_in, n, n_train, classification,
 *     classNames (classification), counts (rows per class), featureNames, labelName,
 *     standardized, constant: names of features constant on the training rows,
 *     target: { mean, std } (standardized regression targets) | null, rowLines: line of each row in order }
 * Rows are put in a seeded order (split.js) and the last testFraction of them held out; the
 * standardization (features, and regression targets) uses the training rows only.
 */
export function prepareCsv(table, opts = {}, limits = CSV_LIMITS) {
  const header = opts.header ?? table.header;
  const label = opts.label ?? table.label;
  const task = opts.task ?? table.task;
  const standardize = opts.standardize ?? true;
  const testFraction = opts.testFraction ?? 0.2;
  const { columns } = table;
  const rows = header ? table.cells.slice(1) : table.cells;
  const lines = header ? table.lines.slice(1) : table.lines;
  const names = table.cells[0].map((c, j) => (header && c.trim() ? c.trim() : `column ${j + 1}`));
  if (columns < 2) return fail("one column only; the file needs a label column and at least one feature column", table.lines[0]);
  if (!(Number.isInteger(label) && label >= 0 && label < columns)) return fail(`the label column ${label} does not exist (1 to ${columns})`);
  const n = rows.length;
  if (n === 0) return fail("no data rows after the header", table.lines[0]);
  if (n > limits.maxRows) return fail(`more than ${int(limits.maxRows)} data rows; the limit is ${int(limits.maxRows)}`, lines[limits.maxRows]);
  if (n < limits.minRows) return fail(`${n} data row${n === 1 ? "" : "s"}; at least ${limits.minRows} are needed (some to train on, some to test)`, lines[n - 1]);
  const features = [];
  for (let j = 0; j < columns; j++) if (j !== label) features.push(j);
  const d = features.length;
  const order = seededOrder(n);
  const nTrain = trainCount(n, testFraction);
  const classification = task === "classification";
  // Cells are checked in the file's order (the first bad cell is the one reported) and stored
  // in the split's order.
  const x = new Float64Array(n * d);
  const t = new Float64Array(n); // regression targets
  const yRaw = new Array(n);     // label texts
  const at = new Array(n);
  order.forEach((r, k) => { at[r] = k; });
  for (let r = 0; r < n; r++) {
    const k = at[r], row = rows[r];
    for (let f = 0; f < d; f++) {
      const j = features[f];
      const v = number(row[j], lines[r], j + 1, names[j]);
      if (v.error) return v;
      x[k * d + f] = v.value;
    }
    yRaw[k] = row[label].trim();
    if (classification && yRaw[k] === "") return failAt(lines[r], label + 1, names[label], "empty label");
    if (!classification) {
      const v = number(row[label], lines[r], label + 1, names[label]);
      if (v.error) return v;
      t[k] = v.value;
    }
  }
  let y, classNames = null, counts = null, target = null;
  const atLabel = (message) => failAt(undefined, label + 1, names[label], message);
  if (classification) {
    // class names in the order of the file's rows (the first spelling of a number names its class)
    const keys = [];
    const seen = new Set();
    for (let r = 0; r < n; r++) {
      const v = yRaw[at[r]];
      if (!seen.has(v)) { seen.add(v); keys.push(v); }
    }
    const numeric = keys.every(isNumberText);
    // numbers by value ("1" and "1.0" are one class), text by code point
    const classOf = new Map();
    if (numeric) {
      const values = [...new Set(keys.map(Number))].sort((a, b) => a - b);
      classNames = values.map((v) => keys.find((k) => Number(k) === v));
      for (const k of keys) classOf.set(k, values.indexOf(Number(k)));
    } else {
      classNames = keys.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const k of keys) classOf.set(k, classNames.indexOf(k));
    }
    if (classNames.length < 2) return atLabel(`one class only (${quote(classNames[0])}); classification needs at least 2`);
    if (classNames.length > limits.maxClasses) {
      return atLabel(`${classNames.length} classes; the limit is ${limits.maxClasses} (a numeric label can be learned as regression)`);
    }
    y = Float32Array.from(yRaw, (v) => classOf.get(v));
    counts = classNames.map(() => 0);
    for (const c of y) counts[c]++;
  } else {
    const first = t[0];
    if (t.every((v) => v === first)) return atLabel(`every row has the same value (${first}); there is nothing to learn`);
    if (standardize) {
      const [s] = standardizeColumns(t, n, 1, nTrain);
      target = { mean: s.mean, std: s.constant ? 1 : s.std };
    }
    y = Float32Array.from(t);
  }
  let constant = [];
  if (standardize) {
    const stats = standardizeColumns(x, n, d, nTrain);
    constant = stats.flatMap((s, f) => (s.constant ? [names[features[f]]] : []));
  }
  return {
    ok: true,
    data: {
      x: Float32Array.from(x), y, d_in: d, n, n_train: nTrain, classification,
      classNames, counts, featureNames: features.map((j) => names[j]), labelName: names[label], standardized: standardize,
      constant, target, rowLines: order.map((r) => lines[r]),
    },
  };
}
