// Number formatting that never prints NaN or Infinity.
export const DASH = "–";

export function fmt(v, digits = 3) {
  if (typeof v !== "number" || !Number.isFinite(v)) return DASH;
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(digits - 1).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

/** Tick label for a log axis: 0.01, 0.1, 1, 10, 100, then 1e3 … */
export function fmtTick(v) {
  if (!(v > 0) || !Number.isFinite(v)) return "";
  const e = Math.round(Math.log10(v));
  if (Math.abs(Math.log10(v) - e) > 1e-6) return fmt(v, 2);
  return e >= -2 && e <= 2 ? String(10 ** e >= 1 ? 10 ** e : Number((10 ** e).toFixed(-e))) : `1e${e}`;
}

export function fmtInt(v) {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : DASH;
}
