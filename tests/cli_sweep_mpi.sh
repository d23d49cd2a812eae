#!/usr/bin/env bash
# `liqsim sweep` under mpirun (Open MPI): the file of 2 ranks (with 1 and 2 jobs each) is byte for byte
# the file of --jobs 1 and --jobs 2 on threads, with and without kept tables; a bad sweep file ends every
# rank with exit 2 and writes nothing (no rank waits for another); --dry-run prints the plan once; rank 0
# killed with SIGKILL leaves a valid file that --resume completes into the uninterrupted one.
# Runs as root too (the CI does): Open MPI then needs OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM), set here.
# Usage: bash tests/cli_sweep_mpi.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"
if ! command -v mpirun >/dev/null; then
  echo "FAIL: mpirun not found (Debian: openmpi-bin, installed by scripts/install-deps.sh)" >&2
  exit 1
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Every launch is bounded: a rank waiting forever for another fails the test instead of hanging it.
mpi() { timeout 300 mpirun --oversubscribe -np "$@"; }
# The ranks' own folders for kept tables go here (the machine's temporary folder, TMPDIR): checked empty
# at the end.
mkdir "$work/tmp"
export TMPDIR=$work/tmp

# 2 points x 3 seeds x 2 variants = 12 short runs of the small preset.
cat >sweep.toml <<'EOF'
base = "small"
seeds = 3
seed = 9
set = { duration_seconds = 900, "markets[0].shock.start_seconds" = 300, "traders.count" = 100, "traders.entry_end_seconds" = 200 }
[[axes]]
key = "traders.leverage.mean"
values = [8, 20]
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
EOF
{ echo 'keep = ["timeseries", "events"]'; cat sweep.toml; } >kept.toml

for plan in sweep kept; do
  "$liqsim" sweep $plan.toml --jobs 1 --out $plan-j1.h5 --quiet >/dev/null || fail "$plan: --jobs 1 failed"
  "$liqsim" sweep $plan.toml --jobs 2 --out $plan-j2.h5 --quiet >/dev/null || fail "$plan: --jobs 2 failed"
  mpi 2 "$liqsim" sweep $plan.toml --jobs 1 --out $plan-np2.h5 --quiet >$plan-np2.out 2>&1 ||
    fail "$plan: mpirun -np 2 --jobs 1 failed (status $?): $(cat $plan-np2.out)"
  grep -q "on 2 MPI ranks with 1 job each" $plan-np2.out || fail "$plan: -np 2: no MPI summary line: $(cat $plan-np2.out)"
  mpi 2 "$liqsim" sweep $plan.toml --jobs 2 --out $plan-np2j2.h5 --quiet >/dev/null 2>&1 ||
    fail "$plan: mpirun -np 2 --jobs 2 failed"
  if cmp -s $plan-j1.h5 $plan-j2.h5 && cmp -s $plan-j1.h5 $plan-np2.h5 && cmp -s $plan-j1.h5 $plan-np2j2.h5; then
    echo "ok: $plan: --jobs 1, --jobs 2, -np 2 x 1 job and -np 2 x 2 jobs write the same bytes"
  else
    fail "$plan: the files of --jobs 1, --jobs 2 and mpirun -np 2 differ"
  fi
done
"$python" - kept-np2.h5 <<'EOF' || fail "-np 2 with kept tables: every run's tables expected in /runs"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert sorted(int(k) for k in f["runs"]) == list(range(12)), list(f["runs"])
    assert f["runs/4/events/trades"].shape[0] > 0
EOF
[[ -e kept-np2.h5.runs ]] && fail "-np 2: the kept-tables folder was left"

# A bad sweep file: every rank exits 2 (recorded per rank), nothing is written, nobody hangs.
{ cat sweep.toml; echo '[[axes]]'; echo 'key = "traders.levrage.mean"'; echo 'values = [5]'; } >bad.toml
rm -f rank.*
mpi 2 sh -c "\"$liqsim\" sweep bad.toml --out bad.h5 2>err.\$OMPI_COMM_WORLD_RANK; echo \$? >rank.\$OMPI_COMM_WORLD_RANK"
status=$?
[[ $status -eq 124 ]] && fail "bad sweep file: mpirun timed out (a rank waited for another)"
for r in 0 1; do
  [[ $(cat rank.$r 2>/dev/null) == 2 ]] || fail "bad sweep file: rank $r exited $(cat rank.$r 2>/dev/null), expected 2"
done
grep -q "traders.levrage" err.0 || fail "bad sweep file: rank 0 does not name the key: $(cat err.0)"
[[ -s err.1 ]] && fail "bad sweep file: rank 1 repeats rank 0's report: $(cat err.1)"
ls bad.h5* >/dev/null 2>&1 && fail "bad sweep file: something was written"
mpi 2 "$liqsim" sweep bad.toml --out bad.h5 >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "bad sweep file: mpirun's status is not 2"
mpi 2 "$liqsim" sweep sweep.toml --jobs 0 >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "--jobs 0 under mpirun: status is not 2"
echo "ok: a bad sweep file or option ends every rank with exit 2, nothing written"

# An existing output without --force or --resume: exit 2 on every rank, the file untouched.
cp sweep-j1.h5 exists.h5
mpi 2 "$liqsim" sweep sweep.toml --out exists.h5 >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "existing output under mpirun: status is not 2"
cmp -s exists.h5 sweep-j1.h5 || fail "existing output under mpirun: the file changed"

# --dry-run: the plan once (rank 0), nothing written.
mpi 2 "$liqsim" sweep kept.toml --dry-run --out dry.h5 >dry.out 2>&1 || fail "--dry-run under mpirun failed"
[[ $(grep -c "plan digest" dry.out) -eq 1 ]] || fail "--dry-run under mpirun: the plan printed $(grep -c "plan digest" dry.out) times"
ls dry.h5* >/dev/null 2>&1 && fail "--dry-run under mpirun wrote something"

# Rank 0 killed with SIGKILL midway: the file keeps what finished; --resume (on threads, or under
# mpirun again) completes it into the uninterrupted file. 2 points x 12 seeds x 2 variants = 48 runs.
sed 's/^seeds = 3$/seeds = 12/' kept.toml >long.toml
"$liqsim" sweep long.toml --jobs 2 --out long-j2.h5 --quiet >/dev/null || fail "long: --jobs 2 failed"
for resume in threads mpi; do
  out=killed-$resume.h5
  rm -f pid.*
  mpi 2 sh -c "echo \$\$ >pid.\$OMPI_COMM_WORLD_RANK; exec \"$liqsim\" sweep long.toml --jobs 1 --out $out --quiet" \
    >/dev/null 2>&1 &
  launcher=$!
  for _ in $(seq 1 600); do
    # Finished runs leave their kept-tables files beside the file (quicker to count than rows).
    if [[ -f pid.0 && -d $out.runs ]]; then
      [[ $(ls "$out.runs" | grep -c '^[0-9]*\.h5$') -ge 3 ]] && break
    fi
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$(cat pid.0)" 2>/dev/null || echo "note: the sweep ended before SIGKILL reached rank 0" >&2
  wait "$launcher"
  read -r finished total < <(sweep_rows "$out") || fail "SIGKILL ($resume): the file cannot be read"
  echo "SIGKILL of rank 0 after $finished of $total runs"
  if [[ $resume == threads ]]; then
    "$liqsim" sweep long.toml --jobs 2 --out $out --resume --quiet >resume.out 2>&1 || fail "--resume after SIGKILL failed: $(cat resume.out)"
  else
    mpi 2 "$liqsim" sweep long.toml --jobs 1 --out $out --resume --quiet >resume.out 2>&1 || fail "mpirun --resume after SIGKILL failed: $(cat resume.out)"
  fi
  if [[ ${finished:-0} -lt ${total:-0} ]]; then
    grep -q "were already done" resume.out || fail "--resume ($resume) after SIGKILL: $(cat resume.out)"
  else
    echo "note: every run had finished before SIGKILL ($resume)" >&2
  fi
  if cmp -s $out long-j2.h5; then
    echo "ok: rank 0 killed midway, then --resume ($resume), gives the uninterrupted file"
  else
    fail "SIGKILL + --resume ($resume) differs from the uninterrupted sweep"
  fi
  [[ -e $out.runs ]] && fail "SIGKILL + --resume ($resume): the kept-tables folder was left"
done

left=$(ls -A "$work/tmp")
[[ -z $left ]] || fail "ranks left files in the temporary folder: $left"

cli_finish "MPI sweeps write the threaded sweep's bytes, fail cleanly on bad input and resume after SIGKILL"
