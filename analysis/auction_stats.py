#!/usr/bin/python3
"""Collateral auctions of a liqsim run file (/events/auctions): how many, how many were won at (about)
zero, what they raised against the debt they took over, and the system debt they left; and Maker's debt
auctions (kind 3): how many, the DAI they raised and the MKR they minted.

A "zero-bid" auction, as counted for Maker's auctions of 12 March 2020, is one that sold its collateral
for less than `--zero` of its lot's value at the feed when it started (default 1%): the winning bid was
(nearly) nothing. Usage: /usr/bin/python3 analysis/auction_stats.py RUN.h5 [--zero 0.01] [--json]
"""
import argparse
import json
import sys

import h5py
import numpy as np


def auction_stats(path, zero=0.01):
    with h5py.File(path, "r") as f:
        auctions = f["events/auctions"][()]
        liq = f["events/liquidations"][()]
        summary = dict(f["summary"].attrs)
    usd = 1e-6
    a = auctions[auctions["kind"] != 3]  # collateral auctions; kind 3 are Maker's debt auctions
    debt = auctions[auctions["kind"] == 3]
    mkr = float(debt["sold"].sum()) * 1e-8
    lot_value = a["lot"].astype(np.float64) * 1e-8 * a["feed"].astype(np.float64) * usd
    raised = a["raised"].astype(np.float64) * usd
    zero_bid = (a["sold"] > 0) & (raised < zero * lot_value)
    started = int(np.sum(liq["mechanism"] == 2))
    return {
        "auctions_started": started,
        "auctions_ended": int(len(a)),
        "auctions_running_at_end": started - int(len(a)),
        "zero_bid_auctions": int(zero_bid.sum()),
        "zero_bid_share": float(zero_bid.mean()) if len(a) else 0.0,
        "collateral_sold_at_zero_usd": float(lot_value[zero_bid].sum()),
        "debt_taken_over_usd": float(a["due"].sum() * usd),
        "raised_usd": float(raised.sum()),
        "system_debt_usd": float(a["shortfall"].sum() * usd),
        "keeper_incentives_usd": float(a["incentive"].sum() * usd),
        "bad_debt_usd": float(summary.get("bad_debt", 0)) * usd,
        "winners": int(len(np.unique(a["winner"][a["winner"] >= 0]))),
        "median_duration_s": float(np.median((a["ended_ns"] - a["kicked_ns"]) * 1e-9)) if len(a) else 0.0,
        "debt_auctions": int(len(debt)),
        "debt_auction_raised_usd": float(debt["raised"].sum() * usd),
        "mkr_minted": mkr,
        "usd_per_mkr": float(debt["raised"].sum() * usd / mkr) if mkr > 0 else 0.0,
        "debt_auction_median_bids": float(np.median(debt["bids"])) if len(debt) else 0.0,
        "debt_auction_winners": int(len(np.unique(debt["winner"]))),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_file")
    parser.add_argument("--zero", type=float, default=0.01,
                        help="a winning bid below this share of the lot's value counts as zero")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    stats = auction_stats(args.run_file, args.zero)
    if args.json:
        json.dump(stats, sys.stdout, indent=1)
        print()
    else:
        for key, value in stats.items():
            print(f"{key:28s} {value:,.4f}" if isinstance(value, float) else f"{key:28s} {value:,}")


if __name__ == "__main__":
    main()
