#!/usr/bin/env node
// Copies the browser libraries the page uses from node_modules into www/vendor/, so the page
// needs no node_modules at run time (versions pinned in package.json):
//   - uPlot (MIT): its ES module build as shipped (dist/uPlot.esm.js), its stylesheet and licence;
//   - Papa Parse (MIT; the CSV reader of www/js/data/csv.js): it ships CommonJS/UMD only, so
//     esbuild wraps it as one ES module whose default export is the Papa object, unchanged. The
//     page imports it only when a CSV file is read.
// Each file starts with a /*! licence line, which minifiers keep.
import { copyFileSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dst = path.join(root, "www", "vendor");
const fail = (msg) => { console.error(`vendor: ${msg}`); process.exit(1); };
/** node_modules/<name> and its version; fails when it is missing (run `npm ci`). */
function pkg(name) {
  const dir = path.join(root, "node_modules", name);
  if (!existsSync(dir)) fail(`node_modules/${name} is missing; run \`npm ci\` (or scripts/setup.sh) first`);
  return { dir, version: JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version };
}
mkdirSync(dst, { recursive: true });

const uplot = pkg("uplot");
writeFileSync(path.join(dst, "uPlot.esm.js"), `/*! uPlot v${uplot.version} (c) Leon Sorokin, MIT (uPlot.LICENSE), https://github.com/leeoniya/uPlot */\n`
  + readFileSync(path.join(uplot.dir, "dist", "uPlot.esm.js"), "utf8"));
copyFileSync(path.join(uplot.dir, "dist", "uPlot.min.css"), path.join(dst, "uPlot.min.css"));
copyFileSync(path.join(uplot.dir, "LICENSE"), path.join(dst, "uPlot.LICENSE"));

const papa = pkg("papaparse");
const papaEsm = buildSync({ stdin: { contents: 'export { default } from "papaparse";', resolveDir: root, loader: "js" }, bundle: true,
  format: "esm", minify: true, legalComments: "none", write: false, logLevel: "error" }).outputFiles[0].text;
writeFileSync(path.join(dst, "papaparse.esm.js"),
  `/*! Papa Parse v${papa.version} (c) Matthew Holt, MIT (papaparse.LICENSE), https://github.com/mholt/PapaParse; ES module by scripts/vendor.mjs */\n${papaEsm}`);
copyFileSync(path.join(papa.dir, "LICENSE"), path.join(dst, "papaparse.LICENSE"));
console.log(`vendor: uPlot ${uplot.version} and Papa Parse ${papa.version} written to www/vendor/`);
