// Colour scales for the canvas charts, colour-blind safe, linearly interpolated between stops.
const NAN_RGB = [190, 190, 190];

/** A scale t in [0, 1] -> [r, g, b] through `stops`; NaN -> grey. */
function scale(stops) {
  return (t) => {
    if (!Number.isFinite(t)) return NAN_RGB;
    const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
    const a = stops[i], b = stops[i + 1];
    return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
  };
}

/** Viridis (perceptually uniform), 9 stops. */
export const viridis = scale([
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
]);

/** ColorBrewer RdBu (11 classes), blue (low) through white (0.5) to red (high). */
export const diverging = scale([
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
]);
