"""Reading run files (docs/hdf5-schema.md) and sweep files (docs/sweeps.md) with h5py. Units come from
the files' own attributes (field_units, and units/scale of /timeseries datasets), so a file is read
as it describes itself."""

from __future__ import annotations

import os
import tomllib

import numpy as np
import pandas as pd

from . import _core, _tables
from ._run import Run, Summary

RUN_SCHEMA_VERSION = _core.run_file_schema_version
SWEEP_SCHEMA_VERSION = 2


def _h5py():
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - Debian's python3-h5py is a dependency
        raise ImportError("reading liqsim files needs h5py: use Debian's /usr/bin/python3 with python3-h5py") from e
    return h5py


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _scalar(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _timeseries(group) -> tuple[np.ndarray, str]:
    """The /timeseries datasets as one structured array (schema order, then any others), with a
    field_units text built from each dataset's units and scale."""
    order = [f[0] for f in _core.schema()["timeseries"]["fields"]]
    names = [n for n in order if n in group] + sorted(n for n in group if n not in order)
    columns = [group[n][:] for n in names]
    rows = len(columns[0]) if columns else 0
    array = np.empty(rows, dtype=[(n, c.dtype) for n, c in zip(names, columns)])
    units = {}
    for n, c in zip(names, columns):
        array[n] = c
        attrs = group[n].attrs
        units[n] = (_text(attrs.get("units", "")), _tables.exponent_of_scale(float(attrs.get("scale", 1.0))))
    return array, _tables.field_units_text(units)


def read_run(path) -> Run:
    """A run file as a ``Run``: metadata (root attributes), ``summary`` and every table, loaded when
    first used. Refuses files of another schema_version."""
    h5py = _h5py()
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        version = int(f.attrs.get("schema_version", -1))
        if version != RUN_SCHEMA_VERSION:
            raise ValueError(f"{path}: schema_version {version}; this liqsim reads {RUN_SCHEMA_VERSION}")
        metadata = {k: _scalar(v) if not isinstance(v, (bytes, str)) else _text(v) for k, v in f.attrs.items()}
        s = f["summary"].attrs
        summary_units = _text(s["field_units"])
        raw = {k: _scalar(s[k]) for k in _tables.parse_field_units(summary_units) if k in s}
        field_units = {}
        for name in _core.table_names():
            if name == "timeseries":
                if "timeseries" in f:
                    field_units[name] = None  # from the datasets' attributes, when loaded
                continue
            spec = _core.schema()[name]
            location = spec["group"].rstrip("/") + "/" + name
            if location in f:
                field_units[name] = _text(f[location].attrs.get("field_units", ""))

    def load(name):
        with h5py.File(path, "r") as f:
            if name == "timeseries":
                array, units = _timeseries(f["timeseries"])
                run._field_units["timeseries"] = units
                return array
            spec = _core.schema()[name]
            return f[spec["group"].rstrip("/") + "/" + name][:]

    run = Run(metadata, Summary(raw, summary_units), load, field_units, path=path)
    if "timeseries" in field_units:
        run._stored("timeseries")  # fills its field_units
    return run


def read_sweep(path, raw: bool = False) -> pd.DataFrame:
    """The /metrics table of a sweep file as a DataFrame, one row per run: run, point, seed_index,
    variant, ``variant_name`` (categorical), run_seed, one column per axis (named after its key;
    axes of strings as categoricals), ``status`` (categorical: pending, ok, failed), ``error`` and
    every summary figure in its units (``raw=True``: stored numbers and codes). ``DataFrame.attrs``
    holds the file's plan: axes, variants, plan_digest, sweep_toml, base_scenario_toml, design,
    seed, seeds, points, runs, liqsim_version."""
    h5py = _h5py()
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        version = int(f.attrs.get("schema_version", -1))
        if "metrics" not in f or version != SWEEP_SCHEMA_VERSION:
            raise ValueError(f"{path}: not a liqsim sweep file of schema_version {SWEEP_SCHEMA_VERSION}")
        metrics = f["metrics"]
        rows = metrics[:]
        field_units = _text(metrics.attrs["field_units"])
        attrs = {k: _scalar(v) if not isinstance(v, (bytes, str)) else _text(v) for k, v in f.attrs.items()}
        variants = [_text(v) for v in f["plan/variants"]["name"]]
        axes = [{"key": _text(a["key"]), "definition": _text(a["definition"]), "values": _text(a["values"])}
                for a in f["plan/axes"][:]] if "plan/axes" in f else []

    df = _tables.frame(rows, field_units, "metrics", raw)
    if not raw:
        codes = df["variant"].to_numpy().astype(np.int64)
        position = list(df.columns).index("variant") + 1
        df.insert(position, "variant_name", pd.Categorical.from_codes(codes, categories=variants))
        for axis in axes:
            labels = _string_axis_values(axis["definition"])
            if labels is not None and axis["key"] in df:
                codes = df[axis["key"]].to_numpy().astype(np.int64)
                df[axis["key"]] = pd.Categorical.from_codes(codes, categories=labels)
    attrs["axes"] = axes
    attrs["variants"] = variants
    attrs["path"] = path
    df.attrs.update(attrs)
    return df


def _string_axis_values(definition: str):
    """The values of an axis written `values = ["a", "b"]` (strings only), else None."""
    try:
        values = tomllib.loads(definition).get("values")
    except tomllib.TOMLDecodeError:
        return None
    if values and all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
        return values
    return None
