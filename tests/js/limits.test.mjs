// The page's size limits (www/js/limits.js) against the core itself: at the largest depth,
// width and batch size limits.js allows, `new Lab` builds; one more, and the core refuses.
// And the messages of issue 18, item 6: a change over the caps is refused naming the setting
// that was changed, and a link over the caps lowers what the link set, never the shared batch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync, Lab } from "../../pkg/residual_lab.js";
import { defaults, labConfig, parseHash, rowByKey } from "../../www/js/schema.js";
import { maxDepth, maxWidth, maxBatch, checkChange, rowMax } from "../../www/js/limits.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
initSync({ module: readFileSync(`${root}pkg/residual_lab_bg.wasm`) });

/** Whether the core builds net i of cfg; the error message when it does not. */
function builds(cfg, i) {
  try {
    const lab = new Lab({ ...labConfig(cfg, i), data: { ...labConfig(cfg, i).data, n: 16 } });
    lab.free();
    return true;
  } catch (e) {
    return e.message;
  }
}

const variant = (edit) => { const c = defaults(); edit(c); return c; };
const CONFIGS = {
  "default plain net A": variant(() => {}),
  "residual, LayerNorm, learnable α (net B)": variant((c) => { c.nets[1].norm = "layer"; c.nets[1].branch_scale = "learnable"; }),
  "residual Fixup, 1-layer branches, blobs with 8 classes": variant((c) => {
    Object.assign(c.nets[1], { init: "fixup", branch_layers: 1 }); Object.assign(c.data, { name: "blobs", classes: 8 }); }),
  "batch 4096": variant((c) => { c.batch_size = 4096; }),
  "width 256, batch 8": variant((c) => { c.nets[0].width = 256; c.batch_size = 8; }),
};

for (const [name, cfg] of Object.entries(CONFIGS)) {
  test(`limits match the core: ${name}`, () => {
    for (const i of [0, 1]) {
      for (const [field, max] of [["depth", maxDepth(cfg, i)], ["width", maxWidth(cfg, i)]]) {
        const at = structuredClone(cfg), over = structuredClone(cfg);
        at.nets[i][field] = max;
        over.nets[i][field] = max + 1;
        assert.equal(builds(at, i), true, `net ${i} ${field} = ${max} (the limit) builds`);
        if (max < (field === "depth" ? 10000 : 1024)) assert.match(String(builds(over, i)), /cap/, `net ${i} ${field} = ${max + 1} is refused`);
      }
    }
    const b = maxBatch(cfg), at = structuredClone(cfg), over = structuredClone(cfg);
    at.batch_size = b;
    over.batch_size = b + 1;
    assert.ok([0, 1].every((i) => builds(at, i) === true), `batch ${b} builds both nets`);
    if (b < 4096) assert.ok([0, 1].some((i) => builds(over, i) !== true), `batch ${b + 1} is refused`);
  });
}

test("depth 10000 from the default settings is refused, naming the depth and its limit", () => {
  const cfg = defaults(), row = rowByKey("a.depth");
  const why = checkChange(cfg, row, 10000);
  assert.match(why, /^10000 is too large: net A would have 10,560,162 parameters, over the core's cap of 4,000,000\. At most 3,787 with width 32 and batch size 64$/);
  assert.equal(rowMax(cfg, row), 3787);
  assert.equal(checkChange(cfg, row, 3787), null);
});

test("width 1024 at depth 20 is refused, naming the width; the control's range says 446", () => {
  const cfg = defaults(), row = rowByKey("a.width");
  assert.equal(rowMax(cfg, row), 446);
  assert.match(checkChange(cfg, row, 1024), /^1024 is too large: net A would have .* parameters.*At most 446 with depth 20 and batch size 64$/);
});

test("other settings that would go over the caps say so; combinations the core refuses too", () => {
  const cfg = defaults();
  cfg.nets[1].depth = 1890; // residual, 2-layer branches: 3,991,842 parameters, just under the cap
  assert.equal(checkChange(cfg, rowByKey("b.norm"), "layer"),
    "net B would have 4,112,802 parameters, over the core's cap of 4,000,000; lower the depth or width first");
  assert.equal(checkChange(cfg, rowByKey("batch"), 200),
    "200 is too large: net B would keep 12,096,000 activations (depth × width × batch size), over the core's cap of 8,388,608. " +
    "At most 138 with net A's depth 20 × width 32 and net B's 1890 × 32");
  const c2 = defaults();
  c2.nets[1].norm = "batch";
  assert.equal(checkChange(c2, rowByKey("b.init"), "fixup"), "Fixup replaces normalization: set Norm to none first");
  assert.equal(checkChange(c2, rowByKey("a.init"), "rezero"), "ReZero initialises residual branches: set Kind to residual first");
  const c3 = defaults();
  c3.nets[1].init = "rezero";
  assert.equal(checkChange(c3, rowByKey("b.kind"), "plain"), "ReZero initialises residual branches: choose another init first");
});

test("a link over the caps lowers the setting it gave, and leaves the shared batch size and net B alone", () => {
  const a = parseHash("#a.depth=10000");
  assert.equal(a.cfg.nets[0].depth, 3787);
  assert.equal(a.cfg.batch_size, 64);
  assert.equal(a.cfg.nets[1].depth, 20);
  assert.match(a.notices.join("\n"), /a\.depth=10000: net A would keep .* activations.*; using a\.depth=3787, the largest/);
  const w = parseHash("#b.width=1024");
  assert.equal(w.cfg.nets[1].width, maxWidth(w.cfg, 1));
  assert.equal(w.cfg.nets[1].depth, 20);
  assert.match(w.notices.join("\n"), /b\.width=1024: .*; using b\.width=\d+/);
});
