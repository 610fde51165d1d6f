// Creates every chart once and redraws the ones whose data changed (at most once per frame).
import { LineChart } from "./charts/linechart.js";
import { drawHeatmap, drawColorbar } from "./charts/heatmap.js";
import { drawBoundary } from "./charts/boundary.js";
import { drawFitCurve } from "./charts/fitcurve.js";
import { profileData, curveData, heatRange, regime, netLabel, targetRange, STAT_LABELS } from "./prep.js";
import { renderTable } from "./ui/table.js";
import { renderBanners } from "./ui/banners.js";
import { REGIME_COLORS, NET_NAMES, NET_COLORS } from "./palette.js";
import { el } from "./ui/dom.js";
import { fmt, fmtInt } from "./format.js";
import { chanceLevels, withChance } from "./data/chance.js";
import { createStrips } from "./ui/strips.js";

/**
 * @param state the one state object
 * @param root where the chart elements are (the page's document, or an embed's shadow root);
 *   charts whose elements are absent are skipped, so an embed shows only the ones it chose
 * @param opts { chartHeight?: px for the line charts (or profileHeight and curveHeight apart),
 *   theme?: { bg, ink, muted, grid } for dark hosts,
 *   dataView?: { render(size, theme) -> bool }: draws the boundary card for own data that needs
 *   another view (ui/dataview.js); false leaves the card to the decision boundary }
 */
export function createViews(state, root = document, opts = {}) {
  const $ = (sel) => root.querySelector(sel);
  const line = (sel, o) => ($(sel) ? new LineChart($(sel), { ...o, height: opts.chartHeight ?? o.height, theme: opts.theme }) : null);
  // a layer pointed at in one profile chart is marked in the other and in the network strips
  let strips = null;
  const onLayer = (from) => (x) => { for (const c of [fwd, bwd]) if (c && c !== from) c.highlight(x); strips?.highlight(x); };
  const fwd = line("#chart-fwd", { xLabel: "layer", yLabel: "", log: true, height: opts.profileHeight ?? 250, xInt: true, onCursor: (x) => onLayer(fwd)(x) });
  const bwd = line("#chart-bwd", { xLabel: "layer", yLabel: "", log: true, height: opts.profileHeight ?? 250, xInt: true, onCursor: (x) => onLayer(bwd)(x) });
  const loss = line("#chart-loss", { xLabel: "step", yLabel: "loss", log: true, height: opts.curveHeight ?? 220, xInt: true });
  const acc = line("#chart-acc", { xLabel: "step", yLabel: "accuracy", log: false, yRange: [0, 1], height: opts.curveHeight ?? 220, xInt: true });
  strips = createStrips(state, root, { theme: opts.theme, onLayer: (layer) => { fwd?.highlight(layer); bwd?.highlight(layer); } });
  const heat = [$("#heat-a"), $("#heat-b")];
  const bound = [$("#boundary-a"), $("#boundary-b")];
  const tables = [$("#table-a"), $("#table-b")];
  const details = $("#table-details");
  const setText = (sel, text) => { const e = $(sel); if (e && e.textContent !== text) e.textContent = text; };
  // Text that changes with every report (the step counter, the worker time, the regime lines)
  // is written at most every so often, the latest value last: each change of text lays out the
  // page again, 2 to 3.5 ms of main-thread time (style + layout, measured in a Chromium trace
  // while two nets train). `sig` says what the write shows; a write waiting for its time is kept
  // and done by flushWrites on a later frame.
  const writes = new Map(); // key -> { sig, at, pending: { sig, minMs, write } | null }
  function pacedWrite(key, sig, minMs, now, write) {
    let w = writes.get(key);
    if (!w) writes.set(key, (w = { sig: null, at: -1e9, pending: null }));
    if (sig === w.sig) { w.pending = null; return; }
    if (now - w.at < minMs) { w.pending = { sig, minMs, write }; return; }
    Object.assign(w, { sig, at: now, pending: null });
    write();
  }
  function flushWrites(now) {
    for (const [key, { pending: p }] of writes) if (p) pacedWrite(key, p.sig, p.minMs, now, p.write);
  }
  const LIVE_TEXT_MS = 250;
  const liveText = (sel, text, now) => pacedWrite(sel, text, LIVE_TEXT_MS, now, () => { const e = $(sel); if (e) e.textContent = text; });
  let lastTable = 0;
  const drawn = { regimes: {}, colorbar: "" }; // what is on screen, to skip identical redraws

  // Widths of the hand-drawn charts' boxes, read when they resize (reading clientWidth while
  // drawing would force a layout on every redraw); they redraw on resize too.
  const widths = new Map();
  const widthOf = (e) => widths.get(e) ?? (widths.set(e, e.clientWidth), e.clientWidth);
  const ro = new ResizeObserver((entries) => {
    for (const en of entries) if (widths.has(en.target)) widths.set(en.target, en.target.clientWidth);
    state.dirty.heat = true; state.dirty.boundary = true;
  });
  const heatBox = heat[0]?.parentElement, heatBox1 = heat[1]?.parentElement, barBox = $("#heat-bar")?.parentElement;
  const boundBox = $("#card-boundary .pair");
  for (const e of [$("#card-heat"), $("#card-boundary"), heatBox, heatBox1, barBox, boundBox]) if (e) { widthOf(e); ro.observe(e); }
  details?.addEventListener("toggle", () => { state.dirty.table = true; });

  // Charts out of view redraw at most once a second (and at once when they scroll into view);
  // the heatmaps, which redraw a whole history, at most 4 times a second when in view.
  // The strips redraw at most 10 times a second: a glance does not need more, and the frames
  // they leave free go to the profiles.
  const PACE = { profile: 0, strip: 100, curves: 0, heat: 250, boundary: 0 };
  const KINDS = Object.keys(PACE);
  const OUT_OF_VIEW_MS = 1000;
  const cardOf = { profile: [$("#chart-fwd"), $("#chart-bwd")], strip: [$("#strip-a")], curves: [$("#chart-loss"), $("#chart-acc")],
    heat: [heat[0]], boundary: [bound[0]] };
  const present = { profile: true, strip: !!strips, curves: true, heat: !!heat[0], boundary: !!bound[0] };
  const inView = new Map(); // card element -> boolean
  const cardsFor = {};
  const io = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver((entries) => {
    for (const en of entries) inView.set(en.target, en.isIntersecting);
  });
  for (const [k, els] of Object.entries(cardOf)) {
    cardsFor[k] = els.filter(Boolean).map((e) => e.closest("section") ?? e);
    for (const c of cardsFor[k]) { inView.set(c, true); io?.observe(c); }
  }
  const lastDraw = { profile: -1e9, strip: -1e9, curves: -1e9, heat: -1e9, boundary: -1e9 };
  const UNPACED_DRAWS = 3; // a fresh run's first draws (empty, first evaluation, first round) are not delayed
  let drawsGen = null;
  const draws = { profile: 0, strip: 0, curves: 0, heat: 0, boundary: 0 };
  /** Whether chart kind k's pace lets it draw now. */
  function paced(k, now) {
    const visible = !io || cardsFor[k].length === 0 || cardsFor[k].some((c) => inView.get(c));
    const wait = draws[k] < UNPACED_DRAWS ? 0 : visible ? PACE[k] : OUT_OF_VIEW_MS;
    return now - lastDraw[k] >= wait;
  }
  // At most one chart redraws per animation frame, and a pair (fwd and bwd, loss and accuracy)
  // over two frames: while two nets train the workers hold both cores, and a frame that redraws
  // two uPlot charts takes the main thread about 8 ms of CPU, which stretches past 16.7 ms when
  // it has to share a core. The chart whose new data has waited longest goes first, so a kind
  // with new data every frame cannot starve the others.
  const waiting = {}; // kind -> since when its new data waits for a frame
  const later = [];   // [since, draw]: the second chart of a pair

  /** The regime lines under a profile chart: for each net, the profile at init and, once it has
   *  trained, the profile now (the presets' sentences describe the nets at init; training moves
   *  the profiles). A new regime shows at once; the same regimes with new numbers at most every
   *  REGIME_TEXT_MS. */
  const REGIME_TEXT_MS = 500;
  // Reading a regime fits two shapes to a profile (prep.js): about 0.1 ms for 100 layers. The
  // init profiles are read once; the current ones at most every REGIME_READ_MS.
  const REGIME_READ_MS = 250;
  const readInit = new WeakMap(); // an init profile (Float32Array) -> its regime
  const readNow = {}; // box id -> { at, gen, out: [regime per net] }
  function regimes(box, key, backward, now) {
    if (!box) return;
    const found = [];
    const last = readNow[box.id];
    const fresh = !last || last.gen !== state.generation || last.key !== key || now - last.at >= REGIME_READ_MS;
    if (fresh) readNow[box.id] = { at: now, gen: state.generation, key, out: [] };
    state.nets.forEach((net, i) => {
      if (net.status !== "ready") return;
      const init = net.initReport?.layers?.[key], cur = net.latest?.layers?.[key];
      if (init) {
        if (!readInit.has(init)) readInit.set(init, regime(init, backward));
        found.push({ i, when: "at init", ...readInit.get(init) });
      }
      if (cur && net.latest !== net.initReport) {
        const out = readNow[box.id].out;
        if (fresh || !out[i]) out[i] = regime(cur, backward);
        found.push({ i, when: "now", ...out[i] });
      }
    });
    const tags = key + found.map((r) => `|${r.i}${r.when}${r.regime}`).join("");
    const sig = tags + found.map((r) => `|${r.text}`).join("");
    pacedWrite(box.id, sig, drawn.regimes[box.id] === tags ? REGIME_TEXT_MS : 0, now, () => {
      drawn.regimes[box.id] = tags;
      box.replaceChildren(...found.map((r) =>
        el("li", { class: "regime", "data-regime": r.regime, "data-when": r.when, "data-net": r.i,
          title: `${NET_NAMES[r.i]} ${r.when}: ${r.regime}, ${backward ? "toward layer 0, " : ""}${r.text}`,
          style: `--net:${NET_COLORS[r.i]};--reg:${REGIME_COLORS[r.regime]}` },
          el("span", { class: "swatch", "aria-hidden": "true" }),
          el("strong", { text: `${NET_NAMES[r.i]} ${r.when}: ` }),
          el("span", { class: "tag", text: r.regime }),
          document.createTextNode(` ${backward ? "toward layer 0, " : ""}${r.text}`))));
    });
  }

  function captions(now) {
    state.nets.forEach((net, i) => {
      const text = `${NET_NAMES[i]}: ${netLabel(state.cfg.nets[i])}`;
      for (const c of root.querySelectorAll(`.cap-${i}`)) if (c.textContent !== text) { c.textContent = text; c.title = text; }
    });
    const step = Math.max(0, ...state.nets.map((n) => n.latest?.step ?? 0));
    liveText("#step-count", `step ${fmtInt(step)}`, now);
    const ms = state.nets.map((n) => n.stepMs);
    const simd = state.nets.find((n) => n.simd)?.simd;
    const build = simd === "relaxed-simd" ? " (wasm, relaxed SIMD)" : simd ? " (wasm, simd128)" : "";
    liveText("#round-ms", `worker time per round: A ${fmt(ms[0], 2)} ms, B ${fmt(ms[1], 2)} ms${build}`, now);
  }

  function render(now) {
    const d = state.dirty;
    const v = state.cfg.view;
    if (drawsGen !== state.generation) {
      drawsGen = state.generation;
      for (const k of KINDS) { draws[k] = 0; delete waiting[k]; }
      later.length = 0;
    }
    for (const k of KINDS) if ((d[k] || (k === "strip" && d.profile)) && present[k]) waiting[k] ??= now;
    let pick = later.length ? "later" : null, since = later.length ? later[0][0] : Infinity;
    for (const k of KINDS) if (waiting[k] < since && paced(k, now)) { pick = k; since = waiting[k]; }
    // the first profile with data goes before anything else: it is the page's first chart
    if (state.perf.firstChartMs === null && waiting.profile != null && state.nets.some((n) => n.latest)) pick = "profile";
    const t0 = performance.now(), picked = pick;
    if (pick === "later") later.shift()[1]();
    else if (pick === "strip") { delete waiting.strip; lastDraw.strip = now; draws.strip++; strips.draw(); pick = null; }
    else if (pick) { delete waiting[pick]; lastDraw[pick] = now; draws[pick]++; }
    // the captions and step counter follow every report, whether the charts draw or not
    if (d.profile) captions(now);
    if (pick === "profile") {
      state.shown.fwd = profileData(state, v.fwd);
      state.shown.bwd = profileData(state, v.bwd);
      const shownBwd = state.shown.bwd;
      fwd?.setData(state.shown.fwd);
      if (bwd) later.push([now, () => bwd.setData(shownBwd)]);
      setText("#fwd-ylabel", `y: ${STAT_LABELS[v.fwd]} (log scale)`);
      setText("#bwd-ylabel", `y: ${STAT_LABELS[v.bwd]} (log scale)`);
      regimes($("#regime-fwd"), v.fwd, false, now);
      regimes($("#regime-bwd"), v.bwd, true, now);
      const warning = $("#weight-warning");
      if (warning && warning.hidden !== (v.bwd === "grad_rms")) warning.hidden = v.bwd === "grad_rms";
      if (state.perf.firstChartMs === null && state.nets.some((n) => n.latest)) state.perf.firstChartMs = now;
      // the first chart that moves: a profile after a training step (bench/first-chart.mjs)
      if (state.perf.firstMoveMs === null && state.nets.some((n) => n.latest?.step > 0)) state.perf.firstMoveMs = now;
    }
    flushWrites(now);
    if (pick === "curves") {
      // chance: the best score without looking at the input (data/chance.js), from the shared data
      const chance = chanceLevels(state.nets.find((n) => n.data)?.data);
      loss?.setData(withChance(curveData(state.hist, "loss"), chance?.loss, chance?.lossText));
      const accData = acc ? withChance(curveData(state.hist, "acc"), chance?.accuracy, chance?.accuracyText) : null;
      if (accData && state.nets.some((n) => n.data?.classification === false)) {
        accData.notes = [...(accData.notes ?? []), "regression data has no accuracy: the loss chart shows how well the nets fit (mean squared error)"];
      }
      if (acc) later.push([now, () => acc.setData(accData)]);
    }
    if (pick === "heat") {
      const [lo, hi] = heatRange(state.hist);
      state.nets.forEach((net, i) => drawHeatmap(heat[i], { cols: state.hist.heat[i], steps: state.hist.heatSteps, vmin: lo, vmax: hi,
        width: widthOf(heat[i].parentElement),
        height: opts.heatHeight, theme: opts.theme, empty: net.status === "error" ? "this net could not run" : undefined }));
      const bar = $("#heat-bar");
      const barSig = bar ? `${lo},${hi},${widthOf(bar.parentElement)}` : "";
      if (bar && drawn.colorbar !== barSig) {
        drawn.colorbar = barSig;
        drawColorbar(bar, lo, hi, "colour: log₁₀ RMS of dL/dh_l (same scale for both nets)", opts.theme, widthOf(bar.parentElement));
      }
    }
    if (pick === "boundary") {
      const size = Math.max(opts.minBoundary ?? 140, Math.min(opts.maxBoundary ?? 340, Math.floor((widthOf(boundBox) - 16) / 2)));
      // the data view sets the card's view, and draws it for own data (drawing, inputs that are not 2-D)
      const ownView = opts.dataView?.render(size, opts.theme);
      if (!ownView) state.nets.forEach((net, i) => {
        const data = net.data;
        const message = net.status === "error" ? "this net could not run" : !data ? "loading…" : undefined;
        if (data?.d_in === 1) {
          drawFitCurve(bound[i], { size, theme: opts.theme, color: NET_COLORS[i], data, bounds: net.bounds, message,
            curve: net.grid?.xs ? { xs: net.grid.xs, values: net.grid.values } : null, yRange: targetRange(data.y) });
          return;
        }
        drawBoundary(bound[i], {
          size, theme: opts.theme, grid: net.grid, classes: data?.classes ?? 2, classification: data?.classification, data, bounds: net.bounds,
          yRange: data && data.classification === false ? targetRange(data.y) : undefined, message,
        });
      });
    }
    if (d.table && details?.open && now - lastTable > 250) {
      lastTable = now;
      state.nets.forEach((net, i) => renderTable(tables[i], `Net ${NET_NAMES[i]}: ${netLabel(state.cfg.nets[i])}`, net.latest));
      d.table = false;
    }
    if (picked) { // the main thread's drawing time per kind of chart (stats for nerds): a moving average
      const ms = state.perf.drawMs ??= {};
      ms[picked] = 0.9 * (ms[picked] ?? 0) + 0.1 * (performance.now() - t0);
    }
    if (d.banner && $("#banners")) renderBanners($("#banners"), state);
    const keepTable = d.table;
    for (const k of Object.keys(d)) d[k] = false;
    d.table = keepTable && !!details?.open;
  }

  return { render };
}
