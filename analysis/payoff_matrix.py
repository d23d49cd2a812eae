#!/usr/bin/python3
"""The payoff matrix of a two-player `liqsim game` file and its Nash equilibria.

Runs the game's day once for every strategy profile (the game file's base scenario, its [set], each
player's strategy keys; the players are [[hunters]] or [[keeper_groups]] groups, paid their members' mean
profit, equity less deposits, as `liqsim game` pays them; [[trader_groups]] too), prints both players' payoffs, and finds every
Nash equilibrium, pure and mixed, by support enumeration (equal-size supports: all equilibria of a
non-degenerate game; Nisan et al., "Algorithmic Game Theory", 2007, section 3.3). Compare the mixed
equilibrium with what the learning rules' time averages approach (`rule = "hedge"`, `"fictitious_play"`).

Usage (from the repository, after the build):
  PYTHONPATH=build/python /usr/bin/python3 analysis/payoff_matrix.py examples/games/keeper_bidding.toml
"""
import argparse
import concurrent.futures
import itertools
import os
import re
import sys
import tomllib

import numpy as np

import liqsim


def flatten(table, prefix=""):
    """A TOML table's keys as dotted paths (sub-tables flattened, arrays kept), as `liqsim game` reads [set]."""
    out = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def group_payoffs(run, player):
    """The mean profit of a player's group: its members are consecutive among the accounts of its role (keeper
    groups after the [keepers] table's keepers, trader groups the last traders)."""
    kind, index = re.fullmatch(r"(hunters|keeper_groups|trader_groups)\[(\d+)\]", player).groups()
    index = int(index)
    accounts = run.frame("accounts")
    scenario = tomllib.loads(run.scenario.toml)
    groups = scenario.get(kind, [])
    role = {"keeper_groups": "keeper", "trader_groups": "trader", "hunters": "hunter"}[kind]
    members = accounts[accounts["role"] == role].reset_index(drop=True)
    skip = {"keeper_groups": scenario["keepers"]["count"],
            "trader_groups": scenario["traders"]["count"] - sum(g["count"] for g in groups),
            "hunters": 0}[kind]
    first = skip + sum(g["count"] for g in groups[:index])
    count = groups[index]["count"]
    rows = members.iloc[first:first + count]
    return float((rows["equity"] - rows["deposits"]).sum()) / count


def support_enumeration(a, b):
    """Every Nash equilibrium (x, y, u, v) of the bimatrix game (a: row player's payoffs, b: column's) whose
    supports have equal sizes."""
    n, m = a.shape
    found = []
    for k in range(1, min(n, m) + 1):
        for rows in itertools.combinations(range(n), k):
            for cols in itertools.combinations(range(m), k):
                # y on cols makes the row player indifferent over rows; x on rows the column player over cols.
                solved = []
                for pay, support, other in ((a[np.ix_(rows, cols)], cols, m), (b[np.ix_(rows, cols)].T, rows, n)):
                    system = np.zeros((k + 1, k + 1))
                    system[:k, :k] = pay
                    system[:k, k] = -1
                    system[k, :k] = 1
                    rhs = np.zeros(k + 1)
                    rhs[k] = 1
                    try:
                        solution = np.linalg.solve(system, rhs)
                    except np.linalg.LinAlgError:
                        break
                    mixed = np.zeros(other)
                    mixed[list(support)] = solution[:k]
                    solved.append((mixed, solution[k]))
                if len(solved) < 2:
                    continue
                (y, u), (x, v) = solved
                if (x < -1e-9).any() or (y < -1e-9).any():
                    continue
                if (a @ y > u + 1e-6).any() or (x @ b > v + 1e-6).any():
                    continue  # a pure strategy outside the support pays more
                found.append((np.clip(x, 0, 1), np.clip(y, 0, 1), u, v))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("game", help="a two-player liqsim game file")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs in parallel (threads)")
    args = parser.parse_args()
    with open(args.game, "rb") as f:
        game = tomllib.load(f)
    players = game["game"]["players"]
    strategies = game["game"]["strategies"]
    if len(players) != 2:
        sys.exit(f"{args.game}: game.players has {len(players)} players; allowed: exactly 2")
    overrides = flatten(game.get("set", {}))
    base = game["base"]
    folder = os.path.dirname(os.path.abspath(args.game))

    def scenario(profile):
        mine = dict(overrides)
        for player, s in zip(players, profile):
            for key, value in strategies[s].items():
                mine[f"{player}.{key}"] = value
        if base in liqsim.presets():
            built = liqsim.Scenario.preset(base, mine)
        else:
            built = liqsim.Scenario.from_file(os.path.join(folder, base), mine)
        return built.with_seed(game.get("seed", built.seed))

    def payoffs(profile):
        run = liqsim.run(scenario(profile))
        return [group_payoffs(run, p) for p in players]

    profiles = list(itertools.product(range(len(strategies)), repeat=2))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(zip(profiles, pool.map(payoffs, profiles)))
    a = np.array([[results[(i, j)][0] for j in range(len(strategies))] for i in range(len(strategies))])
    b = np.array([[results[(i, j)][1] for j in range(len(strategies))] for i in range(len(strategies))])
    names = [",".join(f"{k}={v}" for k, v in s.items()) for s in strategies]
    print(f"rows: {players[0]}, columns: {players[1]}; cells: $ payoffs (row, column)")
    width = max(len(n) for n in names) + 2
    print(" " * width + "".join(f"{n:>{width + 10}s}" for n in names))
    for i, name in enumerate(names):
        cells = "".join(f"{f'{a[i, j]:,.0f} / {b[i, j]:,.0f}':>{width + 10}s}" for j in range(len(names)))
        print(f"{name:<{width}s}{cells}")
    equilibria = support_enumeration(a, b)
    if not equilibria:
        print("no equilibrium with equal-size supports (a degenerate game)")
    for x, y, u, v in equilibria:
        kind = "pure" if (x > 0).sum() == 1 and (y > 0).sum() == 1 else "mixed"
        print(f"{kind} equilibrium: {players[0]} {np.round(x, 3).tolist()}, {players[1]} "
              f"{np.round(y, 3).tolist()}; expected payoffs ${u:,.0f} / ${v:,.0f}")


if __name__ == "__main__":
    main()
