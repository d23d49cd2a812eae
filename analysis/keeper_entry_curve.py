#!/usr/bin/python3
"""The keeper free-entry curve: the equilibrium number of keepers of the keeper free-entry game
(experiments/keeper_entry_game.h) at each value of a reward parameter, with the equilibrium's liquidation
delay, liquidations and protocol loss. Runs the games in this process through the Python bindings.

Usage (from the repository, after the build):
  PYTHONPATH=build/python /usr/bin/python3 analysis/keeper_entry_curve.py --preset default \\
      --set liquidation.mechanism=keeper --values 0.001,0.002,0.003,0.004 --entry-cost 1000
"""
import argparse
import sys

import liqsim


def typed(text):
    """An override's value as TOML would read it: an integer, a number, true / false, or text."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="keeper")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a scenario override, as liqsim run --set")
    parser.add_argument("--key", default="liquidation.keeper.bonus", help="the reward parameter swept")
    parser.add_argument("--values", required=True, help="comma-separated values of --key")
    parser.add_argument("--entry-cost", type=float, default=1000.0, help="USD per keeper and episode")
    parser.add_argument("--max-keepers", type=int, default=20)
    parser.add_argument("--max-episodes", type=int, default=50)
    parser.add_argument("--stable-episodes", type=int, default=3)
    parser.add_argument("--fresh-seeds", action="store_true")
    parser.add_argument("--seeds-per-episode", type=int, default=1, help="days per episode (mean profit)")
    args = parser.parse_args()
    overrides = {}
    for text in args.set:
        key, _, value = text.partition("=")
        overrides[key] = typed(value)
    print(f"{args.key:>12s} {'keepers':>8s} {'criterion':>9s} {'episodes':>8s} {'mean profit':>12s} "
          f"{'liquidations':>12s} {'delay s':>8s} {'protocol loss':>14s}")
    for value in args.values.split(","):
        scenario = liqsim.Scenario.preset(args.preset, {**overrides, args.key: typed(value)})
        r = liqsim.keeper_entry_game(scenario, entry_cost=args.entry_cost, max_keepers=args.max_keepers,
                                     max_episodes=args.max_episodes, stable_episodes=args.stable_episodes,
                                     fresh_seeds=args.fresh_seeds, seeds_per_episode=args.seeds_per_episode)
        episodes = r["episodes"]
        at = episodes[episodes["active"] == r["equilibrium_keepers"]].iloc[-1]
        criterion = r["criterion"] if r["converged"] else "none"
        print(f"{value:>12s} {r['equilibrium_keepers']:8d} {criterion:>9s} {len(episodes):8d} "
              f"{at['mean_profit']:12,.0f} {int(at['liquidations']):12,d} {at['mean_delay_seconds']:8.2f} "
              f"{at['protocol_loss']:14,.0f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
