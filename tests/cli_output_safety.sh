#!/usr/bin/env bash
# The run file's safety under failures of the write: a full disk (exit 1 with the reason, no crash, no
# temporary file left), SIGTERM / SIGINT (exit 128 + signal, no temporary file left) and two runs
# writing the same --out (one wins, the other is refused and replaces nothing).
# Usage: bash tests/cli_output_safety.sh path/to/liqsim. The full-disk case mounts a 64 KiB tmpfs (root)
# and is skipped, with a note, where mounting is not permitted.
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
mounted=""
cli_before_cleanup() { [[ -z $mounted ]] || umount "$mounted"; }
cli_setup "$@"

# A full disk: the write fails, the reason is reported, the process exits 1 (it used to die of SIGSEGV
# in HDF5's exit handler with a half-written file still open), and the folder is left empty.
mkdir full
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
  mounted=$work/full
  output=$("$liqsim" run --preset small --out full/run.h5 --quiet 2>&1)
  status=$?
  if [[ $status -ne 1 ]]; then
    fail "full disk: exit $status, expected 1; output:"$'\n'"$output"
  elif [[ $output != *"No space left on device"* || $output != *"full/run.h5"* ]]; then
    fail "full disk: the message lacks the reason or the path; output:"$'\n'"$output"
  else
    echo "ok: full disk"
  fi
  [[ -z $(ls -A full) ]] || fail "full disk: files left: $(ls -A full)"
  umount full && mounted=""
else
  echo "skipped: full disk (cannot mount a tmpfs here)"
fi

# Signals. Job control on, so that background runs do not start with SIGINT ignored.
set -m
# interrupt SIGNAL NAME DELAY: starts a run, sends SIGNAL after DELAY seconds (mid-run), checks the exit
# status 128 + signal number and that no file is left.
interrupt() {
  local signal=$1 name=$2 delay=$3 expected
  expected=$((128 + $(kill -l "$signal")))
  "$liqsim" run --preset default --out "$name.h5" --quiet >/dev/null 2>&1 &
  local pid=$!
  sleep "$delay"
  kill "-$signal" "$pid"
  wait "$pid"
  local status=$?
  [[ $status -eq $expected ]] || fail "SIG$signal during the run: exit $status, expected $expected"
  no_temporary_files "SIG$signal during the run"
  [[ ! -e $name.h5 ]] || fail "SIG$signal during the run: a run file was written"
  [[ $status -ne $expected ]] || echo "ok: SIG$signal during the run (exit $status)"
}
interrupt TERM term 0.3
interrupt INT int 0.3

# SIGTERM while the temporary file exists, caught by watching the folder (the run file is streamed to
# it from the start of the run, so the window is the run itself); when it was not caught the run must
# simply succeed.
"$liqsim" run --preset default --out write.h5 --quiet >/dev/null 2>&1 &
pid=$!
caught=0
while kill -0 "$pid" 2>/dev/null; do
  if compgen -G 'write.h5.tmp.*' >/dev/null; then
    kill -TERM "$pid" 2>/dev/null && caught=1
    break
  fi
  sleep 0.002
done
wait "$pid"
status=$?
if [[ $caught -eq 1 && $status -eq 143 ]]; then
  no_temporary_files "SIGTERM during the write"
  [[ ! -e write.h5 ]] || fail "SIGTERM during the write: a run file was written"
  echo "ok: SIGTERM during the write"
elif [[ $status -eq 0 ]]; then
  no_temporary_files "run not interrupted during the write"
  [[ -s write.h5 ]] || fail "run not interrupted during the write: no run file"
  echo "ok: SIGTERM during the write (not caught in time; the run completed)"
else
  fail "SIGTERM during the write: exit $status (caught: $caught)"
fi
rm -f write.h5
set +m

# Two runs writing the same new --out at the same time: exactly one writes it; the other is refused
# without replacing it, whether it sees the file before writing or only at the final move (exit 1), or,
# on a busy machine, already before its run (exit 2).
"$liqsim" run --preset small --seed 1 --out same.h5 --quiet >one.txt 2>&1 &
one=$!
"$liqsim" run --preset small --seed 2 --out same.h5 --quiet >two.txt 2>&1 &
two=$!
wait "$one"
status_one=$?
wait "$two"
status_two=$?
statuses="$status_one $status_two"
if [[ $statuses != "0 1" && $statuses != "1 0" && $statuses != "0 2" && $statuses != "2 0" ]]; then
  fail "two runs, same --out: exits $statuses, expected one 0 and one 1 (or 2)"$'\n'"$(cat one.txt two.txt)"
else
  loser=$([[ $status_one -ne 0 ]] && echo one.txt || echo two.txt)
  grep -q -e "exists" -e "appeared" "$loser" || fail "two runs, same --out: the refusal does not say why: $(cat "$loser")"
  winner_seed=$([[ $status_one -eq 0 ]] && echo 1 || echo 2)
  # The file is the winner's: same bytes as a fresh run with the winner's seed.
  "$liqsim" run --preset small --seed "$winner_seed" --out check.h5 --quiet >/dev/null 2>&1
  cmp -s same.h5 check.h5 || fail "two runs, same --out: the file is not the successful run's"
  echo "ok: two runs, same --out"
fi
no_temporary_files "two runs, same --out"

cli_finish "all output safety checks passed"
