#!/usr/bin/env bash
# Installs what is missing, builds pkg/ in release and serves the lab on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BROWSER=1 SKIP_TORCH=1 scripts/setup.sh
scripts/build.sh
exec node scripts/serve.mjs
