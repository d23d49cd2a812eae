#!/usr/bin/python3
"""Lending liquidations of a liqsim run file (the `aave_v3` mechanism and the other lending mechanisms):
per market (collateral reserve) the liquidation calls, the collateral seized and its value at the oracle,
the keepers' gain; per group of borrowers (in Aave's e-mode or not) how many there were and how many were
liquidated; and the bad debt (the deficit).

Market symbols come from the scenario text stored in the file. Usage:
  /usr/bin/python3 analysis/lending_stats.py RUN.h5 [--json]
"""
import argparse
import json
import re
import sys

import h5py
import numpy as np


def market_symbols(scenario_toml):
    # The [[markets]] tables in order, each with its `symbol = "..."` line (the writer emits one per market).
    symbols = []
    for block in scenario_toml.split("[[markets]]")[1:]:
        m = re.search(r'^symbol\s*=\s*"([^"]*)"', block, re.M)
        symbols.append(m.group(1) if m else str(len(symbols)))
    return symbols


def lending_stats(path):
    with h5py.File(path, "r") as f:
        liq = f["events/liquidations"][()]
        accounts = f["accounts"][()]
        summary = dict(f["summary"].attrs)
        toml = f.attrs["scenario_toml"]
        toml = toml.decode() if isinstance(toml, bytes) else str(toml)
    usd = 1e-6
    symbols = market_symbols(toml)
    seized_coins = -liq["quantity"].astype(np.float64) * 1e-8
    seized_value = seized_coins * liq["mark"].astype(np.float64) * usd
    markets = []
    for m, symbol in enumerate(symbols):
        sel = liq["market"] == m
        markets.append({
            "market": symbol,
            "liquidations": int(sel.sum()),
            "collateral_seized": float(seized_coins[sel].sum()),
            "seized_value_usd": float(seized_value[sel].sum()),
            "keeper_gain_usd": float(liq["reward"][sel].sum() * usd),
        })
    traders = accounts[accounts["role"] == 0]
    groups = []
    emode = traders["emode"] if "emode" in traders.dtype.names else np.zeros(len(traders), dtype=np.uint8)
    for flag, name in ((0, "outside e-mode"), (1, "in e-mode")):
        g = traders[emode == flag]
        groups.append({
            "group": name,
            "borrowers": int(len(g)),
            "liquidated": int((g["liquidations"] > 0).sum()),
            "liquidated_share": float((g["liquidations"] > 0).mean()) if len(g) else 0.0,
        })
    return {
        "markets": markets,
        "borrowers": groups,
        "bad_debt_usd": float(summary.get("bad_debt", 0)) * usd,
        "treasury_fees_usd": float(summary.get("insurance_fund_final", 0) - summary.get("insurance_fund_initial", 0))
        * usd,
        "liquidatable_left": int(summary.get("liquidatable_unliquidated_accounts", 0)),
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_file")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    s = lending_stats(args.run_file)
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"{'market':<10} {'calls':>7} {'seized':>16} {'value $':>16} {'keeper gain $':>14}")
    for m in s["markets"]:
        print(f"{m['market']:<10} {m['liquidations']:>7} {m['collateral_seized']:>16,.4f} "
              f"{m['seized_value_usd']:>16,.2f} {m['keeper_gain_usd']:>14,.2f}")
    for g in s["borrowers"]:
        print(f"{g['group']:<15} {g['borrowers']:>6} borrowers, {g['liquidated']:>6} liquidated "
              f"({100 * g['liquidated_share']:.1f}%)")
    print(f"bad debt (deficit) ${s['bad_debt_usd']:,.2f}; treasury fees ${s['treasury_fees_usd']:,.2f}; "
          f"{s['liquidatable_left']} accounts left liquidatable")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
