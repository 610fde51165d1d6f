// The page's own data, between the state and the workers: which data the nets train on when
// the source is not one of the lab's datasets (cfg.view.source: "draw" or "csv"), the config
// change that lets a Lab take it through set_data, and what a restored state brings back.
// state.own: { points: drawn points (all of them, also past the link's limit),
//              csv: { name, table, opts } | { name, restored: data } | null, prepared: cache }
import { POINTS_IN_LINK } from "../schema.js";
import { decodePoints, encodePoints, pointsData, pointsProblem, DRAW_BOUNDS, MAX_DRAWN_CLASSES, toByte, fromByte } from "./points.js";
import { prepareCsv } from "./csv.js";

export function emptyOwn() {
  return { points: [], csv: null, prepared: null, decoded: null };
}

const own = (state) => (state.own ??= emptyOwn());

/** The drawn points: those of the link, or (past the link's limit) the ones kept in the state. */
export function currentPoints(state) {
  const o = own(state);
  const text = state.cfg.view.points ?? "";
  if (text) {
    if (o.decoded?.text !== text) o.decoded = { text, ...decodePoints(text) };
    return o.decoded.points ?? [];
  }
  return o.points.length > POINTS_IN_LINK ? o.points : [];
}

/** Replaces the drawn points; the link holds them while there are at most POINTS_IN_LINK. */
export function setPoints(state, points) {
  const o = own(state);
  o.points = points;
  state.cfg.view.points = points.length <= POINTS_IN_LINK ? encodePoints(points) : "";
}

/** A problem of the link's drawn points ("damaged"), for the notices, or null. */
export function linkPointsProblem(state) {
  currentPoints(state);
  return own(state).decoded?.error ?? null;
}

/** The CSV's prepared data for the current test fraction: { ok, data | error }. */
function preparedCsv(state) {
  const o = own(state);
  if (o.csv.restored) return { ok: true, data: o.csv.restored };
  const tf = state.cfg.data.test_fraction;
  if (o.prepared?.csv !== o.csv || o.prepared.tf !== tf) {
    o.prepared = { csv: o.csv, tf, result: prepareCsv(o.csv.table, { ...o.csv.opts, testFraction: tf }) };
  }
  return o.prepared.result;
}

/** The Lab config that takes custom data of this kind through set_data (classification:
 *  cross-entropy; regression: mse, which the core allows only from its regression dataset). */
function customConfig(config, classification) {
  const data = { ...config.data, name: classification ? "spiral" : "regression", n: 16 };
  delete data.classes;
  return { ...config, data, loss: classification ? "cross_entropy" : "mse" };
}

/**
 * What the workers train on, for sim.reset: null for the lab's own datasets; { wait: message }
 * when the source has no usable data yet; else { data: { x, y, d_in, bounds? }, info, config(c) }
 * where config(c) turns net i's Lab config into one that accepts the data.
 */
export function ownData(state) {
  const source = state.cfg.view.source;
  if (source === "draw") {
    const points = currentPoints(state);
    const problem = pointsProblem(points);
    if (problem) return { wait: problem };
    const d = pointsData(points, state.cfg.data.test_fraction);
    return { data: { x: d.x, y: d.y, d_in: 2, bounds: DRAW_BOUNDS }, info: { kind: "draw", classNames: null },
      config: (c) => customConfig(c, true) };
  }
  if (source === "csv") {
    const o = own(state);
    if (!o.csv) return { wait: "Load a CSV file in the “Your own data” panel to train on it (a file is not kept in the link)." };
    const r = preparedCsv(state);
    if (!r.ok) return { wait: `${o.csv.name}: ${r.error.message}` };
    const d = r.data;
    return { data: { x: d.x, y: d.y, d_in: d.d_in }, info: { kind: "csv", name: o.csv.name, classNames: d.classNames, labelName: d.labelName },
      config: (c) => customConfig(c, d.classification) };
  }
  return null;
}

/** Class names for the views: the CSV's labels, the digits, or none (class numbers). */
export function classNamesOf(state, net) {
  if (state.cfg.view.source === "csv" && own(state).csv) {
    const r = preparedCsv(state);
    if (r.ok && r.data.classNames) return r.data.classNames;
  }
  if (net?.config?.data?.name === "digits") return ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  return null;
}

/**
 * After trainer states were restored: custom data comes back as drawn points (2-D, at most 5
 * classes, on the drawing grid) or as a loaded file, and the dataset setting keeps its value.
 * @param before the page config before the restore; `state.nets` hold the restored nets' data
 */
export function adoptRestoredData(state, before) {
  const net = state.nets.find((n) => n.config?.data?.name === "custom" && n.data);
  if (!net) {
    if (state.cfg.data.name === "custom") state.cfg.data.name = before.data.name;
    return;
  }
  state.cfg.data = { ...before.data, test_fraction: state.cfg.data.test_fraction };
  const d = net.data;
  const n = d.y.length;
  const onGrid = d.d_in === 2 && d.classification && Array.from(d.x).every((v) => Math.abs(fromByte(toByte(v)) - v) < 1e-6)
    && Array.from(d.y).every((c) => c < MAX_DRAWN_CLASSES);
  if (onGrid) {
    const points = Array.from({ length: n }, (_, k) => ({ x: toByte(d.x[2 * k]), y: toByte(d.x[2 * k + 1]), c: d.y[k] }));
    state.cfg.view.source = "draw";
    setPoints(state, points);
  } else {
    state.cfg.view.source = "csv";
    own(state).csv = { name: "the restored data", restored: { x: d.x, y: d.y, d_in: d.d_in, n, n_train: d.n_train,
      classification: d.classification, classNames: null } };
  }
}
