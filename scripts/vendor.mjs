#!/usr/bin/env node
// Writes the browser files of uPlot (MIT, pinned to 1.6.32 in package.json) and of Papa Parse
// (MIT, pinned to 5.7.1; the CSV reader of www/js/data/csv.js) from node_modules into
// www/vendor/, so the page needs no node_modules at run time.
//
// www/vendor/uPlot.esm.js is a trimmed build of the package's dist/uPlot.esm.js, minified by
// esbuild: the same `export default uPlot`, without what the lab never draws. uPlot's own source
// has build flags for exactly these (src/feats.js: FEAT_TIME, FEAT_JOIN, FEAT_PATHS_STEPPED,
// FEAT_PATHS_BARS, FEAT_PATHS_SPLINE), but the npm package ships only the built files, so the
// same cuts are made here as exact edits of dist/uPlot.esm.js, each of which must match once
// (a new uPlot version fails loudly here instead of building something else):
//   - time scales: no date formatting, time ticks or time legend values (a scale with
//     `time: true` is drawn as a plain number scale); uPlot.fmtDate and uPlot.tzDate are gone;
//   - uPlot.join (aligning several x columns) is gone;
//   - path builders: only uPlot.paths.linear and .points (the defaults) are left; stepped,
//     bars and spline are gone.
// One edit is not a cut: a legend cell is written only when its text changes.
// Line series on linear and log scales, points, the legend, the cursor, axes, uPlot.rangeLog and
// everything else of uPlot stay as they are. 18.2 KiB gzipped, against 21.5 for uPlot's own
// minified build (dist/uPlot.iife.min.js) of everything.
import { copyFileSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = path.join(root, "node_modules", "uplot");
const src = path.join(pkgDir, "dist");
const dst = path.join(root, "www", "vendor");
if (!existsSync(src)) {
  console.error("vendor: node_modules/uplot is missing; run `npm ci` (or scripts/setup.sh) first");
  process.exit(1);
}
const VERSION = "1.6.32";
const version = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
if (version !== VERSION) {
  console.error(`vendor: node_modules/uplot is ${version}; the edits below are written for ${VERSION}`);
  process.exit(1);
}

// Exact edits: [what, text, replacement]; cuts: [what, from, to] removes the text from the line
// `from` up to (not including) the line `to`.
const EDITS = [
  ["time: x scales are numbers by default", "const FEAT_TIME          = true;", "const FEAT_TIME          = false;"],
  ["time: no date formatters per plot",
    `	const _tzDate  = (opts.tzDate || (ts => new Date(round(ts / ms))));
	const _fmtDate = (opts.fmtDate || fmtDate);

	const _timeAxisSplits = (ms == 1 ? timeAxisSplitsMs(_tzDate) : timeAxisSplitsS(_tzDate));
	const _timeAxisVals   = timeAxisVals(_tzDate, timeAxisStamps((ms == 1 ? _timeAxisStampsMs : _timeAxisStampsS), _fmtDate));
	const _timeSeriesVal  = timeSeriesVal(_tzDate, timeSeriesStamp(_timeSeriesStamp, _fmtDate));
`, ""],
  ["time: legend values are numbers",
    `			let isTime = mode == 1 && scales[s.scale].time;

			let sv = s.value;
			s.value = isTime ? (isStr(sv) ? timeSeriesVal(_tzDate, timeSeriesStamp(sv, _fmtDate)) : sv || _timeSeriesVal) : sv || numSeriesVal;
			s.label = s.label || (isTime ? timeSeriesLabel : numSeriesLabel);`,
    `			s.value = s.value || numSeriesVal;
			s.label = s.label || numSeriesLabel;`],
  ["time: axes are numbers", "			let isTime = sc.time;\n\n			axis.size   = fnOrSelf(axis.size);", "			axis.size   = fnOrSelf(axis.size);"],
  ["time: axis increments are numbers", "(isTime ? (ms == 1 ? timeIncrsMs : timeIncrsS) : numIncrs)", "numIncrs"],
  ["time: axis splits are numbers", "(isTime && sc.distr == 1 ? _timeAxisSplits : sc.distr == 3", "(sc.distr == 3"],
  ["time: axis values are numbers",
    `				// temporal
				isTime ? (
					// config array of fmtDate string tpls
					isArr(av) ?
						timeAxisVals(_tzDate, timeAxisStamps(av, _fmtDate)) :
					// fmtDate string tpl
					isStr(av) ?
						timeAxisVal(_tzDate, av) :
					av || _timeAxisVals
				) : av || numAxisVals`, "				av || numAxisVals"],
  ["join and date formatting: not exported", "{\n\tuPlot.join = join;\n}\n\n{\n\tuPlot.fmtDate = fmtDate;\n\tuPlot.tzDate  = tzDate;\n}\n", ""],
  // a legend cell is written only when its text changes: uPlot writes every cell on every
  // setData, and each write makes the browser lay out the page again (the lab's charts show
  // "–" in the legend until hovered, so most writes change nothing)
  ["legend: write changed cells only", "legendCells[i][j++].firstChild.nodeValue = vals[k];",
    "{ const cell = legendCells[i][j++].firstChild; if (cell.nodeValue != vals[k]) cell.nodeValue = vals[k]; }"],
  ["paths: linear and points only",
    "\t(paths.stepped = stepped);\n\t(paths.bars    = bars);\n\t(paths.spline  = monotoneCubic);\n", ""],
];
const CUTS = [
  ["time: month and day names, fmtDate, tzDate", "const months = [", "//export const series = [];"],
  ["time: date templates and tick tables", 'const NL = "\\n";', "// base 2"],
  ["time: axis and legend formatters", "function timeAxisStamps(stampCfg, fmtDate) {", "function legendStroke(self, seriesIdx) {"],
];
// Names that must be gone from the trimmed build (none left behind, none still referenced).
const GONE = ["fmtDate", "tzDate", "_tzDate", "_fmtDate", "genTimeStuffs", "timeIncrsMs", "timeIncrsS", "timeAxisSplitsMs",
  "timeAxisSplitsS", "_timeAxisStampsMs", "_timeAxisStampsS", "_timeAxisSplits", "_timeAxisVals", "_timeSeriesVal",
  "timeAxisStamps", "timeAxisVals", "timeAxisVal", "timeSeriesStamp", "timeSeriesVal", "_timeSeriesStamp", "mkDate",
  "localTz", "engNames", "nullExpand", "stepped", "bars", "monotoneCubic", "splineInterp", "findColWidth"];

const fail = (msg) => { console.error(`vendor: ${msg}`); process.exit(1); };
const once = (code, text, what) => {
  const n = code.split(text).length - 1;
  if (n !== 1) fail(`"${what}" matches ${n} times in dist/uPlot.esm.js (must be once)`);
  return code.indexOf(text);
};
let code = readFileSync(path.join(src, "uPlot.esm.js"), "utf8");
for (const [what, from, to] of EDITS) {
  once(code, from, what);
  code = code.replace(from, () => to);
}
for (const [what, from, to] of CUTS) {
  const a = once(code, "\n" + from + "\n", what), b = once(code, "\n" + to + "\n", what);
  if (b < a) fail(`"${what}": the cut ends before it starts`);
  code = code.slice(0, a + 1) + code.slice(b + 1);
}
// Tree-shaken, not yet minified: every name in GONE must be absent (a name still used somewhere
// would stay as a reference to an undefined global).
const build = (minify) => buildSync({ stdin: { contents: code, loader: "js" }, bundle: true, format: "esm", minify,
  legalComments: "none", write: false, logLevel: "error" }).outputFiles[0].text;
const shaken = build(false);
for (const name of GONE) {
  if (new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(shaken)) fail(`the trimmed build still has ${name}`);
}
const min = build(true);
mkdirSync(dst, { recursive: true });
writeFileSync(path.join(dst, "uPlot.esm.js"),
  `/*! uPlot v${VERSION} (c) Leon Sorokin, MIT (uPlot.LICENSE), https://github.com/leeoniya/uPlot; trimmed by scripts/vendor.mjs */\n${min}`);
copyFileSync(path.join(src, "uPlot.min.css"), path.join(dst, "uPlot.min.css"));
copyFileSync(path.join(pkgDir, "LICENSE"), path.join(dst, "uPlot.LICENSE"));
console.log("vendor: wrote uPlot.esm.js (trimmed, minified), copied uPlot.min.css and its LICENSE to www/vendor/");

// Papa Parse ships CommonJS/UMD only: esbuild wraps it as one minified ES module whose default
// export is the Papa object, unchanged. The page imports it only when a CSV file is read.
const PAPA_VERSION = "5.7.1";
const papaDir = path.join(root, "node_modules", "papaparse");
const papaVersion = existsSync(papaDir) ? JSON.parse(readFileSync(path.join(papaDir, "package.json"), "utf8")).version : null;
if (papaVersion !== PAPA_VERSION) fail(`node_modules/papaparse is ${papaVersion ?? "missing"}; expected ${PAPA_VERSION} (run npm ci)`);
const papa = buildSync({ stdin: { contents: 'export { default } from "papaparse";', resolveDir: root, loader: "js" }, bundle: true,
  format: "esm", minify: true, legalComments: "none", write: false, logLevel: "error" }).outputFiles[0].text;
writeFileSync(path.join(dst, "papaparse.esm.js"),
  `/*! Papa Parse v${PAPA_VERSION} (c) Matthew Holt, MIT (papaparse.LICENSE), https://github.com/mholt/PapaParse; ES module by scripts/vendor.mjs */\n${papa}`);
copyFileSync(path.join(papaDir, "LICENSE"), path.join(dst, "papaparse.LICENSE"));
console.log("vendor: wrote papaparse.esm.js (minified ES module) and its LICENSE to www/vendor/");
