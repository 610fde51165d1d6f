// The page's JavaScript as it is served: one minified esbuild bundle (format esm, pinned esbuild in
// package.json) per entry point, each at its entry's own URL, so the HTML, the workers'
// `new URL("./worker.js", import.meta.url)` and embed.js's address stay as they are.
// scripts/serve.mjs (what scripts/start.sh and the browser tests load) and scripts/dist.mjs
// (what a static host gets) both go through here, so the tests test what is shipped.
// `MINIFY=0 node scripts/serve.mjs` serves the sources unchanged (unbundled), for debugging.
//
// What a bundle leaves alone:
// - pkg/ (the wasm-bindgen module, also the public JS API) and www/vendor/ (uPlot, copied by
//   scripts/vendor.mjs and minified on its own here): imported as their own files, never inlined, so the page's
//   two workers share one download of pkg/, user code can import it, and the page and the embed
//   share uPlot (which also gzips smaller on its own than inside the page's bundle);
// - `new URL("x", import.meta.url)` (worker scripts, pkg/, the wasm, CSS): kept, with "x"
//   rewritten to be relative to the bundle's URL instead of the source module's (esbuild does
//   not rewrite these itself); a bundled module using import.meta in any other way is an error.
// Modules that are not entry points are still served (minified on their own) when asked for.
// Style sheets (www/**/*.css) are minified on their own.
import { build, transform } from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MINIFY = process.env.MINIFY !== "0";

/** Entry points (repository-relative): the page, its two workers, the docs page, the embed, the
 * article, and the Experiments page, its worker and its public module (www/js/experiments.js,
 * which user code imports on its own). */
export const ENTRIES = ["www/js/main.js", "www/js/worker.js", "www/js/theory/worker.js", "www/js/docs.js", "www/embed.js",
  "www/js/article.js", "www/js/experiments/page.js", "www/js/experiments/worker.js", "www/js/experiments.js"];

/** Directories whose modules stay separate files (see above). */
const EXTERNAL = [path.join(ROOT, "pkg") + path.sep, path.join(ROOT, "www", "vendor") + path.sep];
const external = (file) => EXTERNAL.some((dir) => file.startsWith(dir));
const posix = (p) => p.split(path.sep).join("/");

/** Whether `rel` (repository-relative, `/`-separated) is served processed rather than as is. */
export function processed(rel) {
  return MINIFY && (/^(?:www|pkg)\/.*\.m?js$/.test(rel) || /^www\/.*\.css$/.test(rel)
    || rel === "www/index.html");
}

/** `url` (relative to the module `from`) made relative to the directory `dir` of a bundle. */
function rebase(url, from, dir) {
  const target = path.resolve(path.dirname(from), url);
  let rel = posix(path.relative(dir, target)) || ".";
  if (!rel.startsWith(".")) rel = "./" + rel;
  if (url.endsWith("/") && !rel.endsWith("/")) rel += "/";
  return rel;
}

const NEW_URL = /new URL\(\s*(["'])([^"'`]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/** esbuild plugin: pkg/ and www/vendor/ stay external (at a path relative to the bundle), and
 * `new URL("x", import.meta.url)` is rebased onto the bundle's directory. */
function relocate(dir) {
  return {
    name: "relocate",
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const file = path.resolve(args.resolveDir, args.path);
        if (!external(file)) return null;
        let rel = posix(path.relative(dir, file));
        if (!rel.startsWith(".")) rel = "./" + rel;
        return { path: rel, external: true };
      });
      b.onLoad({ filter: /\.m?js$/ }, async (args) => {
        let code = await readFile(args.path, "utf8");
        if (path.dirname(args.path) !== dir) {
          code = code.replace(NEW_URL, (_, q, url) => `new URL(${JSON.stringify(rebase(url, args.path, dir))}, import.meta.url)`);
          const left = code.replace(NEW_URL, "");
          if (/import\.meta/.test(left.replace(/\/\/.*$/gm, ""))) {
            throw new Error(`bundle: ${posix(path.relative(ROOT, args.path))} uses import.meta other than in new URL("..", import.meta.url); it would point at the bundle`);
          }
        }
        return { contents: code, loader: "js" };
      });
    },
  };
}

/** The bundle of entry point `rel`, minified: { text, inputs } (inputs: the absolute paths of the
 * files bundled into it). */
export async function bundle(rel) {
  const file = path.join(ROOT, rel);
  const out = await build({
    entryPoints: [file], bundle: true, format: "esm", minify: true, write: false, metafile: true,
    legalComments: "inline", logLevel: "silent", plugins: [relocate(path.dirname(file))],
  });
  return { text: out.outputFiles[0].text, inputs: Object.keys(out.metafile.inputs).map((p) => path.resolve(ROOT, p)) };
}

/** The page's HTML with only the modulepreload links of modules that stay separate files
 * (uPlot): the others name modules that are inside main.js's bundle now, so they would only
 * download the sources for nothing. */
function pageHtml(html) {
  return html.replace(/^[ \t]*<link rel="modulepreload" href="([^"]*)">\r?\n/gm,
    (line, href) => (external(path.join(ROOT, "www", href)) ? line : ""));
}

/** What is served for `rel` when processed(rel) (a bundle, a module or a style sheet minified on
 * its own, or the page): { text, inputs } (inputs: the absolute paths of the files it is made of). */
export async function served(rel) {
  if (ENTRIES.includes(rel)) return bundle(rel);
  const file = path.join(ROOT, rel);
  const text = await readFile(file, "utf8");
  if (rel === "www/index.html") return { text: pageHtml(text), inputs: [file] };
  const loader = rel.endsWith(".css") ? "css" : "js";
  return { text: (await transform(text, { loader, minify: true, legalComments: "inline" })).code, inputs: [file] };
}
