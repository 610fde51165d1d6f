#!/usr/bin/env node
// Copies uPlot's browser files (MIT, pinned in package.json) from node_modules into www/vendor/,
// so the page needs no node_modules at run time: its ES module build as shipped
// (dist/uPlot.esm.js, with a /*! licence line that minifiers keep), its stylesheet and its licence.
import { copyFileSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = path.join(root, "node_modules", "uplot");
const dst = path.join(root, "www", "vendor");
if (!existsSync(pkgDir)) {
  console.error("vendor: node_modules/uplot is missing; run `npm ci` (or scripts/setup.sh) first");
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
mkdirSync(dst, { recursive: true });
writeFileSync(path.join(dst, "uPlot.esm.js"), `/*! uPlot v${version} (c) Leon Sorokin, MIT (uPlot.LICENSE), https://github.com/leeoniya/uPlot */\n`
  + readFileSync(path.join(pkgDir, "dist", "uPlot.esm.js"), "utf8"));
copyFileSync(path.join(pkgDir, "dist", "uPlot.min.css"), path.join(dst, "uPlot.min.css"));
copyFileSync(path.join(pkgDir, "LICENSE"), path.join(dst, "uPlot.LICENSE"));
console.log(`vendor: copied uPlot ${version} (uPlot.esm.js, uPlot.min.css, LICENSE) to www/vendor/`);
