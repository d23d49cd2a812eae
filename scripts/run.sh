#!/usr/bin/env bash
# Quick start: install what is missing, build Release, run `liqsim run` (the embedded default scenario).
# Extra arguments go to `liqsim run`, e.g. scripts/run.sh --preset keeper --out keeper.h5
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" "$root/build"
exec "$root/build/liqsim" run "$@"
