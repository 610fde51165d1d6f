#!/usr/bin/env bash
# Builds pkg/ (the wasm module and its JS bindings, --target web) in release with simd128,
# pkg/relaxed/ (the same core with relaxed SIMD: fused multiply-adds in the matrix kernel),
# which the page loads instead where the browser has relaxed SIMD, and pkg/threads/ (relaxed,
# on shared memory, with a helper thread for the products; for cross-origin isolated pages). Both are optimized by npm
# binaryen's wasm-opt (Debian's binaryen 108 corrupts wasm-bindgen output).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
WASM_OPT_FEATURES=(--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# build <out dir> <cargo target dir> <extra wasm-opt flags...>
build() {
  local out=$1 dir=$2
  shift 2
  cargo build --quiet --lib --target wasm32-unknown-unknown --release --target-dir "$dir"
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
# pkg/threads/: the relaxed core on shared memory, with one helper thread for the matrix products
# (src/pool.rs; started by www/js/threads.js on a cross-origin isolated page). Shared memory needs
# std rebuilt with atomics (-Zbuild-std, rust-src; RUSTC_BOOTSTRAP lets stable rustc take the
# flag), and the linker told to import a shared memory and export the thread-local storage.
THREAD_LINK="-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296"
for sym in __wasm_init_tls __tls_size __tls_align __tls_base; do THREAD_LINK="$THREAD_LINK -C link-arg=--export=$sym"; done
RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd,+atomics,+bulk-memory,+mutable-globals $THREAD_LINK" \
  build pkg/threads "$TARGET_DIR/threads" --enable-relaxed-simd --enable-threads
rm -f pkg/threads/.gitignore pkg/threads/package.json

node scripts/pkg-json.mjs
node scripts/dist.mjs
echo "[build] pkg/ ready: $(du -h pkg/residual_lab_bg.wasm | cut -f1) wasm, pkg/relaxed/: $(du -h pkg/relaxed/residual_lab_bg.wasm | cut -f1), pkg/threads/: $(du -h pkg/threads/residual_lab_bg.wasm | cut -f1)"
