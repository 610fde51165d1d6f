// Export / import on the page: the trainer states of both nets round-trip bit for bit (export
// after 5 steps, run 5 more as the reference, import, run 5 more: the same batch losses), the
// CSV / PNG / PyTorch downloads have the right content, and corrupted files (not JSON, a
// damaged state, dropped on the page) give a clear message and leave the run untouched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, launch, openPage, waitReady, waitSteps, snapshot, screenshot } from "./helpers.mjs";

let server, browser, page;
before(async () => {
  server = await startServer();
  browser = await launch();
  page = await openPage(browser.context, `${server.base}/www/#a.depth=6&b.depth=6&b.norm=batch&seed=11`);
  await waitReady(page);
});
after(async () => { await browser?.close(); await server?.stop(); });

async function steps(n) {
  const start = Math.max(...(await snapshot(page)).nets.map((x) => x.latest.step));
  for (let i = 0; i < n; i++) await page.click("#btn-step");
  return waitSteps(page, start + n);
}

async function downloadText(selector) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  return { name: d.suggestedFilename(), buf: readFileSync(await d.path()) };
}

const lastLosses = (snap, k) => snap.hist.loss.map((l) => l.slice(-k));

let saved;
test("export after 5 steps, import, and the next 5 steps repeat bit for bit", async () => {
  await steps(5);
  const file = await downloadText("#btn-export-state");
  assert.match(file.name, /^residual-lab-state-step5\.json$/);
  saved = file.buf.toString("utf8");
  const obj = JSON.parse(saved);
  assert.equal(obj.format, "residual-lab-pair/1");
  assert.equal(typeof obj.a, "string");
  assert.equal(JSON.parse(obj.b).config.model.norm, "batch");

  const ref = lastLosses(await steps(5), 5); // the reference: steps 6..10
  assert.equal(ref[0].length, 5);

  await page.setInputFiles("#import-file", { name: "state.json", mimeType: "application/json", buffer: Buffer.from(saved) });
  await page.waitForFunction(() => /Restored both nets/.test(document.querySelector("#export-status").textContent), null, { timeout: 30000 });
  let snap = await snapshot(page);
  assert.deepEqual(snap.nets.map((n) => n.latest.step), [5, 5]);
  assert.equal(snap.cfg.nets[1].norm, "batch");
  assert.match(snap.hash, /seed=11/);
  snap = await steps(5);
  assert.deepEqual(snap.nets.map((n) => n.latest.step), [10, 10]);
  assert.deepEqual(lastLosses(snap, 5), ref, "same batch losses after the import");
});

test("a corrupted file is rejected with a clear message and the run is untouched", async () => {
  const before = await snapshot(page);
  const status = () => page.evaluate(() => ({ text: document.querySelector("#export-status").textContent,
    bad: document.querySelector("#export-status").classList.contains("bad") }));
  // 1: not JSON at all (truncated file)
  await page.setInputFiles("#import-file", { name: "broken.json", mimeType: "application/json", buffer: Buffer.from(saved.slice(0, saved.length / 2)) });
  await page.waitForFunction(() => document.querySelector("#export-status").classList.contains("bad"));
  let s = await status();
  assert.match(s.text, /broken\.json: the file is not valid JSON .*The current run is unchanged/);
  // 2: valid JSON, but net B's weights damaged: the core rejects it; net A must not be replaced either
  const obj = JSON.parse(saved);
  const b = JSON.parse(obj.b);
  b.params = b.params.slice(0, 10);
  obj.b = JSON.stringify(b);
  await page.evaluate(() => { document.querySelector("#export-status").textContent = ""; });
  await page.setInputFiles("#import-file", { name: "damaged.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(obj)) });
  await page.waitForFunction(() => /damaged\.json: net/.test(document.querySelector("#export-status").textContent));
  s = await status();
  assert.ok(s.bad);
  assert.match(s.text, /damaged\.json: net B: .+The current run is unchanged/);
  // 3: dropped on the page: a JSON file of something else
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['{"hello": "world"}'], "other.json", { type: "application/json" }));
    document.querySelector("main").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => /other\.json/.test(document.querySelector("#export-status").textContent));
  s = await status();
  assert.match(s.text, /no state for net A/);
  await screenshot(page, "export-bad-file");
  const after = await snapshot(page);
  assert.deepEqual(after.nets.map((n) => n.latest.step), before.nets.map((n) => n.latest.step));
  assert.deepEqual(after.hist.loss, before.hist.loss);
  assert.deepEqual(after.cfg, before.cfg);
  // and it still trains
  const next = await steps(2);
  assert.deepEqual(next.nets.map((n) => n.latest.step), before.nets.map((n) => n.latest.step + 2));
});

test("CSV, PNG and PyTorch downloads", async () => {
  const csv = (await downloadText("#btn-export-csv")).buf.toString("utf8").trim().split("\n");
  assert.match(csv[0], /^net,architecture,step,layer,batch_loss,batch_accuracy,act_mean,act_mean_sq,act_var,dead_frac,grad_rms,/);
  const rows = csv.slice(1).map((l) => l.split(","));
  const snap = await snapshot(page);
  assert.equal(rows.length, snap.hist.rounds.length * 2 * 7, "rounds x nets x (depth + 1) rows");
  assert.ok(rows.every((r) => r.length === csv[0].split(",").length));
  const png = (await downloadText('#export-png button[data-card="card-fwd"]')).buf;
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(png.length > 2000);
  const boundaryPng = (await downloadText('#export-png button[data-card="card-boundary"]')).buf;
  assert.ok(boundaryPng.length > 2000);
  const py = await downloadText("#btn-export-torch-b");
  assert.equal(py.name, "residual_lab_net_b.py");
  const text = py.buf.toString("utf8");
  for (const s of ["class Net(nn.Module)", "self.norm = nn.BatchNorm1d(WIDTH", "blocks.5.fc2.weight", "blocks.0.norm.running_var", "load_state_dict(state, strict=True)"]) {
    assert.ok(text.includes(s), s);
  }
  assert.deepEqual(page.errors, []);
});
