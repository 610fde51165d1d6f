// The URL hash holds the whole state: a link reproduces a run; a hostile link changes nothing
// but the notices, injects no markup and leaves the page working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, openPage, waitReady, waitSteps, snapshot, fresh, dynamicText, NO_NAN, openSettings } from "./helpers.mjs";

let srv, browser, page;
before(async () => { srv = await startServer(); browser = await launch(); page = await openPage(browser.context); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function stepN(n) {
  for (let k = 1; k <= n; k++) {
    await page.click("#btn-step");
    await waitSteps(page, k);
  }
  return snapshot(page);
}

test("URL round trip: same link, same config and seed, same losses", async () => {
  await fresh(page, `${srv.base}/www/#a.depth=3&b.depth=4&b.norm=layer&seed=7&batch=32`);
  await waitReady(page);
  // change a control so the page writes the hash itself
  await openSettings(page);
  await page.selectOption("#ctl-b-activation", "tanh");
  await page.waitForFunction(() => window.__lab.snapshot().nets[1].config?.model.activation === "tanh");
  await waitReady(page);
  const a = await stepN(6);
  assert.match(a.hash, /seed=7/);
  assert.match(a.hash, /b\.activation=tanh/);
  const lossesA = a.hist.loss;
  assert.equal(lossesA[0].length, 6);

  await fresh(page, `${srv.base}/www/${a.hash}`);
  const b0 = await waitReady(page);
  assert.deepEqual(b0.cfg, a.cfg, "same config from the link");
  assert.deepEqual(b0.nets.map((n) => n.config), a.nets.map((n) => n.config), "same full Lab configs");
  const b = await stepN(6);
  assert.deepEqual(b.hist.loss, lossesA, "same losses step by step");
  assert.deepEqual(b.nets[1].latest.layers.grad_rms, a.nets[1].latest.layers.grad_rms, "same per-layer stats");

  await fresh(page, `${srv.base}/www/${a.hash.replace("seed=7", "seed=8")}`);
  await waitReady(page);
  const c = await stepN(2);
  assert.notDeepEqual(c.hist.loss[0], lossesA[0].slice(0, 2), "another seed gives other losses");
  assert.deepEqual(page.errors, []);
});

test("hostile hash: defaults + notices, no markup injected, the page keeps working", async () => {
  const evil = [
    ["a.kind", '<img src=x onerror="window.__pwned=1">'],
    ["b.activation", "<script>window.__pwned=2</script>"],
    ["a.depth", "1e309"], ["b.depth", "99999999999999999999"], ["a.width", "-5"], ["b.width", "0x20"],
    ["seed", "1e400"], ["lr", "NaN"], ["noise", "Infinity"], ["batch", "64.5"],
    ["__proto__", "1"], ["constructor.prototype.polluted", "1"], ["<b onmouseover=alert(1)>", "1"],
    ["a.init", "fixup"], ["data", "../../etc/passwd"], ["speed", "1e9"],
  ];
  const hash = "#" + evil.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&") + "&" + "x".repeat(5000) + "=1";
  await fresh(page, `${srv.base}/www/${hash}`);
  const s = await waitReady(page);
  assert.deepEqual(s.nets.map((n) => n.status), ["ready", "ready"]);
  const d = await page.evaluate(() => ({
    pwned: window.__pwned, polluted: ({}).polluted,
    imgs: document.querySelectorAll("img").length, scripts: document.querySelectorAll("script").length,
    injected: document.querySelectorAll("#notices b, #notices img, #notices script").length,
    notice: document.querySelector("#notices").textContent,
  }));
  assert.equal(d.pwned, undefined);
  assert.equal(d.polluted, undefined);
  assert.equal(d.imgs, 0);
  assert.equal(d.scripts, 1);
  assert.equal(d.injected, 0);
  assert.match(d.notice, /<img src=x/, "the hostile value is shown as text");
  assert.match(d.notice, /unknown link parameter/);
  assert.ok(d.notice.length < 3000, "long keys are shortened");
  assert.equal(s.cfg.nets[0].kind, "plain");
  assert.equal(s.cfg.nets[0].depth, 20);
  assert.equal(s.cfg.nets[1].depth, 20);
  assert.equal(s.cfg.nets[0].width, 32);
  assert.equal(s.cfg.nets[0].init, "he_normal");
  assert.equal(s.cfg.seed, 42);
  assert.equal(s.cfg.optimizer.lr, 0.003);
  assert.equal(s.cfg.batch_size, 64);
  assert.equal(s.cfg.view.speed, 5);
  await page.click("#btn-step");
  await page.click("#btn-step");
  const t = await waitSteps(page, 2);
  assert.ok(t.nets.every((n) => n.latest.step === 2), "both nets still train");
  assert.doesNotMatch(await dynamicText(page).then((x) => x.replace(/".*?"/g, "")), NO_NAN);
  assert.doesNotMatch(t.hash, /img|script|proto/, "the rewritten link is clean");
  assert.deepEqual(page.errors, []);
});

test("a link naming a preset loads that preset's settings, with the link's other keys on top", async () => {
  await fresh(page, `${srv.base}/www/#preset=degradation&seed=5`);
  const s = await waitReady(page);
  assert.equal(s.cfg.view.preset, "degradation");
  assert.deepEqual(s.nets.map((n) => n.config.model.depth), [10, 50], "the preset's depths, not the default");
  assert.deepEqual(s.nets.map((n) => [n.config.model.kind, n.config.model.norm]), [["plain", "batch"], ["plain", "batch"]]);
  assert.equal(s.cfg.seed, 5);
  assert.deepEqual(page.errors, []);
});
