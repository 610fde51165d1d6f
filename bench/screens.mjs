#!/usr/bin/env node
// Screenshots of the first screen, for looking at (issue 16): the page opened without a link,
// and with each preset's link, at 1366 x 800, 1280 x 720 and 390 x 844, each 5 s after the
// navigation began (the page trains by itself: no click). Writes
// test-results/screenshots/screens-<width>x<height>-<preset>.png and prints each file with
// the step it shows. Usage: node bench/screens.mjs [preset ids, comma-separated]
import path from "node:path";
import { mkdirSync } from "node:fs";
import { startServer, launch, openPage, fresh, SHOTS } from "../tests/browser/helpers.mjs";
import { PRESETS } from "../www/js/presets.js";

const VIEWPORTS = [{ width: 1366, height: 800 }, { width: 1280, height: 720 }, { width: 390, height: 844 }];
const only = process.argv[2]?.split(",");
const views = [["default", ""], ...PRESETS.map((p) => [p.id, `#preset=${p.id}`])].filter(([id]) => !only || only.includes(id));

mkdirSync(SHOTS, { recursive: true });
const srv = await startServer();
try {
  for (const vp of VIEWPORTS) {
    const b = await launch(vp, { reducedMotion: "no-preference" });
    const page = await openPage(b.context);
    for (const [id, hash] of views) {
      await fresh(page, `${srv.base}/www/${hash}`);
      await page.waitForFunction(() => performance.now() > 5000, null, { timeout: 30000, polling: 50 });
      const file = path.join(SHOTS, `screens-${vp.width}x${vp.height}-${id}.png`);
      await page.screenshot({ path: file });
      const s = await page.evaluate(() => window.__lab.snapshot());
      console.log(`${file}: step ${Math.min(...s.nets.map((n) => n.latest?.step ?? 0))}, ${s.nets.map((n) => n.status).join("/")}` +
        `${page.errors.length ? `; errors: ${page.errors.join(" | ")}` : ""}`);
      page.errors.length = 0;
    }
    await b.close();
  }
} finally {
  await srv.stop();
}
