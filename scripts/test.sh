#!/usr/bin/env bash
# Install what is missing, build, run the whole test suite (unit + scenario + CLI tests).
#   scripts/test.sh             Release build in build/, every test but the `long` label
#                               (run those with: cd build && ctest -L long)
#   scripts/test.sh --sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
#                               (-O1: faster to compile than -O3), unit and scenario tests but
#                               the `tools` label (Python, Chromium and mpirun wrappers; tests/CMakeLists.txt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
if [ "${1:-}" = "--sanitize" ]; then
  # The Python module is left out: its tests run in the Release phase (it loads into /usr/bin/python3,
  # which is not built with the sanitizers).
  bash "$root/scripts/build.sh" "$root/build-asan" -DLIQSIM_SANITIZE=ON -DLIQSIM_BUILD_BENCH=OFF -DLIQSIM_PYTHON=OFF \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG"
  cd "$root/build-asan"
  ASAN_OPTIONS=detect_leaks=0 ctest -LE "long|tools" --output-on-failure -j "$(nproc)"
else
  bash "$root/scripts/build.sh" "$root/build"
  cd "$root/build"
  ctest --output-on-failure -j "$(nproc)" -LE long
fi
