#!/usr/bin/python3
"""PNG plots of one liqsim sweep file (HDF5, schema_version 2; see docs/sweeps.md and docs/reports.md).

Usage: plot_sweep.py SWEEP.h5 [-o DIR] [--metric NAME ...] [--axes X Y] [--line-axis KEY]
                     [--band minmax|sd] [--runs RUN.h5 ...]

Writes into DIR (default: the sweep file's folder), for each metric (a /summary field; default
liquidated_notional):
  <sweep>-heatmap-<metric>.png  the metric over two axes (default the first two), mean over seeds and the
                                other axes, one panel per variant on one colour scale
  <sweep>-lines-<metric>.png    the metric over one axis (default the first), one line per variant: the
                                mean over seeds, each seed first averaged over the other axes; the band
                                spans the seeds' minimum to maximum (--band minmax) or mean +- 1 sd (--band sd)
and <sweep>-cascades.png, the cascade-size CCDF on log-log axes, from the runs' liquidations: those the
sweep file keeps per run (a /runs/<run> group with events/liquidations or cascade_sizes), else the run
files given with --runs (liqsim run --out ...), one line each. Without either it is left out.

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
        f"plot_sweep: cannot import {error.name or 'a required module'} ({error}) with {sys.executable}.\n"
        "Run it with Debian's /usr/bin/python3, which has the packages python3-h5py and python3-matplotlib\n"
        "(apt-get install python3-h5py python3-matplotlib):\n"
        "  /usr/bin/python3 analysis/plot_sweep.py SWEEP.h5 [-o DIR] [--metric NAME ...]\n"
    )
    sys.exit(2)

SWEEP_SCHEMA_VERSION = 2
RUN_SCHEMA_VERSION = 3
STATUS_OK = 1
MAX_GROUPS = 12  # an axis with more distinct values (a random design) is cut into BINS equal bins
BINS = 10


def text(value):
    """An HDF5 string attribute or fixed string as str."""
    return value.decode() if isinstance(value, bytes) else str(value)


def field_units(attribute):
    """{field: (units, scale)} from a `field_units` attribute ("quantity: coin*1e-8; id: id; ...")."""
    fields = {}
    for entry in text(attribute).split("; "):
        name, units = entry.split(": ", 1)
        units, _, scale = units.partition("*")
        fields[name] = (units, float(scale) if scale else 1.0)
    return fields


def groups_of(values):
    """(group of each row, group centres, labels): the distinct values, or equal bins of a random design."""
    distinct = np.unique(values)
    if len(distinct) <= MAX_GROUPS:
        return np.searchsorted(distinct, values), distinct, [f"{v:g}" for v in distinct]
    log = distinct[0] > 0 and distinct[-1] / distinct[0] >= 100
    scaled = np.log10(values) if log else values
    edges = np.linspace(scaled.min(), scaled.max(), BINS + 1)
    group = np.clip(np.searchsorted(edges, scaled, side="right") - 1, 0, BINS - 1)
    centres = (edges[:-1] + edges[1:]) / 2
    edges, centres = (10 ** edges, 10 ** centres) if log else (edges, centres)
    return group, centres, [f"{a:.3g}-{b:.3g}" for a, b in zip(edges[:-1], edges[1:])]


def plot_heatmap(rows, values, variants, x_key, y_key, metric, label, output):
    gx, x_centres, x_labels = groups_of(rows[x_key])
    gy, y_centres, y_labels = groups_of(rows[y_key])
    means = np.full((len(variants), len(y_centres), len(x_centres)), np.nan)
    for v in range(len(variants)):
        for j in range(len(y_centres)):
            for i in range(len(x_centres)):
                cell = (rows["variant"] == v) & (gx == i) & (gy == j) & np.isfinite(values)
                if cell.any():
                    means[v, j, i] = values[cell].mean()
    finite = means[np.isfinite(means)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    fig, axes = plt.subplots(1, len(variants), figsize=(5.2 * len(variants) + 1.2, 4.4), squeeze=False)
    image = None
    for v, ax in enumerate(axes[0]):
        image = ax.imshow(means[v], origin="lower", aspect="auto", cmap="viridis", vmin=low, vmax=high)
        ax.set_xticks(range(len(x_labels)), x_labels, rotation=30 if len(x_labels) > 6 else 0, fontsize="small")
        ax.set_yticks(range(len(y_labels)), y_labels, fontsize="small")
        ax.set_xlabel(x_key)
        ax.set_ylabel(y_key)
        ax.set_title(f"variant {variants[v]}")
        if len(x_labels) * len(y_labels) <= 144:
            for j in range(len(y_labels)):
                for i in range(len(x_labels)):
                    if np.isfinite(means[v, j, i]):
                        bright = (means[v, j, i] - low) / (high - low) > 0.6 if high > low else False
                        value = means[v, j, i]
                        shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
                        ax.text(i, j, shown, ha="center", va="center", fontsize=7,
                                color="black" if bright else "white")
    fig.colorbar(image, ax=axes[0].tolist(), label=f"{label}, mean over seeds")
    fig.suptitle(f"{metric} over {x_key} and {y_key}")
    fig.savefig(output, dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_lines(rows, values, variants, key, metric, label, band, output):
    group, centres, _ = groups_of(rows[key])
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for v, name in enumerate(variants):
        middle, low, high = [], [], []
        for g in range(len(centres)):
            # Each seed averaged over the other axes' points first, then across seeds.
            at = (rows["variant"] == v) & (group == g) & np.isfinite(values)
            per_seed = np.array([values[at & (rows["seed_index"] == s)].mean()
                                 for s in np.unique(rows["seed_index"][at])])
            if per_seed.size == 0:
                middle.append(np.nan), low.append(np.nan), high.append(np.nan)
                continue
            mean = per_seed.mean()
            spread = per_seed.std(ddof=1) if per_seed.size > 1 else 0.0
            middle.append(mean)
            low.append(per_seed.min() if band == "minmax" else mean - spread)
            high.append(per_seed.max() if band == "minmax" else mean + spread)
        line, = ax.plot(centres, middle, marker="o", markersize=3, label=name)
        ax.fill_between(centres, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    if centres[0] > 0 and centres[-1] / centres[0] >= 100:
        ax.set_xscale("log")
    ax.set_xlabel(key)
    ax.set_ylabel(label)
    ax.set_title(f"{metric} over {key} (band: {'min-max' if band == 'minmax' else 'mean +- 1 sd'} over seeds)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    plt.close(fig)


def cascade_sizes(liquidations):
    """Sizes of the trees of liquidations linked by cause (a liquidation joins its cause's tree)."""
    cause = liquidations["cause"]
    tree = np.arange(len(cause))
    for i in range(len(cause)):
        if cause[i] >= 0:
            tree[i] = tree[cause[i]]
    return np.unique(tree, return_counts=True)[1] if len(cause) else np.array([], dtype=np.int64)


def sizes_in(group):
    """Cascade sizes of one run's group (a run file's root, or a sweep's /runs/<run>), or None."""
    if "cascade_sizes" in group:
        table = group["cascade_sizes"][:]
        if table.dtype.names and "trees" in table.dtype.names:  # liqsim's table: how many trees of each size
            return np.repeat(table["size"], table["trees"].astype(np.int64))
        return table["size"] if table.dtype.names else table
    if "events" in group and "liquidations" in group["events"]:
        return cascade_sizes(group["events"]["liquidations"][:])
    return None


def plot_ccdf(curves, output):
    fig, ax = plt.subplots(figsize=(7, 5))
    for label, sizes in curves:
        sizes = np.sort(np.asarray(sizes))
        if sizes.size == 0:
            continue
        distinct, first = np.unique(sizes, return_index=True)
        ax.plot(distinct, (sizes.size - first) / sizes.size, marker="o", markersize=3, linewidth=0.8,
                label=f"{label} ({sizes.size} cascades)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("cascade size s (liquidations)")
    ax.set_ylabel("P(size >= s)")
    ax.set_title("Cascade sizes (CCDF)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    fig.savefig(output, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description="PNG plots of one liqsim sweep file.")
    parser.add_argument("sweep", help="sweep file (.h5, liqsim sweep)")
    parser.add_argument("-o", "--output-dir", help="folder for the PNGs (default: the sweep file's)")
    parser.add_argument("--metric", action="append", help="/summary field to plot, repeatable "
                        "(default: liquidated_notional)")
    parser.add_argument("--axes", nargs=2, metavar=("X", "Y"), help="heatmap axes (default: the first two)")
    parser.add_argument("--line-axis", help="axis of the line plots (default: the first)")
    parser.add_argument("--band", choices=("minmax", "sd"), default="minmax",
                        help="seed band of the line plots: min-max (default) or mean +- 1 sd")
    parser.add_argument("--runs", nargs="+", default=[], metavar="RUN.h5",
                        help="run files for the cascade CCDF when the sweep keeps no events")
    args = parser.parse_args()
    stem = os.path.splitext(os.path.basename(args.sweep))[0]
    folder = args.output_dir or os.path.dirname(os.path.abspath(args.sweep))
    os.makedirs(folder, exist_ok=True)

    try:
        sweep = h5py.File(args.sweep, "r")
    except OSError as error:
        sys.exit(f"plot_sweep: cannot open '{args.sweep}': {error}")
    written = []
    with sweep:
        if "plan_digest" not in sweep.attrs or "metrics" not in sweep:
            sys.exit(f"plot_sweep: '{args.sweep}' is not a liqsim sweep file (no plan_digest, no /metrics)")
        version = int(sweep.attrs.get("schema_version", -1))
        if version != SWEEP_SCHEMA_VERSION:
            sys.exit(f"plot_sweep: '{args.sweep}' has schema_version {version}; this script knows {SWEEP_SCHEMA_VERSION}")
        table = sweep["metrics"]
        rows = table[:]
        units = field_units(table.attrs["field_units"])
        axes = [text(key) for key in sweep["plan/axes"]["key"]]
        variants = [text(name) for name in sweep["plan/variants"]["name"]]
        summary_fields = [name for name in rows.dtype.names if name not in axes and name not in
                          ("run", "point", "seed_index", "variant", "run_seed", "status", "error")]
        metrics = args.metric or ["liquidated_notional"]
        for name in metrics:
            if name not in summary_fields:
                sys.exit(f"plot_sweep: --metric '{name}' is not a summary field; allowed: {', '.join(summary_fields)}")
        for name in (args.axes or []) + ([args.line_axis] if args.line_axis else []):
            if name not in axes:
                sys.exit(f"plot_sweep: axis '{name}' is not an axis of this sweep; allowed: {', '.join(axes) or 'none'}")
        heat_axes = args.axes or axes[:2]
        line_axis = args.line_axis or (axes[0] if axes else None)
        ok = rows["status"] == STATUS_OK
        failed = int((rows["status"] == 2).sum())
        if failed:
            print(f"plot_sweep: {failed} failed runs left out", file=sys.stderr)

        for metric in metrics:
            unit, scale = units.get(metric, ("1", 1.0))
            values = np.where(ok, rows[metric].astype(np.float64) * scale, np.nan)
            label = f"{metric} ({unit})"
            if len(heat_axes) == 2:
                path = os.path.join(folder, f"{stem}-heatmap-{metric}.png")
                plot_heatmap(rows, values, variants, heat_axes[0], heat_axes[1], metric, label, path)
                written.append(path)
            if line_axis:
                path = os.path.join(folder, f"{stem}-lines-{metric}.png")
                plot_lines(rows, values, variants, line_axis, metric, label, args.band, path)
                written.append(path)

        # Cascade sizes: kept per run in the sweep file, else the run files given.
        curves = []
        if "runs" in sweep:
            pooled = {}
            for run_name, group in sweep["runs"].items():
                sizes = sizes_in(group)
                if sizes is not None and int(run_name) < len(rows):
                    pooled.setdefault(variants[rows["variant"][int(run_name)]], []).extend(sizes)
            curves = sorted(pooled.items())
    for path in args.runs:
        try:
            with h5py.File(path, "r") as run:
                if int(run.attrs.get("schema_version", -1)) != RUN_SCHEMA_VERSION:
                    sys.exit(f"plot_sweep: '{path}' is not a run file of schema_version {RUN_SCHEMA_VERSION}")
                label = f"{text(run.attrs['scenario_name'])} seed {int(run.attrs['seed'])} ({text(run.attrs['mechanism'])})"
                curves.append((label, sizes_in(run)))
        except OSError as error:
            sys.exit(f"plot_sweep: cannot open '{path}': {error}")
    if curves:
        path = os.path.join(folder, f"{stem}-cascades.png")
        plot_ccdf(curves, path)
        written.append(path)
    else:
        print("plot_sweep: no cascade CCDF: the sweep keeps no events; give run files with --runs", file=sys.stderr)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
