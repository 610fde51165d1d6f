// Shared helpers for the browser tests: static server, Debian chromium via playwright-core,
// console-error collection, screenshots and pixel checks.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SHOTS = path.join(ROOT, "test-results", "screenshots");
// The tests run against the real core only: build it first (scripts/build.sh).
if (!existsSync(path.join(ROOT, "pkg", "residual_lab.js"))) {
  throw new Error("pkg/ is not built: run scripts/build.sh (scripts/test.sh does) before the browser tests");
}
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 800 };

/** Starts scripts/serve.mjs on a free port; resolves to { base, stop }. */
export function startServer() {
  const env = { ...process.env, PORT: "0" };
  delete env.RL_PKG_DIR;
  const child = spawn(process.execPath, [path.join(ROOT, "scripts", "serve.mjs")], { env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("server did not start")), 10000);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\/www\//);
      if (m) {
        clearTimeout(timer);
        resolve({
          base: `http://127.0.0.1:${m[1]}`,
          stop: () => new Promise((r) => { child.once("exit", r); child.kill("SIGTERM"); }),
        });
      }
    });
  });
}

/** Launches Debian chromium headless with a fresh profile; resolves to { context, close }.
 *  The page trains by itself unless the reader prefers reduced motion: the tests say they do
 *  (Play starts training, as the tests expect), but for those that test autoplay
 *  (`{ reducedMotion: "no-preference" }`). */
export async function launch(viewport = DESKTOP, { reducedMotion = "reduce" } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "rl-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport,
    reducedMotion,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return { context, close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Opens a page and records console errors and page errors into page.errors. */
export async function openPage(context, url) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.errors = [];
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => page.errors.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => page.errors.push(`requestfailed: ${r.url()}`));
  if (url) await page.goto(url);
  return page;
}

export const snapshot = (page) => page.evaluate(() => window.__lab.snapshot());

/** Waits until both nets are built (or failed); returns the snapshot. */
export async function waitReady(page, timeout = 30000) {
  await page.waitForFunction(() => window.__lab && window.__lab.snapshot().nets.every((n) => n.status !== "loading"), null, { timeout });
  return snapshot(page);
}

/** Waits until both nets report at least `step` steps (or diverged). */
export async function waitSteps(page, step, timeout = 60000) {
  await page.waitForFunction((s) => window.__lab.snapshot().nets.every((n) =>
    n.status === "error" || (n.latest && (n.latest.step >= s || n.latest.diverged))), step, { timeout, polling: 100 });
  return snapshot(page);
}

/** Opens the settings panel (closed at first below 1500 px wide, issue 16) if it is closed. */
export async function openSettings(page) {
  if ((await page.getAttribute("#btn-settings", "aria-expanded")) !== "true") await page.click("#btn-settings");
}

/** Clicks Play (if paused), waits `ms`, clicks Pause; returns the snapshot. */
export async function trainFor(page, ms) {
  if ((await page.getAttribute("#btn-play", "aria-pressed")) !== "true") await page.click("#btn-play");
  await page.waitForTimeout(ms);
  if ((await page.getAttribute("#btn-play", "aria-pressed")) === "true") await page.click("#btn-play");
  await page.waitForTimeout(100);
  return snapshot(page);
}

/** For every canvas inside `selector`: number of pixels that differ from its corner pixel. */
export function canvasInk(page, selector = "main canvas") {
  return page.evaluate((sel) => [...document.querySelectorAll(sel)].map((c) => {
    const ctx = c.getContext("2d");
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) > 30 || data[3] === 0)) ink++;
    }
    const card = c.closest("section")?.id ?? "?";
    return { card, id: c.id || c.className, width: c.width, height: c.height, ink };
  }), selector);
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A screenshot of the box around the elements `selectors` match (scrolled into view first). */
export async function screenshotArea(page, name, selectors) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.locator(selectors[0]).first().scrollIntoViewIfNeeded();
  const box = await page.evaluate((sels) => {
    const rs = sels.flatMap((s) => [...document.querySelectorAll(s)]).map((e) => e.getBoundingClientRect());
    const x = Math.min(...rs.map((r) => r.left)), y = Math.min(...rs.map((r) => r.top));
    return { x: x + scrollX, y: y + scrollY, width: Math.max(...rs.map((r) => r.right)) - x, height: Math.max(...rs.map((r) => r.bottom)) - y };
  }, selectors);
  await page.screenshot({ path: file, clip: box, fullPage: true });
  return file;
}

/** Ratio helper for profile checks. */
export const ratio = (arr, i, j) => arr[i] / arr[j];

/** Text that must never appear in what the page writes from data. */
export const NO_NAN = /NaN(?!\/Inf| or Inf)|Infinity|undefined|null/; // the banner may say "NaN or Inf appeared"

/** The text the page generates from data: banners, regimes, captions, legends, table bodies, notices. */
export const dynamicText = (page) => page.evaluate(() => [...document.querySelectorAll(
  "#banners, .regimes, .cap, .strip-cap, #strip-scale, #step-count, #round-ms, .u-legend, table.layers tbody, #notices, #preset-text, #preset-see")]
  .map((e) => e.textContent).join("\n"));

/** Loads url as a new document (a hash-only change would not reload the page). */
export async function fresh(page, url) {
  await page.goto("about:blank");
  await page.goto(url);
}
