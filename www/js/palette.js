// Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008).
export const OI = {
  orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442",
  blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7", black: "#000000",
};
export const NET_COLORS = [OI.vermillion, OI.blue];    // net A, net B
export const NET_NAMES = ["A", "B"];
export const CLASS_COLORS = [OI.orange, OI.sky, OI.green, OI.purple, OI.yellow, OI.blue, OI.vermillion, OI.black];
export const REGIME_COLORS = { vanishing: OI.sky, shrinking: "#a9d7f2", stable: OI.green, linear: OI.yellow,
  growing: OI.orange, exploding: OI.purple, uneven: "#e3c8da", zero: "#bbbbbb", broken: "#777777" };

export function hexToRgb(hex) {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
