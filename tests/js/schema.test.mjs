// The page's table of settings (www/js/schema.js) against the core's own schema, so a new
// config field is written once in Rust plus its UI row: every row that feeds a Lab names a
// real config field, its enum values are variants the core accepts (all of them, but for the
// documented exclusions), its numeric range lies inside the core's, and an integer row is an
// integer field. The core's variants and ranges are read from its own error messages.
// Run: node --test tests/js/schema.test.mjs   (after scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";
import { SCHEMA } from "../../www/js/schema.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

/** A tiny net with settings every row's enum values are compatible with (residual, no norm). */
const SMALL = { model: { depth: 2, width: 4 }, batch_size: 8, data: { n: 16 }, seed: 1 };
/** The smallest net, for the ends of numeric ranges (so the size caps stay out of the way). */
const TINY = { model: { kind: "plain", depth: 1, width: 1 }, batch_size: 1, data: { n: 16 }, seed: 1 };
/** Variants the page leaves out on purpose: custom data arrives through set_data. */
const NOT_ON_THE_PAGE = { "data.name": ["custom"] };

/** The Lab config path a row sets (null for view-only rows). */
function labPath(row) {
  if (row.path[0] === "nets") return ["model", row.field];
  if (["data", "optimizer"].includes(row.path[0]) || ["batch_size", "seed"].includes(row.path[0])) return row.path;
  return null;
}

function withPath(path, value, base = SMALL) {
  const cfg = structuredClone(base);
  let o = cfg;
  for (const k of path.slice(0, -1)) o = o[k] ??= {};
  o[path.at(-1)] = value;
  return cfg;
}

/** The Error message of `new Lab(cfg)`, or null when it builds. */
function rejection(cfg) {
  try {
    new Lab(cfg).free();
    return null;
  } catch (e) {
    return e.message;
  }
}

const rows = SCHEMA.map((row) => ({ row, path: labPath(row) })).filter((r) => r.path);

test("every row that feeds a Lab names a field of the core's config", () => {
  const full = new Lab(SMALL).config();
  assert.ok(rows.length >= 12, `${rows.length} rows`);
  for (const { row, path } of rows) {
    assert.notEqual(path.reduce((o, k) => o?.[k], full), undefined, `${row.key} -> ${path.join(".")} is not a config field`);
  }
});

test("enum rows offer the core's variants", () => {
  for (const { row, path } of rows.filter((r) => r.row.type === "enum")) {
    const name = path.join(".");
    if (row.values.every((v) => typeof v === "number")) continue; // branch_layers: a number, checked below
    const msg = rejection(withPath(path, "no-such-value"));
    assert.ok(msg?.startsWith(`${name}: unknown variant`), `${name}: ${msg}`);
    const core = [...msg.split("expected")[1].matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    const page = row.values.map(String);
    assert.deepEqual(page.filter((v) => !core.includes(v)), [], `${row.key}: values the core does not know`);
    assert.deepEqual(core.filter((v) => !page.includes(v)), NOT_ON_THE_PAGE[name] ?? [], `${row.key}: core variants missing on the page`);
  }
});

test("every value a row allows is one the core accepts", () => {
  for (const { row, path } of rows) {
    const name = path.join(".");
    const values = row.type === "enum" ? row.values : row.type === "bool" ? [false, true] : [row.min, row.max];
    for (const v of values) {
      // Checked alone on a small net; other fields' cross checks (fixup and norm, the caps) may
      // reject a combination, but never this field itself.
      const msg = rejection(withPath(path, v, row.type === "enum" ? SMALL : TINY));
      assert.ok(msg === null || !msg.startsWith(`${name}:`), `${row.key} = ${v}: ${msg}`);
    }
    if (row.type === "int") {
      const msg = rejection(withPath(path, row.min + 0.5, TINY));
      assert.ok(msg?.startsWith(`${name}:`), `${row.key}: the core takes ${row.min + 0.5} in an integer field: ${msg}`);
    }
  }
});
