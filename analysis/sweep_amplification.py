#!/usr/bin/python3
"""Amplification from a sweep with an impact-free variant: for each point and seed, the extra fall of the
mark's, the index's and the spot venues' troughs (percentage points of the initial price) and the extra
liquidations of the run as configured against its twin with `liquidation.execution = "impact_free"`
(the variant whose name is given, default "impact_free"), then the median over seeds per point.

    /usr/bin/python3 analysis/sweep_amplification.py SWEEP.h5 [--variant impact_free]
"""
import argparse
import sys

import h5py
import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep")
    parser.add_argument("--variant", default="impact_free")
    args = parser.parse_args()
    with h5py.File(args.sweep, "r") as f:
        metrics = f["metrics"][:]
        variants = [v.decode() for v in f["plan/variants"][:]["name"]]
    names = metrics.dtype.names
    axes = [n for n in names[names.index("run_seed") + 1:names.index("status")]]
    variant_names = variants
    if args.variant not in variant_names:
        print(f"no variant named {args.variant!r} (variants: {variant_names})", file=sys.stderr)
        return 2
    twin_id = variant_names.index(args.variant)
    ok = metrics[metrics["status"] == 1]  # 0 pending, 1 ok, 2 failed
    rows = {}
    for r in ok:
        rows.setdefault((int(r["point"]), int(r["seed_index"])), {})[int(r["variant"])] = r
    by_point = {}
    for (point, _), pair in rows.items():
        if twin_id not in pair or len(pair) < 2:
            continue
        twin = pair[twin_id]
        run = next(v for k, v in pair.items() if k != twin_id)
        initial = float(run["initial_price"])
        figures = [100.0 * (float(twin[c]) - float(run[c])) / initial for c in ("mark_min", "index_min", "spot_min")]
        figures.append(int(run["liquidation_count"]) - int(twin["liquidation_count"]))
        figures.append(100.0 * (1 - float(run["mark_min"]) / initial))
        by_point.setdefault(point, ([run[a] for a in axes], []))[1].append(figures)
    print(" ".join(f"{a:>24}" for a in axes) + "   seeds  mark_pp  index_pp  spot_pp  extra_liq  mark_fall_%")
    for point in sorted(by_point):
        values, figures = by_point[point]
        med = np.median(np.array(figures, dtype=float), axis=0)
        print(" ".join(f"{float(v):>24g}" for v in values) +
              f"   {len(figures):>5}  {med[0]:7.2f}  {med[1]:8.2f}  {med[2]:7.2f}  {med[3]:9.0f}  {med[4]:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
