// A read-only debug handle for tests and the curious: window.__lab.snapshot() returns a copy
// of the latest reports, configs and histories (plain arrays, no live references).
const arr = (a) => (a ? Array.from(a) : null);

function reportCopy(r) {
  if (!r) return null;
  const layers = {};
  for (const k of Object.keys(r.layers ?? {})) layers[k] = arr(r.layers[k]);
  return { step: r.step, loss: r.loss, accuracy: r.accuracy, diverged: r.diverged ? { ...r.diverged } : null, layers };
}

export function installDebugHandle(state) {
  const handle = {
    snapshot() {
      const h = state.hist;
      return structuredClone({
        cfg: state.cfg,
        hash: location.hash,
        playing: state.playing,
        notices: state.notices,
        nets: state.nets.map((n) => ({
          status: n.status, error: n.error, config: n.config,
          latest: reportCopy(n.latest), initReport: reportCopy(n.initReport),
          theory: n.theory ? { supported: n.theory.supported, reason: n.theory.reason } : null,
          data: n.data ? { d_in: n.data.d_in, n_train: n.data.n_train, classes: n.data.classes, n: n.data.y.length } : null,
          hasGrid: !!n.grid, stepMs: n.stepMs, simd: n.simd,
          curve: n.grid?.xs ? { xs: arr(n.grid.xs), values: arr(n.grid.values) } : null, // 1-D data: the prediction along x
        })),
        hist: {
          rounds: h.rounds, loss: h.loss, evalSteps: h.evalSteps, trainLoss: h.trainLoss, testLoss: h.testLoss,
          trainAcc: h.trainAcc, testAcc: h.testAcc, heatColumns: h.heatSteps.length,
        },
        perf: { ...state.perf },
        shown: Object.fromEntries(Object.entries(state.shown).map(([k, d]) => [k, d && {
          points: d.x.length,
          series: d.series.map((s) => ({ label: s.label, points: s.values.length, nonNull: s.values.filter((v) => v !== null).length })),
        }])),
      });
    },
  };
  Object.defineProperty(window, "__lab", { value: Object.freeze(handle), writable: false, configurable: false });
}
