#!/usr/bin/env bash
# Every example the docs show is valid as shipped: each scenario in examples/ passes `liqsim validate`,
# each sweep in examples/sweeps/ passes `liqsim sweep --dry-run` (which loads and validates every
# run's scenario, replay files included), each game in examples/games/ passes `liqsim game --dry-run`. Usage: examples_valid.sh LIQSIM_BINARY
set -euo pipefail
liqsim=$1
root=$(cd "$(dirname "$0")/.." && pwd)
count=0
for scenario in "$root"/examples/*.toml; do
  "$liqsim" validate "$scenario" > /dev/null || { echo "invalid example: $scenario"; exit 1; }
  count=$((count + 1))
done
for sweep in "$root"/examples/sweeps/*.toml; do
  "$liqsim" sweep "$sweep" --dry-run --jobs 2 > /dev/null || { echo "invalid example sweep: $sweep"; exit 1; }
  count=$((count + 1))
done
for game in "$root"/examples/games/*.toml; do
  "$liqsim" game "$game" --dry-run --out "$(mktemp -u).h5" > /dev/null || { echo "invalid example game: $game"; exit 1; }
  count=$((count + 1))
done
[ "$count" -ge 6 ] || { echo "expected at least 6 examples, found $count"; exit 1; }
echo "$count examples valid"
