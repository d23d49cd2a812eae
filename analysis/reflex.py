#!/usr/bin/python3
"""The strategic liquidation reflex: the same fundamental shock with naive and with pre-emptive traders.

For each seed it runs the scenario twice with `liqsim run --counterfactual impact_free` (each run beside
its impact-free twin: every liquidation filled off the book at the mark), once with
traders.preemptive_share = 0 and once with the given share and risk aversion, and prints per seed and in
the median: the mark's trough below its initial value (%), the extra fall against the run's impact-free
twin (percentage points), the time the mark first fell `--threshold` below its initial value, and the
liquidations. Run with Debian's /usr/bin/python3 (h5py); docs/validation.md, "The liquidation reflex".

  /usr/bin/python3 analysis/reflex.py --liqsim build/liqsim --preset default --seeds 5 --share 0.5
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def run(liqsim, preset, seed, sets, path, threshold):
    command = [liqsim, "run", "--preset", preset, "--seed", str(seed), "--out", path, "--force", "--quiet",
               "--counterfactual", "impact_free"]
    for s in sets:
        command += ["--set", s]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(path, "r") as f:
        mark = f["timeseries/mark"][:].astype(float) / 1e6
        time = f["timeseries/time_ns"][:] / 1e9
        s = f["summary"].attrs
        initial = mark[0]
        below = np.nonzero(mark <= initial * (1 - threshold))[0]
        return {
            "trough": 100 * (1 - float(s["mark_min"]) / 1e6 / initial),
            "extra": float(s["amplification_mark_trough_pp"]),
            "first": float(time[below[0]]) if below.size else float("nan"),
            "trough_time": float(time[int(np.argmin(mark))]),
            "liquidations": int(s["liquidation_count"]),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--liqsim", default="build/liqsim")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--share", type=float, default=0.5)
    parser.add_argument("--risk-aversion", type=float, default=1.0)
    parser.add_argument("--rule", default="own_liquidation", choices=("own_liquidation", "expected_loss"))
    parser.add_argument("--max-loss", type=float, default=0.5, help="expected_loss: fraction of equity")
    parser.add_argument("--threshold", type=float, default=0.10, help="fall that times the crash (fraction)")
    parser.add_argument("--set", action="append", default=[], help="more overrides for both runs")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            naive = run(args.liqsim, args.preset, seed, args.set + ["traders.preemptive_share=0"],
                        os.path.join(folder, "naive.h5"), args.threshold)
            strategic = run(args.liqsim, args.preset, seed,
                            args.set + [f"traders.preemptive_share={args.share}",
                                        f"traders.risk_aversion={args.risk_aversion}",
                                        f"traders.preemptive_rule={args.rule}",
                                        f"traders.preemptive_max_loss={args.max_loss}"],
                            os.path.join(folder, "strategic.h5"), args.threshold)
            rows.append((seed, naive, strategic))
    print(f"preset {args.preset}, pre-emptive share {args.share}, rule {args.rule} (max loss {args.max_loss}), "
          f"risk aversion {args.risk_aversion}, "
          f"crash time: first mark {100 * args.threshold:g}% below its start")
    print(f"{'seed':>6} | {'trough %':>17} | {'vs impact-free pp':>17} | {'crash time s':>17} | {'liquidations':>13}")
    print(f"{'':>6} | {'naive':>8} {'strat':>8} | {'naive':>8} {'strat':>8} | {'naive':>8} {'strat':>8} | "
          f"{'naive':>6} {'strat':>6}")
    for seed, n, s in rows:
        print(f"{seed:>6} | {n['trough']:8.2f} {s['trough']:8.2f} | {n['extra']:8.2f} {s['extra']:8.2f} | "
              f"{n['first']:8.0f} {s['first']:8.0f} | {n['liquidations']:6d} {s['liquidations']:6d}")

    def median(key, which):
        values = [r[which][key] for r in rows if not np.isnan(r[which][key])]
        return statistics.median(values) if values else float("nan")

    print(f"{'median':>6} | {median('trough', 1):8.2f} {median('trough', 2):8.2f} | "
          f"{median('extra', 1):8.2f} {median('extra', 2):8.2f} | {median('first', 1):8.0f} "
          f"{median('first', 2):8.0f} | {median('liquidations', 1):6.0f} {median('liquidations', 2):6.0f}")
    deeper = sum(s["trough"] > n["trough"] for _, n, s in rows)
    # A run that never fell by the threshold crashed "never": later than any time.
    def crash(r):
        return float("inf") if np.isnan(r["first"]) else r["first"]
    earlier = sum(crash(s) < crash(n) for _, n, s in rows)
    print(f"pre-emptive traders: deeper trough in {deeper} of {len(rows)} seeds, the crash earlier in "
          f"{earlier} of {len(rows)}")
    # Paired over seeds (the same fundamental path): the pre-emptive run's trough less the naive run's, and
    # both against the naive run's impact-free twin (its trough less its extra fall: the fall without the
    # liquidations' impact).
    paired = [s["trough"] - n["trough"] for _, n, s in rows]
    naive_vs_twin = [n["extra"] for _, n, s in rows]
    strat_vs_twin = [s["trough"] - (n["trough"] - n["extra"]) for _, n, s in rows]
    runs = sum(d >= 1.0 for d in paired)
    print(f"paired: trough deeper by {statistics.median(paired):.2f} pp (median), {statistics.mean(paired):.2f} pp "
          f"(mean); at least 1 pp deeper in {runs} of {len(rows)} seeds")
    print(f"below the naive run's impact-free twin (median): naive {statistics.median(naive_vs_twin):.2f} pp, "
          f"pre-emptive {statistics.median(strat_vs_twin):.2f} pp (mean {statistics.mean(naive_vs_twin):.2f} "
          f"and {statistics.mean(strat_vs_twin):.2f})")
    both = [(crash(n), crash(s)) for _, n, s in rows if np.isfinite(crash(n)) or np.isfinite(crash(s))]
    if both:
        end = max(max(t for t in pair if np.isfinite(t)) for pair in both)
        gaps = [min(n, end) - min(s, end) for n, s in both]
        print(f"crash earlier by {statistics.median(gaps):.0f} s (median over the {len(both)} seeds where either "
              f"run crashed; a run that never crashed counted at the latest crash seen)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
