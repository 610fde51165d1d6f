// The page's choice of wasm build, passed to its workers in their names (see core.js):
// ?simd=plain in the page's URL makes them load the plain simd128 build.

const PLAIN = "simd=plain";

/** The name to start a worker with: `base`, plus " simd=plain" when the page asks for it. */
export function workerName(base) {
  const plain = typeof location !== "undefined" && new URLSearchParams(location.search).get("simd") === "plain";
  return plain ? `${base} ${PLAIN}` : base;
}

/** In a worker: whether its name asks for the plain build. */
export function plainRequested(name) {
  return (name ?? "").split(/\s+/).includes(PLAIN);
}
