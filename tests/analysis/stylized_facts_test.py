#!/usr/bin/python3
"""Unit tests of analysis/stylized_facts.py: the statistics on series with known answers, the depth profile
on a hand-made book, the readers on hand-made and real excerpts (tests/data/stylized_facts).

Run: /usr/bin/python3 -m unittest discover -s tests/analysis -p 'stylized_facts_test.py' (or this file).
Random series use numpy's Generator with fixed seeds; each tolerance below says where it comes from.
"""

import contextlib
import io
import math
import os
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import stylized_facts as sf  # noqa: E402

DATA = os.path.join(ROOT, "tests", "data", "stylized_facts")
EXAMPLES = os.path.join(ROOT, "examples", "data")


def garch11(n, omega, alpha, beta, seed):
    """GARCH(1,1) returns r_t = sqrt(h_t) z_t, h_t = omega + alpha r_{t-1}^2 + beta h_{t-1}, Gaussian z
    (Bollerslev 1986), started at the unconditional variance omega / (1 - alpha - beta)."""
    z = np.random.default_rng(seed).standard_normal(n)
    r = np.empty(n)
    h = omega / (1 - alpha - beta)
    for t in range(n):
        r[t] = math.sqrt(h) * z[t]
        h = omega + alpha * r[t] * r[t] + beta * h
    return r


class ResampleTest(unittest.TestCase):
    def test_last_value_in_each_interval(self):
        times = np.arange(0, 181, 10.0)  # 0, 10, ..., 180 s
        values = 100 + times
        grid, sampled = sf.resample_last(times, values, 60)
        np.testing.assert_array_equal(grid, [0, 60, 120, 180])
        np.testing.assert_array_equal(sampled, [100, 160, 220, 280])

    def test_missing_samples_and_gaps(self):
        # Samples at 0..50 s, none in (60, 180) s; a zero (an empty book side) counts as missing.
        times = np.array([0, 30, 50, 200, 230, 240.0])
        values = np.array([1, 2, 3, 4, 0, 6.0])
        grid, sampled = sf.resample_last(times, values, 60)
        np.testing.assert_array_equal(grid, [0, 60, 120, 180, 240])
        np.testing.assert_array_equal(np.isnan(sampled), [False, False, True, True, False])
        self.assertEqual(sampled[0], 1)
        self.assertEqual(sampled[1], 3)  # last sample in (0, 60] is at 50 s
        self.assertEqual(sampled[4], 6)  # the 0 at 230 s is skipped

    def test_epoch_seconds_keep_every_bar(self):
        # 1,440 one-minute bars ending at epoch times of October 2025: one grid point per bar, no loss to
        # floating-point resolution (1.7e9 s).
        ends = 1760054400.0 + 60 * np.arange(1, 1441)
        grid, sampled = sf.resample_last(ends, np.arange(1, 1441.0), 60)
        self.assertEqual(len(grid), 1440)
        np.testing.assert_array_equal(sampled, np.arange(1, 1441.0))
        grid5, sampled5 = sf.resample_last(ends, np.arange(1, 1441.0), 300)
        np.testing.assert_array_equal(sampled5, np.arange(5, 1441.0, 5))

    def test_log_returns(self):
        r = sf.log_returns([100, 110, np.nan, 121])
        self.assertAlmostEqual(r[0], math.log(1.1), places=15)
        self.assertTrue(np.isnan(r[1]) and np.isnan(r[2]))


class KurtosisTest(unittest.TestCase):
    def test_three_point_sample_is_exact(self):
        # One -1, one +1 and eight zeros: m2 = m4 = 0.2, kurtosis m4 / m2^2 = 5, excess 2.
        self.assertAlmostEqual(sf.excess_kurtosis([-1, 1] + [0] * 8), 2.0, places=12)
        # Two-point +-1: kurtosis 1, excess -2.
        self.assertAlmostEqual(sf.excess_kurtosis([-1, 1] * 50), -2.0, places=12)

    def test_gaussian_is_near_zero(self):
        # Standard error of the sample excess kurtosis of a Gaussian: sqrt(24 / n) = 0.0155 at n = 1e5;
        # tolerance 5 standard errors.
        x = np.random.default_rng(11).standard_normal(100_000)
        self.assertLess(abs(sf.excess_kurtosis(x)), 5 * math.sqrt(24 / len(x)))

    def test_student_t_12_matches_theory(self):
        # Student's t with nu > 4: excess kurtosis 6 / (nu - 4) = 0.75 for nu = 12 (its 8th moment is
        # finite, so the estimator has a normal limit). Over 40 seeds at n = 1e6 the 5-95 % range was
        # 0.727-0.785; tolerance 0.08.
        x = np.random.default_rng(12).standard_t(12, 1_000_000)
        self.assertAlmostEqual(sf.excess_kurtosis(x), 0.75, delta=0.08)

    def test_student_t_5_matches_theory_loosely(self):
        # nu = 5: theory 6 / (5 - 4) = 6, but the 8th moment is infinite, so the sample kurtosis has infinite
        # variance, converges slowly and is skewed (most samples below 6, rare ones far above). Over 40
        # seeds at n = 2e6: median 5.27, 5-95 % range 4.61-7.00. Tolerance +-2, and well above the
        # Gaussian's 0 and the t(12)'s 0.75.
        x = np.random.default_rng(5).standard_t(5, 2_000_000)
        self.assertAlmostEqual(sf.excess_kurtosis(x), 6.0, delta=2.0)

    def test_too_short_is_nan(self):
        self.assertTrue(math.isnan(sf.excess_kurtosis([1.0, 2.0, np.nan])))


class AutocorrelationTest(unittest.TestCase):
    def test_alternating_series_is_exact(self):
        # x = +1, -1, ... (mean 0, n = 10): lag k sums n - k products of (-1)^k over n.
        acf = sf.autocorrelation(np.array([1.0, -1.0] * 5), max_lag=3)
        np.testing.assert_allclose(acf, [-0.9, 0.8, -0.7], rtol=0, atol=1e-15)

    def test_iid_gaussian_abs_returns_are_uncorrelated(self):
        # Under independence each sample autocorrelation is about N(-1/n, 1/n); tolerance 4.5 / sqrt(n)
        # for all 60 lags (a 60-lag maximum above 4.5 standard deviations has probability below 0.1 %).
        x = np.random.default_rng(3).standard_normal(100_000)
        acf = sf.abs_return_autocorrelation(x)
        self.assertEqual(len(acf), 60)
        self.assertLess(np.max(np.abs(acf)), 4.5 / math.sqrt(len(x)))

    def test_garch_matches_theory_and_clusters(self):
        # GARCH(1,1) with Gaussian shocks, alpha = 0.1, beta = 0.8 (finite 8th moment:
        # E[(alpha z^2 + beta)^4] = 0.79 < 1). Known values (Bollerslev 1986 for the kurtosis;
        # Bollerslev 1988, J. Time Series Analysis 9(2), for the ACF of r^2):
        #   excess kurtosis 6 alpha^2 / (1 - (alpha + beta)^2 - 2 alpha^2) = 0.353
        #   ACF of r^2: rho_1 = alpha (1 - alpha beta - beta^2) / (1 - 2 alpha beta - beta^2) = 0.14,
        #   rho_k = rho_1 (alpha + beta)^(k - 1).
        # Over 10 seeds at n = 4e5: kurtosis 0.311-0.368, rho_1 0.134-0.141, rho_10 0.049-0.058.
        alpha, beta = 0.1, 0.8
        r = garch11(400_000, 1e-6, alpha, beta, seed=2)
        rho1 = alpha * (1 - alpha * beta - beta**2) / (1 - 2 * alpha * beta - beta**2)
        self.assertAlmostEqual(sf.excess_kurtosis(r), 6 * alpha**2 / (1 - (alpha + beta)**2 - 2 * alpha**2),
                               delta=0.06)
        squared = sf.autocorrelation(r * r)
        self.assertAlmostEqual(squared[0], rho1, delta=0.015)
        self.assertAlmostEqual(squared[9], rho1 * (alpha + beta)**9, delta=0.015)
        # |r| clusters too: clearly positive at short lags, decaying to about 0 by lag 60.
        absolute = sf.abs_return_autocorrelation(r)
        self.assertGreater(absolute[0], 0.08)
        self.assertTrue(np.all(absolute[:10] > 0.03))
        self.assertGreater(absolute[0], absolute[9])
        self.assertLess(abs(absolute[59]), 0.02)

    def test_missing_values_are_skipped(self):
        x = np.array([1.0, -1.0, np.nan, -1.0, 1.0, -1.0])
        acf = sf.autocorrelation(x, max_lag=1)
        # Mean of the finite values -0.2; deviations 1.2, -0.8, 0, -0.8, 1.2, -0.8.
        d = np.array([1.2, -0.8, 0, -0.8, 1.2, -0.8])
        self.assertAlmostEqual(acf[0], np.dot(d[:-1], d[1:]) / np.dot(d, d), places=12)


class DepthProfileTest(unittest.TestCase):
    def test_hand_made_book(self):
        # Mid 100. Bids: 2 at 99.6, 3 at 99.5 (on the 0.5 % bound), 5 at 99 (on 1 %), 1 at 98.5,
        # 4 at 97, 10 at 94 (beyond 5 %). Asks: 1 at 100.5 (on 0.5 %), 2 at 100.6, 7 at 102 (on 2 %),
        # 1 at 104.9, 9 at 106.
        bids = [(99.6, 2), (99.5, 3), (99.0, 5), (98.5, 1), (97.0, 4), (94.0, 10)]
        asks = [(100.5, 1), (100.6, 2), (102.0, 7), (104.9, 1), (106.0, 9)]
        profile = sf.depth_profile(bids, asks, 100.0, bands=(0.005, 0.01, 0.02, 0.05))
        np.testing.assert_array_equal(profile["bid"], [5, 10, 11, 15])
        np.testing.assert_array_equal(profile["ask"], [1, 3, 10, 11])

    def test_empty_side(self):
        profile = sf.depth_profile([], [(101.0, 2)], 100.0, bands=(0.01, 0.02))
        np.testing.assert_array_equal(profile["bid"], [0, 0])
        np.testing.assert_array_equal(profile["ask"], [2, 2])


class FundingTest(unittest.TestCase):
    def test_share_and_quantiles(self):
        dist = sf.funding_distribution(np.array([1, 2, 3, 4, 5]) * 1e-4, quantiles=(0.25, 0.5))
        self.assertEqual(dist["count"], 5)
        self.assertAlmostEqual(dist["share_at_interest"], 0.2)
        self.assertAlmostEqual(dist["q25"], 2e-4)  # linear interpolation: position 0.25 * 4 = 1
        self.assertAlmostEqual(dist["q50"], 3e-4)
        self.assertAlmostEqual(dist["min"], 1e-4)
        self.assertAlmostEqual(dist["max"], 5e-4)

    def test_model_integers_at_interest_rate(self):
        # The run file stores 0.01 % as 100000 x 1e-9; one unit away is not at the interest rate.
        rates = np.array([100000, 100000, 100001, -5000]) * 1e-9
        self.assertAlmostEqual(sf.funding_distribution(rates)["share_at_interest"], 0.5)

    def test_real_history_excerpt(self):
        rates = sf.read_funding_history(os.path.join(DATA, "binance_um_BTCUSDT_fundingRate_2020-03.csv"))
        dist = sf.funding_distribution(rates)
        self.assertEqual(dist["count"], 93)
        self.assertAlmostEqual(dist["share_at_interest"], 25 / 93)  # counted with awk: 25 rows at 0.00010000
        self.assertAlmostEqual(dist["min"], -0.003)  # the cap on 13 March 2020 08:00 (data README)


class ReaderTest(unittest.TestCase):
    def test_klines(self):
        times, closes, interval = sf.read_klines(
            [os.path.join(EXAMPLES, "binance_cm_BTCUSD_PERP_1m_mark_close_2025-10-10.csv")])
        self.assertEqual(interval, 60)
        self.assertEqual(len(closes), 1440)
        self.assertEqual(times[0], 1760054400 + 60)  # the close is the price at the bar's end
        self.assertAlmostEqual(closes[0], 121689.00965205)
        facts = sf.return_facts(times, closes, 60)
        self.assertEqual(facts["returns"], 1439)

    def test_kline_without_close_is_refused(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "bad.csv")
            with open(path, "w") as handle:
                handle.write("open_time,price\n0,1\n60000,2\n")
            with self.assertRaisesRegex(sf.InputError, "lacks column.*close"):
                sf.read_klines([path])

    def test_book_depth_cut_and_inverted_snapshots(self):
        path = os.path.join(DATA, "binance_um_BTCUSDT_bookDepth_2025-10-10_excerpt.csv")
        depth, dropped = sf.read_book_depth(path)
        self.assertEqual((len(depth), dropped), (4, 2))  # 15:30:42 and 15:31:03 are inverted
        depth, dropped = sf.read_book_depth(path, until="15:30:00")
        self.assertEqual((len(depth), dropped), (3, 0))
        self.assertAlmostEqual(depth[-1].iloc[0], 1496.75)  # data README: 1,497 BTC within 1 % at 00:00:07
        self.assertAlmostEqual(depth[1].iloc[0], 1964.845)  # and 1,965 BTC on the ask side
        facts = sf.Facts()
        facts.add_book_depth("excerpt", depth, dropped)
        one = {d["side"]: d["coin"] for d in facts.depth if d["band"] == 0.01}
        self.assertAlmostEqual(one["bid"], 1603.567)  # median of 1496.75, 1603.567, 1678.052
        half = [d["coin"] for d in facts.depth if d["band"] == 0.005]
        self.assertTrue(all(math.isnan(c) for c in half))  # no 0.5 % level in the file


def write_run_file(path, mid, open_interest, bid_depth, funding_rates, depth_band=0.02):
    """A minimal schema-3 run file: the columns and the funding table the stylized facts read."""
    n = len(mid)
    with h5py.File(path, "w") as run:
        run.attrs["schema_version"] = np.int32(3)
        run.attrs["scenario_name"] = "hand-made"
        run.attrs["seed"] = np.uint64(7)
        run.attrs["scenario_toml"] = (f'name = "hand-made"\n[[markets]]\nsymbol = "X"\ndepth_band = {depth_band}\n'
                                      '[markets.funding]\ninterest_rate = 0.0001\n')
        ts = run.create_group("timeseries")
        price = (np.asarray(mid, dtype=np.float64) * 1e6).astype(np.int64)
        columns = {"time_ns": (np.arange(n, dtype=np.int64) * 10_000_000_000, 1.0),
                   "reference": (price, 1e-6), "index": (price, 1e-6), "mark": (price, 1e-6), "mid": (price, 1e-6),
                   "bid_depth": (np.asarray(bid_depth, dtype=np.int64) * 10**8, 1e-8),
                   "ask_depth": (np.full(n, 3 * 10**8, dtype=np.int64), 1e-8),
                   "open_interest": (np.asarray(open_interest, dtype=np.int64) * 10**8, 1e-8)}
        for name, (values, scale) in columns.items():
            ts.create_dataset(name, data=values)
            ts[name].attrs["scale"] = scale
        dtype = np.dtype([("time_ns", "<i8"), ("market", "<u4"), ("rate", "<i8")])
        rows = np.array([(i, m, r) for i, (m, r) in enumerate(funding_rates)], dtype=dtype)
        table = run.create_group("events").create_dataset("funding", data=rows)
        table.attrs["field_units"] = "time_ns: ns; market: index; rate: 1*1e-9"


def add_venue_table(path, bids, asks, profiles):
    """Adds /venue_timeseries to a hand-made run file: per record time, one row per venue with its best bid
    and ask (USD) and its depth profile {(side, column): coin}; `profiles` is a list over venues of lists
    over record times (venue 0 the perpetual, the others spot)."""
    columns = [f"{side}_depth_{c}" for side in ("bid", "ask") for c in sf.PROFILE_COLUMNS]
    dtype = np.dtype([("time_ns", "<i8"), ("venue", "<u4"), ("market", "<u4"), ("kind", "u1"),
                      ("best_bid", "<i8"), ("best_ask", "<i8")] + [(c, "<i8") for c in columns])
    rows = []
    for t in range(len(bids)):
        for venue, profile in enumerate(profiles):
            depth = [int(round(profile[t][c] * 1e8)) for c in columns]
            rows.append((t * 10_000_000_000, venue, 0, 0 if venue == 0 else 1,
                         int(bids[t] * 1e6), int(asks[t] * 1e6), *depth))
    units = "time_ns: ns; venue: id; market: id; kind: enum; best_bid: USD/coin*1e-6; best_ask: USD/coin*1e-6; " + \
        "; ".join(f"{c}: coin*1e-8" for c in columns)
    with h5py.File(path, "a") as run:
        table = run.create_dataset("venue_timeseries", data=np.array(rows, dtype=dtype))
        table.attrs["field_units"] = units


class RunFileTest(unittest.TestCase):
    def test_venue_timeseries_gives_the_profile_of_every_venue_and_the_spread(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "run.h5")
            write_run_file(path, mid=[100, 101, 102], open_interest=[0, 10, 20], bid_depth=[1, 1, 1],
                           funding_rates=[])
            columns = [f"{side}_depth_{c}" for side in ("bid", "ask") for c in sf.PROFILE_COLUMNS]
            # Perpetual: depth k * (band index + 1) coin at time k; spot: a flat 7 coin.
            perpetual = [{c: t * (1 + i % 4) for i, c in enumerate(columns)} for t in range(3)]
            spot = [{c: 7.0 for c in columns} for _ in range(3)]
            add_venue_table(path, bids=[99, 0, 101], asks=[101, 102, 104], profiles=[perpetual, spot])
            run = sf.RunFacts(path)
        # The mid of venue 0 from its best bid and ask; an empty bid side (0) is missing.
        np.testing.assert_allclose(run.prices["mid"], [100, np.nan, 102.5])
        # Spread over samples with both sides: 2 and 3 USD -> median 2.5; 200 bp and 292.7 bp -> 246.3 bp.
        self.assertAlmostEqual(run.spread[0], 2.5)
        self.assertAlmostEqual(run.spread[1], (2 / 100 + 3 / 102.5) / 2 * 1e4)
        facts = sf.Facts()
        facts.add_run("hand", [run], [10])
        perp = {(d["side"], d["band"]): d for d in facts.depth if d["source"] == "hand"}
        # Samples with open interest: t = 1 (OI 10) and t = 2 (OI 20). At 2 %: 3 and 6 coin, shares 0.3, 0.3.
        self.assertAlmostEqual(perp[("bid", 0.02)]["coin"], 4.5)
        self.assertAlmostEqual(perp[("ask", 0.02)]["share_of_oi"], 0.3)
        self.assertAlmostEqual(perp[("bid", 0.005)]["coin"], 1.5)
        spot_rows = {(d["side"], d["band"]): d for d in facts.depth if d["source"] == "hand venue 1 (spot)"}
        self.assertAlmostEqual(spot_rows[("bid", 0.05)]["coin"], 7.0)
        self.assertAlmostEqual(spot_rows[("bid", 0.05)]["share_of_oi"], (0.7 + 0.35) / 2)
        self.assertIn("2.50 USD/coin", facts.spread[0][1])

    def test_median_over_runs(self):
        with tempfile.TemporaryDirectory() as work:
            runs = []
            for k, (rates, depth) in enumerate((([(0, 100000), (0, 300000)], 2), ([(0, 100000)], 4),
                                                ([(0, 200000)], 9))):
                path = os.path.join(work, f"r{k}.h5")
                write_run_file(path, mid=[100, 101, 102], open_interest=[10, 10, 10], bid_depth=[depth] * 3,
                               funding_rates=rates, depth_band=0.01)
                runs.append(sf.RunFacts(path))
        facts = sf.Facts()
        for k, run in enumerate(runs):
            facts.add_run(f"r{k}", [run], [10])
        title, header, rows, notes = sf.model_median_table(facts)
        cells = {row[0]: row for row in rows}
        # Bid depth within 1 %: 2, 4 and 9 coin of 10 -> median 0.4, min 0.2, max 0.9.
        self.assertEqual(cells["bid depth within 1% / open interest"][1:], ["3", "0.4000", "0.2000", "0.9000"])
        # Funding pooled: 2 of the 4 intervals at 0.01 %.
        self.assertEqual(cells["funding intervals at 0.01% (pooled)"][1:3], ["4", "0.500"])
        self.assertNotIn("bid depth within 2% / open interest", cells)  # not recorded by these runs

    def test_book_depth_share_of_a_given_open_interest(self):
        path = os.path.join(DATA, "binance_um_BTCUSDT_bookDepth_2025-10-10_excerpt.csv")
        depth, dropped = sf.read_book_depth(path, until="15:30:00")
        facts = sf.Facts()
        facts.add_book_depth("excerpt", depth, dropped, open_interest=1000.0)
        one = {d["side"]: d for d in facts.depth if d["band"] == 0.01}
        self.assertAlmostEqual(one["bid"]["share_of_oi"], 1.603567)  # median 1603.567 coin of 1,000

    def test_run_file_columns(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "run.h5")
            write_run_file(path, mid=[100, 0, 101, 102, 103], open_interest=[0, 10, 20, 30, 60],
                           bid_depth=[5, 1, 2, 3, 6], funding_rates=[(0, 100000), (1, 5), (0, 250000)])
            run = sf.RunFacts(path)
        self.assertEqual(run.depth_band, 0.02)
        self.assertTrue(math.isnan(run.prices["mid"][1]))  # 0 = an empty book side
        np.testing.assert_allclose(run.funding_rates, [1e-4, 2.5e-4])  # market 0 only
        depth = run.depth_share()
        # Samples with open interest: bid 1, 2, 3, 6 of 10, 20, 30, 60 -> median 2.5 coin, share 0.1.
        self.assertAlmostEqual(depth["bid"][0], 2.5)
        self.assertAlmostEqual(depth["bid"][1], 0.1)
        self.assertFalse(run.spread_recorded())
        facts = sf.Facts()
        facts.add_run("hand", [run], [10])
        recorded = [d for d in facts.depth if d["side"] == "bid" and not math.isnan(d["coin"])]
        self.assertEqual([d["band"] for d in recorded], [0.02])  # only the recorded band is reported
        self.assertEqual(facts.funding[0]["share_at_interest"], 0.5)

    def test_runs_differing_in_depth_band_make_a_profile(self):
        with tempfile.TemporaryDirectory() as work:
            common = dict(mid=[100, 101, 102], open_interest=[10, 10, 10], funding_rates=[])
            write_run_file(os.path.join(work, "a.h5"), bid_depth=[1, 1, 1], depth_band=0.01, **common)
            write_run_file(os.path.join(work, "b.h5"), bid_depth=[4, 4, 4], depth_band=0.05, **common)
            write_run_file(os.path.join(work, "c.h5"), bid_depth=[2, 2, 2], depth_band=0.02,
                           **dict(common, mid=[100, 101, 103]))
            a, b, c = (sf.RunFacts(os.path.join(work, n)) for n in ("a.h5", "b.h5", "c.h5"))
        facts = sf.Facts()
        facts.add_run("ab", [a, b], [10])
        bid = {d["band"]: d["coin"] for d in facts.depth if d["side"] == "bid"}
        self.assertEqual(bid[0.01], 1)
        self.assertEqual(bid[0.05], 4)
        self.assertTrue(math.isnan(bid[0.02]) and math.isnan(bid[0.005]))
        with self.assertRaisesRegex(sf.InputError, "differ in more than depth_band"):
            sf.Facts().add_run("ac", [a, c], [10])

    def test_other_schema_is_refused(self):
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "run.h5")
            with h5py.File(path, "w") as run:
                run.attrs["schema_version"] = np.int32(1)
            with self.assertRaisesRegex(sf.InputError, "schema_version 1"):
                sf.RunFacts(path)


class CommandLineTest(unittest.TestCase):
    def run_main(self, args):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = sf.main(args)
        return status, err.getvalue()

    def test_bad_input_exits_2_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "facts")
            cases = [
                (["--intervals", "0,60", "--funding", "x=y.csv"], "--intervals '0,60'"),
                (["--kline", "no-label.csv"], "--kline 'no-label.csv' is not LABEL=PATH"),
                (["--data", os.path.join(work, "absent")], "--data '"),
                (["--funding", "f=" + os.path.join(work, "absent.csv")], "cannot read funding file"),
                (["--book-depth", os.path.join(DATA, "binance_um_BTCUSDT_bookDepth_2025-10-10_excerpt.csv"),
                  "--book-depth-until", "soon"], "--book-depth-until 'soon'"),
                ([], "nothing to do"),
            ]
            for args, message in cases:
                status, err = self.run_main(args + ["-o", out])
                self.assertEqual(status, 2, args)
                self.assertIn(message, err)
                self.assertEqual(os.listdir(work), [], args)

    def test_real_excerpts_give_every_output(self):
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "facts")
            status, err = self.run_main([
                "--kline", "ETH=" + os.path.join(EXAMPLES, "binance_um_ETHUSDT_1m_close_2020-03-12.csv"),
                "--book-depth", os.path.join(DATA, "binance_um_BTCUSDT_bookDepth_2025-10-10_excerpt.csv"),
                "--funding", "BTC=" + os.path.join(DATA, "binance_um_BTCUSDT_fundingRate_2020-03.csv"),
                "-o", out])
            self.assertEqual(status, 0, err)
            self.assertEqual(sorted(os.listdir(work)), ["facts.csv", "facts.md", "facts.png"])
            with open(out + ".csv") as handle:
                lines = handle.read().splitlines()
            # 1-minute and 5-minute returns of the ETH closes: 1,799 and 359 returns, 60 lags each.
            self.assertIn("returns,ETH,close,60,returns,1799", lines)
            self.assertIn("returns,ETH,close,300,returns,359", lines)
            self.assertEqual(sum(",acf_abs_lag" in line for line in lines), 120)
            self.assertIn("funding,BTC,rate,,count,93", lines)


if __name__ == "__main__":
    unittest.main()
