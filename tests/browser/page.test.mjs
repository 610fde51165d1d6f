// The page: both nets train in workers, every chart draws, profiles have depth+1 points,
// loss drops on a shallow setting, the table and banners never show NaN, screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { NO_NAN, dynamicText, fresh, startServer, launch, openPage, waitReady, waitSteps, trainFor, canvasInk, screenshot, snapshot, DESKTOP, PHONE, openSettings } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

test("default page: both nets train, every chart draws, profiles have depth+1 points", async () => {
  await fresh(page, `${srv.base}/www/`);
  const s0 = await waitReady(page);
  assert.deepEqual(s0.nets.map((n) => n.status), ["ready", "ready"]);
  assert.deepEqual(s0.nets.map((n) => n.config.model.kind), ["plain", "residual"]);
  await page.click("#btn-play");
  const s = await waitSteps(page, 150);
  await page.click("#btn-play");
  await page.waitForTimeout(300);
  for (const [i, n] of s.nets.entries()) {
    assert.ok(n.latest.step >= 150, `net ${i} trained`);
    assert.equal(n.latest.diverged, null);
  }
  const snap = await snapshot(page);
  assert.ok(snap.hist.evalSteps.length >= 2, "evaluate() ran during training");
  for (const key of ["fwd", "bwd"]) {
    for (const ser of snap.shown[key].series.filter((x) => x.label.endsWith("now"))) {
      const depth = snap.cfg.nets[ser.label.startsWith("A") ? 0 : 1].depth;
      assert.equal(ser.nonNull, depth + 1, `${key} ${ser.label} has depth+1 points`);
    }
  }
  const inks = await canvasInk(page);
  assert.ok(inks.length >= 9, `found ${inks.length} canvases`);
  for (const c of inks) assert.ok(c.ink > 200, `canvas ${c.card}/${c.id} has pixels (${c.ink})`);
  // the table shows numbers, never NaN
  await page.evaluate(() => { document.querySelector("#table-details").open = true; });
  await page.waitForSelector("#table-a table");
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  assert.equal(await page.locator("#table-a tbody tr").count(), snap.cfg.nets[0].depth + 1);
  await page.evaluate(() => { document.querySelector("#table-details").open = false; });
  await screenshot(page, "default-desktop");
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  const phoneInk = await canvasInk(page);
  for (const c of phoneInk) assert.ok(c.ink > 100, `phone: canvas ${c.card}/${c.id} has pixels`);
  await screenshot(page, "default-phone");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await page.setViewportSize(DESKTOP);
  assert.deepEqual(page.errors, []);
});

test("loss drops on a shallow setting; lr changes without a reset; architecture changes reset", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=2&b.depth=2&seed=5&speed=10`);
  await waitReady(page);
  const s = await trainFor(page, 3000);
  for (let i = 0; i < 2; i++) {
    const tl = s.hist.trainLoss[i].filter((v) => v !== null);
    assert.ok(tl.length >= 3, "several evaluations");
    assert.ok(tl.at(-1) < 0.8 * tl[0], `net ${i}: loss ${tl[0]} -> ${tl.at(-1)}`);
  }
  const stepBefore = s.nets[0].latest.step;
  await openSettings(page);
  await page.fill("#ctl-lr", "0.001");
  await page.press("#ctl-lr", "Enter");
  await page.click("#btn-step");
  await waitSteps(page, stepBefore + 1);
  const s2 = await snapshot(page);
  assert.equal(s2.nets[0].latest.step, stepBefore + 1, "lr change keeps training state");
  assert.match(s2.hash, /lr=0\.001/);
  await page.selectOption("#ctl-a-activation", "tanh");
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].config?.model.activation === "tanh");
  const s3 = await snapshot(page);
  assert.equal(s3.nets[0].latest.step, 0, "architecture change resets");
  assert.match(s3.hash, /a\.activation=tanh/);
  assert.deepEqual(page.errors, []);
});

test("a diverging net shows a banner with step and layer, and no NaN anywhere", async () => {
  await fresh(page, `${srv.base}/www/#a.kind=residual&a.depth=40&a.branch_scale=one&lr=5&speed=5`);
  await waitReady(page);
  await page.click("#btn-play");
  await page.waitForFunction(() => window.__lab.snapshot().nets[0].latest?.diverged, null, { timeout: 30000 });
  await page.waitForTimeout(500);
  const s = await snapshot(page);
  const d = s.nets[0].latest.diverged;
  const banner = await page.textContent("#banners .net-0");
  assert.match(banner, new RegExp(`diverged at step ${d.step}`));
  assert.match(banner, /layer|head|loss/);
  await page.evaluate(() => { document.querySelector("#table-details").open = true; });
  await page.waitForSelector("#table-a table");
  assert.doesNotMatch(await dynamicText(page), NO_NAN);
  const inks = await canvasInk(page);
  for (const c of inks) assert.ok(c.ink > 100, `canvas ${c.card}/${c.id} still draws`);
  await screenshot(page, "diverged-desktop");
  assert.deepEqual(page.errors, []);
});
