// The page's layout: the settings panel (beside the charts on a wide screen, a sheet over them
// on a phone, where it starts closed), the chart heights that fit the first screen, and the
// reader's motion preference.

/** Whether the reader asked for reduced motion (then nothing starts moving by itself). */
export const reducedMotion = () => typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Below this width the settings are a sheet over the charts (style.css says the same); from
 *  it up they sit beside the charts, and are open at first from ROOMY up, where the charts
 *  keep enough room beside them (on a laptop the first screen belongs to the charts). */
const WIDE = "(min-width: 1000px)", ROOMY = "(min-width: 1500px)";

/**
 * Heights of the line charts so that, on a laptop screen (1280 x 720 and up), the strips and one
 * row of three charts (both depth profiles and the loss, style.css) fit on the first screen with
 * the header, the run bar and the preset line (tests/browser/firstminute.test.mjs checks it).
 * @returns { profileHeight, curveHeight } in CSS px
 */
export function chartHeights(vh, vw) {
  if (vw < 700) return { profileHeight: 190, curveHeight: 160 };
  const h = Math.round(Math.max(150, Math.min(300, 0.62 * vh - 230)));
  return { profileHeight: h, curveHeight: h };
}

/** The settings toggle (#btn-settings) opens and closes #settings; on a phone as a sheet with
 *  its own Close button, Escape closing it and the focus going back to the toggle. On a phone
 *  the run bar sits at the bottom of the screen, under the thumb, and the preset picker moves
 *  up to the line that says what to look for (it does not fit in the bar). */
export function initLayout() {
  const phone = matchMedia("(max-width: 700px)"), picker = document.getElementById("preset-box");
  const placePicker = () => {
    if (!picker) return;
    if (phone.matches) document.querySelector(".presetbar")?.prepend(picker);
    else document.getElementById("btn-reset")?.after(picker);
  };
  placePicker();
  phone.addEventListener("change", placePicker);
  const toggle = document.getElementById("btn-settings"), panel = document.getElementById("settings");
  const close = document.getElementById("btn-settings-close"), layout = document.getElementById("layout");
  if (!toggle || !panel) return;
  const wide = matchMedia(WIDE);
  const set = (open, focus) => {
    layout.classList.toggle("settings-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open && focus && !wide.matches) panel.querySelector("select, input, button")?.focus();
    if (!open && focus) toggle.focus();
  };
  set(matchMedia(ROOMY).matches, false);
  wide.addEventListener("change", () => set(wide.matches, false));
  toggle.addEventListener("click", () => set(!layout.classList.contains("settings-open"), true));
  close?.addEventListener("click", () => set(false, true));
  panel.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && !wide.matches) set(false, true); });
}
