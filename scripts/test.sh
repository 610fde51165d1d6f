#!/usr/bin/env bash
# Runs every test: native cargo tests, the wasm-bindgen tests (Node and headless Chromium),
# the JS API tests under Node and the browser tests of the pages (playwright-core + Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
step() { printf '\n\033[1m[test] %s\033[0m\n' "$*"; }

step "native: cargo test"
cargo test --quiet

step "build pkg/"
scripts/build.sh

step "wasm-bindgen tests under Node"
cargo test --target wasm32-unknown-unknown --test wasm_api

step "wasm-bindgen tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --target wasm32-unknown-unknown --test wasm_api

step "JS API tests under Node (node --test tests/js)"
node --test --test-concurrency=1 tests/js/

step "PyTorch export against a numpy forward pass (tests/py)"
python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
python3 tests/py/test_pytorch_export.py

step "browser tests (node --test tests/browser)"
node --test --test-concurrency=1 tests/browser/
