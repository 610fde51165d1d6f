// The CSV reader of the page (www/js/data/csv.js) on hostile files: each is refused with the line
// and column of the problem, or accepted as the module's header comment documents. The split
// and the standardization are checked against the core's own split (a wasm Lab's set_data).
// Run: node --test tests/js/csv.test.mjs   (after scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readCsv, prepareCsv, CSV_LIMITS, sizeProblem } from "../../www/js/data/csv.js";
import { trainCount } from "../../www/js/data/split.js";
import { initSync, Lab } from "../../pkg/residual_lab.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

/** readCsv then prepareCsv with the guesses (or opts); { ok, data | error, table }. */
async function load(text, opts = {}) {
  const r = await readCsv(text);
  if (!r.ok) return r;
  return { ...prepareCsv(r.table, opts), table: r.table };
}

async function refused(text, line, column, pattern, opts) {
  const r = await load(text, opts);
  assert.equal(r.ok, false, `accepted: ${JSON.stringify(text.slice(0, 80))}`);
  assert.equal(r.error.line, line, r.error.message);
  assert.equal(r.error.column, column, r.error.message);
  if (pattern) assert.match(r.error.message, pattern);
  // the message itself says where
  if (line) assert.match(r.error.message, new RegExp(`^line ${line}${column ? `, column ${column}` : ""}`));
  return r.error.message;
}

const IRIS_LIKE = "sepal,petal,species\n5.1,1.4,setosa\n4.9,1.5,setosa\n6.3,4.9,virginica\n5.8,4.1,versicolor\n6.9,5.7,virginica\n5.0,1.3,setosa\n";

test("a plain file: header found, label guessed, classes sorted, standardized on the training rows", async () => {
  const r = await load(IRIS_LIKE);
  assert.ok(r.ok, r.error?.message);
  assert.equal(r.table.header, true);
  assert.deepEqual(r.table.names, ["sepal", "petal", "species"]);
  assert.equal(r.table.label, 2);
  assert.equal(r.table.task, "classification");
  const d = r.data;
  assert.deepEqual(d.classNames, ["setosa", "versicolor", "virginica"]);
  assert.deepEqual(d.counts, [3, 1, 2]);
  assert.equal(d.n, 6);
  assert.equal(d.d_in, 2);
  assert.equal(d.n_train, trainCount(6, 0.2));
  // training rows: mean 0, variance 1 per feature (population variance)
  for (let f = 0; f < d.d_in; f++) {
    const col = Array.from({ length: d.n_train }, (_, k) => d.x[k * d.d_in + f]);
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    const v = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
    assert.ok(Math.abs(mean) < 1e-6 && Math.abs(v - 1) < 1e-5, `feature ${f}: mean ${mean}, var ${v}`);
  }
  // a held-out row is scaled with the training rows' statistics: recompute it from the text
  const rows = IRIS_LIKE.trim().split("\n").slice(1).map((l) => l.split(","));
  const k = d.n - 1;
  const line = d.rowLines[k];
  const raw = Number(rows[line - 2][0]);
  const train = Array.from({ length: d.n_train }, (_, t) => Number(rows[d.rowLines[t] - 2][0]));
  const mean = train.reduce((a, b) => a + b, 0) / train.length;
  const std = Math.sqrt(train.reduce((a, b) => a + (b - mean) ** 2, 0) / train.length);
  assert.ok(Math.abs(d.x[k * d.d_in] - (raw - mean) / std) < 1e-5);
  assert.equal(d.y[k], d.classNames.indexOf(rows[line - 2][2]));
});

test("quotes: quoted numbers are numbers, a quoted comma is one field, a quoted newline spans lines", async () => {
  const ok = await load('a,b,label\n"1.5","2",x\n"3", 4 ,y\n5,6,"x"\n7,8,y\n');
  assert.ok(ok.ok, ok.error?.message);
  assert.equal(ok.data.d_in, 2);
  // RFC 4180: a quote after a space is part of the text
  await refused('a,b,label\n1,2,x\n3, "4",y\n5,6,x\n7,8,y\n', 3, 2, /"\\"4\\"" is not a number/);
  // the first bad cell in the file is the one reported, though rows are stored shuffled
  await refused("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n" + "1,2,x\n".repeat(20) + "9,bad,y\n1,worse,x\n", 26, 2, /"bad"/);
  // "4,5" is one field holding text, in line 3
  await refused('a,b,label\n1,2,x\n3,"4,5",y\n5,6,x\n7,8,y\n', 3, 2, /"4,5" is not a number/);
  // a header cell with a newline in quotes: the data rows start on line 3, and errors say so
  const m = await refused('a,"b\nsecond line",label\n1,2,x\n3,oops,y\n5,6,x\n7,8,y\n', 4, 2, /"oops" is not a number/);
  assert.match(m, /\("b\\nsecond line"\)/);
  // an unclosed quote
  await refused('a,b,label\n1,2,x\n3,"4,y\n5,6,x\n', 3, undefined, /quoted field is not closed/);
});

test("a byte-order mark, CRLF, CR and mixed line ends are read; lines are counted right", async () => {
  const bom = await load("\uFEFF" + IRIS_LIKE);
  assert.ok(bom.ok);
  assert.equal(bom.table.names[0], "sepal", "no BOM in the first name");
  const crlf = await load(IRIS_LIKE.replace(/\n/g, "\r\n"));
  assert.ok(crlf.ok);
  assert.deepEqual(crlf.data.classNames, bom.data.classNames);
  assert.deepEqual(Array.from(crlf.data.x), Array.from(bom.data.x));
  assert.ok((await load(IRIS_LIKE.replace(/\n/g, "\r"))).ok, "old Mac line ends");
  await refused("a,b,label\r\n1,2,x\n3,4,y\r5,bad,x\r\n7,8,y\n", 4, 2, /"bad" is not a number/);
});

test("empty lines and lines of spaces are skipped, and still counted", async () => {
  const r = await load("a,b,label\n\n1,2,x\n   \n3,4,y\n\n\n5,6,x\n7,8,y\n\n");
  assert.ok(r.ok, r.error?.message);
  assert.equal(r.data.n, 4);
  await refused("a,b,label\n\n1,2,x\n\n3,4,y\n\n5,,x\n7,8,y\n", 7, 2, /empty cell/);
});

test("1e400, NaN, Infinity and text in a number column are refused with line and column", async () => {
  const base = (cell) => `a,b,label\n1,2,x\n3,${cell},y\n5,6,x\n7,8,y\n`;
  assert.match(await refused(base("1e400"), 3, 2), /"1e400" is beyond the range of 32-bit floats/);
  assert.match(await refused(base("-4e38"), 3, 2), /beyond the range/);
  assert.match(await refused(base("NaN"), 3, 2), /not a number \(NaN\)/);
  assert.match(await refused(base("nan"), 3, 2), /NaN/);
  assert.match(await refused(base("Infinity"), 3, 2), /not a finite number/);
  assert.match(await refused(base("-inf"), 3, 2), /not a finite number/);
  assert.match(await refused(base("0x10"), 3, 2), /"0x10" is not a number/);
  assert.match(await refused(base("1_000"), 3, 2), /not a number/);
  // documented: tiny values round to 0, exponents and signs are fine, spaces ignored
  const ok = await load(base(" -1.5e-3 "));
  assert.ok(ok.ok);
  assert.ok((await load(base("1e-400"))).ok);
});

test("a ragged row names its line and the first missing or extra field", async () => {
  await refused("a,b,label\n1,2,x\n3,4\n5,6,x\n", 3, 3, /2 fields, but line 1 has 3 \(a ragged row\)/);
  await refused("a,b,label\n1,2,x\n3,4,y,9\n5,6,x\n", 3, 4, /4 fields/);
  await refused("a,b,label\n1,2,x\n3,4,y,\n", 3, 4, /ragged/); // a trailing delimiter is an extra field
});

test("empty files, header-only files and too few rows", async () => {
  await refused("", 1, undefined, /empty/);
  await refused("\n\n  \n", 1, undefined, /empty/);
  await refused("a,b,label\n", 1, undefined, /no data rows/);
  await refused("a,b,label\n1,2,x\n3,4,y\n", 3, undefined, /2 data rows; at least 4/);
  await refused("label\n1\n2\n3\n4\n", 1, undefined, /one column only/);
});

test("one class only, too many classes, an empty label", async () => {
  const one = await load("a,b,label\n1,2,x\n3,4,x\n5,6,x\n7,8,x\n");
  assert.equal(one.ok, false);
  assert.equal(one.error.column, 3);
  assert.match(one.error.message, /^column 3 \("label"\): one class only \("x"\)/);
  const many = "a,label\n" + Array.from({ length: 30 }, (_, i) => `${i},c${i}`).join("\n");
  const m = await load(many);
  assert.equal(m.ok, false);
  assert.match(m.error.message, /30 classes; the limit is 20/);
  await refused("a,b,label\n1,2,x\n3,4, \n5,6,y\n7,8,x\n", 3, 3, /empty label/, { task: "classification" });
});

test("labels: text sorted by code point, numbers by value (1 and 1.0 are one class), regression guessed for real numbers", async () => {
  const ints = await load("f,label\n1,10\n2,2\n3,1.0\n4,1\n5,2\n6,10\n");
  assert.ok(ints.ok);
  assert.deepEqual(ints.data.classNames, ["1.0", "2", "10"]);
  assert.deepEqual(ints.data.counts, [2, 2, 2]);
  const reg = await load("f,price\n1,10.5\n2,2.25\n3,1.0\n4,7.75\n5,3.5\n");
  assert.equal(reg.table.task, "regression");
  assert.ok(reg.ok);
  assert.equal(reg.data.classification, false);
  assert.ok(reg.data.target.std > 0);
  const same = await load("f,y\n1,2.5\n2,2.5\n3,2.5\n4,2.5\n", { task: "regression" });
  assert.match(same.error.message, /same value/);
  // a label named "class" in the middle is found
  const mid = await load("a,class,b\n1,x,2\n3,y,4\n5,x,6\n7,y,8\n");
  assert.equal(mid.table.label, 1);
  assert.deepEqual(mid.data.featureNames, ["a", "b"]);
});

test("header detection: numbers only means no header; text labels alone do not make one", async () => {
  const r = await readCsv("1,2,0\n3,4,1\n5,6,0\n");
  assert.equal(r.table.header, false);
  assert.deepEqual(r.table.names, ["column 1", "column 2", "column 3"]);
  assert.equal((await readCsv("1,2,cat\n3,4,dog\n")).table.header, false);
  assert.equal((await readCsv("x,y,cat\n3,4,dog\n")).table.header, true);
  // semicolons and tabs
  const semi = await load("a;b;label\n1,5;2;x\n3;4;y\n5;6;x\n7;8;y\n");
  assert.equal(semi.table.delimiter, ";");
  assert.equal(semi.error.line, 2);
  assert.match(semi.error.message, /"1,5" is not a number/);
  const tab = await load("a\tb\tlabel\n1\t2\tx\n3\t4\ty\n5\t6\tx\n7\t8\ty\n");
  assert.ok(tab.ok);
  assert.equal(tab.table.delimiter, "\t");
});

test("limits: 10^6 rows stop at the row cap, a 50 MB file at the size cap, 300 columns at the column cap", async () => {
  const t0 = performance.now();
  const million = "a,b,label\n" + "1,2,0\n3,4,1\n".repeat(500000);
  assert.ok(million.length < CSV_LIMITS.maxBytes, "under the size cap, over the row cap");
  await refused(million, CSV_LIMITS.maxRows + 2, undefined, /more than 20,000 data rows/);
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `reading stops at the cap (${ms.toFixed(0)} ms)`);
  // exactly at the cap, with a header: accepted
  const atCap = "a,b,label\n" + "1,2,0\n3,4,1\n".repeat(CSV_LIMITS.maxRows / 2);
  assert.ok((await load(atCap)).ok);
  // without a header the cap counts every row
  await refused("1,2,0\n".repeat(CSV_LIMITS.maxRows) + "3,4,1\n", CSV_LIMITS.maxRows + 1, undefined, /more than 20,000 data rows/);
  const big = "a,b,label\n" + "1.2345678,2.3456789,0\n".repeat(2_400_000);
  assert.ok(big.length > 50e6);
  const r = await load(big);
  assert.equal(r.ok, false);
  assert.match(r.error.message, /^the file is 5\d\.\d MiB; the limit is 10\.0 MiB/);
  assert.match(sizeProblem(50e6), /47\.7 MiB/);
  assert.equal(sizeProblem(1000), null);
  const wide = Array.from({ length: 300 }, (_, j) => `f${j}`).join(",") + "\n";
  await refused(wide + wide.replace(/f/g, ""), 1, undefined, /300 columns; the limit is 257/);
});

test("the split and the scaling agree with the core: set_data holds out the same rows", async () => {
  for (const [n, f] of [[4, 0.2], [7, 0.5], [50, 0.2], [123, 0.05], [1001, 0.9], [10, 0]]) {
    const text = "a,b,label\n" + Array.from({ length: n }, (_, i) => `${i},${(i * 7) % 11},${i % 3}`).join("\n");
    const r = await load(text, { testFraction: f });
    assert.ok(r.ok, r.error?.message);
    const lab = new Lab({ data: { test_fraction: f }, model: { depth: 1, width: 4 }, batch_size: 8 });
    lab.set_data(r.data.x, r.data.y, r.data.d_in);
    const d = lab.data();
    assert.equal(d.n_train, r.data.n_train, `n = ${n}, test fraction ${f}`);
    assert.equal(d.d_out, 3);
    assert.deepEqual(Array.from(d.x), Array.from(r.data.x));
    lab.free();
  }
});
