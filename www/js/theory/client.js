// A promise-based handle on the theory worker (started on first use, shared by the panels).
import { workerName } from "../simdchoice.js";

const WORKER_URL = new URL("./worker.js", import.meta.url);

export class TheoryClient {
  constructor() {
    this.worker = null;
    this.nextId = 1;
    this.pending = new Map(); // id -> { resolve, onProgress }
  }

  start() {
    if (this.worker) return this.worker;
    this.worker = new Worker(WORKER_URL, { type: "module", name: workerName("residual-lab theory") });
    this.worker.onmessage = (ev) => {
      const m = ev.data, p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === "progress") { p.onProgress?.(m); return; }
      this.pending.delete(m.id);
      p.resolve(m);
    };
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      for (const p of this.pending.values()) p.resolve({ type: "error", message: `the theory worker failed (${ev.message || "module error"})` });
      this.pending.clear();
    };
    return this.worker;
  }

  /** Resolves to the reply (or {type:"error", message}); onProgress gets intermediate replies. */
  request(type, extra = {}, onProgress) {
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, onProgress });
      w.postMessage({ ...extra, type, id });
    });
  }
}
