// Appends worker results to the histories in the state, and thins them when long.
import { HEAT_COLS, CURVE_POINTS } from "./state.js";

const finiteOrNull = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

function thin(arrays) {
  for (const a of arrays) {
    let w = 0;
    for (let i = 0; i < a.length; i += 2) a[w++] = a[i];
    a.length = w;
  }
}

function log10Column(g) {
  const c = new Float32Array(g.length);
  // an exact zero (e.g. Fixup's zero-initialised head at step 1) is -Infinity: drawn as the lowest colour, not as NaN
  for (let l = 0; l < g.length; l++) c[l] = g[l] === 0 ? -Infinity : g[l] > 0 && Number.isFinite(g[l]) ? Math.log10(g[l]) : NaN;
  return c;
}

/** Records one lockstep round: `results[i]` is net i's worker reply (or null);
 * `trained` is false for a round that only evaluated. */
export function pushRound(hist, step, results, trained) {
  if (trained) pushTrain(hist, step, results);
  if (results.some((r) => r?.eval)) pushEval(hist, step, results);
}

function pushTrain(hist, step, results) {
  hist.rounds.push(step);
  hist.heatSteps.push(step);
  results.forEach((r, i) => {
    const rep = r?.report;
    hist.loss[i].push(rep && !rep.diverged ? finiteOrNull(rep.loss) : null);
    const g = rep?.layers?.grad_rms;
    hist.heat[i].push(g ? log10Column(g) : null);
    hist.reports[i].push(rep ?? null);
  });
  if (hist.heatSteps.length > HEAT_COLS) thin([hist.heatSteps, ...hist.heat, ...hist.reports]);
  if (hist.rounds.length > 4 * CURVE_POINTS) thin([hist.rounds, ...hist.loss]);
}

function pushEval(hist, step, results) {
  {
    hist.evalSteps.push(step);
    results.forEach((r, i) => {
      const e = r?.eval, dead = !!r?.report?.diverged;
      hist.trainLoss[i].push(dead ? null : finiteOrNull(e?.train?.loss));
      hist.testLoss[i].push(dead ? null : finiteOrNull(e?.test?.loss));
      hist.trainAcc[i].push(dead ? null : finiteOrNull(e?.train?.accuracy));
      hist.testAcc[i].push(dead ? null : finiteOrNull(e?.test?.accuracy));
    });
    if (hist.evalSteps.length > CURVE_POINTS) {
      thin([hist.evalSteps, ...hist.trainLoss, ...hist.testLoss, ...hist.trainAcc, ...hist.testAcc]);
    }
  }
}
