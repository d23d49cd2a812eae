#!/usr/bin/env bash
# The sweep plot script on a real sweep file and two run files: a heatmap, a line plot and a cascade CCDF,
# each a non-trivial PNG; an unknown metric is refused naming the allowed ones. Usage: plot_sweep_smoke.sh LIQSIM_BINARY
set -euo pipefail
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"
cat > "$work/grid.toml" <<'TOML'
base = "small"
seeds = 2
set = { duration_seconds = 5400 }
[[axes]]
key = "traders.leverage.mean"
values = [4.0, 10.0]
[[axes]]
key = "market_makers.level_size"
values = [0.5, 2.0]
[[variants]]
name = "keeper"
set = { liquidation.mechanism = "keeper" }
TOML
"$liqsim" sweep "$work/grid.toml" --out "$work/grid.h5" --jobs 2 --quiet > /dev/null
"$liqsim" run --preset small --out "$work/engine.h5" --quiet > /dev/null
"$liqsim" run --preset small --set 'liquidation.mechanism="keeper"' --out "$work/keeper.h5" --quiet > /dev/null
/usr/bin/python3 "$root/analysis/plot_sweep.py" "$work/grid.h5" -o "$work/plots" --metric liquidated_notional \
  --band sd --runs "$work/engine.h5" "$work/keeper.h5" > "$work/written.txt"
for name in grid-heatmap-liquidated_notional grid-lines-liquidated_notional grid-cascades; do
  png="$work/plots/$name.png"
  grep -qx "$png" "$work/written.txt" || { echo "$png not reported as written"; exit 1; }
  head -c 8 "$png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' || { echo "$png: not a PNG"; exit 1; }
  size=$(stat -c %s "$png")
  [ "$size" -gt 20000 ] || { echo "$png too small ($size bytes)"; exit 1; }
done
# Without run files (the sweep keeps no events) there is no CCDF, and the script says so.
/usr/bin/python3 "$root/analysis/plot_sweep.py" "$work/grid.h5" -o "$work/bare" 2> "$work/bare.err" > /dev/null
[[ ! -e $work/bare/grid-cascades.png ]] || { echo "a CCDF without data"; exit 1; }
grep -q -- "--runs" "$work/bare.err" || { echo "no hint about --runs"; exit 1; }
if /usr/bin/python3 "$root/analysis/plot_sweep.py" "$work/grid.h5" -o "$work/bad" --metric notional 2> "$work/bad.err"; then
  echo "an unknown metric was accepted"; exit 1
fi
grep -q "not a summary field; allowed: .*liquidated_notional" "$work/bad.err" || { cat "$work/bad.err"; exit 1; }
echo "sweep plots ok"
