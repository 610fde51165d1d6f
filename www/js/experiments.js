// Runs the classic experiments of the Experiments page from JavaScript:
//
//   import { runExperiment, EXPERIMENT_IDS } from "./www/js/experiments.js";
//   const controller = new AbortController();
//   const { summary, results, ms } = await runExperiment("lesions", {
//     size: "default",                 // "reduced" | "default" | "full"
//     onProgress: (p) => console.log(p.fraction, p.done, "of", p.units.length),
//     signal: controller.signal,       // controller.abort() cancels (the promise rejects with an AbortError)
//   });
//   for (const f of summary.findings) console.log(f.label, "paper:", f.paper, "measured:", f.measured);
//
// Each experiment is a list of units (src/experiments/ in the Rust core); they are spread over
// Web Workers (two by default, at most navigator.hardwareConcurrency), biggest first. Progress
// comes after every partial result: { fraction (0..1, weighted by each unit's cost), done,
// units: [{label, cost}], results: (unit result | null)[], unit (the index that changed) }.
// Nothing is trained in JavaScript: every number comes from the wasm core (pkg/experiments/,
// simd128), seeded, so a run gives the same numbers every time, and the native build's.
import { workerName } from "./simdchoice.js";

const WORKER_URL = new URL("./experiments/worker.js", import.meta.url);

export const EXPERIMENT_IDS = ["trainability", "lesions", "isometry", "shattered", "rank_collapse", "tat", "degradation", "amplification"];
export const SIZES = ["reduced", "default", "full"];

/** A module worker running experiments/worker.js (through a blob: module when this module was
 * loaded from another origin, as netclient.js does). */
function startWorker(i) {
  const options = { type: "module", name: workerName(`residual-lab experiments ${i}`) };
  if (typeof location === "undefined" || WORKER_URL.origin === location.origin) return new Worker(WORKER_URL, options);
  const url = URL.createObjectURL(new Blob([`import ${JSON.stringify(WORKER_URL.href)};\n`], { type: "text/javascript" }));
  const w = new Worker(url, options);
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return w;
}

function abortError() {
  return new DOMException("the experiment was cancelled", "AbortError");
}

/** A worker and its one pending request at a time. */
class Slot {
  constructor(i, onFail) {
    this.worker = startWorker(i);
    this.waiter = null;
    this.worker.onmessage = (ev) => this.waiter?.(ev.data);
    this.worker.onerror = (ev) => { ev.preventDefault?.(); onFail(new Error(`an experiment worker failed (${ev.message || "module error"})`)); };
  }
  /** Sends `msg`; `onReply` gets every reply until it returns true (the last one). */
  send(msg, onReply) {
    return new Promise((resolve) => {
      this.waiter = (reply) => { if (onReply(reply)) { this.waiter = null; resolve(reply); } };
      this.worker.postMessage(msg);
    });
  }
  terminate() { this.worker.terminate(); }
}

/**
 * Runs experiment `id` (one of EXPERIMENT_IDS). Resolves to { id, size, units, results,
 * summary: { findings: [{key, label, paper, measured}], curves }, ms, unitMs }; rejects with an
 * AbortError when `signal` aborts, or with the core's Error (e.g. an unknown id or size).
 */
export async function runExperiment(id, { size = "default", onProgress, signal, workers } = {}) {
  if (!EXPERIMENT_IDS.includes(id)) throw new Error(`id: unknown experiment ${JSON.stringify(id)}; expected one of ${EXPERIMENT_IDS.join(", ")}`);
  if (!SIZES.includes(size)) throw new Error(`size: ${JSON.stringify(size)} is not one of ${SIZES.join(", ")}`);
  if (signal?.aborted) throw abortError();
  const cores = typeof navigator !== "undefined" && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  const n = Math.max(1, Math.min(workers ?? 2, cores, 8));
  const t0 = performance.now();
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  failed.catch(() => {});
  const slots = [];
  const stop = () => { for (const s of slots) s.terminate(); };
  const onAbort = () => fail(abortError());
  signal?.addEventListener("abort", onAbort, { once: true });
  const check = (reply) => {
    if (reply.type === "error") fail(new Error(reply.message));
    return true;
  };
  try {
    slots.push(new Slot(0, fail));
    const listing = await Promise.race([slots[0].send({ type: "units", id: 0, exp: id, size }, check), failed]);
    if (listing.type === "error") throw new Error(listing.message);
    const units = listing.units;
    for (let i = 1; i < Math.min(n, units.length); i++) slots.push(new Slot(i, fail));
    const results = units.map(() => null), progress = units.map(() => 0), unitMs = units.map(() => null);
    const total = units.reduce((a, u) => a + u.cost, 0) || 1;
    let done = 0;
    const report = (unit) => onProgress?.({ fraction: units.reduce((a, u, i) => a + u.cost * progress[i], 0) / total,
      done, units, results, unit, simd: listing.simd });
    report(-1);
    // biggest units first, each to the next free worker
    const queue = units.map((u, i) => i).sort((a, b) => units[b].cost - units[a].cost);
    let nextId = 1;
    const drain = async (slot) => {
      while (queue.length) {
        const unit = queue.shift();
        await slot.send({ type: "run", id: nextId++, exp: id, size, unit }, (r) => {
          if (r.type === "error") { fail(new Error(`${units[unit].label}: ${r.message}`)); return true; }
          results[r.unit] = r.result;
          progress[r.unit] = r.progress;
          if (r.type === "done") { done++; unitMs[r.unit] = r.ms; }
          report(r.unit);
          return r.type === "done";
        });
      }
    };
    await Promise.race([Promise.all(slots.map(drain)), failed]);
    const reply = await Promise.race([slots[0].send({ type: "summarize", id: nextId++, exp: id, size, results }, check), failed]);
    if (reply.type === "error") throw new Error(reply.message);
    return { id, size, units, results, summary: reply.summary, ms: performance.now() - t0, unitMs, simd: listing.simd };
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop();
  }
}
