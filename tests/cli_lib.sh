# shellcheck shell=bash disable=SC2034  # a library: its variables are read by the tests that source it
# The harness of the command-line tests (tests/cli_*.sh and the other shell tests that run liqsim),
# sourced by each of them:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
#   cli_setup "$@"          # the one argument is path/to/liqsim
#   expect 2 "a case" "pattern" -- run --scenario bad.toml
#   cli_finish "every case passed"
#
# cli_setup sets $liqsim (the binary, absolute), $work (a new temporary folder, removed at exit, made the
# current folder), $root (the source tree) and $python (Debian's interpreter, with h5py and numpy).
# fail records a failure and goes on; cli_finish exits 1 after any failure, naming how many.
# A test that must undo something before $work is removed (a mount) defines cli_before_cleanup.

# The source tree, found from this file, before any cd.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=/usr/bin/python3
liqsim=""
work=""
failures=0
output=""

cli_cleanup() {
  if declare -F cli_before_cleanup >/dev/null; then cli_before_cleanup; fi
  if [[ -n $work ]]; then
    chmod -R u+w "$work" 2>/dev/null  # read-only folders made by a test
    rm -rf "$work"
  fi
}

# cli_setup PATH_TO_LIQSIM: checks the argument, makes $work and changes into it.
cli_setup() {
  if [[ $# -ne 1 || ! -x $1 ]]; then
    echo "usage: $0 path/to/liqsim" >&2
    exit 2
  fi
  liqsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  work=$(mktemp -d)
  trap cli_cleanup EXIT
  cd "$work" || exit 1
}

# fail MESSAGE: records a failure and prints it; the test goes on.
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect CODE NAME PATTERN... -- ARGS: runs liqsim ARGS, checks the exit code and that the combined
# output (kept in $output) contains every PATTERN (fixed strings). If the test defines
# `after_expect CODE NAME`, it runs after each case (further checks of the same case).
expect() {
  local code=$1 name=$2
  shift 2
  local patterns=()
  while [[ $1 != -- ]]; do
    patterns+=("$1")
    shift
  done
  shift
  local status
  output=$("$liqsim" "$@" 2>&1)
  status=$?
  if [[ $status -ne $code ]]; then
    fail "$name: exit $status, expected $code; output:"$'\n'"$output"
    return
  fi
  local pattern missing=0
  for pattern in "${patterns[@]}"; do
    if [[ $output != *"$pattern"* ]]; then
      fail "$name: output lacks '$pattern'; output:"$'\n'"$output"
      missing=1
    fi
  done
  if declare -F after_expect >/dev/null; then after_expect "$code" "$name"; fi
  [[ $missing -ne 0 ]] || echo "ok: $name"
}

# not_run NAME: the last expect's output shows that no run started (no report).
not_run() {
  [[ $output != *"conservation residual"* ]] || fail "$1: the run started before the problem was reported"
}

# no_h5_files NAME [ALLOWED...]: fails when $work holds an HDF5 file (or its temporary file or kept-tables
# folder) other than the ALLOWED names.
no_h5_files() {
  local name=$1
  shift
  local allowed=() file found
  for file in "$@"; do allowed+=(! -name "$file"); done
  found=$(find "$work" -name '*.h5*' "${allowed[@]}")
  [[ -z $found ]] || fail "$name: file(s) created: $found"
}

# no_temporary_files NAME [FOLDER]: fails when FOLDER ($work by default) holds a temporary output file.
no_temporary_files() {
  local found
  found=$(find "${2:-$work}" -name '*.tmp.*')
  [[ -z $found ]] || fail "$1: temporary file(s) left: $found"
}

# sweep_rows FILE: prints "<finished> <total>" rows of a sweep file's /metrics (readable while a sweep
# writes it).
sweep_rows() {
  "$python" - "$1" <<'EOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    status = f["metrics"]["status"]
    print(int((status != 0).sum()), len(status))
EOF
}

# cli_finish MESSAGE: exit 1 after any failure (naming how many), else prints MESSAGE.
cli_finish() {
  if ((failures > 0)); then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "$1"
}
