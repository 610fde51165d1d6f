// www/docs.html: every API snippet runs (by clicking its Run button) without throwing and prints
// something, so the docs cannot rot; and every call of docs/api.md's table has a snippet.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startServer, launch, openPage, screenshot, ROOT } from "./helpers.mjs";

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.stop(); });

test("every snippet on the docs page runs and prints", async () => {
  const page = await openPage(browser.context, `${server.base}/www/docs.html`);
  await page.waitForSelector("body[data-ready='1']", { timeout: 30000 });
  const n = await page.evaluate(() => window.docs.count);
  const sections = page.locator("section.call");
  assert.equal(await sections.count(), n);
  for (let i = 0; i < n; i++) {
    const sec = sections.nth(i);
    await sec.locator("button.run").click();
    await page.waitForFunction((i) => document.querySelectorAll("section.call")[i].dataset.state, i, { timeout: 30000 });
    const r = await sec.evaluate((s) => ({ call: s.dataset.call, state: s.dataset.state, out: s.querySelector(".output").textContent }));
    assert.equal(r.state, "ok", `${r.call}: ${r.out}`);
    assert.ok(r.out.trim() && r.out !== "(printed nothing)", `${r.call} printed nothing`);
    assert.doesNotMatch(r.out, /threw:|NaN|undefined/, `${r.call}: ${r.out}`);
  }
  // docs/api.md's table of calls: every call listed there has a snippet
  const readme = readFileSync(path.join(ROOT, "docs", "api.md"), "utf8");
  const calls = [...readme.matchAll(/^\| `([^`]+)`(?: \/ `([^`]+)`)? \|/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean)
    .filter((c) => /^(new Lab|lab\.|Lab\.)/.test(c)).map((c) => c.replace(/\(.*$/, ""));
  const documented = (await page.$$eval("section.call", (s) => s.map((e) => e.dataset.call))).join(" ");
  assert.ok(calls.length >= 15, `docs/api.md calls: ${calls}`);
  for (const c of calls) assert.ok(documented.includes(c), `docs/api.md's ${c} has no snippet`);
  await screenshot(page, "docs");
  assert.deepEqual(page.errors, []);
});
