// The JS API of pkg/ under Node: a table of generated bad inputs (each must throw an Error
// naming the field, never a WebAssembly.RuntimeError, and leave the Lab training), the
// TypeScript declarations, and the per-call cost of crossing the JS/wasm boundary.
// Run: node --test --test-concurrency=1 tests/js/   (after scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";
import { mulberry32 } from "../../www/js/data/split.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

// ---------------------------------------------------------------------------------------
// Helpers

/** A seeded PRNG (the page's own, from data/split.js), so the mutations are the same on every run. */
const prng = mulberry32;

const SMALL = { model: { depth: 2, width: 8 }, batch_size: 16, data: { n: 64 }, seed: 5 };

/** `base` with `value` at the dotted `path` (creating objects on the way). */
function withPath(base, path, value) {
  const out = structuredClone(base);
  const keys = path.split(".");
  let o = out;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== "object" || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[keys.at(-1)] = value;
  return out;
}

const show = (v) => {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || v === undefined) return String(v);
  if (typeof v === "symbol" || typeof v === "function") return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
  const s = JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * Runs `call`, which must throw. Returns a problem description, or null if it threw an
 * `Error` (not a RuntimeError) with a non-empty message starting with `field` (a string,
 * or a RegExp the message must match).
 */
function expectError(call, field) {
  let threw = false, e;
  try {
    call();
  } catch (err) {
    threw = true;
    e = err;
  }
  if (!threw) return "did not throw";
  if (e instanceof WebAssembly.RuntimeError) return `panicked: ${e.message}`;
  if (!(e instanceof Error)) return `threw a non-Error ${show(e)}`;
  if (typeof e.message !== "string" || e.message.length === 0) return "empty message";
  if (field instanceof RegExp) {
    if (!field.test(e.message)) return `message ${JSON.stringify(e.message)} does not match ${field}`;
  } else if (field && !e.message.startsWith(`${field}: `)) {
    return `message ${JSON.stringify(e.message)} does not start with "${field}: "`;
  }
  return null;
}

/** The lab still trains: a step returns a finite loss and counts. */
function healthy(lab) {
  try {
    const before = lab.step_count();
    const r = lab.train_step();
    if (!Number.isFinite(r.loss)) return `loss ${r.loss} after the call`;
    if (lab.step_count() !== before + 1) return "step_count did not advance";
    return null;
  } catch (e) {
    return `the lab is broken after the call: ${e?.constructor?.name}: ${e?.message}`;
  }
}

// ---------------------------------------------------------------------------------------
// The table of bad inputs

/** Bad values for a config leaf, from its default (the schema is `new Lab().config()`). */
function badLeafValues(path, def) {
  const common = [null, [], {}, [def], { value: def }, Symbol("s"), () => def];
  // (a BigInt is a fine integer for the usize fields; u32 `seed` and the rest reject it)
  if (typeof def !== "number" || !Number.isInteger(def) || path === "seed") common.push(10n);
  if (typeof def === "boolean") return [...common, "true", 1, 0, "", new Boolean(true)];
  if (typeof def === "string") {
    return [...common, "", "unknown", def.toUpperCase(), ` ${def}`, `${def} `, `${def}_x`, 1, true, new String(def)];
  }
  // numbers: every numeric field has a finite lower bound >= 0 and a finite upper bound
  const integer = ["model.depth", "model.width", "model.branch_layers", "data.n", "data.classes", "batch_size", "seed"].includes(path);
  const vals = [...common, NaN, Infinity, -Infinity, -1, -1e-300, 1e300, Number.MAX_VALUE, "1", "", true, new Number(def)];
  if (integer) vals.push(1.5, 2 ** 53, 2 ** 64, -(2 ** 31));
  if (integer && path !== "seed") vals.push(1e7);
  return vals;
}

function leaves(obj, prefix = "") {
  const out = [];
  for (const [k, v] of Object.entries(obj)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "object" && v !== null) out.push(...leaves(v, p));
    else out.push([p, v]);
  }
  return out;
}

function configCases() {
  const schema = new Lab(SMALL).config();
  const cases = [];
  const add = (name, config, field) => cases.push({ group: "config", name, field, call: () => new Lab(config) });
  // every leaf, wrong types and out-of-range values
  for (const [path, def] of leaves(schema)) {
    for (const v of badLeafValues(path, def)) add(`${path} = ${show(v)}`, withPath(SMALL, path, v), path);
  }
  // unknown keys at every level, including near misses of real ones
  const sections = ["", "model", "optimizer", "data"];
  for (const s of sections) {
    for (const key of ["bogus", "", " ", "Depth", "seed ", "constructor", "__proto__", "toString", "0", "model.depth"]) {
      const cfg = structuredClone(SMALL);
      const target = s ? (cfg[s] ??= {}) : cfg;
      Object.defineProperty(target, key, { value: 1, enumerable: true, configurable: true, writable: true });
      add(`unknown key ${JSON.stringify(key)} in ${s || "the top level"}`, cfg, s ? `${s}.${key}` : key);
    }
  }
  // sections of the wrong type
  for (const s of ["model", "optimizer", "data"]) {
    for (const v of [null, 5, "x", true, 10n, Symbol("s"), () => ({})]) add(`${s} = ${show(v)}`, { ...SMALL, [s]: v }, s);
  }
  // the whole config of the wrong type
  for (const v of [5, "x", "{}", true, false, 0, NaN, [], [SMALL], 10n, Symbol("s"), () => SMALL]) add(`config = ${show(v)}`, v, "config");
  // combinations that each field allows alone
  const combos = [
    [{ model: { kind: "plain", init: "fixup" } }, "model.init"],
    [{ model: { kind: "plain", init: "rezero" } }, "model.init"],
    [{ model: { init: "fixup", norm: "layer" } }, "model.init"],
    [{ data: { name: "regression" }, loss: "cross_entropy" }, "loss"],
    [{ data: { name: "spiral" }, loss: "mse" }, "loss"],
    [{ data: { name: "xor" }, loss: "mse" }, "loss"],
    [{ data: { name: "custom" } }, "data.name"],
    // caps: activation memory and parameter count
    [{ model: { depth: 10000, width: 1024 } }, "model.depth"],
    [{ model: { depth: 4096, width: 64 }, batch_size: 4096 }, "model.depth"],
    [{ model: { depth: 1, width: 1024 }, batch_size: 8193 }, "batch_size"],
    [{ model: { depth: 9, width: 512 }, batch_size: 1 }, "model.width"],
    [{ model: { depth: 3000, width: 32 }, batch_size: 8 }, "model.width"],
    [{ model: { depth: 1e6 } }, "model.depth"],
    [{ model: { width: 1e6 } }, "model.width"],
    [{ batch_size: 1e6 }, "batch_size"],
    [{ data: { n: 1e7 } }, "data.n"],
    [{ data: { classes: 1000 } }, "data.classes"],
  ];
  for (const [cfg, field] of combos) add(`combo ${show(cfg)}`, cfg, field);
  return cases;
}

function methodCases(lab) {
  const cases = [];
  const add = (group, name, field, call) => cases.push({ group, name, field, call });
  const junk = [undefined, null, "", "5", true, [], {}, [1], 10n, Symbol("s"), NaN, Infinity, -Infinity, () => 1, new Date(0)];

  // train(n)
  for (const n of [0, -1, -0.5, 1.5, 100001, 1e12, 2 ** 53, NaN, Infinity, -Infinity, "5", "", true, [], [5], {}, 5n, Symbol("s")]) {
    add("train", `train(${show(n)})`, "n", () => lab.train(n));
  }
  // set_lr(lr)
  for (const lr of [0, -0, -1, 10.0001, 1e300, NaN, Infinity, -Infinity, "0.1", "", null, undefined, true, [], [0.1], {}, 1n]) {
    add("set_lr", `set_lr(${show(lr)})`, "optimizer.lr", () => lab.set_lr(lr));
  }
  // reset(seed)
  for (const s of [-1, 2 ** 32, 2 ** 53, 1.5, NaN, Infinity, -Infinity, "1", "", true, [], [1], {}, 1n, Symbol("s")]) {
    add("reset", `reset(${show(s)})`, "seed", () => lab.reset(s));
  }
  // predict(x): d_in is 2
  for (const len of [0, 1, 3, 5, 7, 99]) {
    add("predict", `predict(length ${len})`, "x", () => lab.predict(new Array(len).fill(0.5)));
    add("predict", `predict(Float32Array ${len})`, "x", () => lab.predict(new Float32Array(len)));
  }
  for (const x of [...junk, "0,1", [[0, 1]], [0, "1"], [0, null], [0, undefined], [0, {}], [0, 1n], new Int32Array(2), new Uint8Array(2), new Float64Array(3), { length: 2, 0: 1, 1: 2 }, new ArrayBuffer(8)]) {
    add("predict", `predict(${show(x)})`, "x", () => lab.predict(x));
  }
  // predict_grid(res, bounds)
  const B = [-1, 1, -1, 1];
  for (const r of [0, 1, -2, 513, 1e6, 2.5, NaN, Infinity, "8", null, undefined, [], [8], {}, true, 8n]) {
    add("predict_grid", `predict_grid(${show(r)}, bounds)`, "res", () => lab.predict_grid(r, B));
  }
  const badBounds = [
    [], [0], [0, 1], [0, 1, 0], [0, 1, 0, 1, 2], [1, 0, 0, 1], [0, 1, 1, 0], [0, 0, 0, 1], [0, 1, 2, 2],
    [NaN, 1, 0, 1], [0, Infinity, 0, 1], [-Infinity, 1, 0, 1], [0, 1, 0, 1e39], [-1e39, 1, 0, 1],
    [1, 1 + 1e-9, 0, 1], // equal once rounded to f32
    [0, "1", 0, 1], [0, 1, null, 1], [[0], 1, 0, 1], "0,1,0,1", null, undefined, 4, {}, { xmin: 0, xmax: 1, ymin: 0, ymax: 1 }, new Int16Array(4),
  ];
  for (const b of badBounds) add("predict_grid", `predict_grid(8, ${show(b)})`, "bounds", () => lab.predict_grid(8, b));

  // set_data(x, y, d_in): the lab's own shape of data, broken one way at a time
  const x6 = [0, 0, 1, 1, 0, 1, 1, 0, 0.5, 0.5, -1, 2];
  const y6 = [0, 1, 1, 0, 1, 0];
  const setData = (name, field, x, y, d) => add("set_data", name, field, () => lab.set_data(x, y, d));
  for (const y of [[0, 1], y6.slice(0, 5), [...y6, 0], [], [0, 1, 1, 0, 1, 0.5], [0, 1, 1, 0, 1, -1], [0, 1, 1, 0, 1, 64], [0, 1, 1, 0, 1, 1e9],
    [0, 1, 1, 0, 1, NaN], [0, 1, 1, 0, 1, Infinity], [0, 1, 1, 0, 1, "1"], [0, 1, 1, 0, 1, null], [0, 1, 1, 0, 1, -0.0001], null, undefined, "010110", {}, 3, new Int8Array(6)]) {
    setData(`set_data(x6, ${show(y)}, 2)`, "y", x6, y, 2);
  }
  for (const x of [[], [0], [0, 1], x6.slice(0, 11), [...x6, 1], [NaN, ...x6.slice(1)], [...x6.slice(0, 11), Infinity], [...x6.slice(0, 11), -Infinity],
    [...x6.slice(0, 11), 1e39], [...x6.slice(0, 11), "1"], [...x6.slice(0, 11), null], null, undefined, "x", {}, 12, new Uint32Array(12)]) {
    setData(`set_data(${show(x)}, y6, 2)`, "x", x, y6, 2);
  }
  for (const d of [0, -1, 1025, 1e9, 1.5, NaN, Infinity, "2", null, undefined, [], [2], {}, true, 2n]) {
    setData(`set_data(x6, y6, ${show(d)})`, "d_in", x6, y6, d);
  }
  setData("set_data(5 values, d_in 5, one point)", "x", [1, 2, 3, 4, 5], [0], 5);
  setData("set_data(100001 points)", "x", new Float32Array(100001), new Float32Array(100001), 1);
  setData("set_data(x6, y6, 3): y has 6 labels for 4 points", "y", x6, y6, 3);
  setData("set_data(x6, y6, 4): 12 is not a multiple of 5", "x", x6, y6, 5);

  // set_weights(weights): built from the lab's own weights
  const good = () => Object.fromEntries(Object.entries(lab.get_weights()).map(([k, v]) => [k, Float32Array.from(v)]));
  const names = Object.keys(lab.get_weights());
  const r = prng(7);
  const setW = (name, field, w) => add("set_weights", name, field, () => lab.set_weights(w));
  for (const n of names) {
    const len = lab.get_weights()[n].length;
    const w1 = good(); delete w1[n]; setW(`set_weights without ${n}`, n, w1);
    for (const l of [0, len - 1, len + 1, 2 * len]) {
      if (l === len) continue;
      const w = good(); w[n] = new Float32Array(l); setW(`set_weights ${n} of length ${l}`, n, w);
    }
    for (const bad of [NaN, Infinity, -Infinity, 1e39, -1e39]) {
      const w = good(); const a = Array.from(w[n]); a[Math.floor(r() * len)] = bad; w[n] = a;
      setW(`set_weights ${n} with ${bad}`, n, w);
    }
    for (const bad of ["0.5", null, undefined, [1], {}, 1n]) {
      const w = good(); const a = Array.from(w[n]); a[Math.floor(r() * len)] = bad; w[n] = a;
      setW(`set_weights ${n} with an element ${show(bad)}`, n, w);
    }
    for (const bad of [null, undefined, 5, "x", {}, new Int32Array(len), new Float64Array(len + 1)]) {
      const w = good(); w[n] = bad; setW(`set_weights ${n} = ${show(bad)}`, n, w);
    }
  }
  for (const extra of ["blocks.99.fc1.weight", "stem.weight ", "Stem.weight", "", "head", "stem.weight.0", "constructor"]) {
    const w = good(); w[extra] = new Float32Array(1); setW(`set_weights with extra ${JSON.stringify(extra)}`, extra, w);
  }
  for (const w of [null, undefined, 5, "stem.weight", true, [], [good()], Object.values(good()), 1n, Symbol("s")]) {
    setW(`set_weights(${show(w)})`, "weights", w);
  }
  setW("set_weights({})", names[0], {});
  return cases;
}

/** Truncated, corrupted and edited saved states: each must be rejected. */
function stateCases() {
  const cases = [];
  const add = (name, field, json) => cases.push({ group: "from_json", name, field, call: () => Lab.from_json(json) });
  const src = new Lab(SMALL);
  src.train(5);
  const json = src.to_json();
  const n = json.length;
  const r = prng(2024);
  // not a string
  for (const v of [undefined, null, 5, true, {}, [], JSON.parse(json), new String(json), 1n, Symbol("s")]) {
    cases.push({ group: "from_json", name: `from_json(${show(v)})`, field: "json", call: () => Lab.from_json(v) });
  }
  // truncated at 60 points (both ends included)
  const cuts = new Set([0, 1, 2, n - 1, n - 2]);
  while (cuts.size < 60) cuts.add(Math.floor(r() * n));
  for (const c of [...cuts].sort((a, b) => a - b)) add(`truncated to ${c} of ${n} characters`, "state", json.slice(0, c));
  // one character replaced by one that no valid state can hold there ('#' is in no
  // number, key or enum name of the state, and is not JSON outside strings)
  for (let i = 0; i < 60; i++) {
    const p = Math.floor(r() * n);
    add(`'#' at ${p} (was ${JSON.stringify(json[p])})`, /^[\w.]+: /, json.slice(0, p) + "#" + json.slice(p + 1));
  }
  // structural characters removed or doubled
  const structural = [...json].flatMap((ch, i) => ("{}[]:,\"".includes(ch) ? [i] : []));
  for (let i = 0; i < 30; i++) {
    const p = structural[Math.floor(r() * structural.length)];
    add(`structural ${JSON.stringify(json[p])} at ${p} removed`, /^[\w.]+: /, json.slice(0, p) + json.slice(p + 1));
  }
  // edits that keep the JSON valid but break the state
  const st = JSON.parse(json);
  const edit = (name, f, field = "state") => {
    const s = structuredClone(st);
    // u64 RNG words do not survive JSON.parse: put the original text back
    f(s);
    let text = JSON.stringify(s);
    if (!name.startsWith("rng")) text = text.replace(/"rng":\{"s":\[[^\]]*\]\}/, json.match(/"rng":\{"s":\[[^\]]*\]\}/)[0]);
    add(name, field, text);
  };
  edit("format changed", (s) => { s.format = "residual-lab-state/2"; });
  edit("format missing", (s) => { delete s.format; });
  edit("an unknown top-level key", (s) => { s.extra = 1; });
  for (const k of ["config", "params", "running_stats", "optimizer", "rng", "order", "cursor", "step"]) {
    edit(`${k} missing`, (s) => { delete s[k]; });
    edit(`${k} = "x"`, (s) => { s[k] = "x"; });
  }
  edit("params one short", (s) => { s.params.pop(); });
  edit("params one long", (s) => { s.params.push(0); });
  edit("params empty", (s) => { s.params = []; });
  edit("params with 1e39", (s) => { s.params[3] = 1e39; });
  edit("params with a string", (s) => { s.params[3] = "0.5"; });
  edit("params with null (NaN)", (s) => { s.params[3] = null; });
  edit("order with a duplicate", (s) => { s.order[1] = s.order[0]; });
  edit("order one short", (s) => { s.order.pop(); });
  edit("order out of range", (s) => { s.order[0] = 1e6; });
  edit("order negative", (s) => { s.order[0] = -1; });
  edit("cursor past the end", (s) => { s.cursor = s.order.length + 1; });
  edit("cursor negative", (s) => { s.cursor = -1; });
  edit("cursor 1.5", (s) => { s.cursor = 1.5; });
  edit("step negative", (s) => { s.step = -3; });
  edit("rng 3 words", (s) => { s.rng.s = [1, 2, 3]; });
  edit("rng word negative", (s) => { s.rng.s = [1, 2, 3, -4]; });
  edit("rng word 2^65", (s) => { s.rng.s = [1, 2, 3, 2 ** 65]; });
  edit("optimizer m wrong length", (s) => { s.optimizer.m.push(0); });
  edit("optimizer v wrong length", (s) => { s.optimizer.v = []; });
  edit("optimizer cfg disagrees with config", (s) => { s.optimizer.cfg.lr = 0.5; });
  edit("optimizer kind changed alone", (s) => { s.config.optimizer.kind = "sgd"; s.optimizer.cfg.kind = "sgd"; });
  edit("running_stats with one value", (s) => { s.running_stats = [1]; });
  edit("config depth changed", (s) => { s.config.model.depth = 3; });
  edit("config width changed", (s) => { s.config.model.width = 9; });
  edit("config classes changed", (s) => { s.config.data.classes = 3; });
  edit("config norm changed to batch", (s) => { s.config.model.norm = "batch"; });
  edit("config data.n changed", (s) => { s.config.data.n = 65; });
  edit("config invalid depth", (s) => { s.config.model.depth = 0; }, "model.depth");
  edit("config invalid lr", (s) => { s.config.optimizer.lr = -1; s.optimizer.cfg.lr = -1; }, "optimizer.lr");
  edit("config unknown key", (s) => { s.config.model.colour = "red"; });
  edit("config custom without data", (s) => { s.config.data.name = "custom"; });
  edit("custom data of the wrong size", (s) => {
    s.config.data.name = "custom";
    s.data = { x: [0, 0, 1, 1], y: [0, 1], d_in: 2, d_out: 2, classification: true, n_train: 1 };
  });
  edit("custom data with a negative label", (s) => {
    s.config.data.name = "custom";
    s.data = { ...structuredClone(s.data ?? {}), x: Array.from(src.data().x), y: [...Array.from(src.data().y).slice(1), -1], d_in: 2, d_out: 2, classification: true, n_train: src.data().n_train };
  });
  edit("custom data with d_in 0", (s) => {
    s.config.data.name = "custom";
    s.data = { x: Array.from(src.data().x), y: Array.from(src.data().y), d_in: 0, d_out: 2, classification: true, n_train: src.data().n_train };
  });
  edit("halted of the wrong shape", (s) => { s.halted = { step: 1 }; });
  edit("halted = 5", (s) => { s.halted = 5; });
  src.free();
  return cases;
}

test("bad inputs throw an Error naming the field, never panic, and the Lab keeps working", () => {
  const lab = new Lab(SMALL);
  lab.train(3);
  const cases = [...configCases(), ...methodCases(lab), ...stateCases()];
  // A wide lab for the parameter cap of set_data (a net of 1024 wide inputs).
  const wide = new Lab({ model: { depth: 3, width: 1024, branch_layers: 1 }, batch_size: 4, data: { n: 16 } }); // 3.2M parameters; 4.2M with d_in 1024
  cases.push({ group: "set_data", name: "set_data(d_in 1024, 4 points): over the parameter cap", field: "d_in",
    call: () => wide.set_data(new Float32Array(4 * 1024), [0, 1, 2, 0], 1024) });
  const problems = [];
  const byGroup = {};
  for (const c of cases) {
    byGroup[c.group] = (byGroup[c.group] ?? 0) + 1;
    const p = expectError(c.call, c.field) ?? healthy(lab);
    if (p) problems.push(`${c.group}: ${c.name}: ${p}`);
  }
  const w = healthy(wide);
  if (w) problems.push(`the wide lab: ${w}`);
  console.log(`# bad-input cases: ${cases.length} (${Object.entries(byGroup).map(([g, k]) => `${g} ${k}`).join(", ")})`);
  assert.deepEqual(problems, [], `${problems.length} of ${cases.length} cases failed`);
  assert.ok(cases.length >= 300, `only ${cases.length} cases`);
  // The lab that took every bad call still matches a fresh one after reset.
  lab.reset();
  const fresh = new Lab(SMALL);
  for (let i = 0; i < 5; i++) assert.equal(lab.train_step().loss, fresh.train_step().loss);
  lab.free(); fresh.free(); wide.free();
});

test("odd but possible inputs either work or throw an Error, never panic", () => {
  // Values a caller may pass that are not wrong by themselves: no fixed answer, but never
  // a RuntimeError, and the lab keeps working.
  const lab = new Lab(SMALL);
  const r = prng(99);
  const json = (() => { const l = new Lab(SMALL); l.train(4); const s = l.to_json(); l.free(); return s; })();
  const calls = [
    () => lab.predict([NaN, 0]),
    () => lab.predict([1e30, -1e30]),
    () => lab.predict(new Float32Array(2 * 1000)),
    () => lab.predict_grid(2, [-1e30, 1e30, -1e30, 1e30]),
    () => lab.predict_grid(512, [0, 1, 0, 1]),
    () => lab.predict_grid(2, [0, 1e-40, 0, 1e-40]),
    () => lab.set_lr(1e-300),
    () => lab.set_lr(10),
    () => lab.set_lr(0.003),
    () => lab.reset(0),
    () => lab.reset(2 ** 32 - 1),
    () => lab.reset(5),
    () => lab.train(100),
    () => new Lab({ model: { depth: 1, width: 1 }, batch_size: 1, data: { n: 4, test_fraction: 0.9 } }).train(20),
    () => new Lab({ model: { depth: 1, width: 1 }, data: { n: 4, test_fraction: 0 } }).evaluate(),
    () => new Lab({ model: { kind: "plain", depth: 1, width: 1, norm: "batch" }, batch_size: 1 }).train(5),
    () => new Lab({ model: { depth: 3, norm: "rms", norm_position: "post", final_norm: true, init: "rezero" }, batch_size: 2 }).train(3),
    () => new Lab({ optimizer: { lr: 10, kind: "sgd" }, model: { init: "custom", sigma_w2: 100, sigma_b2: 100 } }).train(50),
    () => new Lab({ optimizer: { lr: 1e-300 } }).train(2),
    () => new Lab({ seed: -0 }),
    () => new Lab(Object.create({ seed: 3 })),
    () => new Lab(new Map([["seed", 3]])),
  ];
  // Digits changed in a real state: a number changes (often still a valid state).
  const digits = [...json].flatMap((ch, i) => (/[0-9]/.test(ch) ? [i] : []));
  for (let i = 0; i < 40; i++) {
    const p = digits[Math.floor(r() * digits.length)];
    const text = json.slice(0, p) + String(Math.floor(r() * 10)) + json.slice(p + 1);
    calls.push(() => { const l = Lab.from_json(text); l.train(3); l.free(); });
  }
  const problems = [];
  calls.forEach((call, i) => {
    try { call(); } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || !(e instanceof Error) || !e.message) problems.push(`call ${i}: ${e?.constructor?.name}: ${e?.message ?? e}`);
    }
    const h = healthy(lab);
    if (h) problems.push(`call ${i}: ${h}`);
  });
  console.log(`# odd-input calls: ${calls.length}`);
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------------------------------
// Regressions of bugs found by these tests

test("set_data needs as many points as data.n allows (4), so the config stays valid", () => {
  const lab = new Lab(SMALL);
  assert.throws(() => lab.set_data([0, 0, 1, 1], [0, 1], 2), /^Error: x: 2 points; allowed 4/);
  lab.set_data([0, 0, 1, 1, 0, 1, 1, 0], [0, 1, 0, 1], 2);
  lab.set_lr(0.01);
  Lab.from_json(lab.to_json());
});

test("a throwing getter in an argument leaves the Lab usable", () => {
  const lab = new Lab(SMALL);
  const w = lab.get_weights();
  Object.defineProperty(w, "stem.weight", { get() { throw new Error("boom"); }, enumerable: true });
  assert.throws(() => lab.set_weights(w), Error);
  assert.equal(healthy(lab), null);
  const x = [0, 0];
  Object.defineProperty(x, 1, { get() { throw new Error("boom"); } });
  assert.throws(() => lab.predict(x), Error);
  assert.equal(healthy(lab), null);
});

test("a config section given as an array is rejected, not ignored", () => {
  assert.throws(() => new Lab({ model: ["plain", 3] }), /^Error: model: /);
  assert.throws(() => new Lab({ optimizer: [] }), /^Error: optimizer: /);
});

test("a field explicitly set to undefined counts as absent", () => {
  assert.equal(new Lab({ seed: undefined, model: { depth: undefined } }).config().seed, 42);
});

// ---------------------------------------------------------------------------------------
// TypeScript declarations

test("pkg/residual_lab.d.ts carries the hand-written types and the doc comments", () => {
  const dts = readFileSync(`${root}pkg/residual_lab.d.ts`, "utf8");
  for (const name of ["LabConfig", "ModelConfig", "OptimizerConfig", "DataConfig", "StepReport", "LayerStats", "Divergence", "SplitMetrics", "LabData"]) {
    assert.match(dts, new RegExp(`export interface ${name} \\{`), name);
  }
  // field docs from src/lab-types.d.ts
  assert.match(dts, /\/\*\* Mini-batch size, 1 to 4096\. \(64\) \*\/\s*batch_size\?: number;/);
  assert.match(dts, /kind\?: "plain" \| "residual";/);
  assert.match(dts, /export type Activation = NonNullable<ModelConfig\["activation"\]>;/);
  assert.match(dts, /diverged: Divergence \| null;/);
  assert.match(dts, /act_mean_sq: Float32Array;/);
  // the methods are typed with them and keep their doc comments
  const cls = dts.slice(dts.indexOf("export class Lab"));
  assert.match(cls, /constructor\(config\?: LabConfig \| null\);/);
  for (const sig of ["train_step(): StepReport;", "train(n?: number | null): StepReport;", "probe(): StepReport;", "config(): ResolvedLabConfig;", "data(): LabData;",
    "evaluate(): { train: SplitMetrics, test: SplitMetrics };", "predict(x: Float32Array | number[]): Float32Array;",
    "get_weights(): Record<string, Float32Array>;", "set_weights(weights: Record<string, Float32Array | number[]>): void;",
    "static from_json(json: string): Lab;", "to_json(): string;", "step_count(): number;"]) {
    assert.ok(cls.includes(sig), `missing ${sig}`);
  }
  assert.match(cls, /One training step \(forward, backward, update\) on the next mini-batch\.\s*\*\/\s*train_step\(\): StepReport;/);
  assert.match(cls, /Throws an `Error` naming the field/);
  // every method of the class has a doc comment right above it
  const methods = [...cls.matchAll(/\n    ((?:static )?\w+)\(/g)].map((m) => m[1]).filter((m) => m !== "free");
  assert.ok(methods.length >= 19, methods.join(","));
  for (const m of methods) assert.match(cls, new RegExp(`\\*/\\n    ${m.replace("static ", "static ")}\\(`), `${m} has no doc comment`);
});

test("every argument of Lab has a TypeScript type (no any)", () => {
  const cls = readFileSync(`${root}pkg/residual_lab.d.ts`, "utf8").split("export class Lab")[1].split("\n}")[0];
  assert.deepEqual(cls.match(/\w+\??: any/g), null);
  assert.match(cls, /train\(n\?: number \| null\)/);
  assert.match(cls, /reset\(seed\?: number \| null\)/);
  assert.match(cls, /constructor\(config\?: LabConfig \| null\)/);
});

// ---------------------------------------------------------------------------------------
// Boundary cost

test("per-step cost of train_step() vs train(100) (measurement)", () => {
  // train_step() crosses the boundary once per step and builds a report object (9
  // Float32Arrays of depth + 1 values and a few numbers); train(100) crosses once per 100
  // steps. Timings on a shared machine are noisy: interleave the two and report the minimum
  // (least disturbed) and the median per step over the rounds.
  const measure = (cfg, steps, rounds) => {
    const lab = new Lab(cfg);
    // warm up both paths (V8 tiers wasm up; a long first call runs in the baseline compiler)
    for (let i = 0; i < 3 * steps; i++) lab.train_step();
    for (let i = 0; i < 3; i++) lab.train(steps);
    const single = [], batched = [];
    for (let k = 0; k < rounds; k++) {
      let t0 = performance.now();
      for (let i = 0; i < steps; i++) lab.train_step();
      single.push((performance.now() - t0) / steps);
      t0 = performance.now();
      const r = lab.train(steps);
      batched.push((performance.now() - t0) / steps);
      assert.ok(Number.isFinite(r.loss) && r.diverged === null);
    }
    lab.free();
    const sorted = (xs) => [...xs].sort((a, b) => a - b);
    const stats = (xs) => ({ min: sorted(xs)[0], med: sorted(xs)[Math.floor(xs.length / 2)] });
    return { single: stats(single), batched: stats(batched) };
  };
  const us = (ms) => `${(ms * 1000).toFixed(1)} us`;
  const line = (name, m) => {
    console.log(`# ${name}: train_step() ${us(m.single.min)} (median ${us(m.single.med)}) per step, ` +
      `train(100) ${us(m.batched.min)} (median ${us(m.batched.med)}) per step, ` +
      `ratio ${(m.single.min / m.batched.min).toFixed(3)} (medians ${(m.single.med / m.batched.med).toFixed(3)}), ` +
      `boundary + report ${us(m.single.min - m.batched.min)} per call`);
  };
  const net = measure({ model: { depth: 8, width: 32 }, batch_size: 64, seed: 1 }, 100, 7);
  line("depth 8, width 32, batch 64", net);
  // A net so small that the step is nearly free: what is left is the crossing and the report.
  const tiny = measure({ model: { depth: 8, width: 1 }, batch_size: 1, seed: 1 }, 100, 7);
  line("depth 8, width 1, batch 1 (the crossing alone)", tiny);
  for (const m of [net, tiny]) {
    assert.ok(m.single.min > 0 && m.batched.min > 0);
    // a very generous sanity bound, not a performance target
    assert.ok(m.single.min < 10 * m.batched.min + 0.5, JSON.stringify(m));
  }
});
