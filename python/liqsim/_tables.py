"""Record tables as numpy arrays and pandas DataFrames, for runs in memory and files read back.

Every table arrives as a numpy structured array of the stored numbers together with its
``field_units`` text (``"price: USD/coin*1e-6; buyer: id; ..."``, the run file's attribute, which
the compiled core also gives for in-memory runs), so files and in-process runs are converted by the
same code:

- a fixed-point field (``*1e-6``) becomes float64 in its units: ``stored / 10**6``;
- ``flag`` fields become bool, ``enum`` fields categoricals of their names (``ENUMS``);
- a field named ``index`` is renamed ``index_price``: a DataFrame column named ``index`` is shadowed
  by ``DataFrame.index`` in attribute access and confuses ``reset_index``/``set_index``.
"""

from __future__ import annotations

import numpy as np
import numpy.lib.recfunctions as rfn
import pandas as pd

# Field names that would clash with pandas: renamed in every array and DataFrame liqsim returns.
RENAMED = {"index": "index_price"}

# Names of the enum fields' values, by (table, field); docs/hdf5-schema.md and docs/sweeps.md.
ENUMS = {
    ("liquidations", "mechanism"): ("engine", "keeper", "auction"),
    ("auctions", "kind"): ("dutch", "english"),
    ("liquidations", "endogenous"): ("exogenous", "endogenous", "unmeasured"),
    ("accounts", "role"): ("trader", "noise", "maker", "keeper", "place", "hunter", "option_writer",
                           "option_maker"),
    ("option_fills", "type"): ("call", "put"),
    ("option_fills", "side"): ("buy", "sell"),
    ("assets", "kind"): ("quote", "stablecoin", "coin", "debt_share", "lp_share"),
    ("metrics", "status"): ("pending", "ok", "failed"),
    ("venue_timeseries", "kind"): ("perpetual", "spot"),
    ("summary", "counterfactual"): ("none", "impact_free"),
}


def column_name(name: str) -> str:
    return RENAMED.get(name, name)


def parse_field_units(text: str) -> dict[str, tuple[str, int]]:
    """{field: (units, exponent)} from a field_units attribute ("price: USD/coin*1e-6; ...")."""
    out = {}
    if not text:
        return out
    for entry in text.split("; "):
        name, _, units = entry.partition(": ")
        units, star, scale = units.rpartition("*1e") if "*1e" in units else (units, "", "")
        out[name] = (units, int(scale) if star else 0)
    return out


def field_units_text(fields: dict[str, tuple[str, int]]) -> str:
    return "; ".join(f"{n}: {u}*1e{e}" if e else f"{n}: {u}" for n, (u, e) in fields.items())


def exponent_of_scale(scale: float) -> int:
    """The exponent of a /timeseries dataset's `scale` attribute (1e-6 -> -6)."""
    exponent = int(round(np.log10(scale)))
    if abs(10.0**exponent - scale) > 1e-12 * scale:
        raise ValueError(f"scale {scale!r} is not a power of ten")
    return exponent


def convert_scalar(value, exponent: int):
    """A stored number in its units: fixed point to float (stored / 10**-exponent), others unchanged."""
    if exponent < 0:
        return float(value) / 10.0**-exponent
    if exponent > 0:
        return float(value) * 10.0**exponent
    return value


def renamed_array(array: np.ndarray) -> np.ndarray:
    """The structured array packed (no padding) with clashing field names renamed."""
    array = rfn.repack_fields(array)
    if any(n in RENAMED for n in array.dtype.names):
        array = array.copy()
        array.dtype.names = tuple(column_name(n) for n in array.dtype.names)
    return array


def convert_column(values: np.ndarray, units: str, exponent: int, labels=None):
    if exponent != 0:
        return convert_scalar_array(values, exponent)
    if units == "flag":
        return values.astype(bool)
    if units == "enum" and labels is not None:
        codes = values.astype(np.int64)
        codes = np.where((codes >= 0) & (codes < len(labels)), codes, -1)
        return pd.Categorical.from_codes(codes, categories=list(labels))
    return values


def convert_scalar_array(values: np.ndarray, exponent: int) -> np.ndarray:
    values = values.astype(np.float64)
    return values / 10.0**-exponent if exponent < 0 else values * 10.0**exponent


def frame(array: np.ndarray, field_units: str, table: str, raw: bool = False) -> pd.DataFrame:
    """A DataFrame of a structured array of stored numbers (see the module's text). raw=True keeps
    the stored integers and enum codes (only the renaming and text decoding apply)."""
    units = parse_field_units(field_units)
    units.update({RENAMED[n]: u for n, u in list(units.items()) if n in RENAMED})
    columns = {}
    for name in array.dtype.names:
        values = array[name]
        field_units_, exponent = units.get(name, ("", 0))
        if values.dtype.kind == "S":
            values = np.char.decode(values, "utf-8")
        elif not raw:
            values = convert_column(values, field_units_, exponent, ENUMS.get((table, name)))
        columns[column_name(name)] = values
    return pd.DataFrame(columns)
