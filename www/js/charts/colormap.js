// Viridis (perceptually uniform, colour-blind safe), 9 stops, linearly interpolated.
const STOPS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
export const NAN_RGB = [190, 190, 190];

/** t in [0, 1] -> [r, g, b]; NaN -> grey. */
export function viridis(t) {
  if (!Number.isFinite(t)) return NAN_RGB;
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x)), f = x - i;
  const a = STOPS[i], b = STOPS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}
