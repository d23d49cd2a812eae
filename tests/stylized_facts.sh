#!/usr/bin/env bash
# analysis/stylized_facts.py: its unit tests (known answers on synthetic series, real excerpts), then the
# command line on a real run file with the real-data excerpts of tests/data/stylized_facts (every output
# written, the model's rows present), then without h5py (a clear message, exit 2, nothing written).
# Usage: stylized_facts.sh LIQSIM_BINARY
set -u
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

/usr/bin/python3 "$root/tests/analysis/stylized_facts_test.py" || fail "unit tests of stylized_facts.py"

"$liqsim" run --preset small --out "$work/run.h5" --quiet >"$work/report.txt" || fail "liqsim run"
data=$root/tests/data/stylized_facts
/usr/bin/python3 "$root/analysis/stylized_facts.py" "model=$work/run.h5" \
  --kline "ETH=$root/examples/data/binance_um_ETHUSDT_1m_close_2020-03-12.csv" \
  --book-depth "$data/binance_um_BTCUSDT_bookDepth_2025-10-10_excerpt.csv" --book-depth-until 15:30:00 \
  --funding "BTC=$data/binance_um_BTCUSDT_fundingRate_2020-03.csv" -o "$work/facts" >"$work/stdout.txt" 2>&1 ||
  fail "stylized_facts.py exited $?: $(cat "$work/stdout.txt")"
for suffix in md csv png; do
  [[ -s $work/facts.$suffix ]] || fail "facts.$suffix missing or empty"
done
head -c 8 "$work/facts.png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' || fail "facts.png is not a PNG"
size=$(stat -c %s "$work/facts.png" 2>/dev/null || echo 0)
[[ $size -gt 50000 ]] || fail "facts.png too small ($size bytes)"
# The small preset runs 2 hours recorded every 10 s: 120 one-minute returns of each price series.
for series in mark index reference; do
  grep -q "^returns,model,$series,60,returns,120$" "$work/facts.csv" || fail "no 120 one-minute $series returns"
done
grep -q "^returns,model,mid,60,excess_kurtosis," "$work/facts.csv" || fail "no kurtosis of the mid"
# /venue_timeseries records the whole profile: a finite share of open interest at every band and side,
# for the perpetual book (under the label) and its own rows for nothing else (small has no spot venues).
for side in bid ask; do
  for band in 0.5 1 2 5; do
    grep -Eq "^depth,model,$side,,share_of_oi_within_${band}pct,[0-9]" "$work/facts.csv" ||
      fail "no $band % $side depth share"
  done
done
grep -q "^depth,model venue" "$work/facts.csv" && fail "depth rows of a venue the run does not have"
# The book depth excerpt has no 0.5 % level: n/a there, not invented.
grep -q "^depth,bookDepth,bid,,coin_within_0.5pct,nan$" "$work/facts.csv" || fail "a real 0.5 % depth was invented"
grep -Eq "model +median [0-9.]+ USD/coin, [0-9.]+ bp of the mid \(perpetual book" "$work/stdout.txt" ||
  fail "spread of the perpetual book missing"
grep -q "^| ETH | close | 1m | 1799 |" "$work/facts.md" || fail "markdown row of the ETH closes missing"

# Without h5py: a clear message naming the Python to use and the packages, exit 2, nothing written.
mkdir "$work/stand-in" "$work/empty"
mkdir "$work/stand-in/h5py"
echo 'raise ModuleNotFoundError("No module named h5py (stand-in)", name="h5py")' >"$work/stand-in/h5py/__init__.py"
output=$(cd "$work/empty" && PYTHONPATH="$work/stand-in" /usr/bin/python3 "$root/analysis/stylized_facts.py" \
  "$work/run.h5" -o facts 2>&1)
status=$?
[[ $status -eq 2 ]] || fail "without h5py: exit $status, expected 2"
for pattern in "h5py" "/usr/bin/python3" "python3-h5py" "python3-pandas"; do
  [[ $output == *"$pattern"* ]] || fail "without h5py: output lacks '$pattern'"
done
[[ $output != *Traceback* ]] || fail "without h5py: a traceback was printed"
[[ -z $(ls -A "$work/empty") ]] || fail "without h5py: files were written"

cli_finish "stylized facts ok (png $size bytes)"
