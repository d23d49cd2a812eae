#!/usr/bin/env bash
# analysis/compare_run_files.py on real run files: two runs of one scenario and seed are equal in every
# dataset and attribute (and in chunk shapes and filters); another seed differs, and an attribute left
# out with --ignore-attr is not compared. Usage: compare_run_files.sh LIQSIM_BINARY
set -uo pipefail
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"
compare=("/usr/bin/python3" "$root/analysis/compare_run_files.py")
for name in a b; do "$liqsim" run --preset small --seed 5 --out "$work/$name.h5" --quiet > /dev/null || exit 1; done
"$liqsim" run --preset small --seed 6 --out "$work/other.h5" --quiet > /dev/null || exit 1

"${compare[@]}" "$work/a.h5" "$work/b.h5" --storage > "$work/same.txt"
[[ $? -eq 0 ]] || { echo "same seed: not equal"; cat "$work/same.txt"; exit 1; }
grep -q "^equal: " "$work/same.txt" || { echo "same seed: no verdict"; exit 1; }

"${compare[@]}" "$work/a.h5" "$work/other.h5" > "$work/other.txt"
[[ $? -eq 1 ]] || { echo "other seed: not reported as different"; exit 1; }
grep -q "^/@seed: " "$work/other.txt" || { echo "other seed: the seed attribute is not named"; exit 1; }
grep -q "^/events/trades: " "$work/other.txt" || { echo "other seed: the trades are not named"; exit 1; }

# An attribute that differs on purpose can be left out; the rest is still compared.
"${compare[@]}" "$work/a.h5" "$work/other.h5" --ignore-attr /@seed > "$work/ignored.txt"
grep -q "^/@seed: " "$work/ignored.txt" && { echo "--ignore-attr: the seed is still compared"; exit 1; }
grep -q "^/events/trades: " "$work/ignored.txt" || { echo "--ignore-attr: the rest is no longer compared"; exit 1; }
echo "compare_run_files ok"
