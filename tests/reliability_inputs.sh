#!/usr/bin/env bash
# Every input of tests/data/reliability (scenarios that once crashed or hung liqsim, and fuzzed TOML)
# must either run to completion (exit 0, conservation residual 0) or be refused with exit 2 and a
# message naming the key, before anything is written. Never an abort, a signal or a hang.
# Usage: bash tests/reliability_inputs.sh path/to/liqsim
set -u
liqsim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
data=$(cd "$(dirname "$0")/data/reliability" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
for scenario in "$data"/*.toml; do
  name=$(basename "$scenario" .toml)
  out="$work/$name.h5"
  timeout 300 "$liqsim" run --scenario "$scenario" --out "$out" --quiet > "$work/out.txt" 2> "$work/err.txt"
  status=$?
  case $status in
    0)
      if ! grep -q "conservation residual 0 (exact)" "$work/out.txt"; then
        echo "FAIL: $name: exit 0 without an exact conservation residual" >&2
        failures=$((failures + 1))
      fi
      [[ -f $out ]] || { echo "FAIL: $name: exit 0 but no run file" >&2; failures=$((failures + 1)); }
      ;;
    2)
      if [[ -e $out ]] || ! grep -qE "problem|not|allowed" "$work/err.txt"; then
        echo "FAIL: $name: refused without a message, or left a file:" >&2
        cat "$work/err.txt" >&2
        failures=$((failures + 1))
      fi
      ;;
    *)
      echo "FAIL: $name: exit $status" >&2
      head -5 "$work/err.txt" >&2
      failures=$((failures + 1))
      ;;
  esac
  echo "$name: exit $status"
  ls "$work" | grep -q '\.tmp\.' && { echo "FAIL: $name left a temporary file" >&2; failures=$((failures + 1)); }
done
exit $((failures > 0))
