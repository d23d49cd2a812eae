#!/usr/bin/env bash
# Every input of tests/data/reliability (scenarios that once crashed or hung liqsim, and fuzzed TOML)
# must either run to completion (exit 0, conservation residual 0) or be refused with exit 2 and a
# message naming the key, before anything is written. Never an abort, a signal or a hang.
# Usage: bash tests/reliability_inputs.sh path/to/liqsim
set -u
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"
data=$root/tests/data/reliability
for scenario in "$data"/*.toml; do
  name=$(basename "$scenario" .toml)
  out="$work/$name.h5"
  timeout 300 "$liqsim" run --scenario "$scenario" --out "$out" --quiet > "$work/out.txt" 2> "$work/err.txt"
  status=$?
  case $status in
    0)
      grep -q "conservation residual 0 (exact)" "$work/out.txt" ||
        fail "$name: exit 0 without an exact conservation residual"
      [[ -f $out ]] || fail "$name: exit 0 but no run file"
      ;;
    2)
      if [[ -e $out ]] || ! grep -qE "problem|not|allowed" "$work/err.txt"; then
        fail "$name: refused without a message, or left a file:"$'\n'"$(cat "$work/err.txt")"
      fi
      ;;
    *)
      fail "$name: exit $status"$'\n'"$(head -5 "$work/err.txt")"
      ;;
  esac
  echo "$name: exit $status"
  no_temporary_files "$name"
done
cli_finish "every reliability input ran to the end or was refused with exit 2"
