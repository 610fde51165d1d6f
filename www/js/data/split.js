// The train/test split and the standardization of the page's own data (drawn points, CSV
// files). The core takes custom data in the order given and holds out the last rows
// (src/data.rs `split`), so the rows are put in a seeded order first: the same file or the same
// points always give the same split, whatever the run's seed.

/** Seed of the order of own data's rows (a fixed number: the split does not follow the run's seed). */
export const SPLIT_SEED = 1797;

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1 (Fisher-Yates), the same for the same n and seed. */
export function seededOrder(n, seed = SPLIT_SEED) {
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Training rows out of n for a test fraction, as the core computes it (src/data.rs `split`):
 *  round(n * f) held out, at least one on each side when f > 0. */
export function trainCount(n, testFraction) {
  if (!(testFraction > 0)) return n;
  const nTest = Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  return n - nTest;
}

/**
 * Standardizes column j of x ([n][d] row-major, in place) for every j: (v - mean) / std with the
 * mean and standard deviation of the first nTrain rows only. A column constant on those rows
 * becomes v - mean (its std is taken as 1). Returns [{ mean, std, constant }] per column.
 */
export function standardizeColumns(x, n, d, nTrain) {
  const stats = [];
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let r = 0; r < nTrain; r++) sum += x[r * d + j];
    const mean = sum / nTrain;
    // two-pass variance: the one-pass sum of squares loses every digit on large, close values
    let ss = 0;
    for (let r = 0; r < nTrain; r++) { const e = x[r * d + j] - mean; ss += e * e; }
    const std = Math.sqrt(ss / nTrain);
    const constant = !(std > 0) || std <= 1e-12 * Math.abs(mean);
    const s = constant ? 1 : std;
    for (let r = 0; r < n; r++) x[r * d + j] = (x[r * d + j] - mean) / s;
    stats.push({ mean, std, constant });
  }
  return stats;
}
