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
# A run with the options venue gets the options row: a taller figure than the run without it.
"$liqsim" run --preset options --set options.writers=60 --set duration_seconds=4500 --out "$work/options.h5" --quiet > /dev/null
/usr/bin/python3 "$root/analysis/plot_run.py" "$work/options.h5" -o "$work/options.png" > /dev/null
rows_plain=$(/usr/bin/python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print(struct.unpack('>I', d[20:24])[0])" "$work/run.png")
rows_options=$(/usr/bin/python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print(struct.unpack('>I', d[20:24])[0])" "$work/options.png")
[ "$rows_options" -gt "$rows_plain" ] || { echo "no options row ($rows_options px high, $rows_plain without)"; exit 1; }
echo "options plot ok ($rows_options px high)"
