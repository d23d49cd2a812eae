#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each for SECONDS
# (default 30) from its seed corpus in fuzz/corpus/; new inputs go to a temporary folder, so the
# repository is not changed. Without clang++ and its libFuzzer runtime, says so and exits 0.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
if ! command -v clang++ > /dev/null || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, long) { return 0; }' |
    clang++ -x c++ -fsanitize=fuzzer - -o /dev/null 2> /dev/null; then
  echo "fuzz: clang++ with libFuzzer not found; fuzz targets skipped (Debian: clang, libclang-rt-14-dev)"
  exit 0
fi
build="$root/build-fuzz"
mkdir -p "$build"
# -O1: the instrumented build compiles faster than at -O3; short smoke runs lose little.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLIQSIM_FUZZ=ON \
  -DLIQSIM_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
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
