#!/usr/bin/env bash
# Installs what a fresh Debian + rustup + node machine lacks for building and testing
# Residual Lab. Idempotent: every step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)
: "${WASM_BINDGEN_VERSION:?could not read the pinned wasm-bindgen version from Cargo.toml}"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 10 minutes cold)"
  # --locked fails on this registry (its lockfile wants a webpki-roots it does not serve).
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --locked 2>/dev/null \
    || cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if [ "${SKIP_BROWSER:-0}" != 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  log "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Every devDependency of package.json present in node_modules, or npm ci.
if ! node -e 'const p = require("./package.json"); process.exit(Object.keys(p.devDependencies).every((d) => require("fs").existsSync(`node_modules/${d}/package.json`)) ? 0 : 1)'; then
  log "installing the npm dev tools (package.json: playwright-core, uplot, papaparse, esbuild, binaryen, typescript, axe-core)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
fi
# Real PyTorch for tests/py (the export's oracle), in a venv outside the repo: 2 min 15 s and
# 5.4 GB cold here (the default wheel; it runs on the CPU). RL_VENV may name an existing venv;
# the install is skipped when torch and numpy import there. SKIP_TORCH=1 skips it
# (scripts/start.sh: serving the page needs no torch).
RL_VENV="${RL_VENV:-$HOME/.cache/residual-lab/venv}"
if [ "${SKIP_TORCH:-0}" != 1 ] && ! "$RL_VENV/bin/python" -c "import torch, numpy" 2>/dev/null; then
  log "installing torch and numpy into $RL_VENV (about 2 minutes, 5.4 GB)"
  if [ ! -x "$RL_VENV/bin/python" ]; then
    mkdir -p "$(dirname "$RL_VENV")"
    if ! python3 -m venv "$RL_VENV" 2>/dev/null; then
      rm -rf "$RL_VENV"
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$RL_VENV"
    fi
  fi
  "$RL_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/py/requirements.txt
fi
log "tools ready"
