#!/usr/bin/python3
"""Compares what Chromium rendered of two liqsim reports (the JSON the probe of report_render.sh left in
the dumped DOM) with the run and sweep files they were made from.

Usage: report_render_check.py RUN.h5 RUN.dom SWEEP.h5 SWEEP.dom
"""

import html
import json
import re
import sys

import h5py
import numpy as np

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def rendered(dom_path):
    text = open(dom_path, encoding="utf-8").read()
    match = re.search(r'<pre id="render-check">(.*?)</pre>', text, re.S)
    if not match:
        sys.exit(f"FAIL: {dom_path}: the probe's output is missing (the page did not load or run it)")
    return {plot["id"]: plot for plot in json.loads(html.unescape(match.group(1)))}


def series_of(plot):
    return {s["name"]: s for s in plot["series"]}


def check_plot(plots, plot_id):
    check(plot_id in plots, f"plot {plot_id} missing")
    plot = plots.get(plot_id, {"width": 0, "height": 0, "series": []})
    check(plot["width"] >= 400 and plot["height"] >= 200, f"{plot_id}: rendered {plot['width']}x{plot['height']}")
    for s in plot["series"]:
        if s["points"] > 0:
            check(s["width"] > 0 or s["height"] > 0, f"{plot_id}/{s['name']}: empty bounding box")
    return plot


def check_line(plot_id, series, name, expected):
    s = series.get(name)
    check(s is not None, f"{plot_id}: no series {name}")
    if s is None:
        return
    check(s["points"] == expected, f"{plot_id}/{name}: {s['points']} points, expected {expected}")
    check(s["vertices"] == expected, f"{plot_id}/{name}: {s['vertices']} path vertices, expected {expected}")


def check_run(h5_path, dom_path):
    plots = rendered(dom_path)
    with h5py.File(h5_path, "r") as run:
        ts = run["timeseries"]
        samples = ts["time_ns"].shape[0]
        check(samples <= 2000, f"the run has {samples} samples; this check expects no thinning")
        mid_drawn = int((ts["mid"][:] != 0).sum())
        liquidations = run["events"]["liquidations"][:]
    check(len(liquidations) > 0, "the small preset should liquidate")
    check(sorted(plots) == sorted(["prices", "insurance_fund", "open_interest", "liquidations", "cascade_ccdf"]),
          f"run plots: {sorted(plots)}")

    prices = series_of(check_plot(plots, "prices"))
    for name in ("reference", "index", "mark"):
        check_line("prices", prices, name, samples)
    check_line("prices", prices, "mid", mid_drawn)
    fund = series_of(check_plot(plots, "insurance_fund"))
    check_line("insurance_fund", fund, "insurance fund", samples)
    check_line("insurance_fund", fund, "bad debt", samples)
    check_line("open_interest", series_of(check_plot(plots, "open_interest")), "open interest", samples)

    # One point per liquidation, one series per cascade generation.
    scatter = check_plot(plots, "liquidations")["series"]
    generations = int(liquidations["generation"].max()) + 1
    check(len(scatter) == generations, f"liquidations: {len(scatter)} series, expected {generations} generations")
    for s in scatter:
        g = int(s["name"].split()[-1])
        expected = int((liquidations["generation"] == g).sum())
        check(s["circles"] == expected == s["points"], f"liquidations/{s['name']}: {s['circles']} circles, expected {expected}")
        check(s["width"] > 0 and s["height"] > 0, f"liquidations/{s['name']}: empty bounding box")

    # Cascade sizes from the cause links: a liquidation joins its cause's tree.
    tree = np.zeros(len(liquidations), dtype=np.int64)
    for i, cause in enumerate(liquidations["cause"]):
        tree[i] = i if cause < 0 else tree[cause]
    sizes = np.unique(tree, return_counts=True)[1]
    ccdf = series_of(check_plot(plots, "cascade_ccdf")).get("cascades", {"points": -1, "circles": -1})
    distinct = len(np.unique(sizes))
    check(ccdf["points"] == distinct == ccdf["circles"],
          f"cascade_ccdf: {ccdf['points']} points / {ccdf['circles']} circles, expected {distinct} distinct sizes")
    return len(plots)


def check_sweep(h5_path, dom_path, metrics):
    plots = rendered(dom_path)
    with h5py.File(h5_path, "r") as sweep:
        rows = sweep["metrics"][:]
        axes = [key.decode() for key in sweep["plan/axes"]["key"]]
        variants = [name.decode() for name in sweep["plan/variants"]["name"]]
        ok = rows["status"] == 1
    cells = len(np.unique(rows[axes[0]])) * len(np.unique(rows[axes[1]]))
    expected_ids = []
    for metric in metrics:
        for v, name in enumerate(variants):
            plot_id = f"heatmap-{metric}-{v}"
            expected_ids.append(plot_id)
            drawn = series_of(check_plot(plots, plot_id)).get("cells", {"rects": -1, "points": -1, "grey": -1})
            filled = len({(a, b) for a, b in zip(rows[axes[0]][ok & (rows["variant"] == v)],
                                                   rows[axes[1]][ok & (rows["variant"] == v)])})
            check(drawn["rects"] == cells, f"{plot_id}: {drawn['rects']} cells, expected {cells}")
            check(drawn["points"] == filled and drawn["grey"] == cells - filled,
                  f"{plot_id}: {drawn['points']} coloured and {drawn['grey']} grey cells, expected {filled}")
        plot_id = f"lines-{metric}"
        expected_ids.append(plot_id)
        lines = series_of(check_plot(plots, plot_id))
        check(sorted(lines) == sorted(variants), f"{plot_id}: series {sorted(lines)}, expected {sorted(variants)}")
        for v, name in enumerate(variants):
            check_line(plot_id, lines, name, len(np.unique(rows[axes[0]][ok & (rows["variant"] == v)])))
    check(sorted(plots) == sorted(expected_ids), f"sweep plots: {sorted(plots)}, expected {sorted(expected_ids)}")
    return len(plots)


def main():
    run_plots = check_run(sys.argv[1], sys.argv[2])
    sweep_plots = check_sweep(sys.argv[3], sys.argv[4], ["liquidated_notional", "bad_debt"])
    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print(f"reports rendered: run {run_plots} plots, sweep {sweep_plots} plots, every series as in the files")


if __name__ == "__main__":
    main()
