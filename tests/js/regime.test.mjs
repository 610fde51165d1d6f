// The regime badge under the depth-profile charts (www/js/prep.js regime()): synthetic
// profiles whose shape is known by construction, read forward (layer 0 -> L) and backward
// (layer L -> 0, the way backpropagation carries the gradient). Issue 18, item 3: the backward
// branch called geometric growth "linear".
import { test } from "node:test";
import assert from "node:assert/strict";
import { regime } from "../../www/js/prep.js";

const L = 20;
const layers = Array.from({ length: L + 1 }, (_, l) => l);
/** A profile in the direction of travel, stored as the report stores it (index = layer). */
const stored = (travel, backward) => (backward ? travel.slice().reverse() : travel);
// a reproducible wobble of about ±10%, as a finite-width net's profile has
const wobble = (l) => 1 + 0.1 * Math.sin(3.7 * l + 1);

const CASES = [
  // [name, values in the direction of travel, expected regime, text must match]
  ["geometric growth ×1.2 per layer (×38)", layers.map((l) => 1.2 ** l * wobble(l)), "growing", /×1\.2 per layer/],
  ["geometric growth ×2 per layer (×1e6)", layers.map((l) => 2 ** l), "exploding", /×2\.0 per layer/],
  ["geometric decay ×0.5 per layer (Xavier + ReLU)", layers.map((l) => 0.5 ** l * wobble(l)), "vanishing", /×0\.5\d? per layer/],
  ["geometric decay ×0.9 per layer", layers.map((l) => 0.9 ** l), "shrinking", /×0\.90 per layer/],
  ["linear growth q0 + v·l (pre-norm)", layers.map((l) => 1 + 1 * l), "linear", /linearly/],
  ["linear growth with wobble", layers.map((l) => (0.5 + 2 * l) * wobble(l)), "linear", /linearly/],
  ["flat with wobble (He + ReLU)", layers.map((l) => 3 * wobble(l)), "stable", /flat/],
  ["rises ×1e4 to the middle, then falls back", layers.map((l) => 10 ** (4 - Math.abs(l - 10) * 0.4)), "uneven", /peak/],
  ["falls ×1e-3 to the middle, then rises back", layers.map((l) => 10 ** (-3 + Math.abs(l - 10) * 0.3)), "uneven", /dip/],
  ["underflows to exactly 0 from the 12th layer of travel", layers.map((l) => (l < 12 ? 1e-30 * 0.01 ** l : 0)), "vanishing", /exactly 0/],
  ["0 everywhere", layers.map(() => 0), "zero", /0 at every layer/],
  ["NaN from the 5th layer of travel", layers.map((l) => (l < 5 ? 1 : NaN)), "broken", /NaN or Inf/],
  ["1e-40 to 1e+38 (subnormal to near the f32 maximum)", layers.map((l) => 10 ** (-40 + 3.9 * l)), "exploding", /10\^78\.0 over 20 layers/],
];

for (const backward of [false, true]) {
  for (const [name, travel, want, text] of CASES) {
    test(`${backward ? "backward" : "forward"}: ${name} -> ${want}`, () => {
      const r = regime(Float32Array.from(stored(travel, backward)), backward);
      assert.equal(r.regime, want, r.text);
      assert.match(r.text, text);
      assert.doesNotMatch(r.text, /NaN(?! or Inf)|Infinity|undefined/);
    });
  }
}

test("backward: the layer a zero or NaN starts at is named in layer numbers, not travel order", () => {
  // stored by layer: layers 0..7 are 0 (the gradient underflowed on its way down to layer 0)
  const v = layers.map((l) => (l < 8 ? 0 : 1e-20 * 10 ** (l - 8)));
  const r = regime(Float32Array.from(v), true);
  assert.equal(r.regime, "vanishing");
  assert.match(r.text, /layer 7\b/);
});

test("a mean-field example: the geometric backward profile of issue 18 is not 'linear'", () => {
  // plain ReLU net with σ_w² = 2.6: χ = σ_w²/2 = 1.3 per layer for the squared gradient,
  // so the gradient RMS grows ×√1.3 ≈ 1.14 per layer toward layer 0 (×14 over 20 layers)
  const grad = layers.map((l) => Math.sqrt(1.3) ** (L - l));
  const r = regime(Float32Array.from(grad), true);
  assert.equal(r.regime, "growing", r.text);
  assert.match(r.text, /×1\.1 per layer/);
});
