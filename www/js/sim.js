// Runs the two nets in lockstep: a round asks both workers for the same number of steps
// and waits for both, so every history has one shared step axis.
import { NetClient } from "./netclient.js";
import { labConfig } from "./schema.js";
import { emptyNet, emptyHistory, markAllDirty } from "./state.js";
import { pushRound } from "./history.js";

const EVAL_MS = 250;  // evaluate() at most this often while playing
const GRID_MS = 700;  // predict_grid() at most this often while playing
export const GRID_RES = 48;

/** Takes a worker's answer to init/commit: the net's fresh config, data and first report. */
function adopt(net, m, okType) {
  if (m.type === okType) {
    Object.assign(net, { status: "ready", config: m.config, data: m.data, bounds: m.bounds,
      initReport: m.probe, latest: m.probe, theory: m.theory });
  } else {
    Object.assign(net, { status: "error", error: m.message });
  }
}

export class Sim {
  constructor(state) {
    this.state = state;
    this.clients = [new NetClient(), new NetClient()];
    this.inFlight = false;
    this.lastEval = 0;
    this.lastGrid = 0;
    this.step = 0;
    this.queued = 0; // single steps asked for while a round was in flight
  }

  /** One step now, or as soon as the current round is done. */
  stepOnce() { this.queued++; this.tick(); }

  /** Rebuilds both Labs from state.cfg and clears all histories. */
  async reset() {
    const s = this.state;
    const gen = ++s.generation;
    s.nets = [emptyNet(), emptyNet()];
    s.hist = emptyHistory();
    this.step = 0;
    this.queued = 0;
    this.inFlight = false;
    markAllDirty(s);
    const msgs = await Promise.all(this.clients.map((c, i) => c.init(labConfig(s.cfg, i))));
    if (gen !== s.generation) return;
    msgs.forEach((m, i) => adopt(s.nets[i], m, "ready"));
    markAllDirty(s);
    // A round of zero steps: the first evaluation and decision boundary, before any training.
    await this.round(0);
  }

  /** One lockstep round of n steps (n = 0: only evaluate and predict). */
  async round(n) {
    if (this.inFlight) return;
    const s = this.state;
    const gen = s.generation;
    const now = performance.now();
    const wantEval = n === 0 || !s.playing || now - this.lastEval >= EVAL_MS;
    const wantGrid = n === 0 || !s.playing || now - this.lastGrid >= GRID_MS;
    if (wantEval) this.lastEval = now;
    if (wantGrid) this.lastGrid = now;
    this.inFlight = true;
    const results = await Promise.all(this.clients.map((c, i) =>
      s.nets[i].status === "ready" ? c.step(n, wantEval, wantGrid ? GRID_RES : 0) : Promise.resolve(null)));
    if (gen !== s.generation) return; // a reset happened meanwhile
    this.inFlight = false;
    results.forEach((r, i) => {
      const net = s.nets[i];
      if (!r) return;
      if (r.type === "error") { net.status = "error"; net.error = r.message; return; }
      if (n > 0) net.latest = r.report;
      if (r.grid) net.grid = r.grid;
      net.stepMs = r.ms;
    });
    this.step += n;
    pushRound(s.hist, this.step, results, n > 0);
    s.perf.rounds++;
    const d = s.dirty;
    if (n > 0) { d.profile = true; d.heat = true; d.table = true; }
    if (results.some((r) => r?.eval)) d.curves = true;
    if (results.some((r) => r?.grid)) d.boundary = true;
    if (results.some((r) => r?.type === "error" || r?.report?.diverged)) d.banner = true;
  }

  /** Called every animation frame. */
  tick() {
    const s = this.state;
    if (this.queued > 0 && !this.inFlight && s.nets.every((n) => n.status !== "loading")) {
      this.queued--;
      this.round(1);
    } else if (s.playing && !this.inFlight) {
      if (s.nets.every((n) => n.status !== "ready" || n.latest?.diverged)) { s.playing = false; s.dirty.banner = true; return; }
      this.round(s.cfg.view.speed);
    }
  }

  setLr(lr) { this.clients.forEach((c) => c.setLr(lr)); }

  /** Both trainers' states: [lab.to_json() of A, of B]; throws when a net has none. */
  async saveStates() {
    const msgs = await Promise.all(this.clients.map((c) => c.request("save")));
    msgs.forEach((m, i) => { if (m.type !== "saved") throw new Error(`net ${"AB"[i]}: ${m.message}`); });
    return msgs.map((m) => m.json);
  }

  /** Net i's weights, parameter names and config, for the PyTorch export (see pytorch.js). */
  async weights(i) {
    const m = await this.clients[i].request("weights");
    if (m.type !== "weights") throw new Error(`net ${"AB"[i]}: ${m.message}`);
    return m;
  }

  /**
   * Restores both nets from saved states [jsonA, jsonB]. Both are first restored next to the
   * running nets; only when both succeed do they replace them, so a bad file changes nothing.
   * Resolves to the restored configs; rejects with a message naming the net otherwise.
   */
  async restore(jsons) {
    const staged = await Promise.all(this.clients.map((c, i) => c.request("stage", { json: jsons[i] })));
    const bad = staged.findIndex((m) => m.type !== "staged");
    if (bad >= 0) {
      await Promise.all(this.clients.map((c) => c.request("discard")));
      throw new Error(`net ${"AB"[bad]}: ${staged[bad].message}`);
    }
    const s = this.state;
    const gen = ++s.generation; // drops the replies of a round in flight
    const msgs = await Promise.all(this.clients.map((c) => c.request("commit")));
    if (gen !== s.generation) return null;
    s.nets = [emptyNet(), emptyNet()];
    s.hist = emptyHistory();
    this.queued = 0;
    this.inFlight = false;
    msgs.forEach((m, i) => adopt(s.nets[i], m, "committed"));
    this.step = Math.max(0, ...msgs.map((m) => m.step ?? 0));
    markAllDirty(s);
    await this.round(0);
    return msgs.map((m) => m.config ?? null);
  }
}
