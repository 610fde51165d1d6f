// The decision-boundary card with one's own data: drawing points on it (a click adds a point
// of the chosen class, shift-click or the eraser removes the nearest one), and, for data that is
// not 2-D, the view that replaces the boundary: per net, the confusion matrix on the test split
// and a few misclassified digits, or predictions against targets for regression.
// views.js asks `render(size)` first; when it returns false the card draws the boundary as usual.
import { drawBoundary } from "../charts/boundary.js";
import { drawConfusion, drawImages } from "../charts/confusion.js";
import { drawPredVsTrue } from "../charts/predvstrue.js";
import { CLASS_COLORS, NET_NAMES } from "../palette.js";
import { POINTS_IN_LINK } from "../schema.js";
import { DRAW_BOUNDS, MAX_DRAWN_CLASSES, MAX_DRAWN_POINTS, nearestPoint, pointsData, toByte } from "../data/points.js";
import { currentPoints, setPoints, classNamesOf } from "../data/owndata.js";
import { el } from "./dom.js";
import { fmt, fmtInt } from "../format.js";

const ERASE_PX = 10;  // shift-click removes the nearest point within this many CSS pixels
const SETTLE_MS = 300; // the nets are rebuilt once clicks pause this long (each click redraws at once)
const MAX_WRONG = 6;  // misclassified digits shown per net

const TITLES = { boundary: "Decision boundary", curve: "Fitted curve", draw: "Decision boundary",
  classes: "Confusion matrix on the test split", regression: "Predictions on the test split" };
/** The explanation this module writes, per view (the plane views have theirs in the page). */
const OWN_TEXT = {
  draw: "The background colour is the class each net predicts at each point of the plane, paler where it is " +
    "unsure. The dots are your points: filled ones are trained on, ringed ones held out for the test (the test " +
    "fraction of them, picked by a fixed shuffle). Both nets train on the same points; they are rebuilt from the " +
    "seed when the points change. Up to 200 points are kept in the link; more only in an exported trainer state.",
  classes: "The inputs are not 2-D, so there is no plane to colour. Each square counts the test points of one true " +
    "class (row) that a net put in one class (column): the diagonal (blue) is right, the rest (vermillion) wrong, " +
    "shaded by their share of the row. For the digits, some of the test images a net got wrong are drawn below " +
    "its matrix, with the true digit and the net's answer.",
  regression: "The inputs are not 2-D, so there is no plane to colour. Each dot is a test point at its true target " +
    "(x) and the net's prediction (y); a perfect fit puts every dot on the dashed diagonal.",
};

/**
 * @param { state, root: the page (or shadow root), onChange(): the drawn points changed (the
 *   caller writes the link and rebuilds the nets) }
 */
export function createDataView({ state, root = document, onChange }) {
  const $ = (s) => root.querySelector(s);
  const card = $("#card-boundary");
  if (!card) return { render: () => false };
  const pair = card.querySelector(".pair");
  const title = $("#h-boundary");
  // The card's explanations of its two plane views (index.html: p.explain[data-for-view]; a card
  // with one paragraph has the boundary's only), and one this module writes for the others.
  const planeText = {
    boundary: card.querySelector(':scope > p.explain[data-for-view="boundary"]') ?? card.querySelector(":scope > p.explain"),
    curve: card.querySelector(':scope > p.explain[data-for-view="curve"]'),
  };
  const ownText = el("p", { class: "explain", hidden: true });
  (planeText.boundary ?? pair).after(ownText);
  const canvases = [$("#boundary-a"), $("#boundary-b")];
  let klass = 0, erasing = false;

  // --- drawing ---------------------------------------------------------------------------
  const classButtons = Array.from({ length: MAX_DRAWN_CLASSES }, (_, k) =>
    el("button", { type: "button", class: "small class-pick", "data-class": k, "aria-pressed": String(k === 0),
      style: `--swatch:${CLASS_COLORS[k]}`, text: `class ${k + 1}`, onclick: () => { klass = k; erasing = false; syncTools(); } }));
  const eraseBtn = el("button", { type: "button", class: "small", id: "btn-erase", "aria-pressed": "false", text: "Erase",
    title: "Click a point to remove it (shift-click does the same in any mode)", onclick: () => { erasing = !erasing; syncTools(); } });
  const clearBtn = el("button", { type: "button", class: "small", id: "btn-clear-points", text: "Clear",
    onclick: () => { if (currentPoints(state).length) { clearTimeout(settle); setPoints(state, []); onChange(); } } });
  const count = el("span", { class: "muted", id: "draw-count", "aria-live": "polite" });
  const tools = el("div", { class: "draw-tools", id: "draw-tools", role: "toolbar", "aria-label": "Drawing points", hidden: true },
    el("span", { class: "muted", text: "Click on either plane to add a point of:" }), ...classButtons, eraseBtn, clearBtn, count);
  card.insertBefore(tools, pair);

  function syncTools() {
    const drawing = state.cfg.view.source === "draw";
    if (tools.hidden === drawing) tools.hidden = !drawing;
    card.classList.toggle("drawing", drawing);
    classButtons.forEach((b, k) => b.setAttribute("aria-pressed", String(!erasing && k === klass)));
    eraseBtn.setAttribute("aria-pressed", String(erasing));
    if (!drawing) return;
    const n = currentPoints(state).length;
    const text = `${fmtInt(n)} point${n === 1 ? "" : "s"}${n > POINTS_IN_LINK ? ` (more than ${POINTS_IN_LINK}: not in the link; export the trainer state to keep them)` : ""}`;
    if (count.textContent !== text) count.textContent = text;
  }

  function onPointer(ev) {
    if (state.cfg.view.source !== "draw" || ev.button !== 0) return;
    const c = ev.currentTarget;
    const r = c.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) return;
    const [x0, x1, y0, y1] = DRAW_BOUNDS;
    const gx = toByte(x0 + ((ev.clientX - r.left) / r.width) * (x1 - x0));
    const gy = toByte(y1 - ((ev.clientY - r.top) / r.height) * (y1 - y0));
    const points = currentPoints(state).slice();
    if (erasing || ev.shiftKey) {
      const radius = (ERASE_PX / r.width) * (x1 - x0) * (255 / 2);
      const k = nearestPoint(points, gx, gy, radius);
      if (k < 0) return;
      points.splice(k, 1);
    } else {
      if (points.length >= MAX_DRAWN_POINTS) { count.textContent = `at most ${fmtInt(MAX_DRAWN_POINTS)} points`; return; }
      points.push({ x: gx, y: gy, c: klass });
    }
    ev.preventDefault();
    setPoints(state, points);
    syncTools();
    state.dirty.boundary = true;
    clearTimeout(settle);
    settle = setTimeout(onChange, SETTLE_MS);
  }
  let settle = null;
  for (const c of canvases) c?.addEventListener("pointerdown", onPointer);

  // --- the view for data that is not 2-D ---------------------------------------------------
  const figures = [0, 1].map((i) => {
    const main = el("canvas", { class: "dv-main", role: "img", "aria-label": `Test-set view of net ${NET_NAMES[i]}` });
    const stat = el("p", { class: "dv-stat", "aria-live": "off" });
    const images = el("canvas", { class: "dv-images", role: "img", "aria-label": `Misclassified test images, net ${NET_NAMES[i]}` });
    const fig = el("figure", {}, el("figcaption", { class: `cap cap-${i}` }), main, stat, images);
    return { fig, main, stat, images };
  });
  // in the page only while it is shown (the boundary's canvases are the card's otherwise)
  const view = el("div", { class: "pair dataview", id: "data-view" }, ...figures.map((f) => f.fig));

  let shownMode = null;
  function setMode(mode) { // "boundary" | "curve" (1-D regression) | "draw" | "classes" | "regression"
    if (mode === shownMode) return;
    shownMode = mode;
    const plane = mode === "boundary" || mode === "curve" || mode === "draw";
    if (plane) view.remove();
    else if (!view.isConnected) card.insertBefore(view, pair.nextSibling);
    pair.hidden = !plane;
    if (title) title.textContent = TITLES[mode];
    for (const [k, p] of Object.entries(planeText)) if (p) p.hidden = k !== mode;
    ownText.hidden = !OWN_TEXT[mode];
    ownText.textContent = OWN_TEXT[mode] ?? "";
    canvases.forEach((c, i) => c?.setAttribute("aria-label", `${mode === "curve" ? "Fitted curve" : "Decision boundary"} of net ${NET_NAMES[i]}`));
  }

  /** Value range of a dataset's inputs (the digits' blank and full pixels), cached per data. */
  const ranges = new WeakMap();
  function rangeOf(x) {
    let r = ranges.get(x);
    if (!r) {
      r = [Infinity, -Infinity];
      for (const v of x) { if (v < r[0]) r[0] = v; if (v > r[1]) r[1] = v; }
      ranges.set(x, r);
    }
    return r;
  }

  function drawNet(i, net, size, theme) {
    const f = figures[i];
    const d = net.data;
    const nTest = d.y.length / (d.classification ? 1 : d.classes) - d.n_train;
    const setStat = (t) => { if (f.stat.textContent !== t) f.stat.textContent = t; };
    if (!net.test || nTest <= 0) {
      drawConfusion(f.main, { size, counts: [], names: [], theme });
      setStat(nTest <= 0 ? "no test split (test fraction 0)" : "waiting for the first evaluation…");
      drawImages(f.images, { width: size, images: [], lo: 0, hi: 1, theme });
      return;
    }
    const out = net.test, K = d.classes;
    if (!d.classification) {
      const truth = Array.from({ length: nTest }, (_, k) => d.y[(d.n_train + k) * K]);
      const pred = Array.from({ length: nTest }, (_, k) => out[k * K]);
      drawPredVsTrue(f.main, { size, truth, pred, theme });
      const mse = truth.reduce((s, t, k) => s + (pred[k] - t) ** 2, 0) / nTest;
      setStat(`test MSE ${fmt(mse)} over ${fmtInt(nTest)} points${K > 1 ? " (first output)" : ""}`);
      f.images.hidden = true;
      return;
    }
    const counts = new Array(K * K).fill(0);
    const wrong = [];
    for (let k = 0; k < nTest; k++) {
      let best = 0;
      for (let c = 1; c < K; c++) if (out[k * K + c] > out[k * K + best]) best = c;
      const truth = d.y[d.n_train + k];
      counts[truth * K + best]++;
      if (best !== truth && wrong.length < MAX_WRONG) wrong.push({ row: d.n_train + k, truth, best });
    }
    const names = classNamesOf(state, net) ?? Array.from({ length: K }, (_, k) => String(k + 1));
    drawConfusion(f.main, { size, counts, names, theme });
    const right = counts.reduce((s, c, j) => s + (j % (K + 1) === 0 ? c : 0), 0);
    setStat(`${fmtInt(right)} of ${fmtInt(nTest)} test points right (${fmt((100 * right) / nTest, 3)}%)`);
    const digits = net.config?.data?.name === "digits" && d.d_in === 64;
    f.images.hidden = !digits;
    if (digits) {
      const [lo, hi] = rangeOf(d.x);
      const images = wrong.map((w) => ({ pixels: d.x.subarray(w.row * 64, w.row * 64 + 64), text: `${names[w.truth]} → ${names[w.best]}` }));
      drawImages(f.images, { width: size, images, lo, hi, theme, empty: "no misclassified test digit" });
    }
  }

  /** Draws the card when own data needs it; false leaves it to the boundary view. */
  function render(size, theme) {
    syncTools();
    const nets = state.nets;
    if (state.cfg.view.source === "draw") { drawPoints(size, theme); return true; }
    const waiting = nets.find((n) => n.status === "waiting");
    if (waiting) {
      setMode("boundary");
      canvases.forEach((c) => {
        if (!c) return;
        drawBoundary(c, { size, theme, grid: null, data: null, bounds: DRAW_BOUNDS, message: " " });
        hint(c, size, waiting.error, true);
      });
      return true;
    }
    // the same test as the worker's for sending test outputs (worker.js)
    const wide = nets.some((n) => n.status === "ready" && n.data && (n.data.d_in > 2 || (n.data.d_in === 1 && n.data.classification)));
    if (!wide) { setMode(nets.some((n) => n.data?.d_in === 1) ? "curve" : "boundary"); return false; }
    const regression = nets.some((n) => n.data && n.data.classification === false);
    setMode(regression ? "regression" : "classes");
    // the boundary's box is hidden now: size the view by its own width
    const w = view.clientWidth;
    if (w > 0) size = Math.max(140, Math.min(340, Math.floor((w - 16) / 2)));
    nets.forEach((net, i) => {
      if (net.status === "ready" && net.data) drawNet(i, net, size, theme);
      else {
        figures[i].stat.textContent = net.status === "error" ? "this net could not run" : "loading…";
        drawConfusion(figures[i].main, { size, counts: [], names: [], theme });
      }
    });
    return true;
  }

  /** Draw mode: the current points (the split the nets get) over each net's latest boundary, at
   *  once after a click, while the nets are rebuilt, and while there are too few to train on. */
  let drawn = { points: null, tf: null, data: null };
  function drawPoints(size, theme) {
    setMode("draw");
    const points = currentPoints(state);
    const tf = state.cfg.data.test_fraction;
    if (drawn.points !== points || drawn.tf !== tf) drawn = { points, tf, data: points.length ? pointsData(points, tf) : null };
    state.nets.forEach((net, i) => {
      const c = canvases[i];
      if (!c) return;
      const ready = net.status === "ready" && net.grid && net.data;
      drawBoundary(c, { size, theme, grid: ready ? net.grid : null, classes: ready ? net.data.classes : MAX_DRAWN_CLASSES,
        classification: true, data: drawn.data, bounds: DRAW_BOUNDS,
        message: net.status === "error" ? "this net could not run" : drawn.data ? undefined : " " });
      if (net.status === "waiting") hint(c, size, net.error, !drawn.data);
    });
  }

  /** What to do next, in two lines along the bottom of a plane (or in its middle when it is
   *  empty), and the plane's frame. */
  function hint(canvas, size, text, middle) {
    const ctx = canvas.getContext("2d");
    ctx.save();
    const top = middle ? size / 2 - 17 : size - 34;
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(1, top, size - 2, 33);
    ctx.fillStyle = "#444";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const lines = [""];
    for (const w of text.split(" ")) {
      const next = lines.at(-1) ? `${lines.at(-1)} ${w}` : w;
      if (ctx.measureText(next).width > size - 12 && lines.at(-1)) lines.push(w); else lines[lines.length - 1] = next;
    }
    lines.slice(0, 3).forEach((l, k) => ctx.fillText(l, size / 2, top + 9 + 14 * k - (lines.length > 2 ? 7 : 0)));
    ctx.strokeStyle = "#999";
    ctx.strokeRect(0.5, 0.5, size - 1, size - 1);
    ctx.restore();
  }

  return { render };
}
