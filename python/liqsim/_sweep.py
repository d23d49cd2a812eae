"""Sweeps from Python: the code of ``liqsim sweep`` (experiments/sweep_plan, sweep_runner, sweep_file)
in this process, returning the /metrics table as a DataFrame."""

from __future__ import annotations

import os
import tempfile

import pandas as pd

from . import _core
from ._files import read_sweep


class SweepError(ValueError):
    """A sweep refused before anything ran (the sweep file, a run's scenario, the output file).
    ``str()`` is what ``liqsim sweep`` prints; ``problems`` lists the lines."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        count = len(problems)
        super().__init__("\n".join([f"{source}: {count} problem{'s' if count != 1 else ''}:"] +
                                   [f"  {p}" for p in problems]))


def sweep(file=None, *, text: str | None = None, source_dir=".", jobs: int | None = None, out=None,
          overwrite: bool = False, resume: bool = False, raw: bool = False) -> pd.DataFrame:
    """Runs a sweep (docs/sweeps.md) given as a sweep ``file`` or as TOML ``text`` (a relative
    ``base`` file is found from ``source_dir``) on ``jobs`` threads (default: the hardware threads),
    and returns its metrics as ``read_sweep`` gives them (one row per run, in run order).

    The sweep file of ``liqsim sweep`` is written to ``out`` (a temporary file, removed, when None):
    ``overwrite`` replaces an existing one, ``resume`` completes an interrupted one (the same plan).
    A failed run is a row with status "failed" and its error; problems before any run raise
    ``SweepError``. Ctrl-C stops it: the finished runs are in ``out`` (``resume=True`` runs the rest)."""
    if (file is None) == (text is None):
        raise TypeError("give a sweep file or text=, not both")
    if jobs is None:
        jobs = _core.default_jobs()
    if not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= 1024:
        raise ValueError(f"jobs {jobs!r} is not a number of jobs; allowed: an integer in [1, 1024]")
    if overwrite and resume:
        raise ValueError("overwrite and resume exclude each other")
    path = os.fspath(file) if file is not None else ""
    source = path if file is not None else "<sweep text>"
    if out is not None and not (overwrite or resume) and os.path.lexists(os.fspath(out)):
        raise SweepError(source, [f"out '{os.fspath(out)}': the file exists; allowed: resume=True to run the "
                                  "runs it lacks, overwrite=True to replace it, or another out"])
    with tempfile.TemporaryDirectory(prefix="liqsim-sweep-") as scratch:
        target = os.fspath(out) if out is not None else os.path.join(scratch, "sweep.h5")
        try:
            _core.run_sweep(path, text or "", source, os.fspath(source_dir), jobs, target, overwrite, resume)
        except _core.SweepProblems as e:
            raise SweepError(source, list(e.args[0])) from None
        return read_sweep(target, raw=raw)
