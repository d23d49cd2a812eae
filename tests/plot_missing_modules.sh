#!/usr/bin/env bash
# The plot scripts under a Python without h5py (a stand-in module that fails to import comes first on
# PYTHONPATH): a clear message naming /usr/bin/python3 and the Debian packages, exit 2, no traceback.
# Usage: plot_missing_modules.sh
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/h5py"
echo 'raise ModuleNotFoundError("No module named h5py (stand-in)", name="h5py")' >"$work/h5py/__init__.py"
failures=0
output=""
fail() {
  echo "FAIL: $*; output:"$'\n'"$output" >&2
  failures=$((failures + 1))
}
for script in plot_run plot_sweep; do
  output=$(PYTHONPATH="$work" /usr/bin/python3 "$root/analysis/$script.py" "$work/run.h5" -o "$work/out" 2>&1)
  status=$?
  [[ $status -eq 2 ]] || fail "$script: exit $status, expected 2"
  for pattern in "$script:" "h5py" "/usr/bin/python3" "python3-h5py" "python3-matplotlib"; do
    [[ $output == *"$pattern"* ]] || fail "$script: output lacks '$pattern'"
  done
  [[ $output != *Traceback* ]] || fail "$script: a traceback was printed"
  [[ ! -e $work/out ]] || fail "$script: an output was written"
done
[[ $failures -eq 0 ]] || exit 1
echo "plot scripts without h5py: clear message, exit 2"
