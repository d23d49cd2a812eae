#!/usr/bin/python3
"""Dashboard PNG of one liqsim run file (HDF5, schema_version 3; see docs/hdf5-schema.md).

Usage: plot_run.py RUN.h5 [-o OUT.png]     (default output: RUN.png beside the run file)

Runs on Debian's python3-h5py and python3-matplotlib, hence /usr/bin/python3.
"""

import argparse
import os
import sys

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
except ImportError as error:
    sys.stderr.write(
        f"plot_run: cannot import {error.name or 'a required module'} ({error}) with {sys.executable}.\n"
        "Run it with Debian's /usr/bin/python3, which has the packages python3-h5py and python3-matplotlib\n"
        "(apt-get install python3-h5py python3-matplotlib):\n"
        "  /usr/bin/python3 analysis/plot_run.py RUN.h5 [-o OUT.png]\n"
    )
    sys.exit(2)

SCHEMA_VERSION = 3
NS_PER_HOUR = 3600e9


def text(value):
    """An HDF5 string attribute as str (variable-length strings already are; fixed ones are bytes)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def field_units(attribute):
    """{field: (units, scale)} from a `field_units` attribute ("quantity: coin*1e-8; id: id; ...")."""
    fields = {}
    for entry in text(attribute).split("; "):
        name, units = entry.split(": ", 1)
        units, _, scale = units.partition("*")
        fields[name] = (units, float(scale) if scale else 1.0)
    return fields


def column(run, name):
    """A /timeseries column converted to floats in its units."""
    dataset = run["timeseries"][name]
    return dataset[:].astype(np.float64) * float(dataset.attrs["scale"])


def plot_prices(ax, run, hours):
    for name, style in (("reference", "-"), ("index", "-"), ("mark", "-"), ("mid", ":")):
        values = column(run, name)
        if name == "mid":
            values[values == 0] = np.nan  # 0 means a side of the book was empty
        ax.plot(hours, values, style, linewidth=0.9, label=name)
    ax.set_title("(a) prices")
    ax.set_ylabel("USD per coin")
    ax.legend(loc="best", fontsize="small")


def plot_liquidations(fig, ax, run):
    table = run["events"]["liquidations"]
    ax.set_title("(b) liquidations (notional at mark, colour = cascade generation)")
    ax.set_ylabel("USD")
    if table.shape[0] == 0:
        ax.text(0.5, 0.5, "no liquidations", ha="center", va="center", transform=ax.transAxes)
        return
    rows = table[:]
    fields = field_units(table.attrs["field_units"])
    hours = rows["time_ns"].astype(np.float64) / NS_PER_HOUR
    notional = np.abs(rows["quantity"] * fields["quantity"][1]) * (rows["mark"] * fields["mark"][1])
    generation = rows["generation"].astype(np.int64)
    top = int(generation.max())
    cmap = plt.get_cmap("viridis", top + 1)
    points = ax.scatter(hours, notional, c=generation, cmap=cmap, vmin=-0.5, vmax=top + 0.5, s=12,
                        edgecolors="none")
    bar = fig.colorbar(points, ax=ax, ticks=range(0, top + 1, max(1, (top + 1) // 10)))
    bar.set_label("generation")
    if notional.min() > 0 and notional.max() / notional.min() > 100:
        ax.set_yscale("log")


def plot_insurance(ax, run, hours):
    ax.plot(hours, column(run, "insurance_fund"), label="insurance fund")
    ax.plot(hours, column(run, "bad_debt"), label="bad debt", color="tab:red")
    ax.set_title("(c) insurance fund and bad debt")
    ax.set_ylabel("USD")
    ax.legend(loc="best", fontsize="small")


def plot_depth(ax, run, hours):
    ax.plot(hours, column(run, "bid_depth"), label="bid depth", color="tab:green", linewidth=0.9)
    ax.plot(hours, column(run, "ask_depth"), label="ask depth", color="tab:red", linewidth=0.9)
    ax.set_title("(d) book depth within the band")
    ax.set_ylabel("coin")
    ax.legend(loc="best", fontsize="small")


def plot_open_interest(ax, run, hours):
    ax.plot(hours, column(run, "open_interest"), color="tab:purple")
    ax.set_title("(e) open interest")
    ax.set_ylabel("coin")


def plot_chain(ax, run, hours):
    """Keeper runs: the chain's base fee and the keeper transactions waiting for block space."""
    ax.plot(hours, column(run, "base_fee"), color="tab:orange", label="base fee per transaction")
    ax.set_ylabel("USD")
    ax.set_title("(g) keepers' chain: base fee and queue")
    queue = ax.twinx()
    queue.plot(hours, column(run, "keeper_txs_queued"), color="tab:blue", linewidth=0.9, label="waiting")
    queue.set_ylabel("keeper transactions waiting for block space")
    lines = ax.get_lines() + queue.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="best", fontsize="small")


def plot_keeper_delays(ax, run):
    """Keeper runs: each transaction's delay from submission to inclusion, and the part spent waiting for
    block space (/events/keeper_tx_queue row i is /events/keeper_txs row i)."""
    txs, queue = run["events"]["keeper_txs"][:], run["events"]["keeper_tx_queue"][:]
    ax.set_title("(h) keeper transactions: delay to inclusion")
    if len(txs) == 0:
        ax.text(0.5, 0.5, "no keeper transactions", ha="center", va="center", transform=ax.transAxes)
        return
    delay = (txs["executed_ns"] - txs["submitted_ns"]) / 1e9
    waiting = (queue["executed_ns"] - queue["first_block_ns"]) / 1e9
    bins = np.linspace(0, max(float(delay.max()), 1.0), 50)
    ax.hist(delay, bins=bins, alpha=0.6, label=f"submitted to included (mean {delay.mean():.1f} s)")
    ax.hist(waiting, bins=bins, alpha=0.6, label=f"waiting for block space (mean {waiting.mean():.1f} s)")
    ax.set_xlabel("seconds")
    ax.set_ylabel("transactions")
    ax.set_yscale("log")
    ax.legend(loc="best", fontsize="small")


def has_options(run):
    return "option_fills" in run["events"] and int(run["summary"].attrs.get("option_liquidations", 0)) > 0


def option_liquidation_fills(run):
    fills = run["events"]["option_fills"][:]
    return fills[fills["liquidation"] >= 0]


def plot_option_gaps(ax, run, hours):
    """Options venue: each option liquidation fill's gap |price - mark| / mark over time, puts and calls."""
    fills = option_liquidation_fills(run)
    ax.set_title("(i) option liquidation fills: gap to the model mark")
    gap = np.abs(fills["price"].astype(np.float64) - fills["mark"]) / np.maximum(fills["mark"], 1)
    t = fills["time_ns"] / NS_PER_HOUR
    for kind, name in ((1, "puts"), (0, "calls")):
        chosen = fills["type"] == kind
        if chosen.any():
            ax.scatter(t[chosen], 100 * gap[chosen], s=4, alpha=0.5, label=f"{name} ({int(chosen.sum()):,} fills)")
    ax.set_ylabel("|price - mark| / mark (%)")
    ax.set_yscale("log")
    ax.legend(loc="best", fontsize="small")


def plot_gap_distribution(ax, run):
    """The mark-to-execution gap of option liquidation fills against perpetual liquidations' slippage."""
    fills = option_liquidation_fills(run)
    liquidations = run["events"]["liquidations"][:]
    option = np.abs(fills["price"].astype(np.float64) - fills["mark"]) / np.maximum(fills["mark"], 1)
    perp = np.abs(liquidations["price"].astype(np.float64) - liquidations["mark"]) / liquidations["mark"]
    ax.set_title("(j) mark-to-execution gap: options against perpetuals")
    values = np.concatenate([option, perp])
    low = max(1e-6, float(values[values > 0].min(initial=1.0)))
    bins = np.logspace(np.log10(low), np.log10(max(float(values.max(initial=1.0)), low * 10)), 50)
    if perp.size:
        ax.hist(np.maximum(perp, low), bins=bins, alpha=0.6, label=f"perpetual liquidations ({perp.size:,})")
    ax.hist(np.maximum(option, low), bins=bins, alpha=0.6, label=f"option liquidation fills ({option.size:,})")
    ax.set_xscale("log")
    ax.set_xlabel("|execution price - mark| / mark")
    ax.set_ylabel("count")
    ax.legend(loc="best", fontsize="small")


def plot_summary(ax, run):
    summary = run["summary"].attrs
    fields = field_units(summary["field_units"])
    lines = []
    for name in ("liquidation_count", "engine_liquidations", "keeper_liquidations", "liquidated_notional",
                 "cascade_generations", "largest_cascade", "cascade_count", "branching_ratio",
                 "liquidation_delay_p50_seconds", "liquidation_delay_p99_seconds", "adl_count", "bad_debt",
                 "insurance_fund_initial", "insurance_fund_min", "insurance_fund_final", "keeper_profit",
                 "unliquidated_deficit", "protocol_loss", "max_mark_index_gap", "mean_slippage",
                 "slippage_p50", "option_liquidations", "option_gap_p50", "option_gap_p90", "option_gap",
                 "option_shortfall", "conservation_residual", "events_processed"):
        if name not in summary:
            continue
        units, scale = fields.get(name, ("1", 1.0))
        if units in ("USD", "USD/coin"):
            shown = f"{summary[name] * scale:,.2f} {units}"
        elif units == "coin":
            shown = f"{summary[name] * scale:,.4f} {units}"
        elif units == "count":
            shown = f"{int(summary[name]):,}"
        else:
            shown = f"{float(summary[name] * scale):.4g}"
        lines.append(f"{name:<29} {shown:>22}")
    ax.axis("off")
    ax.set_title("(f) summary")
    ax.text(0.0, 1.0, "\n".join(lines), family="monospace", fontsize=8 if len(lines) <= 24 else 6.5, va="top",
            transform=ax.transAxes)


def main():
    parser = argparse.ArgumentParser(description="Dashboard PNG of one liqsim run file.")
    parser.add_argument("run", help="run file (.h5)")
    parser.add_argument("-o", "--output", help="PNG to write (default: the run file's name with .png)")
    args = parser.parse_args()
    output = args.output or os.path.splitext(args.run)[0] + ".png"

    try:
        run = h5py.File(args.run, "r")
    except OSError as error:
        sys.exit(f"plot_run: cannot open '{args.run}': {error}")
    with run:
        version = int(run.attrs.get("schema_version", -1))
        if version != SCHEMA_VERSION:
            sys.exit(f"plot_run: '{args.run}' has schema_version {version}; this script knows {SCHEMA_VERSION}")
        hours = run["timeseries"]["time_ns"][:].astype(np.float64) / NS_PER_HOUR
        summary = run["summary"].attrs

        keepers = text(run.attrs["mechanism"]) == "keeper"
        options = has_options(run)
        rows = 3 + int(keepers) + int(options)
        fig, axes = plt.subplots(rows, 2, figsize=(15, 4 * rows))
        plot_prices(axes[0, 0], run, hours)
        plot_liquidations(fig, axes[0, 1], run)
        plot_insurance(axes[1, 0], run, hours)
        plot_depth(axes[1, 1], run, hours)
        plot_open_interest(axes[2, 0], run, hours)
        plot_summary(axes[2, 1], run)
        timelines = [axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1], axes[2, 0]]
        if keepers:
            plot_chain(axes[3, 0], run, hours)
            plot_keeper_delays(axes[3, 1], run)
            timelines.append(axes[3, 0])
        if options:
            plot_option_gaps(axes[rows - 1, 0], run, hours)
            plot_gap_distribution(axes[rows - 1, 1], run)
            timelines.append(axes[rows - 1, 0])
        for ax in timelines:
            if len(hours) > 1:
                ax.set_xlim(hours[0], hours[-1])
            ax.set_xlabel("time (hours)")
            ax.grid(True, alpha=0.3)

        fig.suptitle(
            f"{text(run.attrs['scenario_name'])} ({text(run.attrs['mechanism'])})  seed {int(run.attrs['seed'])}  |  "
            f"{int(summary['liquidation_count'])} liquidations, {int(summary['cascade_generations'])} generations, "
            f"branching ratio {float(summary['branching_ratio']):.3f}",
            fontsize=13)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        fig.savefig(output, dpi=110)
    print(output)


if __name__ == "__main__":
    main()
