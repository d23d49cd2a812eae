#!/usr/bin/python3
"""Leverage x market-maker depth x 4 seeds, each run paired with its counterfactual without liquidation
(mechanism "none", same seed): cascade sizes, and how much lower the book falls because of liquidations.
PYTHONPATH=build/python /usr/bin/python3 examples/academic_sweep.py [--plot out.png]   (docs/python.md)"""
import sys
import liqsim

metrics = liqsim.sweep(text="""
base = "small"
seeds = 4
axes = [{ key = "traders.leverage.mean", values = [5, 10, 20] },
        { key = "market_makers.level_size", values = [0.5, 2, 8] }]
variants = [{ name = "none", set = { "liquidation.mechanism" = "none" } }]
""", jobs=2)
pair = ["point", "seed_index"]  # a run and its counterfactual share point and seed
base = metrics[metrics.variant_name == "base"].set_index(pair)
none = metrics[metrics.variant_name == "none"].set_index(pair)
base["extra_fall_pct"] = 100 * (none.mid_min - base.mid_min) / none.mid_min  # book low, vs no liquidation
table = base.groupby(["traders.leverage.mean", "market_makers.level_size"])[
    ["liquidation_count", "largest_cascade", "cascade_generations", "extra_fall_pct"]].mean()
print(table.round(2).to_string())
if "--plot" in sys.argv:
    import matplotlib.pyplot as plt
    table["extra_fall_pct"].unstack().plot(marker="o", ylabel="extra fall of the book low, %")
    plt.savefig(sys.argv[sys.argv.index("--plot") + 1])
