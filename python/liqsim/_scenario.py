"""Scenarios: built by the scenario loader of the C++ core (experiments/scenario_loader), from a
preset, a TOML text or a file, with overrides applied exactly as ``liqsim run --set KEY=VALUE``."""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Mapping

from . import _core

MAX_SEED = 2**63 - 1  # scenario seeds are TOML integers, as `liqsim run --seed`


class ScenarioError(ValueError):
    """A scenario that does not load or validate. ``str()`` is what ``liqsim run`` prints (the
    source, then one line per problem); ``problems`` lists them as dicts with ``key``, ``value``,
    ``allowed``, ``problem``, ``line``, ``column`` and ``message``."""

    def __init__(self, source: str, problems: list[dict]):
        self.source = source
        self.problems = problems
        count = len(problems)
        lines = [f"{source}: {count} problem{'s' if count != 1 else ''}:"]
        lines += [f"  {p['message']}" for p in problems]
        super().__init__("\n".join(lines))

    @property
    def keys(self) -> list[str]:
        return [p["key"] for p in self.problems]


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(value, key: str = "") -> str:
    """A Python value as TOML text (what follows ``--set KEY=``): bool, int, float (shortest
    round-trip form; inf and nan), str (always quoted), lists and dicts of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_string(str(k))} = {toml_value(v, key)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v, key) for v in value) + "]"
    raise TypeError(f"override {key!r}: {type(value).__name__} {value!r} has no TOML form; "
                    "allowed: bool, int, float, str, list, dict")


def overrides_list(overrides) -> list[tuple[str, str]]:
    """(key, TOML value text) pairs from a dict {key: value} (Python values, see toml_value) or an
    iterable of "KEY=VALUE" strings (the CLI's --set text, VALUE as TOML: a bare word is a string)."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [(str(k), toml_value(v, str(k))) for k, v in overrides.items()]
    if isinstance(overrides, str):
        overrides = [overrides]
    pairs = []
    for item in overrides:
        if isinstance(item, str):
            parsed = _core.parse_override(item)
            if parsed is None:
                raise ScenarioError("overrides", [{
                    "key": "", "value": item, "allowed": "KEY=VALUE", "problem": "not KEY=VALUE",
                    "line": 0, "column": 0,
                    "message": f"'{item}' is not KEY=VALUE; allowed: a dotted key path, '=', a TOML "
                               "value, e.g. markets[0].shock.fall_fraction=0.3"}])
            pairs.append(parsed)
        else:
            key, value = item
            pairs.append((str(key), toml_value(value, str(key))))
    return pairs


def _loaded(result, source: str) -> "Scenario":
    if isinstance(result, list):
        raise ScenarioError(source, result)
    return Scenario(result)


class Scenario:
    """A validated scenario. Build one with ``Scenario.preset``, ``Scenario.from_toml`` or
    ``Scenario.from_file``; it is immutable: ``with_overrides`` and ``with_seed`` return new ones."""

    __slots__ = ("_native",)

    def __init__(self, native: _core.Scenario):
        if not isinstance(native, _core.Scenario):
            raise TypeError("use Scenario.preset, Scenario.from_toml or Scenario.from_file")
        self._native = native

    @classmethod
    def preset(cls, name: str = "default", overrides=None) -> "Scenario":
        """An embedded preset (``liqsim presets``), with overrides ({key: value} or "KEY=VALUE")."""
        return _loaded(_core.load_preset(name, overrides_list(overrides)), f"preset {name}")

    @classmethod
    def from_toml(cls, text: str, overrides=None, *, source_name: str = "<string>",
                  source_dir: str = ".") -> "Scenario":
        """A scenario from TOML text (it may start from a preset: ``base = "small"``); relative
        files (replay CSVs, a base file) are found from ``source_dir``."""
        return _loaded(_core.load_text(text, source_name, os.fspath(source_dir), overrides_list(overrides)),
                       source_name)

    @classmethod
    def from_file(cls, path, overrides=None) -> "Scenario":
        path = os.fspath(path)
        return _loaded(_core.load_file(path, overrides_list(overrides)), path)

    def with_overrides(self, overrides) -> "Scenario":
        """This scenario with more overrides, applied to its resolved TOML as --set would be."""
        return _loaded(_core.load_text(self.toml, f"scenario {self.name}", self._native.source_dir,
                                       overrides_list(overrides)), f"scenario {self.name}")

    def with_seed(self, seed: int) -> "Scenario":
        """The same scenario with another master seed (as ``liqsim run --seed``)."""
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed <= MAX_SEED:
            raise ValueError(f"seed {seed!r} is not a valid seed; allowed: an integer in [0, {MAX_SEED}]")
        return Scenario(self._native.with_seed(int(seed)))

    @property
    def toml(self) -> str:
        """Every key, resolved: the text a run file stores as ``scenario_toml``."""
        return self._native.toml

    @property
    def name(self) -> str:
        return self._native.name

    @property
    def seed(self) -> int:
        return self._native.seed

    @property
    def duration_seconds(self) -> float:
        return self._native.duration_seconds

    @property
    def market_symbols(self) -> list[str]:
        return self._native.market_symbols

    def estimate(self) -> dict:
        """What validation estimated the run costs: events, memory_bytes and what drives each."""
        return self._native.estimate()

    def run(self, **options):
        """Runs the scenario in this process: ``liqsim.run(self, **options)``."""
        from ._run import run
        return run(self, **options)

    def simulation(self, **options):
        """A steppable ``Simulation`` of this scenario."""
        from ._run import Simulation
        return Simulation(self, **options)

    def __eq__(self, other):
        return isinstance(other, Scenario) and self.toml == other.toml and \
            self._native.source_dir == other._native.source_dir

    def __hash__(self):
        return hash(self.toml)

    def __reduce__(self):
        return (_from_toml_for_pickle, (self.toml, self._native.source_dir))

    def __repr__(self):
        return f"<liqsim.Scenario {self.name!r} seed {self.seed}, {self.duration_seconds:g} s>"


def _from_toml_for_pickle(text: str, source_dir: str) -> Scenario:
    return Scenario.from_toml(text, source_name="pickled scenario", source_dir=source_dir)


def presets() -> dict[str, str]:
    """{name: description} of the embedded presets."""
    return dict(_core.presets())


def as_scenario(scenario, overrides=None) -> Scenario:
    """A Scenario from a Scenario (with optional overrides) or a preset name."""
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(overrides) if overrides else scenario
    if isinstance(scenario, str):
        return Scenario.preset(scenario, overrides)
    raise TypeError(f"expected a liqsim.Scenario or a preset name, got {type(scenario).__name__}")
