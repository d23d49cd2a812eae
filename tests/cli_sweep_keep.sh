#!/usr/bin/env bash
# `liqsim sweep` keeping run-file tables (`keep`): each run's /runs/<run> tables equal, dataset by
# dataset (values, types and attributes), those of `liqsim run` of the same scenario (the sweep's base
# scenario, the run's axis value and seed); the file is the same at --jobs 1 and 2; a sweep killed with
# SIGKILL midway resumes into the uninterrupted file, and SIGTERM leaves no temporary file; a folder of
# kept tables left by an earlier sweep is not reused without --resume or --force.
# Needs Debian's /usr/bin/python3 with h5py. Usage: bash tests/cli_sweep_keep.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

# 2 points x 12 seeds x 2 variants = 48 runs of the small preset, keeping the series and every event table.
cat >sweep.toml <<'EOF'
keep = ["timeseries", "events", "accounts"]
base = "small"
seeds = 12
seed = 3
set = { duration_seconds = 1200, "markets[0].shock.start_seconds" = 300, "traders.count" = 150, "traders.entry_end_seconds" = 200 }
[[axes]]
key = "traders.leverage.mean"
values = [8, 20]
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
EOF

"$liqsim" sweep sweep.toml --jobs 1 --out one.h5 --quiet >/dev/null || fail "sweep --jobs 1 failed"
"$liqsim" sweep sweep.toml --jobs 2 --out two.h5 --quiet >/dev/null || fail "sweep --jobs 2 failed"
cmp -s one.h5 two.h5 && echo "ok: --jobs 1 and --jobs 2 write the same file" || fail "--jobs 1 and --jobs 2 differ"
[[ -e one.h5.runs || -e two.h5.runs ]] && fail "the kept-tables folder was left after the sweep"

# Run 0 (point 0: leverage 8, seed index 0, base variant) and run 29 (point 1: leverage 20, seed index
# 2, variant no_liquidation) alone, from the sweep file's own base scenario.
"$python" - one.h5 >runs.txt <<'EOF' || fail "cannot read the run seeds"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    open("base.toml", "w").write(f.attrs["base_scenario_toml"])
    metrics = f["metrics"][:]
    for run in (0, 29):
        print(run, metrics["run_seed"][run], metrics["traders.leverage.mean"][run], metrics["variant"][run])
EOF
while read -r run seed leverage variant; do
  extra=()
  [[ $variant -eq 1 ]] && extra=(--set liquidation.mechanism=none)
  "$liqsim" run --scenario base.toml --seed "$seed" --set "traders.leverage.mean=$leverage" "${extra[@]}" \
    --out alone-$run.h5 --quiet >/dev/null || fail "liqsim run of run $run failed"
  "$python" - one.h5 "$run" alone-$run.h5 <<'EOF' || fail "run $run: kept tables differ from liqsim run's"
import sys, h5py, numpy as np
sweep, run, alone = h5py.File(sys.argv[1], "r"), sys.argv[2], h5py.File(sys.argv[3], "r")
group = sweep["runs/" + run]
kept = []
group.visititems(lambda name, o: kept.append(name) if isinstance(o, h5py.Dataset) else None)
expected = ["accounts"] + ["events/" + t for t in ("adl", "auctions", "blocks", "funding", "keeper_tx_queue", "keeper_txs", "liquidations", "mark_updates", "option_fills", "option_liquidations", "social_losses", "trades")]
expected += ["timeseries/" + c for c in alone["timeseries"]]
assert sorted(kept) == sorted(expected), (sorted(kept), sorted(expected))
rows = 0
for name in kept:
    a, b = group[name], alone[name]
    assert a.dtype == b.dtype and a.shape == b.shape, name
    assert np.array_equal(a[()], b[()]), name
    assert dict(a.attrs) == dict(b.attrs), name
    rows += a.shape[0]
assert "assets" not in group and "holdings" not in group  # not kept
assert group["events/trades"].shape[0] > 0 and rows > 1000
print(f"run {run}: {len(kept)} datasets, {rows} rows equal to liqsim run's")
EOF
done <runs.txt

# interrupt SIGNAL FILE: starts the sweep into FILE, sends SIGNAL once a few runs have kept their tables,
# prints the exit status.
interrupt() {
  local signal=$1 file=$2 pid
  "$liqsim" sweep sweep.toml --jobs 2 --out "$file" --quiet >/dev/null 2>"$file.stderr" &
  pid=$!
  for _ in $(seq 1 600); do
    if [[ -d $file.runs ]]; then
      [[ $(ls "$file.runs" | grep -c '^[0-9]*\.h5$') -ge 4 ]] && break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill "-$signal" "$pid" 2>/dev/null
  wait "$pid"
  echo $?
}

status=$(interrupt KILL killed.h5)
[[ $status -eq 137 ]] || echo "note: the sweep ended (status $status) before SIGKILL reached it" >&2
read -r finished total < <(sweep_rows killed.h5) || fail "SIGKILL: the file cannot be read"
echo "SIGKILL after $finished of $total runs"
"$liqsim" sweep sweep.toml --jobs 2 --out killed.h5 --resume --quiet >resume.out 2>&1 || fail "--resume after SIGKILL failed: $(cat resume.out)"
if cmp -s killed.h5 one.h5; then
  echo "ok: SIGKILL midway, then --resume, gives the uninterrupted file with its kept tables"
else
  fail "SIGKILL + --resume differs from the uninterrupted sweep"
fi
[[ -e killed.h5.runs ]] && fail "SIGKILL + --resume: the kept-tables folder was left"

status=$(interrupt TERM terminated.h5)
if [[ $status -eq 143 ]]; then
  left=$(ls terminated.h5.runs | grep -v '^[0-9]*\.h5$')
  [[ -z $left ]] || fail "SIGTERM: temporary files left: $left"
else
  echo "note: the sweep ended (status $status) before SIGTERM reached it" >&2
fi
ls terminated.h5.tmp.* >/dev/null 2>&1 && fail "SIGTERM: a temporary sweep file was left"

# A kept-tables folder left by an interrupted sweep: a new sweep refuses it (exit 2, nothing touched),
# --force starts over.
rm -f terminated.h5
[[ -d terminated.h5.runs ]] || mkdir terminated.h5.runs
"$liqsim" sweep sweep.toml --out terminated.h5 --quiet >/dev/null 2>refused.err
[[ $? -eq 2 ]] || fail "an existing kept-tables folder: status is not 2"
grep -q "terminated.h5.runs' exists" refused.err || fail "an existing kept-tables folder: $(cat refused.err)"
[[ -e terminated.h5 ]] && fail "an existing kept-tables folder: a file was written"
"$liqsim" sweep sweep.toml --jobs 2 --out terminated.h5 --force --quiet >/dev/null || fail "--force over a kept-tables folder failed"
cmp -s terminated.h5 one.h5 || fail "--force over a kept-tables folder: not the uninterrupted file"

cli_finish "kept tables are the runs' own, the same at any jobs, and survive SIGKILL and SIGTERM"
