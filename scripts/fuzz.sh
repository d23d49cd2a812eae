#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS
# (default 30) from its seed corpus in fuzz/corpus/; new inputs go to a temporary folder, so the
# repository is not changed. Without clang++ and its libFuzzer runtime, says so and exits 0.
# The targets are those of build-asan/ when scripts/test.sh --sanitize built it with clang (CI), else of
# a build of their own in build-fuzz/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
. "$root/scripts/clang_fuzzer.sh"
if ! clang_fuzzer_available; then
  echo "fuzz: clang++ with libFuzzer not found; fuzz targets skipped (Debian: clang, libclang-rt-14-dev)"
  exit 0
fi
# The sanitizer build of scripts/test.sh --sanitize holds the targets when clang built it; otherwise a
# build of its own.
build="$root/build-asan"
if ! grep -qs '^LIQSIM_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  build="$root/build-fuzz"
  mkdir -p "$build"
  # -O1: the instrumented build compiles faster than at -O3; short smoke runs lose little.
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIQSIM_FUZZ=ON \
    -DLIQSIM_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 1; }
fi
cmake --build "$build" -j "$(nproc)" --target fuzz_scenario_loader fuzz_sweep_plan fuzz_order_book
for target in scenario_loader sweep_plan order_book; do
  work=$(mktemp -d)
  echo "fuzz: $target for ${seconds} s"
  ASAN_OPTIONS=detect_leaks=0 "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/" "$work" "$root/fuzz/corpus/$target" 2>&1 | tail -4
  status=${PIPESTATUS[0]}
  if ((status != 0)); then
    echo "fuzz: $target found a failing input:" >&2
    ls "$work" | grep -E '^(crash|leak|timeout|oom)-' >&2
    exit 1
  fi
  rm -rf "$work"
done
