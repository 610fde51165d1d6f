// Runs the two nets in lockstep: a round asks both workers for the same number of steps
// and waits for both, so every history has one shared step axis.
import { NetClient } from "./netclient.js";
import { labConfig } from "./schema.js";
import { emptyNet, emptyHistory, markAllDirty } from "./state.js";
import { pushRound } from "./history.js";
import { ownData } from "./data/owndata.js";

const EVAL_MS = 250;  // evaluate() at most this often while playing
const GRID_MS = 700;  // predict_grid() at most this often while playing
export const GRID_RES = 48;
// While playing, evaluate() and predict_grid() are paced by what they cost in the workers, so
// that on a deep net they do not eat the training: each takes at most about this share of the
// workers' time (a 1000-block net's 48 x 48 grid costs as much as ~25 training steps).
const EVAL_SHARE = 0.05, GRID_SHARE = 0.05;
const EVAL_MAX_GAP = 4000, GRID_MAX_GAP = 8000; // ... but never less often than this
const GRID_TARGET_MS = 120, GRID_MIN_RES = 24;  // a grid costing more than this is computed coarser
// A round trains at most `speed` steps and at most about this long, so the charts keep moving
// and Pause answers quickly on a deep net; a round longer than a frame starts the next one at
// once instead of waiting for the next animation frame.
const SLICE_MS = 150, FRAME_MS = 17;

/** Takes a worker's answer to init/commit: the net's fresh config, data and first report. */
function adopt(net, m, okType) {
  if (m.type === okType) {
    Object.assign(net, { status: "ready", config: m.config, data: m.data, bounds: m.bounds,
      initReport: m.probe, latest: m.probe, theory: m.theory, simd: m.simd });
  } else {
    Object.assign(net, { status: "error", error: m.message });
  }
}

export class Sim {
  constructor(state) {
    this.state = state;
    this.clients = [new NetClient(), new NetClient()];
    this.inFlight = 0; // rounds asked for and not answered yet
    this.lastEval = 0;
    this.lastGrid = 0;
    this.step = 0;
    this.queued = 0; // single steps asked for while a round was in flight
    // the workers' latest costs (slower net): ms per training step, per evaluate(), per grid point
    this.cost = { step: 0, eval: 0, gridPoint: 0 };
  }

  /** The decision-boundary resolution: 48, or coarser when a grid would cost too much. */
  gridRes() {
    const c = this.cost.gridPoint;
    if (!(c > 0) || c * GRID_RES * GRID_RES <= GRID_TARGET_MS) return GRID_RES;
    return Math.max(GRID_MIN_RES, Math.min(GRID_RES, 4 * Math.floor(Math.sqrt(GRID_TARGET_MS / c) / 4)));
  }

  /** Steps for a playing round: `speed`, fewer when that would take longer than SLICE_MS. */
  roundSteps(speed) {
    const c = this.cost.step;
    return c > 0 ? Math.max(1, Math.min(speed, Math.floor(SLICE_MS / c))) : Math.min(speed, 1);
  }

  /** Remembers what the parts of a round cost in the slower worker. */
  learnCosts(results, n, res) {
    const max = (f) => Math.max(0, ...results.map((r) => (r && r.type === "report" ? f(r) ?? 0 : 0)));
    if (n > 0) this.cost.step = max((r) => r.trainMs) / n;
    const e = max((r) => r.evalMs);
    if (e > 0) this.cost.eval = e;
    const g = max((r) => r.gridMs);
    if (g > 0 && res > 0) this.cost.gridPoint = g / (res * res);
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
    this.inFlight = 0;
    markAllDirty(s);
    // Own data (drawn points, a CSV file): both nets get the same rows; none yet: they wait.
    const own = ownData(s);
    if (own?.wait) {
      for (const net of s.nets) Object.assign(net, { status: "waiting", error: own.wait });
      return;
    }
    const msgs = await Promise.all(this.clients.map((c, i) =>
      c.init(own ? own.config(labConfig(s.cfg, i)) : labConfig(s.cfg, i), own?.data)));
    if (gen !== s.generation) return;
    msgs.forEach((m, i) => adopt(s.nets[i], m, "ready"));
    markAllDirty(s);
    // A round of zero steps: the first evaluation and decision boundary, before any training.
    await this.round(0);
  }

  /** While playing rounds that take longer than a frame, the next round is asked for before
   *  the current one is answered, so a worker never idles while the page handles its report;
   *  short rounds go one at a time, one per animation frame. */
  maxInFlight() {
    return this.state.playing && this.cost.step * this.roundSteps(this.state.cfg.view.speed) > FRAME_MS ? 2 : 1;
  }

  /** One lockstep round of n steps (n = 0: only evaluate and predict). Replies come in order. */
  async round(n) {
    if (this.inFlight >= (n > 0 && this.state.playing ? this.maxInFlight() : 1)) return;
    const s = this.state;
    const gen = s.generation;
    const now = performance.now();
    const c = this.cost;
    const gap = (share, cost, min, max) => Math.min(max, Math.max(min, cost / share));
    const wantEval = n === 0 || !s.playing || now - this.lastEval >= gap(EVAL_SHARE, c.eval, EVAL_MS, EVAL_MAX_GAP);
    const res = this.gridRes();
    const wantGrid = n === 0 || !s.playing || now - this.lastGrid >= gap(GRID_SHARE, c.gridPoint * res * res, GRID_MS, GRID_MAX_GAP);
    if (wantEval) this.lastEval = now;
    if (wantGrid) this.lastGrid = now;
    this.inFlight++;
    const results = await Promise.all(this.clients.map((cl, i) =>
      s.nets[i].status === "ready" ? cl.step(n, wantEval, wantGrid ? res : 0) : Promise.resolve(null)));
    if (gen !== s.generation) return; // a reset happened meanwhile
    this.inFlight--;
    this.learnCosts(results, n, wantGrid ? res : 0);
    results.forEach((r, i) => {
      const net = s.nets[i];
      if (!r) return;
      if (r.type === "error") { net.status = "error"; net.error = r.message; return; }
      if (n > 0) net.latest = r.report;
      if (r.grid) net.grid = r.grid;
      if (r.test) net.test = r.test;
      net.stepMs = r.ms;
    });
    this.step += n;
    pushRound(s.hist, this.step, results, n > 0);
    s.perf.rounds++;
    const d = s.dirty;
    if (n > 0) { d.profile = true; d.heat = true; d.table = true; }
    if (results.some((r) => r?.eval)) d.curves = true;
    if (results.some((r) => r?.grid || r?.test)) d.boundary = true;
    if (results.some((r) => r?.type === "error" || r?.report?.diverged)) d.banner = true;
    // A long round: the next one is asked for now, not at the next animation frame.
    if (n > 0 && s.playing && performance.now() - now > FRAME_MS) this.tick();
  }

  /** Called every animation frame. */
  tick() {
    const s = this.state;
    if (this.queued > 0 && this.inFlight === 0 && s.nets.every((n) => n.status !== "loading")) {
      this.queued--;
      this.round(1);
    } else if (s.playing && this.inFlight < this.maxInFlight()) {
      if (s.nets.every((n) => n.status !== "ready" || n.latest?.diverged)) { s.playing = false; s.dirty.banner = true; return; }
      this.round(this.roundSteps(s.cfg.view.speed));
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
    this.inFlight = 0;
    msgs.forEach((m, i) => adopt(s.nets[i], m, "committed"));
    this.step = Math.max(0, ...msgs.map((m) => m.step ?? 0));
    markAllDirty(s);
    await this.round(0);
    return msgs.map((m) => m.config ?? null);
  }
}
