#!/usr/bin/env bash
# `liqsim sweep` against interruptions: the file is the same at --jobs 1 and 2; a sweep killed with
# SIGKILL midway leaves a valid file whose finished rows are kept, and --resume completes it into the
# file an uninterrupted sweep writes (byte for byte); SIGTERM ends a sweep with status 143 after writing
# what finished. Needs Debian's /usr/bin/python3 with h5py (python3-h5py) to watch the file.
# Usage: bash tests/cli_sweep_resume.sh path/to/liqsim
set -u

# shellcheck source=tests/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
cli_setup "$@"

# 2 x 2 points x 3 seeds x 2 variants = 24 runs of the small preset (about 0.1 s each).
cat >sweep.toml <<'EOF'
base = "small"
seeds = 3
seed = 5
[[axes]]
key = "traders.leverage.mean"
values = [8, 20]
[[axes]]
key = "market_makers.level_size"
range = { from = 1, to = 4, steps = 2, scale = "log" }
[[variants]]
name = "no_liquidation"
set = { "liquidation.mechanism" = "none" }
EOF

# same_metrics A B: the /metrics tables are equal row for row, every run ok.
same_metrics() {
  "$python" - "$1" "$2" <<'EOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    ma, mb = a["metrics"][:], b["metrics"][:]
    ok = h5py.check_enum_dtype(ma.dtype["status"])["ok"]
    assert (ma["status"] == ok).all(), "a run is not ok"
    assert ma.dtype == mb.dtype and np.array_equal(ma, mb), "metrics differ"
    assert a.attrs["plan_digest"] == b.attrs["plan_digest"]
EOF
}

"$liqsim" sweep sweep.toml --jobs 1 --out one.h5 --quiet >/dev/null || fail "sweep --jobs 1 failed"
"$liqsim" sweep sweep.toml --jobs 2 --out two.h5 --quiet >/dev/null || fail "sweep --jobs 2 failed"
if cmp -s one.h5 two.h5 && same_metrics one.h5 two.h5; then
  echo "ok: --jobs 1 and --jobs 2 write the same file"
else
  fail "--jobs 1 and --jobs 2 differ"
fi

# interrupt SIGNAL FILE: starts a sweep into FILE, sends SIGNAL once a few runs are in the file (while
# others run) and prints the exit status.
interrupt() {
  local signal=$1 file=$2 pid status done_rows
  "$liqsim" sweep sweep.toml --jobs 2 --out "$file" --quiet >/dev/null 2>"$file.stderr" &
  pid=$!
  for _ in $(seq 1 600); do
    if [[ -f $file ]]; then
      done_rows=$(sweep_rows "$file" 2>/dev/null | cut -d' ' -f1)
      [[ ${done_rows:-0} -ge 4 ]] && break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill "-$signal" "$pid" 2>/dev/null
  wait "$pid"
  status=$?
  echo "$status"
}

status=$(interrupt KILL killed.h5)
[[ $status -eq 137 ]] || echo "note: the sweep ended (status $status) before SIGKILL reached it" >&2
read -r finished total < <(sweep_rows killed.h5) || fail "SIGKILL: the file cannot be read"
echo "SIGKILL after $finished of $total runs"
[[ ${finished:-0} -lt ${total:-0} || $status -ne 137 ]] || fail "SIGKILL: no run was pending"
ls killed.h5.tmp.* >/dev/null 2>&1 && fail "SIGKILL: a temporary file was left"
"$liqsim" sweep sweep.toml --jobs 2 --out killed.h5 --resume --quiet >resume.out || fail "--resume after SIGKILL failed"
grep -q "were already done" resume.out || fail "--resume after SIGKILL: $(cat resume.out)"
if cmp -s killed.h5 one.h5 && same_metrics killed.h5 one.h5; then
  echo "ok: SIGKILL midway, then --resume, gives the uninterrupted file"
else
  fail "SIGKILL + --resume differs from the uninterrupted sweep"
fi

status=$(interrupt TERM terminated.h5)
if [[ $status -eq 143 ]]; then
  grep -q -- "--resume runs the rest" terminated.h5.stderr || fail "SIGTERM: no resume hint: $(cat terminated.h5.stderr)"
else
  echo "note: the sweep ended (status $status) before SIGTERM reached it" >&2
fi
"$liqsim" sweep sweep.toml --jobs 1 --out terminated.h5 --resume --quiet >/dev/null || fail "--resume after SIGTERM failed"
if cmp -s terminated.h5 one.h5; then
  echo "ok: SIGTERM midway, then --resume, gives the uninterrupted file"
else
  fail "SIGTERM + --resume differs from the uninterrupted sweep"
fi

# A finished file: --resume has nothing to run.
"$liqsim" sweep sweep.toml --out one.h5 --resume --quiet | grep -q "nothing to run" || fail "--resume of a finished file"
cmp -s one.h5 two.h5 || fail "--resume of a finished file changed it"

cli_finish "sweeps survive SIGKILL and SIGTERM and resume to the uninterrupted file"
