// examples/depth-sweep.html: the plain-HTML API example runs in Chromium and prints its table.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, screenshot } from "./helpers.mjs";

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test("depth sweep: fourteen nets train, one row per depth, and the table shows what the text says", async () => {
  const page = await openPage(browser.context, `${server.base}/examples/depth-sweep.html?steps=150`);
  await page.waitForSelector("body[data-done='1']", { timeout: 120000 });
  const rows = await page.$$eval("#results tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ["2", "4", "8", "16", "32", "64", "128"]);
  const res = await page.evaluate(() => window.sweepResults);
  for (const r of res) {
    for (const k of ["plain", "residual"]) {
      assert.equal(r[k].step, 150);
      assert.ok(r[k].acc >= 0 && r[k].acc <= 1, `${k} ${r.depth} acc ${r[k].acc}`);
      assert.ok(Number.isFinite(r[k].grad0) && r[k].grad0 > 0, `${k} ${r.depth} grad ${r[k].grad0}`);
    }
  }
  for (const r of rows) assert.ok(r.every((c) => c && !/NaN|undefined/.test(c)), r.join(" "));
  // what the page says (issue 18, item 11): plain nets at chance from depth 64, with a layer-0 gradient
  // orders of magnitude smaller; residual nets train at every depth
  const at = (d) => res.find((r) => r.depth === d);
  for (const d of [64, 128]) assert.ok(at(d).plain.acc < 0.6, `plain at depth ${d}: ${at(d).plain.acc}`);
  for (const d of [16, 32, 64, 128]) assert.ok(at(d).residual.acc > 0.9, `residual at depth ${d}: ${at(d).residual.acc}`);
  assert.ok(at(32).plain.acc > 0.9, `plain at depth 32 still trains: ${at(32).plain.acc}`);
  assert.ok(at(128).plain.grad0 < 1e-3 * at(8).plain.grad0, `plain layer-0 gradient: ${at(8).plain.grad0} at depth 8, ${at(128).plain.grad0} at 128`);
  assert.match(await page.textContent("body"), /stay at\s+chance \(accuracy near 0\.5\) at depths 64 and 128/);
  await screenshot(page, "example-depth-sweep");
  assert.deepEqual(page.errors, []);
});
