#!/usr/bin/env bash
# Runs every test: native cargo tests, the wasm-bindgen tests (Node and headless Chromium),
# the JS API tests under Node, the PyTorch export under real torch and the browser tests of the
# pages (playwright-core + Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export RL_VENV="${RL_VENV:-$HOME/.cache/residual-lab/venv}" # torch + numpy, made by setup.sh
scripts/setup.sh
step() { printf '\n\033[1m[test] %s\033[0m\n' "$*"; }

step "native: cargo test"
cargo test --quiet

step "build pkg/"
scripts/build.sh

step "wasm-bindgen tests under Node"
cargo test --target wasm32-unknown-unknown --test wasm_api --test wasm_state

step "wasm-bindgen tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --target wasm32-unknown-unknown --test wasm_api --test wasm_state

step "JS API tests under Node (node --test tests/js)"
node --test --test-concurrency=1 tests/js/

step "PyTorch export against real PyTorch (tests/py)"
"$RL_VENV/bin/python" tests/py/test_pytorch_export.py

step "browser tests (node --test tests/browser)"
node --test --test-concurrency=1 tests/browser/
