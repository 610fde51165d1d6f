// A promise-based handle on one training worker.
import { workerName } from "./simdchoice.js";

const WORKER_URL = new URL("./worker.js", import.meta.url);

/** A module worker running worker.js. A worker must be same-origin with the page, so when
 * this module was loaded from another origin (an embed on a blog), a tiny blob: module
 * imports worker.js by its absolute URL (the lab's server sends CORS headers). */
function startWorker() {
  const options = { type: "module", name: workerName("residual-lab net") };
  if (typeof location === "undefined" || WORKER_URL.origin === location.origin) return new Worker(WORKER_URL, options);
  const blob = new Blob([`import ${JSON.stringify(WORKER_URL.href)};\n`], { type: "text/javascript" });
  const url = URL.createObjectURL(blob);
  const w = new Worker(url, options);
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return w;
}

export class NetClient {
  constructor() {
    this.worker = startWorker();
    this.nextId = 1;
    this.pending = new Map(); // id -> {resolve}
    this.initWaiter = null;
    this.worker.onmessage = (ev) => this.onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      this.failAll(`the worker failed to start (${ev.message || "module error"})`);
    };
  }

  failAll(message) {
    const err = { type: "error", message };
    this.initWaiter?.(err);
    this.initWaiter = null;
    for (const p of this.pending.values()) p(err);
    this.pending.clear();
  }

  onMessage(msg) {
    if (msg.type === "ready" || (msg.type === "error" && msg.where === "init")) {
      const w = this.initWaiter;
      this.initWaiter = null;
      w?.(msg);
    } else if (msg.id !== undefined && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p(msg);
    }
  }

  /** Builds a new Lab (on own data `data`: { x, y, d_in, bounds? }, if given); resolves to the
   *  "ready" or "error" message. */
  init(config, data) {
    this.initWaiter?.({ type: "error", where: "init", message: "superseded" });
    return new Promise((resolve) => {
      this.initWaiter = resolve;
      this.worker.postMessage({ type: "init", config, data });
    });
  }

  /** Trains n steps; resolves to the "report" or "error" message. */
  step(n, wantEval, gridRes) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ type: "step", id, n, wantEval, gridRes });
    });
  }

  setLr(lr) { this.worker.postMessage({ type: "set_lr", lr }); }

  /** Any other request with an id (save, stage, commit, discard, weights); resolves to the reply. */
  request(type, extra = {}) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...extra, type, id });
    });
  }

  terminate() { this.worker.terminate(); this.failAll("terminated"); }
}
