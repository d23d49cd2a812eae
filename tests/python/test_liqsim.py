"""Tests of the Python bindings (python/liqsim, docs/python.md), run by ctest with Debian's
/usr/bin/python3, PYTHONPATH=build/python, LIQSIM_BINARY (the CLI) and LIQSIM_SOURCE_DIR. Whatever
the bindings compute is compared with what the CLI writes for the same scenario, or read back with h5py
directly, never with numbers written here."""

import os
import pickle
import subprocess
import sys
import tempfile
import threading
import unittest

import h5py
import numpy as np
import pandas as pd

import liqsim

CLI = os.environ["LIQSIM_BINARY"]
SOURCE = os.environ["LIQSIM_SOURCE_DIR"]

# A fast scenario: the small preset with fewer traders and a stronger fall (cascades happen).
PRESET = "small"
SETS = {"traders.count": 200, "markets[0].shock.fall_fraction": 0.25, "noise.count": 6}
SETS_CLI = ["traders.count=200", "markets[0].shock.fall_fraction=0.25", "noise.count=6"]


def cli(*args, check=True):
    result = subprocess.run([CLI, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"liqsim {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def cli_run(path, preset=PRESET, sets=SETS_CLI):
    args = ["run", "--preset", preset, "--out", path, "--quiet", "--force"]
    for s in sets:
        args += ["--set", s]
    return cli(*args)


def stored_tables(path):
    """Every table of a run file as h5py reads it: {name: structured array} (timeseries as a dict)."""
    out = {}
    with h5py.File(path, "r") as f:
        out["timeseries"] = {name: f["timeseries"][name][:] for name in f["timeseries"]}
        for name in liqsim.table_names():
            if name == "timeseries":
                continue
            group = liqsim.schema()[name]["group"].rstrip("/")
            out[name] = f[f"{group}/{name}"][:]
    return out


def assert_same_array(test, a, b, what):
    """Field by field, exactly (the names of a as the bindings give them: index -> index_price)."""
    names_b = list(b.dtype.names) if hasattr(b, "dtype") else list(b)
    test.assertEqual(len(a), len(b[names_b[0]]), what)
    test.assertEqual(len(a.dtype.names), len(names_b), what)
    for name in names_b:
        mine = "index_price" if name == "index" else name
        np.testing.assert_array_equal(a[mine], b[name], err_msg=f"{what}.{name}")


class Scenarios(unittest.TestCase):
    def test_preset_with_overrides_is_what_the_cli_resolves(self):
        overrides = {"traders.count": 300, "markets[0].shock.fall_fraction": 0.3,
                     "markets[0].shock.enabled": True, "liquidation.mechanism": "keeper",
                     "name": "with spaces \"and\" quotes"}
        scenario = liqsim.Scenario.preset("small", overrides)
        printed = cli("presets", "small", "--set", "traders.count=300", "--set",
                      "markets[0].shock.fall_fraction=0.3", "--set", "markets[0].shock.enabled=true",
                      "--set", "liquidation.mechanism=keeper", "--set",
                      'name="with spaces \\"and\\" quotes"').stdout
        self.assertEqual(scenario.toml, printed)
        self.assertEqual(scenario.name, 'with spaces "and" quotes')
        # the same overrides as --set text
        self.assertEqual(liqsim.Scenario.preset("small", [
            "traders.count=300", "markets[0].shock.fall_fraction=0.3", "markets[0].shock.enabled=true",
            "liquidation.mechanism=keeper", 'name="with spaces \\"and\\" quotes"']).toml, printed)

    def test_bad_overrides_raise_the_cli_message_naming_the_key(self):
        sets = ["traders.count=-5", "traders.levrage.mean=5"]
        with self.assertRaises(liqsim.ScenarioError) as caught:
            liqsim.Scenario.preset("small", {"traders.count": -5, "traders.levrage.mean": 5})
        error = caught.exception
        self.assertIsInstance(error, ValueError)
        self.assertTrue(any(k.startswith("traders.levrage") for k in error.keys), error.keys)
        self.assertIn("traders.count", error.keys)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "never.h5")
            args = ["run", "--preset", "small", "--out", out]
            for s in sets:
                args += ["--set", s]
            result = cli(*args, check=False)
            self.assertEqual(result.returncode, 2)
            self.assertFalse(os.path.exists(out))
        self.assertEqual(str(error) + "\n", result.stderr)

    def test_unknown_preset_and_malformed_override(self):
        with self.assertRaises(liqsim.ScenarioError) as caught:
            liqsim.Scenario.preset("smal")
        self.assertIn("small", str(caught.exception))  # the allowed presets are listed
        with self.assertRaises(liqsim.ScenarioError):
            liqsim.Scenario.preset("small", ["traders.count"])
        with self.assertRaises(TypeError) as caught:
            liqsim.Scenario.preset("small", {"traders.count": object()})
        self.assertIn("traders.count", str(caught.exception))

    def test_text_file_seed_and_pickle(self):
        text = 'base = "small"\nname = "from-text"\n[traders]\ncount = 123\n'
        scenario = liqsim.Scenario.from_toml(text)
        self.assertEqual(scenario.name, "from-text")
        self.assertIn("count = 123", scenario.toml)
        self.assertEqual(scenario.with_overrides({"traders.count": 124}).toml,
                         liqsim.Scenario.from_toml(text, {"traders.count": 124}).toml)
        path = os.path.join(SOURCE, "examples", "two_markets_cross.toml")
        from_file = liqsim.Scenario.from_file(path)
        self.assertEqual(len(from_file.market_symbols), 2)
        with open(path) as f:
            self.assertEqual(from_file.toml,
                             liqsim.Scenario.from_toml(f.read(), source_dir=os.path.dirname(path)).toml)
        self.assertEqual(scenario.with_seed(7).seed, 7)
        self.assertNotEqual(scenario.with_seed(7).toml, scenario.toml)
        for bad in (-1, 2**63, 1.5, True):
            with self.assertRaises(ValueError):
                scenario.with_seed(bad)
        self.assertEqual(pickle.loads(pickle.dumps(scenario)), scenario)
        with self.assertRaises(liqsim.ScenarioError) as caught:
            liqsim.Scenario.from_toml("[traders]\ncount = -1\n", source_name="mine.toml")
        self.assertTrue(str(caught.exception).startswith("mine.toml: 1 problem:"))

    def test_presets_are_the_clis(self):
        listed = cli("presets").stdout.split("\n")
        names = [line.split()[0] for line in listed if line.strip()]
        self.assertEqual(list(liqsim.presets()), names)

    def test_every_enum_field_has_names(self):
        from liqsim import _tables
        for table, spec in liqsim.schema().items():
            for name, _type, units, _exponent, _description in spec["fields"]:
                if units == "enum":
                    self.assertIn((table, name), _tables.ENUMS, f"{table}.{name}")


class InProcessRuns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "cli.h5")
        cli_run(cls.path)
        cls.result = liqsim.run(PRESET, SETS)
        cls.stored = stored_tables(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_summary_equals_the_cli_run_file(self):
        with h5py.File(self.path, "r") as f:
            attrs = {k: v for k, v in f["summary"].attrs.items() if k != "field_units"}
        raw = self.result.summary.raw
        self.assertEqual(sorted(raw), sorted(attrs))
        self.assertEqual([f[0] for f in liqsim.schema()["summary"]["fields"]], list(raw))
        for name, value in attrs.items():
            self.assertEqual(type(raw[name]), int if value.dtype.kind in "iu" else float, name)
            self.assertEqual(raw[name], value.item(), name)
        self.assertGreater(raw["liquidation_count"], 0)
        self.assertEqual(raw["conservation_residual"], 0)
        self.assertGreater(self.result.wall_seconds, 0)

    def test_summary_units(self):
        s = self.result.summary
        self.assertEqual(s["liquidated_notional"], s.raw["liquidated_notional"] / 1e6)
        self.assertEqual(s["adl_quantity"], s.raw["adl_quantity"] / 1e8)
        self.assertEqual(s["mark_min"], s.raw["mark_min"] / 1e6)
        self.assertIsInstance(s["liquidation_count"], int)
        self.assertEqual(s.units["mark_min"], "USD/coin")
        self.assertNotIn("index", s.frame().columns)

    def test_tables_equal_the_cli_run_file(self):
        for name in liqsim.table_names():
            assert_same_array(self, self.result.array(name), self.stored[name], name)
        self.assertGreater(len(self.result.array("liquidations")), 0)
        self.assertGreater(len(self.result.array("trades")), 0)

    def test_metadata_equals_the_cli_run_file(self):
        with h5py.File(self.path, "r") as f:
            for name, value in self.result.metadata.items():
                stored = f.attrs[name]
                stored = stored.decode() if isinstance(stored, bytes) else stored
                self.assertEqual(value, stored.item() if hasattr(stored, "item") else stored, name)

    def test_frames_convert_units_and_have_no_index_column(self):
        for name in liqsim.table_names():
            frame = self.result.frame(name)
            self.assertNotIn("index", frame.columns, name)
            self.assertNotIn("index", self.result.array(name).dtype.names, name)
            self.assertEqual(len(frame), len(self.stored[name]["time_ns"] if name == "timeseries"
                                             else self.stored[name]), name)
        ts = self.result.timeseries
        np.testing.assert_array_equal(ts["index_price"].to_numpy(), self.stored["timeseries"]["index"] / 1e6)
        np.testing.assert_array_equal(ts["open_interest"].to_numpy(),
                                      self.stored["timeseries"]["open_interest"] / 1e8)
        np.testing.assert_array_equal(ts["funding_rate"].to_numpy(),
                                      self.stored["timeseries"]["funding_rate"] / 1e9)
        self.assertEqual(ts["time_ns"].dtype, np.int64)
        liq = self.result.liquidations
        stored = self.stored["liquidations"]
        np.testing.assert_array_equal(liq["mark"].to_numpy(), stored["mark"] / 1e6)
        np.testing.assert_array_equal(liq["quantity"].to_numpy(), stored["quantity"] / 1e8)
        self.assertEqual(list(liq["mechanism"].cat.categories), ["engine", "keeper", "auction"])
        self.assertTrue((liq["mechanism"] == "engine").all())
        np.testing.assert_array_equal(liq["generation"].to_numpy(), stored["generation"])
        trades = self.result.trades
        self.assertEqual(trades["aggressor_is_buy"].dtype, bool)
        buys = self.stored["trades"]["aggressor_is_buy"] == 1
        np.testing.assert_array_equal(trades["aggressor_is_buy"].to_numpy(), buys)
        self.assertTrue(buys.any() and not buys.all())
        accounts = self.result.accounts
        self.assertEqual(set(accounts["role"].iloc[:9]), {"place"})
        np.testing.assert_array_equal(accounts["balance"].to_numpy(), self.stored["accounts"]["balance"] / 1e6)
        self.assertEqual(int(self.stored["accounts"]["balance"].sum()), 0)
        raw = self.result.frame("timeseries", raw=True)
        np.testing.assert_array_equal(raw["index_price"].to_numpy(), self.stored["timeseries"]["index"])

    def test_saved_run_file_has_the_cli_files_content(self):
        saved = os.path.join(self.dir.name, "saved.h5")
        self.result.save(saved)
        with self.assertRaises(FileExistsError):
            self.result.save(saved)  # no overwrite without asking
        self.result.save(saved, overwrite=True)
        compare = subprocess.run(["/usr/bin/python3", os.path.join(SOURCE, "analysis", "compare_run_files.py"),
                                  saved, self.path], capture_output=True, text=True)
        self.assertEqual(compare.returncode, 0, compare.stdout + compare.stderr)

    def test_scenario_errors_raise_before_running(self):
        with self.assertRaises(liqsim.ScenarioError):
            liqsim.run("small", {"duration_seconds": -1})


class Stepping(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scenario = liqsim.Scenario.preset(PRESET, SETS)
        cls.whole = liqsim.run(cls.scenario)

    def assert_same_run(self, a, b):
        self.assertEqual(a.summary.raw, b.summary.raw)
        for name in liqsim.table_names():
            assert_same_array(self, a.array(name), b.array(name), name)

    def test_stepping_in_chunks_equals_one_run(self):
        sim = liqsim.Simulation(self.scenario)
        steps = 0
        while not sim.done:
            sim.step(137.25)
            steps += 1
        self.assertEqual(steps, int(np.ceil(self.scenario.duration_seconds / 137.25)))
        self.assertFalse(sim.finished)
        self.assert_same_run(sim.result(), self.whole)
        self.assertTrue(sim.finished)

    def test_reset_replays_identically(self):
        sim = liqsim.Simulation(self.scenario)
        sim.run_until(2000)
        partial = sim.array("timeseries")
        first = sim.result()
        sim.reset()
        self.assertEqual(sim.now, 0)
        self.assertFalse(sim.finished)
        self.assertEqual(len(sim.array("trades")), 0)
        sim.run_until(2000)
        assert_same_array(self, sim.array("timeseries"), partial, "timeseries at 2000 s")
        self.assert_same_run(sim.result(), first)
        self.assert_same_run(first, self.whole)

    def test_views_between_steps(self):
        sim = liqsim.Simulation(self.scenario)
        self.assertEqual(sim.run_until(3900), 3900)
        updates = sim.array("mark_updates")
        self.assertEqual(sim.marks_raw, [int(updates["mark"][-1])])
        self.assertEqual(sim.marks[0], updates["mark"][-1] / 1e6)
        raw = sim.accounts(raw=True)
        self.assertEqual(len(raw), sim.account_count)
        self.assertEqual(int(raw["balance"].sum()), 0)  # places included, balances sum to 0
        self.assertEqual(int(raw["position_0"].sum()), 0)
        ledger = sim.ledger(raw=True)
        self.assertEqual(ledger["conservation_residual"], 0)
        self.assertEqual(ledger["insurance_fund"], int(raw["balance"][1]))
        self.assertEqual(ledger["open_interest"][0], int(raw["position_0"][raw["position_0"] > 0].sum()))
        # equity = balance + position x mark, rounded down (isolated single-market accounts)
        trader = int(np.flatnonzero(raw["position_0"].to_numpy() != 0)[-1])
        one = sim.account(trader, raw=True)
        self.assertEqual(one["equity"], raw["balance"][trader] + (raw["position_0"][trader] * sim.marks_raw[0]) // 10**8)
        self.assertEqual(one["position"], [int(raw["position_0"][trader])])
        converted = sim.accounts()
        self.assertEqual(converted["equity"][trader], raw["equity"][trader] / 1e6)
        self.assertEqual(sim.account(trader)["role"], converted["role"][trader])
        self.assertEqual(list(converted["liquidatable"] & (raw["position_0"] == 0)), [False] * len(raw))
        summary = sim.summary()
        self.assertEqual(summary.raw["liquidation_count"], len(sim.array("liquidations")))
        with self.assertRaises(IndexError):
            sim.account(sim.account_count)

    def test_final_views_match_the_final_accounts_table(self):
        sim = liqsim.Simulation(self.scenario)
        run = sim.result()
        raw = sim.accounts(raw=True)
        final = run.array("accounts")
        for name in ("balance", "deposits", "equity", "liquidations"):
            np.testing.assert_array_equal(raw[name].to_numpy(), final[name], name)
        np.testing.assert_array_equal(raw["position_0"].to_numpy(), final["position"])

    def test_simulations_in_threads(self):
        results = [None, None]

        def work(i):
            results[i] = liqsim.run(self.scenario.with_seed(5 + i))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i in range(2):
            self.assert_same_run(results[i], liqsim.run(self.scenario.with_seed(5 + i)))
        self.assertNotEqual(results[0].summary.raw, results[1].summary.raw)


class Files(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "cli.h5")
        cli_run(cls.path, sets=SETS_CLI + ["liquidation.mechanism=keeper"])
        cls.result = liqsim.run(PRESET, {**SETS, "liquidation.mechanism": "keeper"})
        cls.read = liqsim.read_run(cls.path)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_read_run_equals_the_run_in_process(self):
        self.assertEqual(self.read.summary, self.result.summary)
        self.assertEqual(self.read.summary.raw, self.result.summary.raw)
        self.assertEqual(set(self.read.tables), set(liqsim.table_names()))
        for name in liqsim.table_names():
            pd.testing.assert_frame_equal(self.read.frame(name), self.result.frame(name), obj=name)
            pd.testing.assert_frame_equal(self.read.frame(name, raw=True), self.result.frame(name, raw=True), obj=name)
            self.assertNotIn("index", self.read.frame(name).columns)
        # Keepers' take-overs, and the fund's absorptions of accounts left without equity (no keeper).
        liq = self.read.liquidations
        self.assertTrue((liq["mechanism"] == "keeper").any())
        absorbed = liq[liq["mechanism"] != "keeper"]
        self.assertTrue(((absorbed["mechanism"] == "engine") & (absorbed["keeper"] == -1)).all())
        self.assertGreater(len(self.read.keeper_txs), 0)
        self.assertEqual(self.read.keeper_txs["succeeded"].dtype, bool)
        self.assertEqual(self.read.metadata["mechanism"], "keeper")
        self.assertEqual(self.read.scenario.toml, self.result.scenario.toml)

    def test_units_follow_the_files_attributes(self):
        with h5py.File(self.path, "r") as f:
            mark = f["timeseries/mark"]
            expected = mark[:] / (1 / mark.attrs["scale"])
            rows = f["events/keeper_txs"][:]
        np.testing.assert_array_equal(self.read.timeseries["mark"].to_numpy(), expected)
        np.testing.assert_array_equal(self.read.keeper_txs["gas_paid"].to_numpy(), rows["gas_paid"] / 1e6)
        self.assertEqual(self.read.units("timeseries")["index_price"], "USD/coin")

    def test_other_schema_versions_are_refused(self):
        path = os.path.join(self.dir.name, "old.h5")
        with h5py.File(path, "w") as f:
            f.attrs["schema_version"] = 1
        with self.assertRaises(ValueError) as caught:
            liqsim.read_run(path)
        self.assertIn("schema_version 1", str(caught.exception))


SWEEP = """
base = "small"
seeds = 2
set = { "traders.count" = 150, "noise.count" = 6 }
[[axes]]
key = "traders.leverage.mean"
values = [5, 20]
[[axes]]
key = "liquidation.mechanism"
values = ["engine", "keeper"]
[[variants]]
name = "none"
set = { "markets[0].shock.fall_fraction" = 0.3 }
"""


class Sweeps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.file = os.path.join(cls.dir.name, "plan.toml")
        with open(cls.file, "w") as f:
            f.write(SWEEP)
        cls.cli_out = os.path.join(cls.dir.name, "cli.h5")
        cli("sweep", cls.file, "--jobs", "2", "--out", cls.cli_out, "--quiet")
        cls.metrics = liqsim.sweep(text=SWEEP, jobs=2)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_sweep_equals_the_clis_sweep_file(self):
        from_file = liqsim.read_sweep(self.cli_out)
        pd.testing.assert_frame_equal(self.metrics, from_file)
        self.assertEqual(len(self.metrics), 2 * 2 * 2 * 2)
        self.assertTrue((self.metrics["status"] == "ok").all())
        self.assertEqual(self.metrics.attrs["plan_digest"], from_file.attrs["plan_digest"])
        self.assertEqual(list(self.metrics["variant_name"].cat.categories), ["base", "none"])
        self.assertEqual(list(self.metrics["liquidation.mechanism"].cat.categories), ["engine", "keeper"])

    def test_columns_units_and_no_index_column(self):
        self.assertNotIn("index", self.metrics.columns)
        summary_fields = [f[0] for f in liqsim.schema()["summary"]["fields"]]
        for name in summary_fields:
            self.assertIn(name, self.metrics.columns)
        with h5py.File(self.cli_out, "r") as f:
            rows = f["metrics"][:]
        np.testing.assert_array_equal(self.metrics["mid_min"].to_numpy(), rows["mid_min"] / 1e6)
        np.testing.assert_array_equal(self.metrics["run_seed"].to_numpy(), rows["run_seed"])
        raw = liqsim.read_sweep(self.cli_out, raw=True)
        np.testing.assert_array_equal(raw["status"].to_numpy(), rows["status"])

    def test_a_row_is_the_run_of_its_scenario(self):
        row = self.metrics.iloc[5]
        scenario = liqsim.Scenario.preset("small", {
            "traders.count": 150, "noise.count": 6,
            "traders.leverage.mean": row["traders.leverage.mean"],
            "liquidation.mechanism": str(row["liquidation.mechanism"]),
            **({"markets[0].shock.fall_fraction": 0.3} if row["variant_name"] == "none" else {}),
        }).with_seed(int(row["run_seed"]))
        summary = liqsim.run(scenario).summary
        for name in summary:
            self.assertEqual(row[name], summary[name], name)

    def test_jobs_out_and_resume(self):
        out = os.path.join(self.dir.name, "one.h5")
        one_job = liqsim.sweep(self.file, jobs=1, out=out)
        pd.testing.assert_frame_equal(one_job, self.metrics)
        with self.assertRaises(liqsim.SweepError) as caught:
            liqsim.sweep(self.file, jobs=1, out=out)  # exists
        self.assertIn("resume=True", str(caught.exception))
        resumed = liqsim.sweep(self.file, jobs=1, out=out, resume=True)  # nothing left to run
        pd.testing.assert_frame_equal(resumed, self.metrics)

    def test_bad_sweep_raises_the_cli_message(self):
        bad = SWEEP.replace('key = "traders.leverage.mean"', 'key = "traders.levrage.mean"')
        path = os.path.join(self.dir.name, "bad.toml")
        with open(path, "w") as f:
            f.write(bad)
        with self.assertRaises(liqsim.SweepError) as caught:
            liqsim.sweep(path, jobs=1)
        self.assertIsInstance(caught.exception, ValueError)
        result = cli("sweep", path, "--jobs", "1", "--out", os.path.join(self.dir.name, "never.h5"), check=False)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(str(caught.exception) + "\n", result.stderr)
        self.assertIn("traders.levrage", str(caught.exception))


class Example(unittest.TestCase):
    def test_academic_sweep_runs(self):
        script = os.path.join(SOURCE, "examples", "academic_sweep.py")
        with open(script) as f:
            self.assertLess(len(f.read().splitlines()), 30)
        with tempfile.TemporaryDirectory() as d:
            plot = os.path.join(d, "academic.png")
            result = subprocess.run([sys.executable, script, "--plot", plot], capture_output=True, text=True,
                                    timeout=500, env={**os.environ, "MPLBACKEND": "Agg"})
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertGreater(os.path.getsize(plot), 0)
        lines = result.stdout.strip().splitlines()
        self.assertIn("extra_fall_pct", lines[0])
        self.assertEqual(len(lines), 2 + 3 * 3)  # the header, the index names, one row per point

    def test_training_an_agent_runs(self):
        script = os.path.join(SOURCE, "examples", "train_agent.py")
        result = subprocess.run([sys.executable, script, "--episodes", "10", "--evaluation-days", "2"],
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("episode 10:", result.stdout)
        self.assertIn("evaluation on 2 unseen days: learned policy mean $", result.stdout)


class Games(unittest.TestCase):
    """The keeper free-entry game from Python: the episodes replay the scenario with the active keepers,
    so each episode's figures are those of a plain run with that keeper count."""

    def test_keeper_entry_game_episodes_are_runs_with_that_many_keepers(self):
        sets = {"traders.count": 1500, "duration_seconds": 28800, "liquidation.keeper.bonus": 0.004}
        r = liqsim.keeper_entry_game("keeper", sets, entry_cost=500, max_keepers=12, max_episodes=30)
        self.assertTrue(r["converged"])
        self.assertIn(r["criterion"], ("rest", "cycle"))
        episodes = r["episodes"]
        self.assertEqual(list(episodes["episode"]), list(range(len(episodes))))
        self.assertEqual(episodes["active"].iloc[0], 1)
        # At the equilibrium every active keeper covered the entry cost.
        at = episodes[episodes["active"] == r["equilibrium_keepers"]].iloc[-1]
        self.assertGreaterEqual(at["min_profit"], 500)
        # An episode is the run of the scenario with that many keepers: the same keepers' profits.
        row = episodes.iloc[1]
        run = liqsim.run("keeper", {**sets, "keepers.count": int(row["active"])})
        accounts = run.array("accounts")
        keepers = accounts[accounts["role"] == 3]  # AgentRole::Keeper
        profits = (keepers["equity"] - keepers["deposits"]) * 1e-6
        np.testing.assert_allclose(profits, row["profits"], atol=1e-6)
        self.assertEqual(run.summary["liquidation_count"], row["liquidations"])

    def test_payoff_matrix_finds_the_known_equilibria_of_small_games(self):
        sys.path.insert(0, os.path.join(SOURCE, "analysis"))
        import payoff_matrix
        # Matching pennies: one equilibrium, both mix 1/2, values 0.
        a = np.array([[1.0, -1.0], [-1.0, 1.0]])
        found = payoff_matrix.support_enumeration(a, -a)
        self.assertEqual(len(found), 1)
        x, y, u, v = found[0]
        np.testing.assert_allclose(x, [0.5, 0.5])
        np.testing.assert_allclose(y, [0.5, 0.5])
        self.assertAlmostEqual(u, 0.0)
        # The prisoner's dilemma: defect / defect only.
        a = np.array([[3.0, 0.0], [5.0, 1.0]])
        found = payoff_matrix.support_enumeration(a, a.T)
        self.assertEqual(len(found), 1)
        np.testing.assert_allclose(found[0][0], [0, 1])
        np.testing.assert_allclose(found[0][1], [0, 1])
        # Battle of the sexes: two pure equilibria and a mixed one (row plays its favourite with 2/3).
        a = np.array([[2.0, 0.0], [0.0, 1.0]])
        b = np.array([[1.0, 0.0], [0.0, 2.0]])
        found = payoff_matrix.support_enumeration(a, b)
        self.assertEqual(len(found), 3)
        mixed = [f for f in found if (f[0] > 0).sum() == 2]
        self.assertEqual(len(mixed), 1)
        np.testing.assert_allclose(mixed[0][0], [2 / 3, 1 / 3])
        np.testing.assert_allclose(mixed[0][1], [1 / 3, 2 / 3])

    def test_payoff_matrix_pays_a_keeper_group_its_members_profit(self):
        sys.path.insert(0, os.path.join(SOURCE, "analysis"))
        import payoff_matrix
        run = liqsim.run("keeper", {"traders.count": 600, "duration_seconds": 28800, "keepers.count": 2,
                                    "keeper_groups": [{"count": 1, "priority_fee": 1},
                                                      {"count": 2, "priority_fee": 9}]})
        accounts = run.array("accounts")
        keepers = accounts[accounts["role"] == 3]  # AgentRole::Keeper: 2 ungrouped, then 1, then 2
        self.assertEqual(len(keepers), 5)
        profits = (keepers["equity"] - keepers["deposits"]) * 1e-6
        self.assertAlmostEqual(payoff_matrix.group_payoffs(run, "keeper_groups[0]"), profits[2], places=6)
        self.assertAlmostEqual(payoff_matrix.group_payoffs(run, "keeper_groups[1]"), profits[3:].mean(), places=6)

    def test_payoff_matrix_pays_a_trader_group_its_members_profit(self):
        sys.path.insert(0, os.path.join(SOURCE, "analysis"))
        import payoff_matrix
        run = liqsim.run("small", {"duration_seconds": 5400, "trader_groups": [{"count": 30}, {"count": 20}]})
        accounts = run.array("accounts")
        traders = accounts[accounts["role"] == 0]  # AgentRole::Trader: the groups are the last 50
        profits = (traders["equity"] - traders["deposits"]) * 1e-6
        self.assertAlmostEqual(payoff_matrix.group_payoffs(run, "trader_groups[0]"), profits[-50:-20].mean(), places=6)
        self.assertAlmostEqual(payoff_matrix.group_payoffs(run, "trader_groups[1]"), profits[-20:].mean(), places=6)

    def test_bad_game_parameters_are_refused(self):
        with self.assertRaises(ValueError):
            liqsim.keeper_entry_game("small", entry_cost=-1)
        with self.assertRaises(ValueError):
            liqsim.keeper_entry_game("small", initial_keepers=5, max_keepers=2)


if __name__ == "__main__":
    unittest.main()


class Environment(unittest.TestCase):
    """The gym-style environment: one account under outside control, public observations, rewards that
    add up to the account's profit, the same day and actions giving the same rewards."""

    def play(self, actions, seed=3):
        env = liqsim.LiquidationEnv("small", {"duration_seconds": 5400}, step_seconds=60, order_size=1,
                                    max_position=3)
        observation, info = env.reset(seed=seed)
        rewards, infos = [], []
        for k in range(1000):
            observation, reward, terminated, truncated, step_info = env.step(actions[min(k, len(actions) - 1)])
            rewards.append(reward)
            infos.append(step_info)
            self.assertEqual(observation.shape, env.observation_space.shape)
            if terminated:
                break
        return env, info, rewards, infos

    def test_holding_nothing_earns_nothing_and_the_episode_ends_with_the_run(self):
        env, info, rewards, infos = self.play([1])
        self.assertEqual(len(rewards), 90)
        self.assertEqual(sum(rewards), 0.0)
        self.assertEqual(infos[-1]["position"], 0.0)
        self.assertEqual(info["seed"], 3)

    def test_buying_moves_the_agents_own_position_within_its_limit_and_rewards_sum_to_its_profit(self):
        env, _, rewards, infos = self.play([2, 2, 2, 2, 2, 1])
        self.assertEqual(max(i["position"] for i in infos), 3.0)  # capped at max_position
        self.assertAlmostEqual(sum(rewards) * env.reward_scale, infos[-1]["profit"], places=6)
        _, _, closed, closed_infos = self.play([2, 2, 3, 1])
        self.assertEqual(closed_infos[-1]["position"], 0.0)

    def test_the_same_day_and_actions_give_the_same_rewards(self):
        actions = [0, 0, 1, 2, 3, 0, 1]
        self.assertEqual(self.play(actions)[2], self.play(actions)[2])
        self.assertNotEqual(self.play(actions)[2], self.play(actions, seed=4)[2])

    def test_only_the_agents_own_account_can_trade(self):
        env, _, _, _ = self.play([1])
        sim = liqsim.Simulation("small", {"hunters": [{"count": 1, "max_position": 0}]})
        sim.run_until(60)
        tick = sim._native.view(0)["tick"]
        with self.assertRaisesRegex(ValueError, "not under outside control"):
            sim._native.submit_ioc(20, 0, "buy", 100_000_000, 70_000 * 1_000_000 // tick * tick, False)
        with self.assertRaisesRegex(ValueError, "multiple of the tick"):
            sim._native.submit_ioc(env.account, 0, "buy", 100_000_000, 1, False)

    def test_bad_parameters_are_refused(self):
        with self.assertRaisesRegex(ValueError, "order_size"):
            liqsim.LiquidationEnv("small", order_size=20, max_position=10)
        with self.assertRaisesRegex(ValueError, "action"):
            env = liqsim.LiquidationEnv("small", {"duration_seconds": 5400})
            env.reset()
            env.step(7)
