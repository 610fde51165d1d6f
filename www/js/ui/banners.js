// Divergence / error banners per net, and the notice list (bad link values, bad attributes of
// an embed). Values typed into the controls are refused beside the control (ui/controls.js).
import { el } from "./dom.js";
import { NET_NAMES } from "../palette.js";

export function renderBanners(box, state) {
  const items = [];
  state.nets.forEach((net, i) => {
    const name = `Net ${NET_NAMES[i]}`;
    const d = net.latest?.diverged;
    if (net.status === "error") {
      items.push(el("div", { class: `banner error net-${i}`, role: "alert", "data-net": i },
        el("strong", { text: `${name} could not run: ` }), document.createTextNode(net.error ?? "unknown error")));
    } else if (d) {
      const depth = net.config?.model?.depth;
      const where = typeof d.layer !== "number" ? `the ${String(d.layer)}`
        : d.layer > depth ? "the head / loss" : d.layer === 0 ? "layer 0 (stem)" : `layer ${d.layer}`;
      items.push(el("div", { class: `banner diverged net-${i}`, role: "alert", "data-net": i },
        el("strong", { text: `${name} diverged at step ${d.step}, ${where}` }),
        document.createTextNode(`${d.what ? ` (non-finite ${d.what})` : ""}: NaN or Inf appeared and training stopped. ` +
          "Lower the learning rate or change the architecture, then Reset.")));
    }
  });
  box.replaceChildren(...items);
}

/** @param heading what the notices are about, e.g. "Some settings from the link were not used:" */
export function renderNotices(box, notices, onDismiss, heading = "Some settings from the link were not used:") {
  if (!notices.length) { box.replaceChildren(); return; }
  const list = el("ul");
  for (const n of notices.slice(0, 12)) list.append(el("li", { text: n }));
  if (notices.length > 12) list.append(el("li", { text: `… and ${notices.length - 12} more` }));
  box.replaceChildren(el("div", { class: "notice", role: "status" },
    el("strong", { text: heading }), list,
    el("button", { type: "button", class: "small", text: "Dismiss", onclick: onDismiss })));
}
