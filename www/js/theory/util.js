// Small helpers shared by the theory panels.

/** True once every net is built (or failed to build). */
export const netsSettled = (state) => state.nets.every((n) => n.status !== "loading");

/** Watches el; returns () => whether it is on screen now. */
export function visibility(el) {
  let shown = false;
  new IntersectionObserver((es) => { for (const e of es) shown = e.isIntersecting; }).observe(el);
  return () => shown;
}
