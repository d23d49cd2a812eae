#!/usr/bin/python3
"""Plot a game file (liqsim game): the equilibrium across the sweep and each player's payoff by episode.

  /usr/bin/python3 analysis/plot_game.py game.h5 --out game.png

Left: the equilibrium's mean payoff and the hunters' profit at each sweep value (bars), the liquidations on
the second axis. Right: every player's payoff by episode, one line per (sweep value, player). Needs Debian's
python3-h5py and python3-matplotlib.
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(column):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in column[:]]


def save(figure, args):
    figure.tight_layout()
    out = args.out or args.file.rsplit(".", 1)[0] + ".png"
    figure.savefig(out, dpi=100)
    print(out)
    return 0


def plot_keeper_entry(f, args):
    """The keeper free-entry game: equilibrium keepers and delay by sweep value; active keepers by episode."""
    eq, ep = f["equilibria"], f["episodes"]
    values = [v if v else "(one search)" for v in text(eq["sweep_value"])]
    keepers, delay = eq["equilibrium_keepers"][:], eq["mean_delay_seconds"][:]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    x = np.arange(len(values))
    left.bar(x, keepers, 0.5, label="keepers at the equilibrium")
    left.set_xticks(x, values)
    left.set_xlabel(f.attrs.get("sweep_key", ""))
    left.set_ylabel("keepers")
    twin = left.twinx()
    twin.plot(x, delay, "o-", color="tab:red", label="mean liquidation delay")
    twin.set_ylabel("mean delay s")
    left.legend(loc="upper left", fontsize=8)
    for k, value in enumerate(values):
        rows = ep["sweep_index"][:] == k
        right.plot(ep["episode"][:][rows], ep["active"][:][rows], marker="o", label=value)
    right.set_xlabel("episode")
    right.set_ylabel("active keepers")
    right.legend(fontsize=8)
    return save(figure, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--out", default=None, help="PNG to write; default: FILE with .png")
    args = parser.parse_args()
    with h5py.File(args.file, "r") as f:
        if f.attrs.get("file_kind") != "game":
            print(f"{args.file}: not a game file (liqsim game)", file=sys.stderr)
            return 2
        if f.attrs.get("kind", "strategies") == "keeper_entry":
            return plot_keeper_entry(f, args)
        eq = f["equilibria"]
        values = text(eq["sweep_value"]) or ["(one search)"]
        values = [v if v else "(one search)" for v in values]
        payoff = eq["mean_payoff"][:]
        hunters = eq["hunter_profit"][:]
        liquidations = eq["liquidations"][:]
        converged = eq["converged"][:]
        profiles = text(eq["profile"])
        ep = f["episodes"]
        sweep_index, player, episode, result = (ep["sweep_index"][:], ep["player"][:], ep["episode"][:],
                                                ep["payoff"][:])
        key = f.attrs.get("sweep_key", "")
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    x = np.arange(len(values))
    left.bar(x - 0.2, payoff, 0.4, label="mean payoff of the players")
    left.bar(x + 0.2, hunters, 0.4, label="all hunters' profit")
    left.set_xticks(x, [f"{v}\nprofile {p}{'' if c else ' (not converged)'}"
                        for v, p, c in zip(values, profiles, converged)])
    left.set_ylabel("$ at the equilibrium")
    left.set_xlabel(key or "")
    left.axhline(0, color="black", linewidth=0.5)
    twin = left.twinx()
    twin.plot(x, liquidations, "o-", color="tab:red", label="liquidations")
    twin.set_ylabel("liquidations")
    left.legend(loc="upper left", fontsize=8)
    for k, value in enumerate(values):
        for p in np.unique(player):
            rows = (sweep_index == k) & (player == p)
            right.plot(episode[rows], result[rows], marker="o", label=f"{value}, player {p}")
    right.set_xlabel("episode")
    right.set_ylabel("payoff $")
    right.axhline(0, color="black", linewidth=0.5)
    right.legend(fontsize=8)
    return save(figure, args)


if __name__ == "__main__":
    sys.exit(main())
