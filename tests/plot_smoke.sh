#!/usr/bin/env bash
# The plot script turns a real run file into a non-trivial PNG. Usage: plot_smoke.sh LIQSIM_BINARY
set -euo pipefail
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"
"$liqsim" run --preset small --out "$work/run.h5" --quiet > "$work/report.txt"
/usr/bin/python3 "$root/analysis/plot_run.py" "$work/run.h5" -o "$work/run.png" > /dev/null
size=$(stat -c %s "$work/run.png")
# A PNG signature and more than a blank canvas.
head -c 8 "$work/run.png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' || { echo "not a PNG"; exit 1; }
[ "$size" -gt 50000 ] || { echo "PNG too small ($size bytes)"; exit 1; }
echo "plot ok ($size bytes)"
