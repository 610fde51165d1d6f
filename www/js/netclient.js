// A promise-based handle on one training worker.
export class NetClient {
  constructor() {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
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

  /** Builds a new Lab; resolves to the "ready" or "error" message. */
  init(config) {
    this.initWaiter?.({ type: "error", where: "init", message: "superseded" });
    return new Promise((resolve) => {
      this.initWaiter = resolve;
      this.worker.postMessage({ type: "init", config });
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

  terminate() { this.worker.terminate(); this.failAll("terminated"); }
}
