// The theory views: overlay notes on the depth profiles, the depth sweep, the Jacobian spectrum,
// the phase diagram and "What is true". Each panel is a small module with a tick(now, reset)
// called once per animation frame; panels whose elements are absent do nothing.
import { TheoryClient } from "./client.js";
import { overlayNotes } from "./overlay.js";
import { sweepPanel } from "./sweep.js";
import { spectrumPanel } from "./spectrum.js";
import { phasePanel } from "./phasepanel.js";
import { truthsPanel } from "./truths.js";

/**
 * @param ctx { state, sim, restart: () => Promise (rebuilds both nets from state.cfg, syncs the
 *   controls and the URL) }
 */
export function initTheory({ state, sim, restart }) {
  const client = new TheoryClient();
  const panels = [overlayNotes(state), sweepPanel(state, sim), spectrumPanel(state, sim),
    phasePanel(state, client, restart), truthsPanel(client)].filter(Boolean);
  let gen = null;
  function frame(now) {
    // The theory panels wait for the first chart: their worker would otherwise compile the
    // wasm module while the two nets' workers do, on a machine with two cores.
    if (state.perf.firstChartMs === null) { requestAnimationFrame(frame); return; }
    const reset = gen !== state.generation;
    gen = state.generation;
    for (const p of panels) p.tick(now, reset);
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}
