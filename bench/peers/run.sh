#!/usr/bin/env bash
# Peer benchmark wrapper: installs the pinned npm deps if missing, then runs.
# Usage: ./run.sh [run.mjs options]   e.g. ./run.sh | tee results-$(date +%F).txt
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi
# Residual Lab's own build (scripts/build.sh at the repo root) is served from page/lab/.
if [ ! -f ../../pkg/residual_lab_bg.wasm ]; then echo "build pkg/ first: scripts/build.sh" >&2; exit 1; fi
rm -rf page/lab && mkdir -p page/lab/relaxed && cp ../../pkg/residual_lab.js ../../pkg/residual_lab_bg.wasm page/lab/
cp ../../pkg/relaxed/residual_lab.js ../../pkg/relaxed/residual_lab_bg.wasm page/lab/relaxed/
exec node run.mjs "$@"
