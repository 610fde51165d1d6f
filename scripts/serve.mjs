#!/usr/bin/env node
// Tiny static server for Residual Lab: serves the repository root on 127.0.0.1, the page's
// JavaScript bundled and minified and its CSS minified, as scripts/dist.mjs ships them
// (scripts/bundle.mjs; MINIFY=0 to serve the sources).
//   node scripts/serve.mjs            -> http://127.0.0.1:8080/www/
//   PORT=0 node scripts/serve.mjs     -> a free port (the URL line says which)
import { createServer } from "node:http";
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { processed, served } from "./bundle.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number.parseInt(process.env.PORT ?? "8080", 10);
const HOST = "127.0.0.1";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** Maps a URL path to a file inside `base`, or null when it would leave `base`. */
function resolveInside(base, urlPath) {
  const file = path.resolve(base, "." + path.posix.normalize("/" + urlPath));
  return file === base || file.startsWith(base + path.sep) ? file : null;
}

function send(res, status, text) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

// Processed files (bundles, minified modules, the page) by path, kept while none of the files
// they are made of has changed (mtime and size).
const cache = new Map(); // rel -> Promise<{ body, stamps: Map(file -> "mtime:size") }>
const stamp = (file, since = Infinity) =>
  fs.stat(file).then((s) => (s.mtimeMs >= since ? "changed while building" : `${s.mtimeMs}:${s.size}`), () => "missing");
async function fresh(entry) {
  for (const [file, was] of entry.stamps) if ((await stamp(file)) !== was) return false;
  return true;
}
async function processedBody(rel) {
  const hit = cache.get(rel);
  if (hit && (await fresh(await hit))) return (await hit).body;
  const made = (async () => {
    const start = Date.now();
    const { text, inputs } = await served(rel);
    // a file changed during the build never matches its stamp: the next request builds again
    const stamps = new Map(await Promise.all(inputs.map(async (f) => [f, await stamp(f, start - 1000)])));
    return { body: Buffer.from(text), stamps };
  })();
  cache.set(rel, made);
  made.catch(() => cache.delete(rel));
  return (await made).body;
}

const server = createServer(async (req, res) => {
  // Any origin may load the lab (a blog embedding embed.js, its worker and the wasm): CORS for all.
  res.setHeader("access-control-allow-origin", "*");
  if (req.method === "OPTIONS") { res.writeHead(204, { "access-control-allow-methods": "GET, HEAD" }); return res.end(); }
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
  let urlPath;
  try {
    urlPath = decodeURIComponent(new URL(req.url, "http://x").pathname);
  } catch {
    return send(res, 400, "bad request\n");
  }
  if (urlPath.includes("\0")) return send(res, 400, "bad request\n");
  if (urlPath === "/") {
    res.writeHead(302, { location: "/www/" });
    return res.end();
  }
  let file = resolveInside(ROOT, urlPath);
  if (!file) return send(res, 403, "forbidden\n");
  try {
    let st = await fs.stat(file);
    if (st.isDirectory()) {
      if (!urlPath.endsWith("/")) {
        res.writeHead(301, { location: urlPath + "/" });
        return res.end();
      }
      file = path.join(file, "index.html");
      st = await fs.stat(file);
    }
    // Symlinks must not lead outside the root.
    const real = await fs.realpath(file);
    const root = await fs.realpath(ROOT);
    if (!(real === root || real.startsWith(root + path.sep))) return send(res, 403, "forbidden\n");
    const rel = path.relative(root, real).split(path.sep).join("/");
    let body = null;
    if (processed(rel)) {
      try {
        body = await processedBody(rel);
      } catch (e) {
        console.error(`serve: ${rel}: ${e.message}`);
        return send(res, 500, `could not build ${rel}: ${e.message}\n`);
      }
    }
    res.writeHead(200, {
      "content-type": MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream",
      "content-length": body ? body.length : st.size,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") return res.end();
    if (body) return res.end(body);
    createReadStream(file).pipe(res);
  } catch {
    send(res, 404, "not found\n");
  }
});

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`Residual Lab: http://${HOST}:${port}/www/`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
