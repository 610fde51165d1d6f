// The Experiments page: one card per experiment (cards/*.js), run on the core in Web Workers
// through runExperiment (../experiments.js). One experiment runs at a time; the others queue.
// #run=<id>[,<id>...]&size=<reduced|default|full> in the address runs them on load.
import { runExperiment, EXPERIMENT_IDS } from "../experiments.js";
import { CARDS } from "./cards/index.js";
import { Plot } from "./plot.js";
import { fmt } from "../format.js";

const $ = (sel, el = document) => el.querySelector(sel);
const el = (tag, attrs = {}, html = "") => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (html) e.innerHTML = html;
  return e;
};

/** The core's plain-text labels with their subscripts set ("ξ_c" -> ξ<sub>c</sub>). */
const label = (text) => text.replace(/([ξσ])_([a-z])/g, "$1<sub>$2</sub>");

/** A measured value for the findings table: "not reached" for Infinity (a step budget ran out). */
function shown(v) {
  if (v === Infinity) return "not reached";
  return fmt(v, 3);
}

const state = {}; // id -> { status, ms, summary, results, error }
let queue = Promise.resolve();

function buildCard(card) {
  const sec = el("section", { class: "xp", id: `xp-${card.id}`, "data-state": "idle" });
  sec.append(
    el("h2", {}, card.title),
    el("p", { class: "cite" }, card.cite),
    el("p", { class: "claim" }, `<b>The claim.</b> ${card.claim}`),
    el("p", { class: "setup" }, `<b>Here.</b> ${card.setup.default} <span class="full-note">${card.setup.full}</span>`),
  );
  const controls = el("div", { class: "controls" });
  const run = el("button", { class: "run", type: "button" }, "Run");
  const full = el("label", { class: "full" }, `<input type="checkbox"> full size`);
  const bar = el("progress", { max: "1", value: "0", "aria-label": `${card.title}: progress` });
  const status = el("span", { class: "status", role: "status", "aria-live": "polite" }, "");
  controls.append(run, full, bar, status);
  sec.append(controls);
  const findings = el("table", { class: "findings" });
  findings.hidden = true;
  sec.append(findings);
  const chartsBox = el("div", { class: "charts" });
  const charts = {};
  for (const c of card.charts) {
    const fig = el("figure", { class: `chart chart-${c.kind}` });
    fig.append(el("figcaption", {}, c.title));
    if (c.kind === "grid") {
      const canvas = el("canvas", { class: "grid", "data-chart": c.key });
      fig.append(canvas);
      charts[c.key] = canvas;
    } else if (c.kind === "multi") {
      const box = el("div", { class: "multi" });
      charts[c.key] = Array.from({ length: c.panels }, () => {
        const d = el("div", { class: "plot", "data-chart": c.key });
        box.append(d);
        return new Plot(d, c.opts);
      });
      fig.append(box);
    } else {
      const d = el("div", { class: "plot", "data-chart": c.key });
      fig.append(d);
      charts[c.key] = new Plot(d, c.opts);
    }
    chartsBox.append(fig);
  }
  sec.append(chartsBox);
  const verdict = el("p", { class: "verdict" });
  sec.append(verdict);
  const view = { charts, units: [] };
  const ui = { sec, run, full: $("input", full), bar, status, findings, verdict, view, card, controller: null, last: null, width: 0 };
  sec.__ui = ui;
  resized.observe(sec);
  run.addEventListener("click", () => (ui.controller ? ui.controller.abort() : start(ui)));
  return ui;
}

function setState(ui, s) {
  ui.sec.dataset.state = s;
  state[ui.card.id].status = s;
}

function draw(ui, results, summary) {
  if (!ui.view.units.length) return;
  ui.last = { results, summary };
  ui.card.draw(ui.view, results, summary);
}

// Canvas grids are drawn at their box's width: redraw a card when its width changes (uPlot
// charts resize themselves).
const resized = new ResizeObserver((entries) => {
  for (const e of entries) {
    const ui = e.target.__ui;
    if (ui?.last && ui.width !== e.contentRect.width) {
      ui.width = e.contentRect.width;
      requestAnimationFrame(() => ui.card.draw(ui.view, ui.last.results, ui.last.summary));
    }
  }
});

function showSummary(ui, summary, results) {
  const rows = ui.card.findings.map((k) => summary.findings.find((f) => f.key === k)).filter(Boolean);
  ui.findings.innerHTML = `<thead><tr><th></th><th>paper / theory</th><th>measured</th></tr></thead><tbody>${rows
    .map((f) => `<tr data-k="${f.key}" data-v="${f.measured}"><td>${label(f.label)}</td><td>${label(f.paper) || "–"}</td><td class="num">${shown(f.measured)}</td></tr>`)
    .join("")}</tbody>`;
  ui.findings.hidden = false;
  ui.verdict.innerHTML = ui.card.verdict(summary, results);
}

/** Queues a run of the card's experiment; resolves when it is over (done, cancelled or failed). */
function start(ui, size) {
  const id = ui.card.id;
  size ??= ui.full.checked ? "full" : "default";
  ui.controller = new AbortController();
  const { signal } = ui.controller;
  ui.run.textContent = "Cancel";
  setState(ui, "queued");
  ui.status.textContent = "waiting for the experiment before it";
  ui.bar.value = 0;
  const job = async () => {
    if (signal.aborted) return;
    setState(ui, "running");
    const t0 = performance.now();
    ui.status.textContent = "starting the workers";
    let frame = 0, latest = null;
    const repaint = () => {
      frame = 0;
      draw(ui, latest.results, null);
    };
    try {
      const out = await runExperiment(id, {
        size, signal,
        onProgress: (p) => {
          ui.view.units = p.units;
          ui.bar.value = p.fraction;
          ui.status.textContent = `${p.done} of ${p.units.length} units done · ${((performance.now() - t0) / 1000).toFixed(0)} s`;
          latest = p;
          if (!frame) frame = requestAnimationFrame(repaint);
        },
      });
      // a partial repaint still queued would draw over the final one
      if (frame) cancelAnimationFrame(frame);
      Object.assign(state[id], { ms: out.ms, summary: out.summary, results: out.results, size });
      draw(ui, out.results, out.summary);
      showSummary(ui, out.summary, out.results);
      ui.bar.value = 1;
      ui.status.textContent = `done in ${(out.ms / 1000).toFixed(1)} s (${size} size, ${out.units.length} units)`;
      ui.sec.dataset.ms = String(Math.round(out.ms));
      setState(ui, "done");
    } catch (e) {
      if (frame) cancelAnimationFrame(frame);
      if (e?.name === "AbortError") {
        ui.status.textContent = "cancelled";
        setState(ui, "cancelled");
      } else {
        ui.status.textContent = `failed: ${e?.message ?? e}`;
        state[id].error = String(e?.message ?? e);
        setState(ui, "error");
      }
    }
  };
  const done = queue.then(job).finally(() => {
    ui.controller = null;
    ui.run.textContent = "Run";
    if (ui.sec.dataset.state === "queued") { setState(ui, "cancelled"); ui.status.textContent = "cancelled"; }
  });
  queue = done;
  return done;
}

const uis = CARDS.map(buildCard);
const main = $("#cards");
for (const ui of uis) {
  state[ui.card.id] = { status: "idle" };
  main.append(ui.sec);
}
$("#run-all")?.addEventListener("click", () => { for (const ui of uis) if (!ui.controller) start(ui); });

// #run=lesions,shattered&size=reduced runs them on load
const params = new URLSearchParams(location.hash.slice(1));
const size = params.get("size") ?? undefined;
for (const id of (params.get("run") ?? "").split(",").filter((x) => EXPERIMENT_IDS.includes(x))) {
  start(uis.find((u) => u.card.id === id), size);
}

// For tests and the console: the cards' state and the API.
window.__experiments = { state, runExperiment, ids: EXPERIMENT_IDS };
