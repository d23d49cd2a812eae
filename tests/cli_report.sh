#!/usr/bin/env bash
# `liqsim report` from the command line: bad input exits 2 with a message naming the problem and writes
# nothing (no report, no temporary file, an existing file untouched); --force and the default output
# name; a replay of absolute timestamps shows UTC times. Usage: cli_report.sh LIQSIM_BINARY
set -u
# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

"$liqsim" run --preset small --out "$work/run.h5" --quiet > /dev/null || { echo "run failed"; exit 1; }
echo "not hdf5" > "$work/text.h5"
/usr/bin/python3 -c "import h5py, sys; h5py.File(sys.argv[1], 'w').attrs['x'] = 1" "$work/other.h5"
echo "keep me" > "$work/exists.html"
mkdir "$work/readonly"
chmod a-w "$work/readonly"

# expect_refusal OUTPUT_FILE PATTERN ARGS...: exit 2, PATTERN in stderr, OUTPUT_FILE not created.
expect_refusal() {
  local output=$1 pattern=$2
  shift 2
  local stderr status
  stderr=$("$liqsim" report "$@" 2>&1 > /dev/null)
  status=$?
  [[ $status -eq 2 ]] || fail "report $*: exit $status, expected 2 ($stderr)"
  [[ $stderr == *"$pattern"* ]] || fail "report $*: message lacks '$pattern': $stderr"
  [[ -z $output || ! -e $output ]] || fail "report $*: $output was written"
}

expect_refusal "$work/a.html" "cannot open '$work/missing.h5'" "$work/missing.h5" -o "$work/a.html"
expect_refusal "$work/a.html" "is not an HDF5 file" "$work/text.h5" -o "$work/a.html"
expect_refusal "$work/a.html" "not a liqsim file" "$work/other.h5" -o "$work/a.html"
expect_refusal "" "the file exists; allowed: a new file, or --force" "$work/run.h5" -o "$work/exists.html"
[[ $(cat "$work/exists.html") == "keep me" ]] || fail "an existing output was changed without --force"
if [[ $(id -u) -ne 0 ]]; then  # root writes into a read-only folder anyway
  expect_refusal "$work/readonly/a.html" "'$work/readonly/a.html'" "$work/run.h5" -o "$work/readonly/a.html"
fi
expect_refusal "$work/nofolder/a.html" "'$work/nofolder/a.html'" "$work/run.h5" -o "$work/nofolder/a.html"
expect_refusal "" "is the input file" "$work/run.h5" -o "$work/run.h5" --force
expect_refusal "$work/a.html" "--metric and --axis apply to sweep files" "$work/run.h5" -o "$work/a.html" \
  --metric liquidated_notional

# A sweep: an unknown metric or axis names the value and the allowed ones.
cat > "$work/sweep.toml" <<'EOF'
base = "small"
[[axes]]
key = "traders.leverage.mean"
values = [4.0, 8.0]
EOF
"$liqsim" sweep "$work/sweep.toml" --out "$work/sweep.h5" --jobs 1 --quiet > /dev/null || fail "sweep failed"
expect_refusal "$work/b.html" "--metric 'notional' is not a summary field; allowed: events_processed," \
  "$work/sweep.h5" -o "$work/b.html" --metric notional
expect_refusal "$work/b.html" "--axis 'leverage' is not an axis of this sweep; allowed: traders.leverage.mean" \
  "$work/sweep.h5" -o "$work/b.html" --axis leverage

# --force replaces; without -o the page goes beside the input.
"$liqsim" report "$work/run.h5" -o "$work/exists.html" --force > /dev/null || fail "--force: exit $?"
grep -q '<svg class="plot"' "$work/exists.html" || fail "--force did not write the report"
"$liqsim" report "$work/sweep.h5" > /dev/null || fail "default output: exit $?"
[[ -s $work/sweep.html ]] || fail "default output sweep.html missing"

# A replay with epoch-millisecond timestamps: the run file stores its start, the report shows UTC.
"$liqsim" run --scenario "$root/examples/black_thursday_replay.toml" --set traders.count=200 \
  --set duration_seconds=3600 --set traders.entry_end_seconds=1800 --out "$work/replay.h5" --quiet > /dev/null ||
  fail "replay run failed"
start=$(/usr/bin/python3 -c "import h5py, sys; print(h5py.File(sys.argv[1])['/'].attrs['replay_start_seconds'])" \
  "$work/replay.h5")
[[ $start == 1583971200.0 ]] || fail "replay_start_seconds is '$start', expected 1583971200.0 (the CSV's first open_time)"
"$liqsim" report "$work/replay.h5" -o "$work/replay.html" > /dev/null || fail "replay report: exit $?"
grep -q '2020-03-12 00:00:00 UTC' "$work/replay.html" || fail "the replay report lacks its UTC start"
grep -q '2020-03-12 01:00:00 UTC' "$work/replay.html" || fail "the replay report lacks its UTC end"
grep -q 'time since start (s) and UTC' "$work/replay.html" || fail "the replay report's time axes lack UTC"
if grep -q "replay start" "$work/exists.html"; then fail "a model-price run shows a replay start"; fi

no_temporary_files "report"
cli_finish "report: bad input refused (exit 2, nothing written), --force, default name, replay in UTC"
