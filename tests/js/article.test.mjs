// The numbers in the article's prose (www/article.html) that are not read live from a figure:
// "we measured the same ordering on five seeds in Node, with the same core: after 600 steps
// ReZero classified 95% to 99% of the training points and Fixup at most 58%" (Figure 6: 1,000
// blocks of width 16, batches of 32, Adam at 0.003, config taken from the article itself), and
// the closed forms the text quotes. About 80 s on this machine.
// Run: node --test tests/js/article.test.mjs   (after scripts/build.sh)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";
import { parseHash, labConfig } from "../../www/js/schema.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });
const html = readFileSync(`${root}www/article.html`, "utf8");

test("Figure 6's claim: after 600 steps ReZero at 95% to 99%, Fixup at most 58%, on five seeds", () => {
  const config = html.match(/<residual-lab id="lab-thousand"[^>]*config="([^"]+)"/)[1].replaceAll("&amp;", "&");
  assert.match(html, /ReZero classified 95% to 99%\s+of the training points and Fixup at most 58%/);
  for (const seed of [42, 1, 2, 3, 4]) {
    const { cfg, notices } = parseHash(`${config}&seed=${seed}`);
    assert.deepEqual(notices, []);
    const acc = [0, 1].map((i) => {
      const lab = new Lab(labConfig(cfg, i));
      lab.train(600);
      const a = lab.evaluate().train.accuracy;
      lab.free();
      return a;
    });
    console.log(`# seed ${seed}: ReZero ${acc[0].toFixed(3)}, Fixup ${acc[1].toFixed(3)}`);
    assert.equal(cfg.nets[0].init, "rezero");
    assert.equal(cfg.nets[1].init, "fixup");
    assert.ok(acc[0] >= 0.945 && acc[0] < 0.995, `seed ${seed}: ReZero ${acc[0]}`);
    assert.ok(acc[1] < 0.585, `seed ${seed}: Fixup ${acc[1]}`);
  }
});

test("the closed forms quoted in the text", () => {
  assert.match(html, /2<sup>−29<\/sup> ≈ 1\.9 × 10<sup>−9<\/sup>/);
  assert.equal((2 ** -29).toPrecision(2), "1.9e-9");
  assert.match(html, /\(1 \+ 2\/30\)<sup>30<\/sup> ≈ 6\.9/);
  assert.equal(((1 + 2 / 30) ** 30).toPrecision(2), "6.9");
  assert.match(html, /e² ≈ 7\.4/);
  assert.equal(Math.E ** 2 < 7.4 && Math.E ** 2 > 7.35, true);
  assert.match(html, /ln 2 ≈ 0\.693/);
  // a single nonzero singular value among W = 32: Var(s²)/E[s²]² = W − 1
  const s2 = [1, ...new Array(31).fill(0)], m = s2.reduce((a, b) => a + b) / 32;
  assert.equal(s2.reduce((a, b) => a + (b - m) ** 2, 0) / 32 / m ** 2, 31);
});
