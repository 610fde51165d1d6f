// The embed: a foreign blog page (tests/browser/fixtures/blog.html) served from a second origin
// embeds two <residual-lab> elements (embed.js loaded cross-origin from the lab's server) and
// one iframe in embed mode. All three must train (steps read back) and draw (canvas ink), with
// no console errors; the element below the fold must pause while it is out of view.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { startServer, launch, openPage, screenshot, ROOT, SHOTS } from "./helpers.mjs";

let lab, blog, browser, page;

/** The blog's own origin: a tiny server for the fixture, another port than the lab. */
function startBlog(labBase) {
  const html = readFileSync(path.join(ROOT, "tests/browser/fixtures/blog.html"), "utf8").replaceAll("{{LAB}}", labBase);
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url.startsWith("/blog.html")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(html);
    } else { res.writeHead(404); res.end(); }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    base: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) })));
}

/** Steps, status and canvas ink of a <residual-lab> (read through its shadow root). */
const labInfo = (id) => page.evaluate((id) => {
  const e = document.getElementById(id);
  const canvases = [...e.shadowRoot.querySelectorAll("canvas")].map((c) => {
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 30) ink++;
    return { w: c.width, h: c.height, ink };
  });
  const btn = e.shadowRoot.querySelector("#btn-play"); // none before the element starts (near the screen)
  return { step: Number(e.dataset.step ?? -1), status: e.dataset.status, snap: e.snapshot(), canvases,
    btnFont: btn && getComputedStyle(btn).fontSize, btnBg: btn && getComputedStyle(btn).backgroundColor,
    hostFont: getComputedStyle(e).fontFamily, fields: [...e.shadowRoot.querySelectorAll(".field")].map((f) => f.dataset.key) };
}, id);

before(async () => {
  lab = await startServer();
  blog = await startBlog(lab.base);
  browser = await launch({ width: 1100, height: 900 }, { reducedMotion: "no-preference" }); // the elements autoplay
  page = await openPage(browser.context);
  await page.goto(`${blog.base}/blog.html`);
});
after(async () => { await browser?.close(); await blog?.stop(); await lab?.stop(); });

test("the blog and the lab are on different origins", () => {
  assert.notEqual(new URL(blog.base).origin, new URL(lab.base).origin);
});

test("the first element trains and draws, with the chosen charts and controls only", async () => {
  await page.waitForFunction(() => Number(document.getElementById("lab1")?.dataset.step) >= 20, null, { timeout: 60000 });
  const i = await labInfo("lab1");
  assert.equal(i.status, "ready,ready");
  assert.ok(i.step >= 20, `steps ${i.step}`);
  assert.deepEqual(i.fields, ["a.depth", "b.depth"]);
  assert.equal(i.snap.cfg.view.preset, "degradation");
  assert.deepEqual(i.snap.cfg.nets.map((n) => n.depth), [10, 50]); // plain+BN at 10 and 50 layers
  assert.ok(i.canvases.length >= 2 && i.canvases.every((c) => c.ink > 200), JSON.stringify(i.canvases));
  // host styles stay out: the page's 30px hot-pink buttons and serif font do not reach inside
  assert.notEqual(i.btnFont, "30px");
  assert.notEqual(i.btnBg, "rgb(255, 105, 180)");
  assert.doesNotMatch(i.hostFont, /Georgia/);
  await screenshot(page, "embed-blog-top");
});

test("the README's element fits its 420 px: badges whole, the link to the lab in view (issue 18, item 8)", async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => document.getElementById("lab1").shadowRoot.querySelectorAll("#regime-bwd .regime").length === 4, null, { timeout: 30000 });
  await page.waitForTimeout(600);
  const fit = await page.evaluate(() => {
    const host = document.getElementById("lab1"), root = host.shadowRoot, box = host.getBoundingClientRect();
    const cards = root.querySelector(".cards");
    const inside = (e) => { const r = e.getBoundingClientRect(); return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5 && r.height > 0; };
    return { height: box.height, hidden: cards.scrollHeight - cards.clientHeight,
      badges: [...root.querySelectorAll(".regime")].map((li) => ({ text: li.textContent, inside: inside(li) })),
      link: inside(root.querySelector("#open-lab")) };
  });
  await page.locator("#lab1").screenshot({ path: path.join(SHOTS, "embed-readme-element.png") });
  assert.equal(fit.height, 420);
  assert.ok(fit.hidden <= 1, `the cards need ${fit.hidden} px more than they have`);
  assert.ok(fit.link, "the 'Open in Residual Lab' link is inside the element");
  assert.equal(fit.badges.length, 8, "at init and now, for both nets, on both charts");
  for (const b of fit.badges) assert.ok(b.inside, `badge inside the element: ${b.text}`);
});

test("bad attributes are reported as attributes of the element, not as a link's settings", async () => {
  const text = await page.evaluate(async () => {
    const e = document.createElement("residual-lab");
    e.id = "lab-bad";
    e.setAttribute("charts", "variance,sparkles");
    e.setAttribute("controls", "play,turbo");
    document.body.prepend(e);
    await new Promise((r) => setTimeout(r, 300));
    const t = e.shadowRoot.querySelector("#notices").textContent;
    e.remove();
    return t;
  });
  assert.match(text, /^Some attributes of this <residual-lab> were not used:/);
  assert.match(text, /unknown chart "sparkles"/);
  assert.match(text, /unknown control "turbo"/);
  assert.doesNotMatch(text, /link/);
});

test("the iframe (embed=1) trains and draws, without the page chrome", async () => {
  const frame = page.frame({ url: /embed=1/ });
  assert.ok(frame, "iframe loaded");
  await frame.waitForFunction(() => window.__lab?.snapshot().nets.every((n) => n.latest && n.latest.step >= 20), null, { timeout: 60000 });
  // Charts out of view redraw at most once a second: wait for the loss chart's next draw.
  await frame.waitForFunction(() => [...document.querySelectorAll("main canvas")].every((c) => {
    const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) > 30) ink++;
    return ink > 200;
  }), null, { timeout: 20000, polling: 250 }).catch(() => {}); // the assertion below reports the counts
  const r = await frame.evaluate(() => ({
    steps: window.__lab.snapshot().nets.map((n) => n.latest.step),
    preset: window.__lab.snapshot().cfg.view.preset,
    cards: [...document.querySelectorAll("main section.card")].map((c) => c.id),
    chrome: ["header.top", "#settings", "footer", "#card-export", ".presetbar", "#theory", "#nerds"].filter((s) => document.querySelector(s)),
    ink: [...document.querySelectorAll("main canvas")].map((c) => {
      const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) > 30) ink++;
      return ink;
    }),
  }));
  await page.locator("#frame").scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  mkdirSync(SHOTS, { recursive: true });
  await page.locator("#frame").screenshot({ path: path.join(SHOTS, "embed-iframe.png") });
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.equal(r.preset, "xavier-he");
  assert.deepEqual(r.cards, ["card-fwd", "card-loss"]);
  assert.deepEqual(r.chrome, []);
  assert.ok(r.ink.length >= 2 && r.ink.every((n) => n > 200), JSON.stringify(r.ink));
});

test("the element below the fold waits while out of view, then trains and draws", async () => {
  const before = await labInfo("lab2");
  assert.ok(before.step <= 5, `an off-screen element should not train yet (step ${before.step})`);
  assert.equal(before.snap, null, "an element far below the screen has not even started its workers (issue 16)");
  await page.locator("#lab2").scrollIntoViewIfNeeded();
  await page.waitForFunction(() => Number(document.getElementById("lab2")?.dataset.step) >= 20, null, { timeout: 60000 });
  await page.waitForTimeout(800);
  const i = await labInfo("lab2");
  assert.equal(i.status, "ready,ready");
  assert.deepEqual(i.fields, ["a.init", "b.init"]);
  assert.equal(i.snap.cfg.nets[0].branch_scale, "one");
  assert.equal(i.snap.cfg.seed, 3);
  assert.ok(i.canvases.length >= 4 && i.canvases.every((c) => c.ink > 200), JSON.stringify(i.canvases));
  await screenshot(page, "embed-blog-bottom");
  // scrolled away again, the first element pauses (IntersectionObserver), the second keeps going
  const s1 = (await labInfo("lab1")).step;
  await page.waitForTimeout(1000);
  const s1b = (await labInfo("lab1")).step;
  assert.ok(s1b - s1 <= 10, `lab1 is off-screen and should be paused (${s1} -> ${s1b})`);
  assert.equal((await labInfo("lab1")).snap.visible, false);
});

test("no console errors on the blog page", () => {
  assert.deepEqual(page.errors, []);
});
