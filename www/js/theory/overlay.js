// Says what the dotted theory line on each depth-profile chart is, or why a net has none.
import { NET_NAMES } from "../palette.js";
import { el } from "../ui/dom.js";
import { scaledToTop } from "../prep.js";

const CURVES = {
  fwd: { key: "act_mean_sq", values: "second_moment", reason: "second_moment_reason",
    what: "dotted: mean-field prediction of E[h_l²] at init (infinite width), averaged over the training inputs" },
  bwd: { key: "grad_rms", values: "grad_rms_relative", reason: "grad_reason",
    what: "dotted: mean-field shape of the gradient at init averaged over the training inputs (as the measured RMS averages over the batch), scaled to equal the measured init value at l = L" },
};

export function overlayNotes(state) {
  const boxes = {};
  for (const side of ["fwd", "bwd"]) {
    const after = document.querySelector(`#regime-${side}`);
    if (!after) return null;
    boxes[side] = el("p", { id: `theory-note-${side}`, class: "theory-note", "aria-live": "off" });
    after.after(boxes[side]);
  }
  let shown = "";

  function text(side) {
    const c = CURVES[side], v = state.cfg.view;
    if (v.theory === false) return "";
    if (v[side] !== c.key) return `theory: drawn for ${side === "fwd" ? "the second moment E[h²]" : "the RMS of dL/dh_l"} only`;
    const lines = [];
    let drawn = 0;
    state.nets.forEach((net, i) => {
      const t = net.theory;
      if (net.status !== "ready" || !t) return;
      // the backward curve is drawn only when it can be scaled to the init gradient at l = L
      // (profileData says on the chart when it cannot)
      if (t[c.values]) drawn += side === "fwd" || scaledToTop(t[c.values], net.initReport?.layers.grad_rms) ? 1 : 0;
      else lines.push(`theory for ${NET_NAMES[i]}: none, ${t[c.reason] || t.reason || "not covered"}`);
    });
    if (drawn) lines.unshift(c.what);
    return lines.join(". ") + (lines.length ? "." : "");
  }

  return {
    tick() {
      const t = { fwd: text("fwd"), bwd: text("bwd") };
      const sig = t.fwd + "|" + t.bwd;
      if (sig === shown) return;
      shown = sig;
      for (const side of ["fwd", "bwd"]) { boxes[side].textContent = t[side]; boxes[side].title = t[side]; boxes[side].hidden = !t[side]; }
    },
  };
}
