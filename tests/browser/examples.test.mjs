// examples/depth-sweep.html: the plain-HTML API example runs in Chromium and prints its table.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, screenshot } from "./helpers.mjs";

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test("depth sweep: ten nets train and the table has one row per depth", async () => {
  const page = await openPage(browser.context, `${server.base}/examples/depth-sweep.html?steps=150`);
  await page.waitForSelector("body[data-done='1']", { timeout: 120000 });
  const rows = await page.$$eval("#results tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]), ["2", "4", "8", "16", "32"]);
  const res = await page.evaluate(() => window.sweepResults);
  for (const r of res) {
    for (const k of ["plain", "residual"]) {
      assert.equal(r[k].step, 150);
      assert.ok(r[k].acc >= 0 && r[k].acc <= 1, `${k} ${r.depth} acc ${r[k].acc}`);
      assert.ok(Number.isFinite(r[k].grad0) && r[k].grad0 > 0, `${k} ${r.depth} grad ${r[k].grad0}`);
    }
  }
  for (const r of rows) assert.ok(r.every((c) => c && !/NaN|undefined/.test(c)), r.join(" "));
  // the residual net at depth 32 trains at least as well as the plain one (degradation)
  const d32 = res.find((r) => r.depth === 32);
  assert.ok(d32.residual.acc >= d32.plain.acc - 0.02, JSON.stringify(d32));
  await screenshot(page, "example-depth-sweep");
  assert.deepEqual(page.errors, []);
});
