#!/usr/bin/env bash
# Builds pkg/ (the wasm module and its JS bindings, --target web) in release with simd128, and
# pkg/relaxed/ (the same core with relaxed SIMD: fused multiply-adds in the matrix kernel),
# which the page loads instead where the browser has relaxed SIMD; and pkg/experiments/, the
# core with the Experiments page's bindings (cargo feature `experiments`), simd128 only so its
# numbers are the native tests' bit for bit. All are optimized by npm binaryen's wasm-opt
# (Debian's binaryen 108 corrupts wasm-bindgen output). Stable Rust only.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
WASM_OPT_FEATURES=(--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# build <out dir> <cargo target dir> <extra wasm-opt flags...>   (CARGO_FEATURES: cargo --features)
build() {
  local out=$1 dir=$2
  shift 2
  cargo build --quiet --lib --target wasm32-unknown-unknown --release --target-dir "$dir" ${CARGO_FEATURES:+--features "$CARGO_FEATURES"}
  wasm-bindgen --target web --out-dir "$out" "$dir/wasm32-unknown-unknown/release/residual_lab.wasm"
  if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -O3 "${WASM_OPT_FEATURES[@]}" "$@" "$out/residual_lab_bg.wasm" -o "$out/residual_lab_bg.wasm"
  fi
}

# The default module: rustflags from .cargo/config.toml (+simd128).
build pkg "$TARGET_DIR"
# RUSTFLAGS replaces the config's rustflags, so simd128 is named again. A target dir of its
# own keeps the two builds from invalidating each other.
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" build pkg/relaxed "$TARGET_DIR/relaxed" --enable-relaxed-simd
rm -f pkg/relaxed/.gitignore pkg/relaxed/package.json
# Same rustflags and target dir as pkg/: cargo keeps both feature sets' artifacts, so only the
# crate itself is rebuilt for the feature.
CARGO_FEATURES=experiments build pkg/experiments "$TARGET_DIR"
rm -f pkg/experiments/.gitignore pkg/experiments/package.json

node scripts/pkg-json.mjs
node scripts/dist.mjs
echo "[build] pkg/ ready: $(du -h pkg/residual_lab_bg.wasm | cut -f1) wasm, pkg/relaxed/: $(du -h pkg/relaxed/residual_lab_bg.wasm | cut -f1), pkg/experiments/: $(du -h pkg/experiments/residual_lab_bg.wasm | cut -f1)"
