#!/usr/bin/python3
"""The academic job: cascade size and the extra price fall over leverage x market-maker depth x seeds, each run
paired with its counterfactual without liquidation (same seed). Or give a sweep file with one counterfactual
variant: examples/sweeps/cascades_leverage_depth.toml is the same job at 4 x 4 points and 15 seeds.
PYTHONPATH=build/python /usr/bin/python3 examples/academic_sweep.py [SWEEP.toml] [--plot out.png]"""
import sys
import liqsim

SWEEP = """
base = "small"
seeds = 4
axes = [{ key = "traders.leverage.mean", values = [5, 10, 20] },
        { key = "market_makers.level_size", values = [0.5, 2, 8] }]
variants = [{ name = "none", set = { "liquidation.mechanism" = "none" } }]
"""
files = [arg for arg in sys.argv[1:] if arg.endswith(".toml")]
metrics = liqsim.sweep(files[0], jobs=2) if files else liqsim.sweep(text=SWEEP, jobs=2)
pair = ["point", "seed_index"]  # a run and its counterfactual share point and seed (and run_seed)
base = metrics[metrics.variant_name == "base"].set_index(pair)
none = metrics[metrics.variant_name != "base"].set_index(pair)
base["extra_fall_pct"] = 100 * (none.mid_min - base.mid_min) / none.mid_min  # the book's low, vs no liquidation
table = base.groupby([axis["key"] for axis in metrics.attrs["axes"]])[
    ["liquidation_count", "largest_cascade", "cascade_generations", "extra_fall_pct"]].mean()
print(table.round(2).to_string())
if "--plot" in sys.argv:
    import matplotlib.pyplot as plt
    table["extra_fall_pct"].unstack().plot(marker="o", ylabel="extra fall of the book low, %")
    plt.savefig(sys.argv[sys.argv.index("--plot") + 1])
