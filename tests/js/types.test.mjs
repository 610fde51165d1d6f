// The TypeScript declarations of pkg/ (src/lab-types.d.ts and wasm-bindgen's output) under a
// strict compiler: tests/ts/api.ts uses every call of the API and must compile with
// `tsc --strict --noEmit`, target ES2022, no DOM lib of its own and no skipLibCheck (issue 18,
// item 12: lab.config() was typed as the all-optional input, critical_sw2 as number | undefined,
// activation arguments as string, and the .d.ts needed skipLibCheck). Its @ts-expect-error
// lines are mistakes the types must reject.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("tests/ts/api.ts compiles under tsc --strict --noEmit (typescript from npm)", () => {
  const tsconfig = JSON.parse(readFileSync(`${root}tests/ts/tsconfig.json`, "utf8")).compilerOptions;
  assert.equal(tsconfig.strict, true);
  assert.equal(tsconfig.skipLibCheck, undefined, "no skipLibCheck");
  assert.deepEqual(tsconfig.lib, ["es2022"], "no DOM or esnext lib from the project: the .d.ts brings what it needs");
  const r = spawnSync(`${root}node_modules/.bin/tsc`, ["-p", "tests/ts/tsconfig.json"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});

test("at run time the values are what the types say: critical_sw2 is a number or null, config() has every field", () => {
  initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });
  assert.equal(typeof Lab.critical_sw2("relu", 0), "number");
  const lab = new Lab({});
  const c = lab.config();
  for (const k of ["model", "optimizer", "data", "loss", "batch_size", "bn_momentum", "seed", "stop_on_divergence"]) assert.ok(k in c, k);
  const dts = readFileSync(`${root}pkg/residual_lab.d.ts`, "utf8");
  // every field of the resolved interfaces is present in lab.config()
  for (const [part, iface] of [["model", "ModelConfig"], ["optimizer", "OptimizerConfig"], ["data", "DataConfig"]]) {
    const fields = [...dts.split(`export interface ${iface} {`)[1].split("\n}")[0].matchAll(/^\s+(\w+)\?:/gm)].map((m) => m[1]);
    assert.ok(fields.length > 3, iface);
    for (const f of fields) assert.ok(f in c[part], `lab.config().${part}.${f}`);
  }
  lab.free();
});
