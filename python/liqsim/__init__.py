"""liqsim from Python: build scenarios, run or step them in this process, read run and sweep files.

    import liqsim
    scenario = liqsim.Scenario.preset("small", {"traders.count": 200})
    run = liqsim.run(scenario)                 # or scenario.run()
    run.summary["liquidation_count"], run.summary.raw["liquidated_notional"]
    run.timeseries                             # DataFrame, prices in USD/coin
    sim = liqsim.Simulation(scenario)          # step it: sim.run_until(3600); sim.accounts()
    liqsim.read_run("run.h5").liquidations
    liqsim.sweep("examples/sweeps/leverage_depth.toml", jobs=2)

See docs/python.md.
"""

from . import _core
from ._files import read_run, read_sweep
from ._run import Run, Simulation, Summary, keeper_entry_game, run, schema, table_names
from ._scenario import Scenario, ScenarioError, presets
from ._sweep import SweepError, sweep
from .env import LiquidationEnv

__version__ = _core.version

__all__ = [
    "LiquidationEnv", "Run", "Scenario", "ScenarioError", "Simulation", "Summary", "SweepError", "presets", "read_run",
    "read_sweep", "run", "schema", "sweep", "table_names",
]
