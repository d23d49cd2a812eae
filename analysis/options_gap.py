#!/usr/bin/python3
"""The mark-to-execution gap of option liquidations against perpetual liquidations on the same shock.

For each seed it runs the scenario (by default the `options` preset: a 20 % fall with the implied-volatility
surface's level response) and reads from the run file: option liquidations and their fills' gap
|price - mark| / mark (median, 90th percentile), the perpetual liquidations' |price - mark| / mark
(median), the gap in dollars, its share of the liquidated members' loss and the shortfall. With --plot it
draws the pooled distributions of both gaps (log-scale histogram). Run with Debian's /usr/bin/python3
(h5py, matplotlib); docs/validation.md, "Options marked to model".

  /usr/bin/python3 analysis/options_gap.py --liqsim build/liqsim --seeds 5 --plot options-gap.png
"""
import argparse
import os
import statistics
import subprocess
import tempfile

import h5py
import numpy as np


def run(liqsim, preset, seed, sets, path):
    command = [liqsim, "run", "--preset", preset, "--seed", str(seed), "--out", path, "--force", "--quiet"]
    for s in sets:
        command += ["--set", s]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with h5py.File(path, "r") as f:
        s = f["summary"].attrs
        fills = f["events/option_fills"][:]
        fills = fills[fills["liquidation"] >= 0]
        liquidations = f["events/liquidations"][:]
        option_gaps = np.abs(fills["price"] - fills["mark"]) / np.maximum(fills["mark"], 1)
        perp_gaps = np.abs(liquidations["price"] - liquidations["mark"]) / liquidations["mark"]
        return {
            "option_liquidations": int(s["option_liquidations"]),
            "option_gap_p50": float(s["option_gap_p50"]),
            "option_gap_p90": float(s["option_gap_p90"]),
            "perp_liquidations": int(s["liquidation_count"]),
            "perp_gap_p50": float(s["slippage_p50"]),
            "gap_usd": float(s["option_gap"]) / 1e6,
            "loss_share": float(s["option_gap_loss_share"]),
            "shortfall_usd": float(s["option_shortfall"]) / 1e6,
            "shortfall_share": float(s["option_gap_shortfall_share"]),
            "option_gaps": option_gaps,
            "perp_gaps": perp_gaps,
        }


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    option = np.concatenate([r["option_gaps"] for r in rows])
    perp = np.concatenate([r["perp_gaps"] for r in rows])
    low = max(1e-6, min(option[option > 0].min(initial=1), perp[perp > 0].min(initial=1)))
    bins = np.logspace(np.log10(low), np.log10(max(option.max(initial=1), perp.max(initial=1))), 50)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(np.maximum(perp, low), bins=bins, alpha=0.6, label=f"perpetual liquidations ({perp.size})")
    ax.hist(np.maximum(option, low), bins=bins, alpha=0.6, label=f"option liquidation fills ({option.size})")
    ax.set_xscale("log")
    ax.set_xlabel("|execution price - model mark| / mark")
    ax.set_ylabel("count")
    ax.set_title(f"Mark-to-execution gap on the same shock, {len(rows)} seeds")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--liqsim", default="build/liqsim")
    parser.add_argument("--preset", default="options")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], help="scenario overrides (KEY=VALUE)")
    parser.add_argument("--plot", help="PNG of the pooled gap distributions")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            rows.append(run(args.liqsim, args.preset, seed, args.set, os.path.join(folder, f"{seed}.h5")))
    print("seed  option liqs  gap p50  gap p90   perp liqs  perp p50   ratio   gap $        loss share  shortfall $  beyond marks")
    for seed, r in zip(range(args.first_seed, args.first_seed + args.seeds), rows):
        ratio = r["option_gap_p50"] / r["perp_gap_p50"] if r["perp_gap_p50"] > 0 else float("inf")
        print(f"{seed:4d}  {r['option_liquidations']:11d}  {100 * r['option_gap_p50']:6.2f}%  "
              f"{100 * r['option_gap_p90']:6.2f}%  {r['perp_liquidations']:9d}  {100 * r['perp_gap_p50']:7.3f}%  "
              f"{ratio:6.0f}x  {r['gap_usd']:11,.0f}  {100 * r['loss_share']:9.1f}%  {r['shortfall_usd']:11,.0f}  "
              f"{100 * r['shortfall_share']:10.1f}%")
    med = lambda key: statistics.median(r[key] for r in rows)
    print(f"median: option gap p50 {100 * med('option_gap_p50'):.2f}% (p90 {100 * med('option_gap_p90'):.2f}%), "
          f"perpetual p50 {100 * med('perp_gap_p50'):.3f}%, option liquidations {med('option_liquidations'):.0f}, "
          f"gap share of the members' loss {100 * med('loss_share'):.1f}%")
    exceeds = sum(r["option_gap_p50"] > r["perp_gap_p50"] for r in rows)
    print(f"option gap above the perpetual gap in {exceeds} of {len(rows)} seeds")
    if args.plot:
        plot(rows, args.plot)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
