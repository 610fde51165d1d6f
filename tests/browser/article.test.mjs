// The article "Why residual connections work" (www/article.html) as a blog would ship it: dist/
// (scripts/dist.mjs, built fresh into a temporary directory) served by a plain static server on
// its own origin with a strict content security policy: no inline script, no eval (only
// 'wasm-unsafe-eval', which compiling the core needs), no inline style. Then the same article on
// a third origin, loading every script, style sheet, worker and the wasm from the dist origin.
// Each of the seven figures must train (or, the Jacobian, compute its spectrum) and draw, every
// number in the text must be filled in and equal what its figure measures, and the console
// must stay free of errors, CSP violations included.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launch, openPage, ROOT, SHOTS } from "./helpers.mjs";

const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json" };
const FIGURES = ["init", "degradation", "identity", "variances", "normalization", "thousand", "jacobian"];

/** A static server for `dir` (or for a page given by `pages`), every response with `headers`. */
function serve(dir, headers, pages = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x").pathname;
    if (pages[url]) { res.writeHead(200, { ...headers, "content-type": MIME[".html"] }); return res.end(pages[url]); }
    const file = path.join(dir, path.normalize(url));
    if (!dir || !file.startsWith(dir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) { res.writeHead(404, headers); return res.end(); }
    res.writeHead(200, { ...headers, "content-type": MIME[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({
    base: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) })));
}

/** The content security policy: scripts, styles, workers and fetches from `origins` only. A page
 *  whose lab is on another origin also needs blob: workers (www/js/netclient.js starts them so). */
const csp = (origins) => [
  "default-src 'none'", `script-src ${origins} 'wasm-unsafe-eval'`, `style-src ${origins}`, `worker-src ${origins}${origins === "'self'" ? "" : " blob:"}`,
  `connect-src ${origins}`, "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join("; ");

let dist, lab, blog, browser;
before(async () => {
  dist = mkdtempSync(path.join(tmpdir(), "rl-dist-"));
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "dist.mjs"), dist], { stdio: "ignore" });
  lab = await serve(dist, { "content-security-policy": csp("'self'"), "access-control-allow-origin": "*", "cache-control": "no-store" });
  // the blog: the article's HTML on a third origin, everything else from the lab's
  const html = readFileSync(path.join(dist, "www", "article.html"), "utf8")
    .replace(/(src|href)="(embed\.js|js\/article\.js|article\.css|index\.html)"/g, (m, attr, file) => `${attr}="${lab.base}/www/${file}"`);
  blog = await serve("", { "content-security-policy": csp(`'self' ${lab.base}`) }, { "/post.html": html });
  browser = await launch({ width: 1100, height: 900 }, { reducedMotion: "no-preference" }); // the figures autoplay
});
after(async () => { await browser?.close(); await blog?.stop(); await lab?.stop(); if (dist) rmSync(dist, { recursive: true, force: true }); });

/** Scrolls to each figure, waits until it trained (the Jacobian: until it has spectra), checks
 *  its canvases and that the text's numbers are filled in and equal to what the figure measures. */
async function readArticle(page, label) {
  await page.waitForFunction(() => window.__article, null, { timeout: 30000 });
  const report = {};
  for (const id of FIGURES) {
    const sel = `[data-figure="${id}"]`;
    await page.locator(sel).scrollIntoViewIfNeeded();
    if (id === "jacobian") {
      await page.waitForFunction((s) => document.querySelector(s).snapshot()?.spectra.every(Boolean), sel, { timeout: 90000, polling: 250 });
    } else {
      await page.waitForFunction((s) => Number(document.querySelector(s).dataset.step) >= 30
        && document.querySelector(s).snapshot().hist.evalSteps.length >= 2, sel, { timeout: 120000, polling: 250 })
        .catch(async (e) => { throw new Error(`${label} ${id}: ${e.message}; the figure: ${JSON.stringify(await page.evaluate((s) => {
          const x = document.querySelector(s), snap = x.snapshot();
          return { step: x.dataset.step, status: x.dataset.status, nets: snap?.nets.map((n) => [n.status, n.error, n.step]), playing: snap?.playing, visible: snap?.visible };
        }, sel))}`); });
    }
    await page.waitForTimeout(1200); // a fill and a redraw after the last evaluation
    const r = await page.evaluate(({ s, id }) => {
      const e = document.querySelector(s);
      const values = window.__article.fill(id);
      const spans = [...document.querySelectorAll(`[data-fill^="${id}."]`)].map((x) => ({ key: x.dataset.fill.slice(id.length + 1), text: x.textContent }));
      const ink = [...e.shadowRoot.querySelectorAll("canvas")].filter((c) => c.width > 0).map((c) => {
        const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 30) n++;
        return n;
      });
      return { values, spans, ink, status: e.dataset.status, step: Number(e.dataset.step), link: e.shadowRoot.querySelector("#open-lab").href };
    }, { s: sel, id });
    assert.equal(r.status, "ready,ready", `${label} ${id}: both nets run`);
    assert.ok(r.ink.length >= 1 && r.ink.every((n) => n > 150), `${label} ${id}: every canvas draws (${r.ink})`);
    assert.ok(r.spans.length >= 2, `${label} ${id}: the text has numbers from this figure`);
    for (const x of r.spans) {
      assert.notEqual(x.text, "…", `${label} ${id}.${x.key} is filled in`);
      assert.doesNotMatch(x.text, /NaN|Infinity|undefined|null/, `${label} ${id}.${x.key} = ${x.text}`);
      assert.equal(x.text, r.values[x.key], `${label} ${id}.${x.key}: the text says what the figure measures`);
    }
    assert.match(r.link, /\/www\/index\.html#/, `${label} ${id}: "Open in Residual Lab" leads to the lab`);
    report[id] = Object.fromEntries(r.spans.map((x) => [x.key, x.text]));
    await page.locator(sel).screenshot({ path: path.join(SHOTS, `article-${label}-${id}.png`) });
  }
  console.log(`# ${label}: ${JSON.stringify(report)}`);
  return report;
}

test("dist/ on its own origin under a strict CSP: every figure trains and draws, every number is filled in", async () => {
  const page = await openPage(browser.context, `${lab.base}/www/article.html`);
  const r = await readArticle(page, "dist");
  // a few of the numbers against what the figures are set up to show (measured on this seed)
  assert.ok(Number(r.identity.plainLoss) > 0.68 && Number(r.identity.plainLoss) < 0.71, "Figure 3: the plain net's loss sits at ln 2");
  assert.ok(Number(r.variances.perBlock) > 2 && Number(r.variances.perBlock) < 4, "Figure 4: about ×3 per block with α = 1");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the same article on a third origin, every file from the dist origin, under the blog's CSP", async () => {
  assert.notEqual(new URL(blog.base).origin, new URL(lab.base).origin);
  const page = await browser.context.newPage();
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => page.errors.push(`pageerror: ${e.message}`));
  await page.goto(`${blog.base}/post.html`);
  await readArticle(page, "blog");
  assert.deepEqual(page.errors, []);
  await page.close();
});
