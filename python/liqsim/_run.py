"""Runs in this process (experiments/simulation.h): one-shot ``run`` and the steppable
``Simulation``, and ``Run``, the result of either (also what ``read_run`` returns for a file)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from . import _core, _tables
from ._scenario import Scenario, as_scenario

_SCHEMA = _core.schema()
NANOS_PER_SECOND = 1_000_000_000


def table_names() -> tuple[str, ...]:
    """Every table of a run: "timeseries", then the /events tables, assets, holdings, accounts."""
    return tuple(_core.table_names())


def schema() -> dict:
    """The run file's schema as the core describes it: per table its group, description,
    field_units and fields (name, type, units, exponent, description); "summary" included."""
    return _SCHEMA


class Summary(dict):
    """Whole-run figures (the run file's /summary; fields from the schema, run_file_schema::summary()):
    the dict holds each value in its units (USD, USD/coin and coin as float, counts as int, ratios as
    float); ``raw`` the stored numbers (fixed-point integers), ``units`` each field's units."""

    def __init__(self, raw: dict, field_units: str):
        units = _tables.parse_field_units(field_units)
        self.raw = dict(raw)
        self.units = {name: units.get(name, ("", 0))[0] for name in raw}
        super().__init__({name: _tables.convert_scalar(value, units.get(name, ("", 0))[1])
                          for name, value in raw.items()})

    def frame(self) -> pd.DataFrame:
        """One row per field: value, raw, units."""
        return pd.DataFrame({"field": list(self), "value": list(self.values()),
                             "raw": [self.raw[k] for k in self], "units": [self.units[k] for k in self]})


def _summary(raw: dict) -> Summary:
    return Summary(raw, _SCHEMA["summary"]["field_units"])


class Run:
    """A finished run: ``metadata`` (the run file's root attributes), ``summary`` (a ``Summary``),
    and its tables (``table_names()``): ``frame(name)`` as a DataFrame in units, ``array(name)`` as a
    numpy structured array of the stored numbers. Properties ``timeseries``, ``liquidations``,
    ``trades``, ... give the DataFrames. From ``run``, ``Simulation.result`` or ``read_run``."""

    def __init__(self, metadata: dict, summary: Summary, loader, field_units, wall_seconds=None, data=None,
                 path=None):
        self.metadata = metadata
        self.summary = summary
        self.wall_seconds = wall_seconds  # in-process runs only (a run file does not store it)
        self.path = path                  # run files only
        self._loader = loader             # name -> structured array of stored numbers
        self._field_units = field_units   # name -> field_units text
        self._data = data
        self._arrays = {}
        self._scenario = None

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self._field_units)

    @property
    def scenario(self) -> Scenario:
        """The run's scenario: the one it ran (in-process runs), or the file's stored resolved TOML
        (relative replay files then resolve from the current folder)."""
        if self._scenario is None:
            self._scenario = Scenario.from_toml(self.metadata["scenario_toml"], source_name="run scenario")
        return self._scenario

    def _stored(self, name: str) -> np.ndarray:
        if name not in self._field_units:
            raise KeyError(f"no table {name!r}; allowed: {', '.join(self._field_units)}")
        if name not in self._arrays:
            self._arrays[name] = self._loader(name)
        return self._arrays[name]

    def array(self, name: str) -> np.ndarray:
        """The table's stored numbers (fixed-point integers) as a packed numpy structured array;
        a field named ``index`` is called ``index_price``."""
        return _tables.renamed_array(self._stored(name))

    def frame(self, name: str, raw: bool = False) -> pd.DataFrame:
        """The table as a DataFrame: fixed point converted to float in its units, flags to bool,
        enums to categoricals (``raw=True``: stored numbers); no column is named ``index``."""
        return _tables.frame(self._stored(name), self._field_units[name], name, raw)

    def units(self, name: str) -> dict[str, str]:
        """{column: units} of a table (columns as ``frame`` names them)."""
        return {_tables.column_name(n): u for n, (u, _) in
                _tables.parse_field_units(self._field_units[name]).items()}

    def save(self, path, overwrite: bool = False) -> None:
        """Writes the run file (as ``liqsim run --out``); in-process runs only."""
        if self._data is None:
            raise TypeError("only a run made in this process can be saved; this one was read from a file")
        path = os.fspath(path)
        if not overwrite and os.path.lexists(path):
            raise FileExistsError(f"'{path}': the file exists; allowed: a new path, or overwrite=True to replace it")
        self._data.write(path, overwrite)

    def __repr__(self):
        where = f" from {self.path}" if self.path else ""
        return (f"<liqsim.Run {self.metadata.get('scenario_name')!r} seed {self.metadata.get('seed')}{where}: "
                f"{self.summary.get('liquidation_count')} liquidations>")


def _table_property(name):
    return property(lambda self: self.frame(name), doc=f"The {name} table as a DataFrame (frame({name!r})).")


for _name in _core.table_names():
    setattr(Run, _name, _table_property(_name))


def _run_from_data(data, scenario: Scenario) -> Run:
    field_units = {name: _SCHEMA[name]["field_units"] for name in _core.table_names()}
    run = Run(data.metadata, _summary(data.summary), data.table, field_units, data.wall_seconds, data)
    run._scenario = scenario
    return run


def run(scenario="default", overrides=None, *, check_every_event: bool = False) -> Run:
    """Runs a scenario (a ``Scenario`` or a preset name, with optional overrides) to the end in this
    process, without the GIL (Ctrl-C stops it), and returns its ``Run``."""
    scenario = as_scenario(scenario, overrides)
    return _run_from_data(_core.run(scenario._native, check_every_event), scenario)


# Units of the account views (core/units.h scales).
_ACCOUNT_UNITS = ("account: id; role: enum; cross: flag; balance: USD*1e-6; deposits: USD*1e-6; "
                  "equity: USD*1e-6; maintenance: USD*1e-6; liquidatable: flag; in_liquidation: flag; "
                  "liquidations: count; position: coin*1e-8; open_notional: USD*1e-6")
_PRICE_EXPONENT = -6


class Simulation:
    """A run stepped from Python (experiments/simulation.h's Simulation): ``run_until(t)`` processes
    every event up to t seconds of simulated time, without the GIL; stepping in any chunks gives
    exactly the run of one call, and ``reset()`` replays the same run. Read-only views of the world
    between steps: ``marks``, ``accounts()``, ``account(i)``, ``ledger()``, ``summary()`` and the
    records so far (``table(name)``). Records are kept in memory."""

    def __init__(self, scenario="default", overrides=None, *, check_every_event: bool = False):
        self._scenario = as_scenario(scenario, overrides)
        self._native = _core.Simulation(self._scenario._native, check_every_event)
        self._reached = 0

    # --- the clock -------------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def now(self) -> float:
        """Seconds: the time the last run_until reached (min(until, end))."""
        return self._reached / NANOS_PER_SECOND

    @property
    def now_ns(self) -> int:
        return self._reached

    @property
    def last_event_ns(self) -> int:
        """Time of the last event processed (<= now_ns)."""
        return self._native.now

    @property
    def end(self) -> float:
        return self._native.end / NANOS_PER_SECOND

    @property
    def end_ns(self) -> int:
        return self._native.end

    @property
    def done(self) -> bool:
        """Every event of the run was processed (now == end)."""
        return self._reached >= self._native.end

    @property
    def finished(self) -> bool:
        """finish() ran: conservation was checked and the final account states recorded."""
        return self._native.finished

    def run_until(self, t_seconds: float) -> float:
        """Processes every event at or before min(t, end); returns that time in seconds."""
        return self.run_until_ns(int(round(t_seconds * NANOS_PER_SECOND))) / NANOS_PER_SECOND

    def run_until_ns(self, t_ns: int) -> int:
        self._reached = max(self._reached, self._native.run_until(int(t_ns)))
        return self._reached

    def step(self, dt_seconds: float) -> float:
        """run_until(now + dt)."""
        return self.run_until_ns(self._reached + int(round(dt_seconds * NANOS_PER_SECOND))) / NANOS_PER_SECOND

    def finish(self) -> None:
        """Runs to the end, checks conservation and records the final accounts (idempotent)."""
        self._native.finish()
        self._reached = self._native.end

    def reset(self) -> None:
        """Back to time zero; the same scenario and seed replay the same run."""
        self._native.reset()
        self._reached = 0

    # --- results -----------------------------------------------------------------------------------
    def summary(self) -> Summary:
        """Whole-run figures so far (final accounts once finished)."""
        return _summary(self._native.summary())

    def table(self, name: str, raw: bool = False) -> pd.DataFrame:
        """The records so far of one table (see ``table_names()``) as a DataFrame."""
        return _tables.frame(self._native.table(name), _SCHEMA[name]["field_units"], name, raw)

    def array(self, name: str) -> np.ndarray:
        return _tables.renamed_array(self._native.table(name))

    def result(self) -> Run:
        """finish(), then a Run holding a copy of every record (the Simulation stays usable)."""
        data = self._native.result()
        self._reached = self._native.end
        return _run_from_data(data, self._scenario)

    def metadata(self) -> dict:
        """The run file's root attributes for this run (as Run.metadata)."""
        return self._native.metadata()

    # --- read-only views of the world --------------------------------------------------------------
    @property
    def market_count(self) -> int:
        return self._native.market_count

    @property
    def marks_raw(self) -> list[int]:
        """Each market's mark price, stored units (USD/coin * 1e6)."""
        return self._native.marks()

    @property
    def marks(self) -> np.ndarray:
        """Each market's mark price in USD per coin."""
        return _tables.convert_scalar_array(np.asarray(self.marks_raw, dtype=np.int64), _PRICE_EXPONENT)

    def ledger(self, raw: bool = False) -> dict:
        """Totals of the ledger: insurance_fund, fee_pool, gas_paid, bad_debt, total_deposits,
        conservation_residual (USD) and open_interest (coins, one per market)."""
        totals = self._native.ledger_totals()
        if raw:
            return totals
        out = {k: _tables.convert_scalar(v, -6) for k, v in totals.items() if k != "open_interest"}
        out["open_interest"] = [_tables.convert_scalar(v, -8) for v in totals["open_interest"]]
        return out

    @property
    def account_count(self) -> int:
        """Accounts, the protocol places (0-8) included."""
        return self._native.account_count

    def account_arrays(self) -> dict[str, np.ndarray]:
        """Every account's state now, stored units, one numpy array per column (position and
        open_notional are accounts x markets): the fast view for agents that read it every step."""
        return self._native.accounts()

    def accounts(self, raw: bool = False) -> pd.DataFrame:
        """Every account now: role, cross, balance, deposits, equity and maintenance margin at the
        current marks, liquidatable, in_liquidation, liquidations, then position_<m> and
        open_notional_<m> per market; USD and coins unless raw."""
        arrays = self._native.accounts()
        units = _tables.parse_field_units(_ACCOUNT_UNITS)
        columns = {}
        for name, values in arrays.items():
            unit, exponent = units[name]
            if values.ndim == 2:
                for m in range(values.shape[1]):
                    columns[f"{name}_{m}"] = values[:, m] if raw else _tables.convert_column(values[:, m], unit,
                                                                                              exponent)
                continue
            if raw:
                columns[name] = values
            else:
                columns[name] = _tables.convert_column(values, unit, exponent,
                                                       _tables.ENUMS.get(("accounts", name)))
        return pd.DataFrame(columns)

    def account(self, account: int, raw: bool = False) -> dict:
        """One account now (see accounts())."""
        state = self._native.account(int(account))
        if raw:
            return state
        units = _tables.parse_field_units(_ACCOUNT_UNITS)
        out = {}
        for name, value in state.items():
            unit, exponent = units[name]
            if isinstance(value, list):
                out[name] = [_tables.convert_scalar(v, exponent) for v in value]
            elif name == "role":
                out[name] = _tables.ENUMS[("accounts", "role")][value]
            else:
                out[name] = _tables.convert_scalar(value, exponent)
        return out

    def __repr__(self):
        return f"<liqsim.Simulation {self._scenario.name!r} at {self.now:g} of {self.end:g} s>"


def keeper_entry_game(scenario="keeper", overrides=None, *, entry_cost: float = 10_000, initial_keepers: int = 1,
                      max_keepers: int = 20, max_episodes: int = 50, stable_episodes: int = 3,
                      fresh_seeds: bool = False, seeds_per_episode: int = 1) -> dict:
    """The keeper free-entry game (experiments/keeper_entry_game.h) on a scenario: the day is replayed
    with the keepers still active; the least profitable leaves when it earned less than ``entry_cost``
    (USD per keeper and episode), one enters when their mean profit exceeds it; an episode plays
    ``seeds_per_episode`` days and a keeper's profit is its mean over them. Returns ``converged``,
    ``criterion`` ("rest", "cycle" or ""), ``equilibrium_keepers`` and ``episodes`` (a DataFrame: one row
    per episode, its active keepers, their mean and lowest profit in USD net of gas, liquidations, mean
    delay, protocol loss and bad debt)."""
    scenario = as_scenario(scenario, overrides)
    r = _core.keeper_entry_game(scenario._native, entry_cost, initial_keepers, max_keepers, max_episodes,
                                stable_episodes, fresh_seeds, seeds_per_episode)
    r["episodes"] = pd.DataFrame(r["episodes"])
    return r
