// The page's own data without a browser: drawn points in the link (www/js/data/points.js), the
// split they get, the chance levels of the loss and accuracy charts (www/js/data/chance.js) and
// what the workers are sent (www/js/data/owndata.js), checked against the core through a Lab.
// Run: node --test tests/js/owndata.test.mjs   (after scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { encodePoints, decodePoints, pointsData, pointsProblem, toByte, fromByte, nearestPoint } from "../../www/js/data/points.js";
import { chanceLevels } from "../../www/js/data/chance.js";
import { ownData, setPoints, currentPoints } from "../../www/js/data/owndata.js";
import { parseHash, writeHash, labConfig, defaults, POINTS_IN_LINK } from "../../www/js/schema.js";
import { initSync, Lab } from "../../pkg/residual_lab.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

const some = (n, classes = 3) => Array.from({ length: n }, (_, i) => ({ x: (i * 37) % 256, y: (i * 101) % 256, c: i % classes }));

test("points survive the link exactly: encode, write the hash, parse it, decode", () => {
  const points = some(POINTS_IN_LINK, 5);
  const text = encodePoints(points);
  assert.equal(text.length, 4 * points.length);
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  const cfg = defaults();
  cfg.view.source = "draw";
  cfg.view.points = text;
  const { cfg: back, notices } = parseHash(writeHash(cfg));
  assert.deepEqual(notices, []);
  assert.deepEqual(decodePoints(back.view.points).points, points);
  // the grid: a click's coordinate snaps to one of 256 values, and a grid value maps to itself
  for (const b of [0, 1, 127, 128, 254, 255]) assert.equal(toByte(fromByte(b)), b);
  assert.equal(toByte(-3), 0);
  assert.equal(toByte(3), 255);
});

test("damaged or hostile point text is refused with a notice, never thrown", () => {
  assert.match(decodePoints("abc").error, /damaged/);
  assert.match(decodePoints("a+b/").error, /damaged/);
  assert.match(decodePoints(encodePoints([{ x: 1, y: 2, c: 7 }])).error, /class 8; at most 5/);
  const { cfg, notices } = parseHash("#src=draw&pts=" + "A".repeat(4 * POINTS_IN_LINK + 4));
  assert.equal(cfg.view.points, "");
  assert.match(notices[0], /longer than 800/);
  assert.match(parseHash("#pts=<script>").notices[0], /not URL-safe base64/);
});

test("the nets wait for 4 points of 2 classes; then both get the same rows in the core's split", () => {
  const state = { cfg: defaults() };
  state.cfg.view.source = "draw";
  setPoints(state, some(3));
  assert.match(ownData(state).wait, /4 or more, of 2 classes or more \(now 3, 3 classes\)/);
  setPoints(state, some(6, 1));
  assert.match(pointsProblem(currentPoints(state)), /now 6, 1 class\)/);
  setPoints(state, some(40, 3));
  const own = ownData(state);
  assert.equal(own.wait, undefined);
  const cfgs = [0, 1].map((i) => own.config(labConfig(state.cfg, i)));
  for (const c of cfgs) {
    const lab = new Lab(c);
    lab.set_data(own.data.x, own.data.y, own.data.d_in);
    const d = lab.data();
    assert.deepEqual([d.d_in, d.d_out, d.n_train, d.classification], [2, 3, pointsData(some(40, 3), 0.2).n_train, true]);
    assert.equal(lab.config().data.name, "custom");
    lab.free();
  }
  // the rows are a fixed shuffle of the points: the same points, the same rows
  assert.deepEqual(pointsData(some(40, 3), 0.2), pointsData(some(40, 3), 0.2));
  const d = pointsData(some(40, 3), 0.2);
  assert.notDeepEqual(Array.from(d.y.slice(0, 6)), [0, 1, 2, 0, 1, 2], "shuffled, so the test points are not the last drawn");
  // past the link's limit the points stay in the state only
  setPoints(state, some(POINTS_IN_LINK + 1));
  assert.equal(state.cfg.view.points, "");
  assert.equal(currentPoints(state).length, POINTS_IN_LINK + 1);
  assert.equal(nearestPoint([{ x: 10, y: 10, c: 0 }, { x: 20, y: 20, c: 1 }], 18, 19, 5), 1);
  assert.equal(nearestPoint([{ x: 10, y: 10, c: 0 }], 40, 40, 5), -1);
});

test("chance levels: ln K and 1/K for balanced classes, the label entropy and the majority share otherwise, the variance for regression", () => {
  const data = (y, nTrain, classification = true, classes = 1) => ({ y: Float32Array.from(y), n_train: nTrain, classification, classes });
  const balanced = chanceLevels(data(Array.from({ length: 100 }, (_, i) => i % 10), 100));
  assert.ok(Math.abs(balanced.loss - Math.log(10)) < 1e-12);
  assert.equal(balanced.accuracy, 0.1);
  // 3 : 1 -> entropy -(3/4 ln 3/4 + 1/4 ln 1/4), majority 3/4; the test rows (after n_train) do not count
  const skewed = chanceLevels(data([0, 0, 0, 1, 1, 1, 1], 4));
  assert.ok(Math.abs(skewed.loss - -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))) < 1e-12);
  assert.equal(skewed.accuracy, 0.75);
  // regression: the mean squared deviation from the mean of [1, 2, 3, 6] is 3.5
  const reg = chanceLevels(data([1, 2, 3, 6, 100], 4, false, 1));
  assert.equal(reg.loss, 3.5);
  assert.equal(reg.accuracy, null);
  assert.equal(chanceLevels(null), null);
  // the core agrees: a net that ignores its input (all weights zero) scores the chance loss on balanced data
  const lab = new Lab({ data: { name: "digits" }, model: { depth: 1, width: 4 } });
  const w = lab.get_weights();
  for (const k of Object.keys(w)) w[k] = new Float32Array(w[k].length);
  lab.set_weights(w);
  const d = lab.data();
  const chance = chanceLevels({ y: d.y, n_train: d.n_train, classification: true, classes: d.d_out });
  // zero logits predict 1/10 each: loss ln 10, at least the entropy of the (nearly balanced) labels
  const ev = lab.evaluate();
  assert.ok(Math.abs(ev.train.loss - Math.log(10)) < 1e-6, `${ev.train.loss}`);
  assert.ok(chance.loss <= ev.train.loss + 1e-9 && chance.loss > Math.log(10) - 0.01, `${chance.loss}`);
  lab.free();
});
