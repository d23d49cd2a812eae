#!/usr/bin/python3
"""Stylized facts of liqsim run files and of real market data, side by side (docs/calibration.md).

Usage:
  stylized_facts.py [RUN.h5 | LABEL=RUN.h5[,RUN.h5...] ...] [--data DIR] [--kline LABEL=CSV[,CSV...] ...]
                    [--book-depth CSV] [--book-depth-until HH:MM:SS] [--funding LABEL=CSV ...]
                    [--intervals 60,300] [-o PREFIX]

For each price series (a run's reference, index, mark and mid; the close of each kline file) resampled
to each interval by last value: the excess kurtosis of the log returns and the autocorrelation of their
absolute values at lags 1 to 60. For each run the depth profile per side as a share of open interest:
from /venue_timeseries (every venue, at 0.5, 1, 2 and 5 % of its mid) when the file has it, else the
depth within its recorded band (`depth_band`; several run files under one label that differ only in
depth_band give one band each); for a Binance bookDepth file the cumulative depth per side at each
recorded distance from the mid (as a share of --book-depth-open-interest when given). The funding-rate
distribution: the share of intervals at 0.01 % (the interest-rate value) and quantiles. The spread of
the perpetual book where /venue_timeseries records best bid and ask (the real data has none).

--data DIR takes the standard real files of a data folder laid out as ../shared/data (see
docs/calibration.md); --kline, --book-depth and --funding add files one by one. Output: the tables on
stdout, PREFIX.md (the same tables in markdown), PREFIX.csv (one row per statistic: source, series,
interval_s, statistic, value) and PREFIX.png (the figure). Default PREFIX: stylized_facts.

Runs on Debian's python3-numpy, python3-pandas, python3-h5py and python3-matplotlib, hence /usr/bin/python3.
"""

import argparse
import csv
import math
import os
import sys
import tomllib

try:
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
except ImportError as error:
    sys.stderr.write(
        f"stylized_facts: cannot import {error.name or 'a required module'} ({error}) with {sys.executable}.\n"
        "Run it with Debian's /usr/bin/python3, which has the packages python3-numpy, python3-pandas,\n"
        "python3-h5py and python3-matplotlib (apt-get install python3-numpy python3-pandas python3-h5py\n"
        "python3-matplotlib):\n"
        "  /usr/bin/python3 analysis/stylized_facts.py RUN.h5 --data ../shared/data -o facts\n"
    )
    sys.exit(2)

SCHEMA_VERSION = 3
MAX_LAG = 60
# Binance's interest-rate component of the funding rate: 0.03 % a day, 0.01 % per 8-hour interval
# (Binance, "Introduction to Binance Futures Funding Rates"); the rate sits there whenever the premium is
# inside the +-0.05 % clamp around it.
INTEREST_RATE = 1e-4
FUNDING_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
REPORTED_LAGS = (1, 5, 10, 30, 60)
# Distances from the mid (fractions) of the depth profile the calibration asks for; /venue_timeseries
# records each of them per side (columns bid_depth_0.5pct ... ask_depth_5pct).
PROFILE_BANDS = (0.005, 0.01, 0.02, 0.05)
PROFILE_COLUMNS = ("0.5pct", "1pct", "2pct", "5pct")


class InputError(Exception):
    """A file or argument the tool cannot use; main() prints it and exits 2."""


# --------------------------------------------------------------------------------------------------
# Statistics (numpy only: no file, no state).


def resample_last(times, values, interval):
    """Samples `values` (at `times`, seconds, increasing) on a grid of multiples of `interval` by last value.

    The value at grid point b is the last finite sample with time in (b - interval, b]; NaN when there is
    none (a gap). NaN or non-positive samples count as missing. Grid: the first multiple of `interval` at or
    after the first sample, to the last sample. Returns (grid, values)."""
    times = np.asarray(times, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    valid = np.isfinite(values) & (values > 0)
    times, values = times[valid], values[valid]
    if len(times) == 0:
        return np.empty(0), np.empty(0)
    # Work relative to a multiple of the interval so that epoch seconds (1.7e9) keep sub-microsecond
    # resolution in the comparisons below.
    origin = math.floor(times[0] / interval) * interval
    rel = times - origin
    tolerance = 1e-6 * min(1.0, interval)
    first = math.ceil((rel[0] - tolerance) / interval)
    last_step = math.floor((rel[-1] + tolerance) / interval)
    grid = np.arange(first, last_step + 1, dtype=np.float64) * interval
    last = np.searchsorted(rel, grid + tolerance, side="right") - 1
    out = np.full(len(grid), np.nan)
    found = last >= 0
    fresh = np.zeros(len(grid), dtype=bool)
    fresh[found] = rel[last[found]] > grid[found] - interval + tolerance
    out[fresh] = values[last[fresh]]
    grid = grid + origin
    return grid, out


def log_returns(prices):
    """log(p[t] / p[t-1]); NaN where either price is missing."""
    prices = np.asarray(prices, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diff(np.log(prices))


def excess_kurtosis(returns):
    """m4 / m2^2 - 3 with central sample moments (divided by n) of the finite values; NaN below 4 values.

    0 for a Gaussian; 6 / (nu - 4) for Student's t with nu > 4 degrees of freedom."""
    x = np.asarray(returns, dtype=np.float64)
    x = x[np.isfinite(x)]
    if len(x) < 4:
        return float("nan")
    d = x - x.mean()
    m2 = np.mean(d * d)
    if m2 == 0:
        return float("nan")
    return float(np.mean(d**4) / (m2 * m2) - 3.0)


def autocorrelation(x, max_lag=MAX_LAG):
    """Sample autocorrelation at lags 1..max_lag (Box & Jenkins: sums of products of deviations from the
    mean divided by the sum of squares). Missing values (NaN) contribute a zero deviation; the mean and
    the sum of squares are over the finite values. Returns an array of max_lag values (NaN past the data)."""
    x = np.asarray(x, dtype=np.float64)
    finite = np.isfinite(x)
    out = np.full(max_lag, np.nan)
    if finite.sum() < 2:
        return out
    d = np.where(finite, x - x[finite].mean(), 0.0)
    c0 = np.dot(d, d)
    if c0 == 0:
        return out
    for lag in range(1, min(max_lag, len(x) - 1) + 1):
        out[lag - 1] = np.dot(d[:-lag], d[lag:]) / c0
    return out


def abs_return_autocorrelation(returns, max_lag=MAX_LAG):
    """Autocorrelation of |r| at lags 1..max_lag: volatility clustering (Cont 2001, "Empirical properties of
    asset returns: stylized facts and statistical issues", Quantitative Finance 1)."""
    return autocorrelation(np.abs(np.asarray(returns, dtype=np.float64)), max_lag)


def depth_profile(bids, asks, mid, bands=PROFILE_BANDS):
    """Cumulative resting quantity per side within each band of the mid, from one book snapshot.

    bids and asks are sequences of (price, quantity) levels. A bid counts for band f when its price is at
    least mid * (1 - f), an ask when at most mid * (1 + f) (bounds included, as OrderBook::depth_within;
    a relative slack of 1e-12 keeps a level on the bound inside despite binary rounding of f).
    Returns {"bid": array, "ask": array}, one cumulative quantity per band."""
    out = {}
    for side, levels, sign in (("bid", bids, -1), ("ask", asks, 1)):
        levels = np.asarray(levels, dtype=np.float64).reshape(-1, 2)
        totals = []
        for band in bands:
            bound = mid * (1 + sign * band)
            slack = abs(mid) * 1e-12
            inside = levels[:, 0] >= bound - slack if sign < 0 else levels[:, 0] <= bound + slack
            totals.append(levels[inside, 1].sum())
        out[side] = np.array(totals)
    return out


def funding_distribution(rates, interest_rate=INTEREST_RATE, quantiles=FUNDING_QUANTILES, resolution=5e-10):
    """Share of funding intervals at the interest-rate value (within `resolution`) and quantiles of the rates.

    Returns a dict: count, share_at_interest, mean, min, max and q<percent> for each quantile."""
    rates = np.asarray(rates, dtype=np.float64)
    rates = rates[np.isfinite(rates)]
    out = {"count": len(rates)}
    if len(rates) == 0:
        return out
    out["share_at_interest"] = float(np.mean(np.abs(rates - interest_rate) <= resolution))
    out["mean"] = float(rates.mean())
    out["min"] = float(rates.min())
    out["max"] = float(rates.max())
    for q, value in zip(quantiles, np.quantile(rates, quantiles)):
        out[f"q{q * 100:g}"] = float(value)
    return out


def return_facts(times, prices, interval, max_lag=MAX_LAG):
    """Returns, excess kurtosis and |r| autocorrelation of one price series resampled to `interval`."""
    _, sampled = resample_last(times, prices, interval)
    returns = log_returns(sampled)
    finite = returns[np.isfinite(returns)]
    return {
        "returns": int(len(finite)),
        "stdev": float(finite.std()) if len(finite) else float("nan"),
        "excess_kurtosis": excess_kurtosis(returns),
        "acf_abs": abs_return_autocorrelation(returns, max_lag),
    }


# --------------------------------------------------------------------------------------------------
# Readers.


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


class RunFacts:
    """What a run file records for the stylized facts: market 0's price columns (seconds, USD/coin), its
    depth band and depth per side (coin), open interest (coin) and the funding rates applied (per interval).
    When the file has /venue_timeseries with the depth-profile columns: the mid and the spread of the
    perpetual book (venue 0) from its best bid and ask, and each venue's depth profile (`venue_profiles`)."""

    PRICE_SERIES = ("reference", "index", "mark", "mid")

    def __init__(self, path):
        try:
            run = h5py.File(path, "r")
        except OSError as error:
            raise InputError(f"cannot open run file '{path}': {error}")
        with run:
            version = int(run.attrs.get("schema_version", -1))
            if version != SCHEMA_VERSION:
                raise InputError(f"'{path}' has schema_version {version}; this script knows {SCHEMA_VERSION}")
            ts = run["timeseries"]

            def column(name):
                return ts[name][:].astype(np.float64) * float(ts[name].attrs["scale"])

            self.times = ts["time_ns"][:].astype(np.float64) * 1e-9
            self.prices = {name: column(name) for name in self.PRICE_SERIES}
            self.prices["mid"][self.prices["mid"] <= 0] = np.nan  # 0: a side of the book was empty
            self.bid_depth = column("bid_depth")
            self.ask_depth = column("ask_depth")
            self.open_interest = column("open_interest")
            self.recorded = set(ts.keys())
            scenario = tomllib.loads(text(run.attrs["scenario_toml"]))
            market = scenario["markets"][0]
            self.depth_band = float(market.get("depth_band", float("nan")))
            self.interest_rate = float(market.get("funding", {}).get("interest_rate", float("nan")))
            self.scenario_name = text(run.attrs["scenario_name"])
            self.seed = int(run.attrs["seed"])
            table = run["events"]["funding"]
            rows = table[:]
            scale = field_units(table.attrs["field_units"])["rate"][1]
            self.funding_rates = rows["rate"][rows["market"] == 0].astype(np.float64) * scale
            self.venue_profiles = {}
            self.spread = None
            if "venue_timeseries" in run:
                self._read_venues(run["venue_timeseries"], ts["time_ns"][:])

    def _read_venues(self, table, record_times):
        rows = table[:]
        units = field_units(table.attrs["field_units"])
        names = rows.dtype.names

        def values(selected, name):
            return selected[name].astype(np.float64) * units[name][1]

        perpetual = rows[(rows["venue"] == 0) & (rows["kind"] == 0)]
        if len(perpetual):
            bid, ask = values(perpetual, "best_bid"), values(perpetual, "best_ask")
            both = (bid > 0) & (ask > 0)
            mid = np.where(both, (bid + ask) / 2, np.nan)
            # The mid of the perpetual book, the same book as /timeseries' mid, on the record times.
            at = np.searchsorted(perpetual["time_ns"], record_times)
            found = (at < len(perpetual)) & (perpetual["time_ns"][np.minimum(at, len(perpetual) - 1)] == record_times)
            self.prices["mid"] = np.where(found, mid[np.minimum(at, len(perpetual) - 1)], np.nan)
            if both.any():
                spread = ask[both] - bid[both]
                self.spread = (float(np.median(spread)), float(np.median(spread / mid[both])) * 1e4)
        if not all(f"{side}_depth_{c}" in names for side in ("bid", "ask") for c in PROFILE_COLUMNS):
            return
        # Open interest at each venue sample: the /timeseries row of the same record time.
        at = np.clip(np.searchsorted(record_times, rows["time_ns"]), 0, len(record_times) - 1)
        open_interest = np.where(record_times[at] == rows["time_ns"], self.open_interest[at], 0.0)
        for venue in np.unique(rows["venue"]):
            mine = rows["venue"] == venue
            held = mine & (open_interest > 0)
            profile = {}
            for side in ("bid", "ask"):
                for band, c in zip(PROFILE_BANDS, PROFILE_COLUMNS):
                    depth = values(rows, f"{side}_depth_{c}")
                    profile[(side, band)] = (
                        float(np.median(depth[held])) if held.any() else float("nan"),
                        float(np.median(depth[held] / open_interest[held])) if held.any() else float("nan"))
            kind = "perpetual" if int(rows["kind"][mine][0]) == 0 else "spot"
            self.venue_profiles[int(venue)] = (kind, profile)

    def depth_share(self):
        """{side: (median depth in coin, median depth / open interest)} over samples with open interest."""
        held = self.open_interest > 0
        out = {}
        for side, depth in (("bid", self.bid_depth), ("ask", self.ask_depth)):
            out[side] = (float(np.median(depth[held])) if held.any() else float("nan"),
                         float(np.median(depth[held] / self.open_interest[held])) if held.any() else float("nan"))
        return out

    def spread_recorded(self):
        return self.spread is not None or {"best_bid", "best_ask"} <= self.recorded or "spread" in self.recorded


def read_klines(paths):
    """Closes of one or more Binance kline CSVs (columns open_time in ms and close; any others ignored),
    concatenated in time order. Each close is the price at the bar's end, open_time + interval.
    Returns (times in seconds, closes, bar interval in seconds)."""
    frames = []
    for path in paths:
        try:
            frame = pd.read_csv(path)
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read kline file '{path}': {error}")
        missing = {"open_time", "close"} - set(frame.columns)
        if missing:
            raise InputError(f"kline file '{path}' lacks column(s) {', '.join(sorted(missing))}; "
                             "expected Binance kline columns (open_time in ms, close)")
        frames.append(frame[["open_time", "close"]])
    frame = pd.concat(frames).drop_duplicates("open_time").sort_values("open_time")
    opens = frame["open_time"].to_numpy(dtype=np.float64) / 1000.0
    if len(opens) < 2:
        raise InputError(f"kline file(s) {', '.join(paths)} hold fewer than two bars")
    interval = float(np.median(np.diff(opens)))
    return opens + interval, frame["close"].to_numpy(dtype=np.float64), interval


def read_book_depth(path, until=None):
    """A Binance bookDepth CSV (timestamp, percentage -5..5, cumulative depth in coin, notional) as one row
    per snapshot and one column per percentage. Snapshots after `until` (HH:MM:SS of the day, or None) and
    snapshots whose 1 % bid sits at or above the 1 % ask (a stale side) are dropped.
    Returns (depth frame in coin, number of snapshots dropped as inverted)."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read bookDepth file '{path}': {error}")
    missing = {"timestamp", "percentage", "depth", "notional"} - set(frame.columns)
    if missing:
        raise InputError(f"bookDepth file '{path}' lacks column(s) {', '.join(sorted(missing))}")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    if until is not None:
        day = frame["timestamp"].dt.normalize()
        frame = frame[frame["timestamp"] <= day + pd.to_timedelta(until)]
    depth = frame.pivot_table(index="timestamp", columns="percentage", values="depth", aggfunc="last")
    notional = frame.pivot_table(index="timestamp", columns="percentage", values="notional", aggfunc="last")
    if -1 not in depth.columns or 1 not in depth.columns:
        raise InputError(f"bookDepth file '{path}' has no -1 and 1 percentage levels")
    inverted = (notional[-1] / depth[-1]) >= (notional[1] / depth[1])
    return depth[~inverted], int(inverted.sum())


def read_funding_history(path):
    """Funding rates per interval from a CSV with a `last_funding_rate` (Binance) or `rate` column."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read funding file '{path}': {error}")
    for name in ("last_funding_rate", "funding_rate", "rate"):
        if name in frame.columns:
            return frame[name].to_numpy(dtype=np.float64)
    raise InputError(f"funding file '{path}' has none of the columns last_funding_rate, funding_rate, rate")


# The standard real files of ../shared/data (its README.md describes each one).
STANDARD_KLINES = (
    ("BTCUSD_PERP mark, 9 Oct 2025", ("binance_cm_BTCUSD_PERP-1m-2025-10-09.csv",)),
    ("BTCUSD_PERP mark, 10 Oct 2025", ("binance_cm_BTCUSD_PERP-1m-2025-10-10.csv",)),
    ("BTCUSDT 5m mark/index, 9+11+12 Oct 2025",
     tuple(f"binance_um_BTCUSDT-5m-2025-10-{d}.csv" for d in ("09", "11", "12"))),
    ("BTCUSDT 5m mark/index, 10 Oct 2025", ("binance_um_BTCUSDT-5m-2025-10-10.csv",)),
    ("ETHUSDT perp last, 12-13 Mar 2020", ("binance_um_perp_ETHUSDT_1m_2020-03-12T00_2020-03-13T06.csv",)),
)
STANDARD_BOOK_DEPTH = "binance_um_BTCUSDT_bookDepth_2025-10-10.csv"
STANDARD_BOOK_DEPTH_UNTIL = "15:30:00"  # the bid side is stale afterwards (data README, section 3)
# BTCUSDT perpetual open interest on 10 Oct 2025 before the crash, about 123,000 BTC: the figure the
# calibration issue quotes from Binance's open-interest statistics (not in ../shared/data).
STANDARD_BOOK_DEPTH_OPEN_INTEREST = 123_000.0
STANDARD_FUNDING = (
    ("BTCUSDT 2020-2026", "binance_um_BTCUSDT_fundingRate_2020-01_2026-06.csv"),
    ("ETHUSDT 2020-2026", "binance_um_ETHUSDT_fundingRate_2020-01_2026-06.csv"),
)


# --------------------------------------------------------------------------------------------------
# Tables.


class Facts:
    """Every statistic computed, as rows for the tables, the CSV and the figure."""

    def __init__(self):
        self.returns = []  # dicts: source, series, interval, returns, stdev, excess_kurtosis, acf_abs
        self.depth = []  # dicts: source, side, band, coin, share_of_oi (NaN when unknown)
        self.depth_notes = []
        self.funding = []  # dicts: source, plus funding_distribution's keys
        self.spread = []  # (source, what is recorded or missing)
        self.model_sources = []  # labels of the run files, in order

    def add_prices(self, source, series, times, prices, native_interval, intervals):
        for interval in intervals:
            ratio = interval / native_interval
            if interval < native_interval - 1e-9 or abs(ratio - round(ratio)) > 1e-9:
                continue
            facts = return_facts(times, prices, interval)
            facts.update(source=source, series=series, interval=interval)
            self.returns.append(facts)

    def add_run(self, label, runs, intervals):
        """One model source from one run file, or from several runs that differ only in `depth_band` (a
        recording setting: the same seed gives the same run, only the depth columns change): the first
        gives the returns and the funding, each one its band of the depth profile."""
        run = runs[0]
        self.model_sources.append(label)
        for other in runs[1:]:
            if not (np.array_equal(other.times, run.times) and
                    all(np.array_equal(other.prices[n], run.prices[n], equal_nan=True) for n in run.PRICE_SERIES) and
                    np.array_equal(other.open_interest, run.open_interest)):
                raise InputError(f"the run files of '{label}' differ in more than depth_band (their prices or "
                                 "open interest differ); give them separate labels")
        interval = float(np.median(np.diff(run.times))) if len(run.times) > 1 else 1.0
        for name in RunFacts.PRICE_SERIES:
            self.add_prices(label, name, run.times, run.prices[name], interval, intervals)
        if run.venue_profiles:
            # The depth profile of every venue: the perpetual book under the label, spot venues after it.
            for venue, (kind, profile) in sorted(run.venue_profiles.items()):
                source = label if venue == 0 and kind == "perpetual" else f"{label} venue {venue} ({kind})"
                for side in ("bid", "ask"):
                    for band in PROFILE_BANDS:
                        coin, share = profile[(side, band)]
                        self.depth.append(dict(source=source, side=side, band=band, coin=coin, share_of_oi=share))
            self.depth_notes.append(
                f"{label}: /venue_timeseries depth profile per venue; median over samples with open interest "
                "(the perpetual's, for every venue)")
        else:
            shares = {}
            for each in runs:
                for side, values in each.depth_share().items():
                    shares[(side, each.depth_band)] = values
            for side in ("bid", "ask"):
                for band in PROFILE_BANDS:
                    recorded = [v for (s, b), v in shares.items()
                                if s == side and math.isclose(band, b, rel_tol=1e-9)]
                    coin, share = recorded[0] if recorded else (float("nan"), float("nan"))
                    self.depth.append(dict(source=label, side=side, band=band, coin=coin, share_of_oi=share))
            bands = ", ".join(f"{b:g}" for b in sorted({r.depth_band for r in runs}))
            self.depth_notes.append(
                f"{label}: depth_band {bands} recorded ({len(runs)} run file(s)); median over samples with open "
                "interest; a run file without /venue_timeseries' profile columns records one band")
        dist = funding_distribution(run.funding_rates)
        dist.update(source=label, _rates=run.funding_rates)
        self.funding.append(dist)
        if run.spread is not None:
            self.spread.append((label, f"median {run.spread[0]:.2f} USD/coin, {run.spread[1]:.2f} bp of the mid "
                                       "(perpetual book, /venue_timeseries)"))
        else:
            self.spread.append((label, "recorded" if run.spread_recorded() else
                                "not recorded: /timeseries has mid but no best_bid / best_ask"))

    def add_book_depth(self, label, depth, dropped, open_interest=None):
        """`open_interest` (coin, or None): a constant open interest to express the depth as a share of."""
        for side, sign in (("bid", -1), ("ask", 1)):
            for band in PROFILE_BANDS:
                level = sign * band * 100
                column = int(round(level)) if abs(level - round(level)) < 1e-9 else None
                coin = float(depth[column].median()) if column in depth.columns else float("nan")
                share = coin / open_interest if open_interest else float("nan")
                self.depth.append(dict(source=label, side=side, band=band, coin=coin, share_of_oi=share))
        levels = ", ".join(f"{abs(c)}%" for c in sorted(c for c in depth.columns if c > 0))
        self.depth_notes.append(
            f"{label}: median of {len(depth)} snapshots ({dropped} inverted dropped); levels {levels} "
            "(no 0.5 % level); " +
            (f"share of an open interest of {open_interest:,.0f} coin (given, not in the data)" if open_interest
             else "no open interest in the data, so no share of open interest"))
        self.spread.append((label, "not in the data: bookDepth is aggregated per 1 % band, no best bid / ask"))

    def add_funding(self, label, rates):
        dist = funding_distribution(rates)
        dist.update(source=label)
        self.funding.append(dist)


def fmt(value, digits):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def interval_name(seconds):
    return f"{seconds / 60:g}m" if seconds >= 60 else f"{seconds:g}s"


def tables(facts):
    """The tables as (title, header, rows of strings, notes)."""
    out = []
    header = ["source", "series", "interval", "returns", "excess kurtosis"] + \
        [f"ACF|r| {lag}" for lag in REPORTED_LAGS] + ["mean ACF|r| 1-60"]
    rows = []
    for r in facts.returns:
        acf = r["acf_abs"]
        rows.append([r["source"], r["series"], interval_name(r["interval"]), str(r["returns"]),
                     fmt(r["excess_kurtosis"], 2)] + [fmt(acf[lag - 1], 3) for lag in REPORTED_LAGS] +
                    [fmt(float(np.nanmean(acf)) if np.isfinite(acf).any() else float("nan"), 3)])
    out.append(("Log returns (resampled by last value)", header, rows, []))

    header = ["source", "side"] + [f"{b * 100:g}% coin" for b in PROFILE_BANDS] + \
        [f"{b * 100:g}% share of OI" for b in PROFILE_BANDS]
    rows = []
    for source in dict.fromkeys(d["source"] for d in facts.depth):
        for side in ("bid", "ask"):
            cells = [d for d in facts.depth if d["source"] == source and d["side"] == side]
            rows.append([source, side] + [fmt(d["coin"], 2) for d in cells] +
                        [fmt(d["share_of_oi"], 4) for d in cells])
    out.append(("Depth profile (cumulative per side, distance from mid)", header, rows, facts.depth_notes))

    names = ["count", "share_at_interest", "mean", "min"] + [f"q{q * 100:g}" for q in FUNDING_QUANTILES] + ["max"]
    header = ["source", "intervals", "share at 0.01%"] + ["mean %", "min %"] + \
        [f"q{q * 100:g} %" for q in FUNDING_QUANTILES] + ["max %"]
    rows = []
    for f in facts.funding:
        cells = [f["source"], str(f["count"]), fmt(f.get("share_at_interest"), 3)]
        cells += [fmt(f.get(n, float("nan")) * 100, 4) for n in names[2:]]
        rows.append(cells)
    out.append(("Funding rate per funding interval (Binance and the presets: 8 h)", header, rows, []))

    out.append(("Spread", ["source", "spread"], [[s, what] for s, what in facts.spread], []))
    if len(facts.model_sources) > 1:
        out.append(model_median_table(facts))
    return out


def model_median_table(facts):
    """The calibration targets over several run files (seeds): the median, min and max over the runs of
    each run's 1-minute excess kurtosis and ACF|r| at lag 10 per series, of the perpetual book's depth
    as a share of open interest per side and band, and the share of all their funding intervals (pooled)
    at the interest rate."""
    sources = set(facts.model_sources)
    rows = []

    def add(name, values, digits):
        values = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
        if len(values):
            rows.append([name, str(len(values)), fmt(float(np.median(values)), digits),
                         fmt(float(values.min()), digits), fmt(float(values.max()), digits)])

    for series in RunFacts.PRICE_SERIES:
        picked = [r for r in facts.returns if r["source"] in sources and r["series"] == series and r["interval"] == 60]
        add(f"{series} 1m excess kurtosis", [r["excess_kurtosis"] for r in picked], 2)
        add(f"{series} 1m ACF|r| lag 10", [float(r["acf_abs"][9]) for r in picked], 3)
    for side in ("bid", "ask"):
        for band in PROFILE_BANDS:
            add(f"{side} depth within {band * 100:g}% / open interest",
                [d["share_of_oi"] for d in facts.depth
                 if d["source"] in sources and d["side"] == side and d["band"] == band], 4)
    rates = [f["_rates"] for f in facts.funding if f["source"] in sources and "_rates" in f]
    if rates:
        pooled = funding_distribution(np.concatenate(rates))
        if pooled["count"]:
            rows.append(["funding intervals at 0.01% (pooled)", str(pooled["count"]),
                         fmt(pooled["share_at_interest"], 3), fmt(pooled["min"] * 100, 4) + " %",
                         fmt(pooled["max"] * 100, 4) + " %"])
    notes = [f"over the runs {', '.join(facts.model_sources)}; funding: the share of all their intervals, "
             "min and max the rates"]
    return ("Model runs: median over the run files", ["statistic", "runs", "median", "min", "max"], rows, notes)


def render_text(tables_):
    lines = []
    for title, header, rows, notes in tables_:
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
        lines.append(title)
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for row in rows:
            lines.append("  ".join((c.ljust(w) if i < 2 else c.rjust(w)) for i, (c, w) in enumerate(zip(row, widths))))
        lines.extend(f"  note: {n}" for n in notes)
        lines.append("")
    return "\n".join(lines)


def render_markdown(tables_, sources):
    lines = ["# Stylized facts: model and real data", "", "Inputs:", ""]
    lines.extend(f"- {s}" for s in sources)
    lines.append("")
    def cells(values):
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    for title, header, rows, notes in tables_:
        lines += [f"## {title}", "", cells(header), "|" + "---|" * len(header)]
        lines.extend(cells(row) for row in rows)
        if notes:
            lines.append("")
            lines.extend(f"- {n}" for n in notes)
        lines.append("")
    return "\n".join(lines)


def write_csv(path, facts):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["table", "source", "series", "interval_s", "statistic", "value"])
        for r in facts.returns:
            key = ["returns", r["source"], r["series"], f"{r['interval']:g}"]
            writer.writerow(key + ["returns", r["returns"]])
            writer.writerow(key + ["stdev", repr(r["stdev"])])
            writer.writerow(key + ["excess_kurtosis", repr(r["excess_kurtosis"])])
            for lag, value in enumerate(r["acf_abs"], start=1):
                writer.writerow(key + [f"acf_abs_lag{lag}", repr(float(value))])
        for d in facts.depth:
            key = ["depth", d["source"], d["side"], ""]
            writer.writerow(key + [f"coin_within_{d['band'] * 100:g}pct", repr(d["coin"])])
            writer.writerow(key + [f"share_of_oi_within_{d['band'] * 100:g}pct", repr(d["share_of_oi"])])
        for f in facts.funding:
            for name, value in f.items():
                if name != "source" and not name.startswith("_"):
                    writer.writerow(["funding", f["source"], "rate", "", name, repr(value)])
        for source, what in facts.spread:
            writer.writerow(["spread", source, "", "", "spread", what])


def plot(path, facts):
    fig, axes = plt.subplots(2, 2, figsize=(15, 11))
    ax = axes[0, 0]
    lags = np.arange(1, MAX_LAG + 1)
    for r in facts.returns:
        if r["interval"] == 60 and r["series"] in ("mark", "close"):
            ax.plot(lags, r["acf_abs"], label=f"{r['source']} ({r['series']})", linewidth=1.0)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_title("(a) autocorrelation of |1-minute log return|")
    ax.set_xlabel("lag (minutes)")

    ax = axes[0, 1]
    labels = [f"{r['source']} {r['series']} {interval_name(r['interval'])}" for r in facts.returns]
    values = [r["excess_kurtosis"] for r in facts.returns]
    colours = ["tab:blue" if r["series"] != "close" else "tab:orange" for r in facts.returns]
    ax.barh(range(len(values)), values, color=colours)
    ax.set_yticks(range(len(values)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("symlog", linthresh=1)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_title("(b) excess kurtosis of log returns (blue: model, orange: real)")

    ax = axes[1, 0]
    for source in dict.fromkeys(d["source"] for d in facts.depth):
        for side, style in (("bid", "-o"), ("ask", "--s")):
            cells = [d for d in facts.depth if d["source"] == source and d["side"] == side]
            bands = np.array([d["band"] * 100 for d in cells])
            coin = np.array([d["coin"] for d in cells])
            keep = np.isfinite(coin) & (coin > 0)
            if keep.any():
                # Scale-free shape: each profile relative to its depth within 1 % (or its nearest band).
                reference = coin[keep][np.argmin(np.abs(bands[keep] - 1.0))]
                ax.plot(bands[keep], coin[keep] / reference, style, label=f"{source} {side} ({reference:,.0f} coin)")
    ax.set_xlabel("distance from mid (%)")
    ax.set_ylabel("cumulative depth / depth within 1 %")
    ax.set_title("(c) depth profile shape (medians over time; legend: depth within 1 %)")

    ax = axes[1, 1]
    edges = np.linspace(-0.10125, 0.10125, 82)  # 0.0025 % bins centred on multiples of 0.0025 % (0.01 % is one)
    for f in facts.funding:
        rates = f.get("_rates")
        if rates is not None and len(rates):
            ax.hist(np.clip(rates * 100, edges[0], edges[-1]), bins=edges, density=True, histtype="step",
                    label=f"{f['source']} (n={len(rates)})")
            ax.set_yscale("log")
    ax.axvline(INTEREST_RATE * 100, color="black", linewidth=0.6, linestyle=":")
    ax.set_xlabel("funding rate per 8 h (%), clipped to +-0.1")
    ax.set_title("(d) funding-rate distribution (dotted: 0.01 %)")
    for a in axes.flat:
        a.grid(True, alpha=0.3)
        if a.get_legend_handles_labels()[0]:
            a.legend(fontsize="x-small", loc="best")
        elif a is not axes[0, 1]:
            a.text(0.5, 0.5, "no data", ha="center", va="center", transform=a.transAxes)
    fig.suptitle("Stylized facts: liqsim runs against real data", fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------------------------------
# Command line.


def labelled(spec, what):
    label, sep, paths = spec.partition("=")
    if not sep or not label or not paths:
        raise InputError(f"{what} '{spec}' is not LABEL=PATH[,PATH...]")
    return label, paths.split(",")


def parse_intervals(text_):
    try:
        values = [float(v) for v in text_.split(",")]
    except ValueError:
        values = []
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise InputError(f"--intervals '{text_}' is not a comma-separated list of positive seconds (e.g. 60,300)")
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(description="Stylized facts of liqsim run files and real data, side by side.")
    parser.add_argument("runs", nargs="*",
                        help="run files (.h5), optionally LABEL=PATH[,PATH...] (runs differing only in depth_band)")
    parser.add_argument("--data", help="folder with the standard real files (../shared/data)")
    parser.add_argument("--kline", action="append", default=[], help="LABEL=CSV[,CSV...] Binance kline closes")
    parser.add_argument("--book-depth", help="Binance bookDepth CSV")
    parser.add_argument("--book-depth-until", help="ignore bookDepth snapshots after HH:MM:SS")
    parser.add_argument("--book-depth-open-interest", type=float,
                        help="open interest (coin) to express the bookDepth as a share of (--data: 123000)")
    parser.add_argument("--funding", action="append", default=[], help="LABEL=CSV funding-rate history")
    parser.add_argument("--intervals", default="60,300", help="return intervals in seconds (default 60,300)")
    parser.add_argument("-o", "--out", default="stylized_facts", help="output prefix (default stylized_facts)")
    args = parser.parse_args(argv)

    try:
        intervals = parse_intervals(args.intervals)
        klines = [labelled(spec, "--kline") for spec in args.kline]
        funding = [labelled(spec, "--funding") for spec in args.funding]
        book_depth, until = args.book_depth, args.book_depth_until
        book_open_interest = args.book_depth_open_interest
        if book_open_interest is not None and not (book_open_interest > 0 and math.isfinite(book_open_interest)):
            raise InputError(f"--book-depth-open-interest {book_open_interest:g} is not a positive number")
        if args.data:
            if not os.path.isdir(args.data):
                raise InputError(f"--data '{args.data}' is not a folder")
            for label, names in STANDARD_KLINES:
                klines.append((label, [os.path.join(args.data, n) for n in names]))
            for label, name in STANDARD_FUNDING:
                funding.append((label, [os.path.join(args.data, name)]))
            if book_depth is None:
                book_depth = os.path.join(args.data, STANDARD_BOOK_DEPTH)
                until = until or STANDARD_BOOK_DEPTH_UNTIL
                book_open_interest = book_open_interest or STANDARD_BOOK_DEPTH_OPEN_INTEREST
        if until is not None:
            try:
                pd.to_timedelta(until)
            except ValueError:
                raise InputError(f"--book-depth-until '{until}' is not HH:MM:SS")
        if not (args.runs or klines or funding or book_depth):
            raise InputError("nothing to do: give run files and/or --data, --kline, --book-depth, --funding")

        facts = Facts()
        sources = []
        for spec in args.runs:
            label, sep, paths = spec.partition("=")
            if not sep:
                label, paths = os.path.splitext(os.path.basename(spec))[0], spec
            runs = [RunFacts(path) for path in paths.split(",")]
            facts.add_run(label, runs, intervals)
            facts.funding[-1]["_rates"] = runs[0].funding_rates
            run = runs[0]
            step = np.median(np.diff(run.times))
            sources.append(f"model `{label}`: {', '.join(paths.split(','))} (scenario {run.scenario_name}, seed "
                           f"{run.seed}, {run.times[-1] / 3600:g} h recorded every {step:g} s)")
        for label, paths in klines:
            times, closes, native = read_klines(paths)
            facts.add_prices(label, "close", times, closes, native, intervals)
            sources.append(f"real `{label}`: {', '.join(paths)} ({len(closes)} bars of {interval_name(native)})")
        if book_depth:
            depth, dropped = read_book_depth(book_depth, until)
            facts.add_book_depth("BTCUSDT bookDepth, 10 Oct 2025" if args.data else "bookDepth", depth, dropped,
                                 book_open_interest)
            sources.append(f"real bookDepth: {book_depth}" + (f" (snapshots up to {until})" if until else ""))
        for label, paths in funding:
            rates = np.concatenate([read_funding_history(p) for p in paths])
            facts.add_funding(label, rates)
            facts.funding[-1]["_rates"] = rates
            sources.append(f"real funding `{label}`: {', '.join(paths)}")
    except InputError as error:
        sys.stderr.write(f"stylized_facts: {error}\n")
        return 2

    tables_ = tables(facts)
    print(render_text(tables_))
    with open(args.out + ".md", "w") as handle:
        handle.write(render_markdown(tables_, sources))
    write_csv(args.out + ".csv", facts)
    plot(args.out + ".png", facts)
    for suffix in (".md", ".csv", ".png"):
        print(args.out + suffix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
