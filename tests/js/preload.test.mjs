// www/index.html preloads every module of the page's static import graph
// (<link rel="modulepreload">), so the browser fetches them all at once instead of one import
// level after another. This test keeps the list complete as the modules change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../www");

/** Modules reachable from `entry` through static `import ... from "x"` / `import "x"`. */
function staticGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), spec));
    }
  };
  visit(entry);
  return [...seen].map((f) => path.relative(WWW, f).split(path.sep).join("/"));
}

test("index.html preloads every module main.js imports, and nothing else", () => {
  const html = readFileSync(path.join(WWW, "index.html"), "utf8");
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();
  const graph = staticGraph(path.join(WWW, "js/main.js")).sort();
  assert.ok(graph.length > 20, `graph: ${graph}`);
  assert.deepEqual(preloaded, graph);
});
