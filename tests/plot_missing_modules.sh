#!/usr/bin/env bash
# The plot script under a Python without h5py (a stand-in module that fails to import comes first on
# PYTHONPATH): a clear message naming /usr/bin/python3 and the Debian packages, exit 2, no traceback.
# Usage: plot_missing_modules.sh
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/h5py"
echo 'raise ModuleNotFoundError("No module named h5py (stand-in)", name="h5py")' >"$work/h5py/__init__.py"
output=$(PYTHONPATH="$work" /usr/bin/python3 "$root/analysis/plot_run.py" "$work/run.h5" -o "$work/run.png" 2>&1)
status=$?
failures=0
fail() {
  echo "FAIL: $*; output:"$'\n'"$output" >&2
  failures=$((failures + 1))
}
[[ $status -eq 2 ]] || fail "exit $status, expected 2"
for pattern in "h5py" "/usr/bin/python3" "python3-h5py" "python3-matplotlib"; do
  [[ $output == *"$pattern"* ]] || fail "output lacks '$pattern'"
done
[[ $output != *Traceback* ]] || fail "a traceback was printed"
[[ ! -e $work/run.png ]] || fail "an image was written"
[[ $failures -eq 0 ]] || exit 1
echo "plot script without h5py: clear message, exit 2"
