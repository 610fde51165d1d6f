// Accessibility checks by axe-core (npm), run in the page: duplicate ids, labels that name no
// control, controls without a name, and the rest of axe's WCAG 2 A/AA rules. Issue 18, item 7:
// "#ctl-data" and "#ctl-opt" were each used twice, so the Dataset and Optimizer labels focused
// nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer, launch, openPage, waitReady, fresh, openSettings } from "./helpers.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

/** axe's violations on the current page: one line per rule, with its first targets. */
async function violations() {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => (await window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    resultTypes: ["violations"],
  })).violations.map((r) => `${r.id} (${r.nodes.length}): ${r.help}: ${r.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(", ")}`));
}

test("the lab page: no axe violations, and every label names the control it labels", async () => {
  await fresh(page, `${srv.base}/www/`);
  await waitReady(page);
  await page.waitForTimeout(500);
  const labels = await page.evaluate(() => [...document.querySelectorAll("label[for]")].map((l) => ({
    text: l.textContent, tag: document.getElementById(l.htmlFor)?.tagName ?? null,
    count: document.querySelectorAll(`[id="${l.htmlFor}"]`).length })));
  for (const l of labels) {
    assert.equal(l.count, 1, `label "${l.text}": its id is used ${l.count} times`);
    assert.match(l.tag ?? "", /^(INPUT|SELECT|TEXTAREA)$/, `label "${l.text}" names a form control (${l.tag})`);
  }
  assert.deepEqual(await violations(), []);
  assert.deepEqual(page.errors, []);
});

test("the lab page in a preset with a typed error beside a control: no axe violations", async () => {
  await fresh(page, `${srv.base}/www/#preset=post-pre`);
  await waitReady(page);
  await openSettings(page);
  await page.fill("#ctl-lr", "99");
  await page.press("#ctl-lr", "Enter");
  await page.waitForSelector("#ctl-lr-error:not([hidden])");
  assert.deepEqual(await violations(), []);
});

test("the iframe mode, the API docs, the minimal example and the article: no axe violations", async () => {
  for (const url of ["/www/index.html?embed=1&preset=degradation&charts=variance,gradient,loss&controls=play,depth",
    "/www/docs.html", "/www/minimal.html", "/www/article.html"]) {
    await fresh(page, `${srv.base}${url}`);
    if (url.includes("embed")) await waitReady(page);
    else if (url.includes("article")) await page.waitForFunction(() => document.querySelector("#lab-init")?.dataset.status === "ready,ready", null, { timeout: 30000 });
    else await page.waitForTimeout(1500);
    assert.deepEqual(await violations(), [], url);
  }
  assert.deepEqual(page.errors, []);
});
