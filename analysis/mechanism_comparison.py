#!/usr/bin/python3
"""Liquidation mechanisms compared from a sweep over `liquidation.mechanism` with an impact-free variant
(examples/sweeps/mechanism_comparison.toml): per mechanism, the median over seeds of the protocol loss,
the keepers' profit net of gas, the mean liquidation delay, the liquidations, and the amplification: the
extra fall of the mark's trough (percentage points of the initial price) against the same seed's twin
whose liquidations fill off the book at the mark.

    /usr/bin/python3 analysis/mechanism_comparison.py SWEEP.h5 [--variant impact_free]
"""
import argparse
import json
import sys

import h5py
import numpy as np

AXIS = "liquidation.mechanism"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sweep")
    parser.add_argument("--variant", default="impact_free")
    args = parser.parse_args()
    with h5py.File(args.sweep, "r") as f:
        m = f["metrics"][:]
        variants = [v.decode() for v in f["plan/variants"][:]["name"]]
        axes = f["plan/axes"][:]
    if AXIS not in m.dtype.names:
        print(f"the sweep has no axis {AXIS!r}", file=sys.stderr)
        return 2
    if args.variant not in variants:
        print(f"no variant named {args.variant!r} (variants: {variants})", file=sys.stderr)
        return 2
    twin = variants.index(args.variant)
    # A text axis is stored as the index of its value; the plan keeps the values as a JSON list.
    labels = None
    for axis in axes:
        if axis[0].decode() == AXIS:
            labels = json.loads(axis[2].decode())
    mech = np.array([labels[int(x)] if labels else str(x) for x in m[AXIS]])
    ok = m["status"] == 1  # the status enum: pending 0, ok 1, failed 2
    rows = []
    for name in dict.fromkeys(mech):
        base = m[(mech == name) & (m["variant"] != twin) & ok]
        free = m[(mech == name) & (m["variant"] == twin) & ok]
        pairs = [(b, free[free["seed_index"] == b["seed_index"]]) for b in base]
        amp = [float((t[0]["mark_min"] - b["mark_min"]) / b["initial_price"] * 100) for b, t in pairs if len(t)]
        rows.append((name, len(base),
                     np.median(base["protocol_loss"]) * 1e-6,
                     np.median(base["keeper_profit"]) * 1e-6,
                     np.median(base["liquidation_delay_mean_seconds"]),
                     np.median(base["liquidation_count"]),
                     np.median(base["bad_debt"]) * 1e-6,
                     np.median(amp) if amp else float("nan")))
    print(f"{'mechanism':12s} {'seeds':>5s} {'protocol loss $':>16s} {'keeper profit $':>16s} "
          f"{'delay mean s':>12s} {'liquidations':>12s} {'bad debt $':>12s} {'amplif. pp':>10s}")
    for r in rows:
        print(f"{r[0]:12s} {r[1]:5d} {r[2]:16,.0f} {r[3]:16,.0f} {r[4]:12.1f} {r[5]:12,.0f} {r[6]:12,.0f} {r[7]:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
