"""SQL over a sweep folder with DuckDB (in memory; the folder is only read).

Tables: ``results`` (one row per point x architecture x party), ``threats`` (one row per point
x architecture x raid missile), both over the finished points' Parquet files, and ``points``
(one row per point of the sweep, finished or not: ``point``, the axis values, ``seed``,
``done``). A sweep still running can be queried: the finished points are there.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyarrow as pa

from bmdsim.sweep.store import point_name, read_manifest
from bmdsim.sweep.tables import DTYPES, results_schema, threats_schema

__all__ = ["connect", "run_query"]


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def connect(out: Path) -> Any:
    """A DuckDB connection with the views ``results`` and ``threats`` and the table
    ``points`` of sweep folder `out` (`StoreError` if it is not one)."""
    import duckdb

    out = Path(out)
    m = read_manifest(out)
    axes = [(a["name"], a["dtype"]) for a in m["axes"]]
    con = duckdb.connect(":memory:")
    for view, schema in (("results", results_schema(axes)), ("threats", threats_schema(axes))):
        files = sorted(str(p) for p in (out / view).glob("point-*.parquet"))
        if files:
            listing = ", ".join(_sql_str(f) for f in files)
            con.sql(f"CREATE VIEW {view} AS SELECT * FROM read_parquet([{listing}])")
        else:
            con.register(view, schema.empty_table())
    width = int(m.get("width", 5))
    done = {p.name for p in (out / "results").glob("point-*.parquet")}
    pts = m.get("points", [])
    cols: dict[str, Any] = {"point": pa.array([p["point"] for p in pts], pa.int64())}
    for k, (name, dtype) in enumerate(axes):
        vals = [p["values"][k] for p in pts]
        if dtype == "float64":
            vals = [float(v) for v in vals]
        cols[name] = pa.array(vals, DTYPES[dtype])
    cols["seed"] = pa.array([p["seed"] for p in pts], pa.int64())
    cols["done"] = pa.array([point_name(p["point"], width) in done for p in pts], pa.bool_())
    con.register("points", pa.table(cols))
    return con


def _plain(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


def run_query(con: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(column names, rows) of `sql`; `duckdb.Error` if it is bad. A statement that returns
    nothing gives no columns."""
    rel = con.sql(sql)
    if rel is None:
        return [], []
    return list(rel.columns), [tuple(_plain(v) for v in row) for row in rel.fetchall()]
