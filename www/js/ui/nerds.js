// "Stats for nerds": the workers' time per round and the core's build (views.js writes those to
// #round-ms), and, while the box is open, the page's frame rate, its drawing time per frame and
// per kind of chart, training steps per second and the times to the first chart and the first
// trained step.
import { fmt, fmtInt } from "../format.js";

export function statsForNerds(state) {
  const box = document.getElementById("nerds"), out = document.getElementById("nerd-page");
  if (!box || !out) return null;
  let last = null;
  return {
    tick(now) {
      if (!box.open) { last = null; return; }
      const steps = Math.min(...state.nets.map((n) => n.latest?.step ?? 0));
      if (!last) { last = { now, frames: state.perf.frames, steps }; return; }
      if (now - last.now < 1000) return;
      const s = (now - last.now) / 1000;
      const p = state.perf;
      out.textContent = `page: ${fmt((p.frames - last.frames) / s, 3)} frames/s, ${fmt(p.renderMs, 2)} ms of drawing per frame; ` +
        `${fmt(Math.max(0, steps - last.steps) / s, 3)} training steps/s; first chart at ${p.firstChartMs == null ? "–" : `${fmtInt(p.firstChartMs)} ms`}, ` +
        `first trained step drawn at ${p.firstMoveMs == null ? "–" : `${fmtInt(p.firstMoveMs)} ms`} after the page began loading; ` +
        `main-thread time per chart drawn: ${Object.entries(p.drawMs ?? {}).map(([k, v]) => `${k === "later" ? "second of a pair" : k} ${fmt(v, 2)} ms`).join(", ")}`;
      last = { now, frames: p.frames, steps };
    },
  };
}
