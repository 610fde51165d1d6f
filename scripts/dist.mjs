#!/usr/bin/env node
// Builds dist/: exactly the files a blog author copies to a static host, found by following the
// references from the entry points (no hand-kept list to rot):
//   www/embed.js      the <residual-lab> element
//   www/index.html    the page, for the iframe mode (index.html?embed=1&...), with its CSS and JS
//   www/article.html  "Why residual connections work": prose around seven <residual-lab> figures
//   the workers, pkg/'s .js and .wasm, vendor uPlot (and its MIT licence, which must travel with it)
//   www/experiments.html  the Experiments page, with its worker, pkg/experiments/ and the public
//                     module www/js/experiments.js (runExperiment)
// plus dist/embed.js, a one-line module that imports www/embed.js, so a post can say
//   <script type="module" src="https://example.org/residual-lab/embed.js"></script>
// JS is bundled and minified per entry point, and CSS minified, exactly as scripts/serve.mjs
// serves them (scripts/bundle.mjs); with MINIFY=0 the sources are copied as they are.
// Prints the size of the wasm, JS and CSS, raw and gzipped (node:zlib, level 9).
// Usage: node scripts/dist.mjs [out-dir]   (after scripts/build.sh; default out-dir: dist)
import { readFileSync, writeFileSync, mkdirSync, rmSync, existsSync, copyFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, MINIFY, ENTRIES, processed, served, bundle } from "./bundle.mjs";

const OUT = path.resolve(ROOT, process.argv[2] ?? "dist");
const ENTRY_FILES = ["www/embed.js", "www/index.html", "www/article.html", "www/experiments.html", "www/js/experiments.js"];
const EXTRA = ["www/vendor/uPlot.LICENSE", "www/vendor/papaparse.LICENSE"];

if (!existsSync(path.join(ROOT, "pkg/residual_lab_bg.wasm"))) {
  console.error("dist: pkg/ is not built; run scripts/build.sh first");
  process.exit(1);
}

// Static imports, re-exports, bare `import "x"` (inside a bundle these are bundled, except pkg/),
// and what stays a URL: dynamic import("x"), new URL("x", import.meta.url | BASE).
const STATIC_REFS = [
  /^\s*(?:import|export)\s[^"'`;]*?\sfrom\s*["']([^"']+)["']/gm,
  /^\s*import\s*["']([^"']+)["']/gm,
];
const URL_REFS = [
  /import\(\s*["']([^"']+)["']\s*\)/g,
  /new URL\(\s*["']([^"']+)["']\s*,\s*(?:import\.meta\.url|BASE)\s*\)/g,
];
const HTML_REFS = [/<(?:script|link)\b[^>]*?\s(?:src|href)="([^"]+)"/g];

/** The references (repository-relative) in source file `rel` that `res` find, minus external URLs. */
function refs(rel, res) {
  const text = readFileSync(path.join(ROOT, rel), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
    .replace(/<!--[\s\S]*?-->/g, "");
  const out = [];
  for (const re of res) {
    for (const m of text.matchAll(re)) {
      const ref = m[1];
      if (/^(?:[a-z]+:|\/\/|#)/i.test(ref)) continue; // data:, http:, absolute: not ours
      out.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), ref.split(/[?#]/)[0])));
    }
  }
  return out;
}

// Adds rel and everything it references to `seen`. A bundle entry's own references are those of
// every module bundled into it: its URLs, and its imports of pkg/ and www/vendor/ (never bundled).
async function visit(rel, seen) {
  if (seen.has(rel)) return;
  const abs = path.join(ROOT, rel);
  if (!existsSync(abs)) throw new Error(`dist: ${rel} is referenced but missing`);
  if (statSync(abs).isDirectory()) return; // new URL(".", import.meta.url): a base, not a file
  seen.add(rel);
  const ext = path.extname(rel);
  if (ext === ".html") {
    const html = processed(rel) ? (await served(rel)).text : readFileSync(abs, "utf8");
    for (const m of html.replace(/<!--[\s\S]*?-->/g, "").matchAll(HTML_REFS[0])) {
      if (/^(?:[a-z]+:|\/\/|#)/i.test(m[1])) continue;
      await visit(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1].split(/[?#]/)[0])), seen);
    }
  } else if ([".js", ".mjs"].includes(ext)) {
    if (MINIFY && rel.startsWith("www/") && !rel.startsWith("www/vendor/")) {
      if (!ENTRIES.includes(rel)) throw new Error(`dist: ${rel} is loaded by URL but is not a bundle entry (ENTRIES in scripts/bundle.mjs)`);
      for (const input of (await bundle(rel)).inputs) {
        const inRel = path.relative(ROOT, input).split(path.sep).join("/");
        for (const r of refs(inRel, URL_REFS)) await visit(r, seen);
        for (const r of refs(inRel, STATIC_REFS)) if (/^(?:pkg|www\/vendor)\//.test(r)) await visit(r, seen);
      }
    } else {
      for (const r of refs(rel, [...STATIC_REFS, ...URL_REFS])) await visit(r, seen);
    }
  }
}
const seen = new Set();
for (const e of [...ENTRY_FILES, ...EXTRA]) await visit(e, seen);
// What the page alone (www/index.html and everything it loads: modules, workers, CSS, wasm)
// downloads. There is no size budget (load time is what users feel: bench/first-chart.mjs).
const page = new Set();
await visit("www/index.html", page);

rmSync(OUT, { recursive: true, force: true });
for (const rel of [...seen].sort()) {
  mkdirSync(path.dirname(path.join(OUT, rel)), { recursive: true });
  if (processed(rel)) writeFileSync(path.join(OUT, rel), (await served(rel)).text);
  else copyFileSync(path.join(ROOT, rel), path.join(OUT, rel));
}
writeFileSync(path.join(OUT, "embed.js"), '// Residual Lab: <script type="module" src=".../embed.js"> defines <residual-lab>.\nimport "./www/embed.js";\n');
seen.add("embed.js");

const kinds = { wasm: [".wasm"], JS: [".js", ".mjs"], CSS: [".css"], HTML: [".html"] };
// Per kind [kind, files, raw bytes, gzipped bytes] of `files`, and the wasm + JS + CSS total.
function sizes(files) {
  const rows = [];
  let total = [0, 0];
  for (const [kind, exts] of Object.entries(kinds)) {
    let raw = 0, gz = 0, n = 0;
    for (const rel of files) {
      if (!exts.includes(path.extname(rel))) continue;
      const buf = readFileSync(path.join(OUT, rel));
      raw += buf.length;
      gz += gzipSync(buf, { level: 9 }).length;
      n++;
    }
    rows.push([kind, n, raw, gz]);
    if (kind !== "HTML") total = [total[0] + raw, total[1] + gz];
  }
  return { rows, total };
}
const kb = (b) => `${(b / 1024).toFixed(1)} KiB`.padStart(11);
const all = sizes(seen);
console.log(`dist: ${seen.size} files in ${path.relative(ROOT, OUT) || "."}/`);
for (const [kind, n, raw, gz] of all.rows) console.log(`  ${kind.padEnd(5)} ${String(n).padStart(3)} files ${kb(raw)} raw ${kb(gz)} gzipped`);
console.log(`  wasm + JS + CSS: ${kb(all.total[0])} raw ${kb(all.total[1])} gzipped`);
// A browser loads one of the two builds of the core (www/js/core.js): pkg/relaxed/ where it has
// relaxed SIMD, pkg/ otherwise. The page's size is the larger of the two downloads.
const relaxed = (rel) => rel.startsWith("pkg/relaxed/");
const plainPkg = (rel) => rel.startsWith("pkg/") && !relaxed(rel);
let g = 0;
for (const [build, files] of [["simd128", [...page].filter((r) => !relaxed(r))], ["relaxed-simd", [...page].filter((r) => !plainPkg(r))]]) {
  const pg = sizes(files);
  console.log(`page (www/index.html and all it loads) with the ${build} core: ${files.length} files`);
  for (const [kind, n, raw, gz] of pg.rows) console.log(`  ${kind.padEnd(5)} ${String(n).padStart(3)} files ${kb(raw)} raw ${kb(gz)} gzipped`);
  g = Math.max(g, pg.total[1]);
}
console.log(`page wasm+JS+CSS: ${(g / 1000).toFixed(1)} KB gzipped = ${(g / 1024).toFixed(1)} KiB (${g} bytes, the larger build)`);
