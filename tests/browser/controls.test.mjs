// Values typed into the controls (issue 18, items 5 and 6). A value the lab cannot take is
// refused beside its control, in words about that control, and the message clears when a value
// is taken; it never appears under the link's heading. Depth, width and batch size offer the
// range the core accepts with the other settings, and going over names the setting changed.
// Before: the errors appeared under "Some settings from the link were not used:" and stayed;
// depth 10000 lowered the shared batch size to 26 and net A then failed blaming model.width;
// width 1024 (the control's own maximum) failed at depth 20.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, snapshot, fresh, screenshotArea, openSettings } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function type(id, value) {
  await openSettings(page);
  await page.fill(`#${id}`, String(value));
  await page.press(`#${id}`, "Enter");
  await page.waitForTimeout(150);
}
const errorOf = (id) => page.evaluate((i) => {
  const e = document.getElementById(`${i}-error`);
  return e && !e.hidden ? e.textContent : null;
}, id);
const notices = () => page.textContent("#notices");

test("typed values the lab cannot take: an error beside the control, the old value kept, cleared on a fix", async () => {
  // a link: the lab's defaults (depth 20), whose caps the messages name (without a link the page
  // opens on its first preset, 100 layers each: issue 16)
  await fresh(page, `${srv.base}/www/#seed=42`);
  await waitReady(page);
  const cases = [
    ["ctl-lr", "1e-9", /^1e-9 is out of range 0\.000001 to 10; still 0\.003$/],
    ["ctl-a-sigma_w2", "0", /^0 is out of range 0\.000001 to 100; still 2$/, "#a.init=custom"],
    ["ctl-seed", "-1", /^-1 is out of range 0 to 4294967295; still 42$/],
    ["ctl-a-width", "2000", /^2000 is too large: net A would have [\d,]+ parameters, over the core's cap of 4,000,000\. At most 446 with depth 20 and batch size 64; still 32$/],
  ];
  for (const [id, value, want, hash] of cases) {
    if (hash) { await fresh(page, `${srv.base}/www/${hash}`); await waitReady(page); }
    const before = await snapshot(page);
    await type(id, value);
    assert.match(await errorOf(id) ?? "", want, `${id} = ${value}`);
    assert.equal(await page.getAttribute(`#${id}`, "aria-invalid"), "true");
    assert.equal(await notices(), "", "nothing under the link's heading");
    const after = await snapshot(page);
    assert.deepEqual(after.cfg, before.cfg, "the config is unchanged");
    assert.deepEqual(after.nets.map((n) => n.status), ["ready", "ready"]);
  }
  // fixed: the error goes, the value is taken
  await type("ctl-a-width", "64");
  assert.equal(await errorOf("ctl-a-width"), null);
  assert.equal(await page.getAttribute("#ctl-a-width", "aria-invalid"), null);
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].config?.model.width === 64);
  assert.deepEqual(page.errors, []);
});

test("Fixup with BatchNorm is refused beside the init control; a later valid change clears it", async () => {
  await fresh(page, `${srv.base}/www/#b.norm=batch`);
  await waitReady(page);
  await openSettings(page);
  await page.selectOption("#ctl-b-init", "fixup");
  await page.waitForTimeout(150);
  assert.equal(await errorOf("ctl-b-init"), "Fixup replaces normalization: set Norm to none first; still he_normal");
  assert.equal(await notices(), "");
  assert.equal((await snapshot(page)).cfg.nets[1].init, "he_normal");
  await page.selectOption("#ctl-a-activation", "tanh"); // any valid change
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].config?.model.activation === "tanh");
  assert.equal(await errorOf("ctl-b-init"), null);
  assert.equal(await page.inputValue("#ctl-b-init"), "he_normal", "the control shows the init in use again");
  assert.deepEqual(page.errors, []);
});

test("size caps: the controls' ranges follow the other settings; depth 10000 names the depth, leaves batch and net B", async () => {
  await fresh(page, `${srv.base}/www/#seed=42`);
  await waitReady(page);
  assert.equal(await page.getAttribute("#ctl-a-depth", "max"), "3787");
  assert.equal(await page.getAttribute("#ctl-a-width", "max"), "446");
  assert.equal(await page.getAttribute("#ctl-batch", "max"), "4096");
  await type("ctl-a-depth", "10000");
  assert.match(await errorOf("ctl-a-depth"), /^10000 is too large: net A would have [\d,]+ parameters, over the core's cap of 4,000,000\. At most 3,787 with width 32 and batch size 64; still 20$/);
  await screenshotArea(page, "controls-depth-cap", ["#settings"]);
  const s = await snapshot(page);
  assert.equal(s.cfg.batch_size, 64, "the shared batch size is untouched");
  assert.deepEqual(s.nets.map((n) => n.status), ["ready", "ready"]);
  // the largest value the control offers runs
  await type("ctl-a-width", "446");
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].config?.model.width === 446, null, { timeout: 30000 });
  const t = await waitReady(page);
  assert.deepEqual(t.nets.map((n) => n.status), ["ready", "ready"], t.nets.map((n) => n.error).join("; "));
  assert.equal(await page.getAttribute("#ctl-a-depth", "max"), String(Math.floor((4000000 - (2 * 446 + 446) - (446 * 2 + 2)) / (446 * 446 + 446))));
  assert.equal(await page.getAttribute("#ctl-batch", "max"), String(Math.floor(8388608 / (20 * 446))));
  assert.deepEqual(page.errors, []);
});

test("a link with depth 10000 lowers net A's depth and says so; batch size and net B keep the link's values", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=10000&b.depth=30`);
  const s = await waitReady(page);
  assert.deepEqual(s.nets.map((n) => n.status), ["ready", "ready"]);
  assert.equal(s.cfg.nets[0].depth, 3787);
  assert.equal(s.cfg.nets[1].depth, 30);
  assert.equal(s.cfg.batch_size, 64);
  assert.match(await notices(), /Some settings from the link were not used:.*a\.depth=10000: .*using a\.depth=3787/s);
  assert.deepEqual(page.errors, []);
});
