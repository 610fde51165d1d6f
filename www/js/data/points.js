// Points drawn on the decision-boundary view: their coordinates, their place in the link, and
// the training data they make. A point is { x, y, c }: x and y are bytes (0..255) on the grid
// that spans [-1, 1] in both input coordinates, c its class (0..4). Snapping a click to that
// grid at once means the link's copy of a point is the point itself.
import { seededOrder, trainCount } from "./split.js";

export const MAX_DRAWN_CLASSES = 5;
/** More points than this are refused (a click does nothing but say so). */
export const MAX_DRAWN_POINTS = 2000;
/** The plane shown while drawing: the grid's [-1, 1] and a margin. */
export const DRAW_BOUNDS = [-1.1, 1.1, -1.1, 1.1];
/** The least a net can train on: the core needs 4 points; 2 classes make a question. */
export const MIN_POINTS = 4;

/** The grid byte of a coordinate in [-1, 1] (clamped). */
export const toByte = (v) => Math.max(0, Math.min(255, Math.round(((v + 1) / 2) * 255)));
/** The coordinate of a grid byte. */
export const fromByte = (b) => -1 + (2 * b) / 255;

/** The points as URL-safe base64, 4 characters a point (bytes x, y, class). */
export function encodePoints(points) {
  const bytes = new Uint8Array(points.length * 3);
  points.forEach((p, i) => bytes.set([p.x, p.y, p.c], 3 * i));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The points of a link's text: { points } or { error } (never throws). */
export function decodePoints(text) {
  if (!text) return { points: [] };
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 !== 0) return { error: "the drawn points in the link are damaged" };
  let bin;
  try {
    bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return { error: "the drawn points in the link are damaged" };
  }
  const points = [];
  for (let i = 0; i + 2 < bin.length; i += 3) {
    const c = bin.charCodeAt(i + 2);
    if (c >= MAX_DRAWN_CLASSES) return { error: `a drawn point in the link has class ${c + 1}; at most ${MAX_DRAWN_CLASSES}` };
    points.push({ x: bin.charCodeAt(i), y: bin.charCodeAt(i + 1), c });
  }
  return { points };
}

/** Index of the point nearest to grid position (x, y) within `radius` grid steps, or -1. */
export function nearestPoint(points, x, y, radius) {
  let best = -1, bestD = radius * radius;
  points.forEach((p, i) => {
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d <= bestD) { best = i; bestD = d; }
  });
  return best;
}

/** Why these points cannot be trained on yet, or null. */
export function pointsProblem(points) {
  const classes = new Set(points.map((p) => p.c)).size;
  if (points.length < MIN_POINTS || classes < 2) {
    return `Click here to add points: ${MIN_POINTS} or more, of 2 classes or more (now ${points.length}, ` +
      `${classes} class${classes === 1 ? "" : "es"}).`;
  }
  return null;
}

/**
 * The training data of the points: { x: Float32Array [n][2], y: class indices, d_in: 2, n,
 * n_train, classification: true }, the rows in the seeded order of split.js (the last
 * testFraction of them held out). Classes keep their numbers (and colours): a class with no
 * point is simply never the answer.
 */
export function pointsData(points, testFraction) {
  const n = points.length;
  const order = seededOrder(n);
  const x = new Float32Array(2 * n), y = new Float32Array(n);
  order.forEach((i, k) => {
    x[2 * k] = fromByte(points[i].x);
    x[2 * k + 1] = fromByte(points[i].y);
    y[k] = points[i].c;
  });
  return { x, y, d_in: 2, n, n_train: trainCount(n, testFraction), classification: true };
}
