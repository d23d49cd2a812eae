#!/usr/bin/env bash
# Configures and builds liqsim. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# The configure output goes to BUILD_DIR/configure.log (shown only when configuring fails).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
shift || true
mkdir -p "$build"
log="$build/configure.log"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" > "$log" 2>&1 ||
  { cat "$log"; exit 1; }
cmake --build "$build" -j "$(nproc)"
