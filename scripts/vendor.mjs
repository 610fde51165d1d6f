#!/usr/bin/env node
// Copies the browser files of uPlot (MIT) from node_modules into www/vendor/,
// so the page needs no bundler and no node_modules at run time.
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
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
for (const f of ["uPlot.esm.js", "uPlot.min.css"]) copyFileSync(path.join(src, f), path.join(dst, f));
copyFileSync(path.join(root, "node_modules", "uplot", "LICENSE"), path.join(dst, "uPlot.LICENSE"));
console.log("vendor: copied uPlot.esm.js, uPlot.min.css and its LICENSE to www/vendor/");
