#!/usr/bin/env bash
# Builds pkg/ (the wasm module and its JS bindings, --target web) in release with simd128,
# optimized by npm binaryen's wasm-opt (Debian's binaryen 108 corrupts wasm-bindgen output).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --lib --target wasm32-unknown-unknown --release
wasm-bindgen --target web --out-dir pkg "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/residual_lab.wasm"
if [ -x node_modules/.bin/wasm-opt ]; then
  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    pkg/residual_lab_bg.wasm -o pkg/residual_lab_bg.wasm
fi
node scripts/pkg-json.mjs
node scripts/dist.mjs
echo "[build] pkg/ ready: $(du -h pkg/residual_lab_bg.wasm | cut -f1) wasm"
