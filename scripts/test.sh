#!/usr/bin/env bash
# Install what is missing, build, run the whole test suite (unit + scenario + CLI tests).
#   scripts/test.sh             Release build in build/, every test but the `long` label
#                               (run those with: cd build && ctest -L long)
#   scripts/test.sh --sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#                               (-O1: faster to compile than -O3), unit and scenario tests but
#                               the `tools` label (Python, Chromium and mpirun wrappers; tests/CMakeLists.txt).
#                               With clang and libFuzzer installed the build is clang's and also holds the
#                               libFuzzer targets (LIQSIM_FUZZ), which scripts/fuzz.sh then runs without
#                               building the libraries a third time; otherwise g++'s (LIQSIM_SANITIZE).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
. "$root/scripts/clang_fuzzer.sh"
if [ "${1:-}" = "--sanitize" ]; then
  # The Python module is left out: its tests run in the Release phase (it loads into /usr/bin/python3,
  # which is not built with the sanitizers).
  sanitizer=(-DLIQSIM_SANITIZE=ON)
  if clang_fuzzer_available; then
    # LIQSIM_FUZZ compiles everything with ASan + UBSan (and the fuzzers' coverage hooks).
    sanitizer=(-DLIQSIM_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
  fi
  bash "$root/scripts/build.sh" "$root/build-asan" "${sanitizer[@]}" -DLIQSIM_BUILD_BENCH=OFF -DLIQSIM_PYTHON=OFF \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DLIQSIM_TEST_OPTIMIZATION=-O0
  cd "$root/build-asan"
  ASAN_OPTIONS=detect_leaks=0 ctest -LE "long|tools" --output-on-failure -j "$(nproc)"
else
  bash "$root/scripts/build.sh" "$root/build"
  cd "$root/build"
  ctest --output-on-failure -j "$(nproc)" -LE long
fi
