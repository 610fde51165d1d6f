// Chance levels for the loss and accuracy charts: the best a predictor can score without
// looking at its input, from the training labels.
// - Accuracy: always answering the most frequent class, p_max (1/K for K classes of equal size).
// - Cross-entropy: predicting the class frequencies p_k, -sum p_k ln p_k, the entropy of the
//   labels (ln K for K classes of equal size: ln 2 = 0.69, ln 10 = 2.30).
// - Mean squared error (regression): predicting the mean target, i.e. the targets' variance.
import { fmt } from "../format.js";

/**
 * @param data { y, n_train, classes (classification: classes; regression: outputs per point),
 *   classification } as the page keeps a net's data
 * @returns { loss, accuracy (null for regression), lossText, accuracyText } or null
 */
export function chanceLevels(data) {
  if (!data || !(data.n_train > 0)) return null;
  const n = data.n_train;
  if (data.classification) {
    const counts = new Map();
    for (let i = 0; i < n; i++) counts.set(data.y[i], (counts.get(data.y[i]) ?? 0) + 1);
    let entropy = 0, most = 0;
    for (const c of counts.values()) { const p = c / n; entropy -= p * Math.log(p); most = Math.max(most, p); }
    return { loss: entropy, accuracy: most, lossText: `chance: ${fmt(entropy, 3)}`, accuracyText: `chance: ${fmt(most, 3)}` };
  }
  const k = Math.max(1, data.classes ?? 1);
  let mse = 0;
  for (let o = 0; o < k; o++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data.y[i * k + o];
    const mean = sum / n;
    for (let i = 0; i < n; i++) mse += (data.y[i * k + o] - mean) ** 2;
  }
  mse /= n * k;
  return { loss: mse, accuracy: null, lossText: `chance: ${fmt(mse, 3)}`, accuracyText: "" };
}

/** The curve columns with a flat grey dotted line at `level` (none when level is not finite). */
export function withChance(curves, level, label) {
  if (!(Number.isFinite(level) && level > 0)) return curves;
  return { ...curves, series: [...curves.series, { label, color: "#8a8a8a", width: 1.4, dash: [2, 4], values: curves.x.map(() => level) }] };
}
