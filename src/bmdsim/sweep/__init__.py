"""Sweeps: many variants of one base scenario, run on any executor, stored as Parquet.

* `schema`: the sweep file (pydantic) and `load_sweep`, with errors located like scenarios';
* `points`: axis paths, axis expansion (lists, ranges, a joint Latin hypercube), per-point
  seeds and the validated scenario of every point (`build_plan`);
* `run`: `run_point`, the pure work of one point (a per-process cache of worlds keyed by the
  physics fields);
* `executors`: serial, local processes and Dask behind one interface;
* `store`: the sweep folder (manifest, one Parquet file per finished point, resume);
* `query`: DuckDB views over a sweep folder; `html`: sweep.html; `driver`: the loop.

docs/sweep.md documents the file format, the store and the commands; docs/decisions/
0008-sweeps.md the choices.
"""

from bmdsim.sweep.schema import LoadedSweep, SweepError, load_sweep

__all__ = ["LoadedSweep", "SweepError", "load_sweep"]
