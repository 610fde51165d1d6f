#!/usr/bin/env node
// Copies the browser files of uPlot (MIT) from node_modules into www/vendor/,
// so the page needs no bundler and no node_modules at run time.
// www/vendor/uPlot.esm.js is uPlot's own minified build (dist/uPlot.iife.min.js, which defines
// `var uPlot`) plus an `export default uPlot`: the same module as dist/uPlot.esm.js, 22 instead
// of 41 KiB gzipped (the package ships no minified ESM build).
import { copyFileSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "node_modules", "uplot", "dist");
const dst = path.join(root, "www", "vendor");
if (!existsSync(src)) {
  console.error("vendor: node_modules/uplot is missing; run `npm ci` (or scripts/setup.sh) first");
  process.exit(1);
}
mkdirSync(dst, { recursive: true });
const iife = readFileSync(path.join(src, "uPlot.iife.min.js"), "utf8");
if (!/^var uPlot=function\(\)\{/m.test(iife)) {
  console.error("vendor: uPlot.iife.min.js no longer starts with `var uPlot=function(){`; check the ESM wrapper");
  process.exit(1);
}
writeFileSync(path.join(dst, "uPlot.esm.js"), iife.trimEnd() + "\nexport default uPlot;\n");
copyFileSync(path.join(src, "uPlot.min.css"), path.join(dst, "uPlot.min.css"));
copyFileSync(path.join(root, "node_modules", "uplot", "LICENSE"), path.join(dst, "uPlot.LICENSE"));
console.log("vendor: wrote uPlot.esm.js (minified), copied uPlot.min.css and its LICENSE to www/vendor/");
