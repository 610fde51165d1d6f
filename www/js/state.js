// The one state object of the page. `cfg` is what the URL hash holds; the rest is runtime.
import { defaults } from "./schema.js";
import { emptyOwn } from "./data/owndata.js";

export const HEAT_COLS = 360;   // heatmap columns kept (older ones are thinned)
export const CURVE_POINTS = 1500; // eval points kept per curve

export function emptyNet() {
  return {
    status: "loading", // loading | ready | error | waiting (own data not usable yet: `error` says why)
    error: null,       // message when the Lab could not be built or crashed
    config: null,      // full config from lab.config()
    data: null,        // { x, y, d_in, n_train, classes }
    bounds: null,      // [xmin, xmax, ymin, ymax] for the decision boundary
    initReport: null,  // probe() right after construction
    theory: null,      // lab.theory() or null when the core has none
    latest: null,      // latest training report
    grid: null,        // latest predict_grid { res, bounds, values }
    test: null,        // inputs that are not 2-D: latest outputs on the test split, [n_test][d_out]
    stepMs: 0,         // worker time of the last round
    simd: null,        // the core's build in its worker: "relaxed-simd" or "simd128"
  };
}

export function emptyHistory() {
  return {
    rounds: [],                 // steps after each round (shared x of per-round series)
    loss: [[], []],             // batch loss per round (null when diverged)
    heatSteps: [],              // x of heatmap columns
    heat: [[], []],             // per column: Float32Array of log10 grad_rms (NaN for non-finite)
    reports: [[], []],          // per column: the round's report (per-layer Float32Arrays), for the CSV export
    evalSteps: [],
    trainLoss: [[], []], testLoss: [[], []], trainAcc: [[], []], testAcc: [[], []],
  };
}

export function createState(cfg = defaults()) {
  return {
    cfg,
    playing: false,
    generation: 0,
    nets: [emptyNet(), emptyNet()],
    hist: emptyHistory(),
    notices: [],
    own: emptyOwn(),   // drawn points and a loaded CSV file (www/js/data/owndata.js)
    dirty: { profile: true, strip: true, curves: true, heat: true, boundary: true, table: true, banner: true },
    perf: { firstChartMs: null, firstMoveMs: null, frames: 0, rounds: 0, renderMs: 0 },
    shown: { fwd: null, bwd: null }, // the profile columns last handed to the charts (for the debug handle)
  };
}

export function markAllDirty(state) {
  for (const k of Object.keys(state.dirty)) state.dirty[k] = true;
}
