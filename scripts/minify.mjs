// The page's JavaScript as it is served: each module minified on its own by esbuild (pinned in
// package.json), whitespace, comments and local names only; imports, exports and
// `new URL(.., import.meta.url)` stay as they are, so no bundling and no source maps.
// scripts/serve.mjs (what scripts/start.sh and the browser tests load) and scripts/dist.mjs
// (what a static host gets) both go through here, so the tests test what is shipped.
// `MINIFY=0 node scripts/serve.mjs` serves the sources unchanged, for debugging.
import { transformSync } from "esbuild";

export const MINIFY = process.env.MINIFY !== "0";

/** Whether the file (a path relative to the repository root, `/`-separated) is minified. */
export function minifiable(rel) {
  return MINIFY && /\.(?:m?js)$/.test(rel) && /^(?:www|pkg)\//.test(rel) && !rel.startsWith("www/vendor/");
}

/** `code` minified. */
export function minify(code) {
  return transformSync(code, { loader: "js", minify: true, legalComments: "inline" }).code;
}
