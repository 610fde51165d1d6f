// Sizes a canvas for sharp drawing at the device pixel ratio; returns a context in CSS pixels.
export function fitCanvas(canvas, cssW, cssH) {
  const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  const w = Math.max(1, Math.round(cssW * dpr)), h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  // written only when they change: a style write, even of the same value, can cost a style pass
  const sw = `${cssW}px`, sh = `${cssH}px`;
  if (canvas.style.width !== sw) canvas.style.width = sw;
  if (canvas.style.height !== sh) canvas.style.height = sh;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w: cssW, h: cssH, dpr };
}

export const FONT = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";
export const INK = "#222";
export const MUTED = "#666";
