// Helpers the experiment cards share: colours, finding lookup, plain series.
import { OI } from "../../palette.js";

export const C = { ...OI, grey: "#888888" };
export const SERIES = [OI.vermillion, OI.blue, OI.green, OI.orange, OI.purple, OI.sky, OI.black, OI.yellow];

/** The measured value of finding `key` (NaN if absent). */
export const found = (summary, key) => summary?.findings.find((f) => f.key === key)?.measured ?? NaN;

/** The named curve of a summary, or null. */
export const curve = (summary, name) => summary?.curves.find((c) => c.name === name) ?? null;

/** 0, 1, ..., n-1 */
export const range = (n) => Array.from({ length: n }, (_, i) => i);

/** A horizontal line at y over [x0, x1]. */
export const hline = (label, color, y, x0, x1, dash = [4, 4]) => ({ label, color, dash, x: [x0, x1], y: [y, y] });

/** The final training loss of a curve: the mean of its last quarter (as the core's summaries). */
export function tail(values) {
  if (!values?.length) return NaN;
  const t = values.slice(values.length - Math.max(1, Math.floor(values.length / 4)));
  return t.reduce((a, b) => a + b, 0) / t.length;
}
