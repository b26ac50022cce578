"""The columns of a sweep's two Parquet tables (docs/sweep.md sect. 6).

* ``results``: one row per point x architecture x party: ``point``, the axis values (one
  column per axis), then `RESULT_COLUMNS` (the metrics of `bmdsim.study.run`, docs/metrics.md);
  the sectoral partner-fails metrics are rows with architecture ``sectoral (partner fails)``.
* ``threats``: one row per point x architecture x raid missile: ``point``, the axis values,
  then `THREAT_COLUMNS` (the raid's per-missile outcome, aggregated over the trials).

Every file of a sweep has exactly these schemas, so DuckDB and pyarrow read the folder as one
table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

PARTNER_FAILS = "sectoral (partner fails)"

RESULT_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("architecture", pa.string()),
    ("party", pa.string()),
    ("seed", pa.int64()),
    ("trials", pa.int64()),
    ("cities", pa.int64()),
    ("population", pa.int64()),
    ("cities_threatened", pa.int64()),
    ("population_threatened", pa.int64()),
    ("cities_defended", pa.int64()),
    ("population_defended", pa.int64()),
    ("share_defended", pa.float64()),
    ("population_dependent", pa.int64()),
    ("dependency_share", pa.float64()),
    ("raid_missiles", pa.int64()),
    ("expected_leakers", pa.float64()),
    ("interceptors_expended", pa.float64()),
    ("earliest_intercept_s", pa.float64()),
    ("latest_intercept_s", pa.float64()),
)

THREAT_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("architecture", pa.string()),
    ("threat", pa.string()),
    ("raid", pa.string()),
    ("missile", pa.string()),
    ("target", pa.string()),
    ("target_country", pa.string()),
    ("launch_time_s", pa.float64()),
    ("impact_time_s", pa.float64()),
    ("detect_s", pa.float64()),
    ("track_s", pa.float64()),
    ("trials", pa.int64()),
    ("kill_probability", pa.float64()),
    ("engaged_share", pa.float64()),
    ("mean_shots", pa.float64()),
    ("mean_decide_s", pa.float64()),
    ("mean_first_launch_s", pa.float64()),
    ("mean_first_intercept_s", pa.float64()),
    ("mean_first_intercept_alt_km", pa.float64()),
)

DTYPES: dict[str, pa.DataType] = {
    "float64": pa.float64(),
    "int64": pa.int64(),
    "string": pa.string(),
    "bool": pa.bool_(),
}

#: Names an axis may not take (they are columns already).
RESERVED = frozenset(["point"] + [c for c, _ in RESULT_COLUMNS + THREAT_COLUMNS])


def results_schema(axes: Sequence[tuple[str, str]]) -> pa.Schema:
    """Schema of the results table for axes given as (name, dtype)."""
    return pa.schema([("point", pa.int64()), *((n, DTYPES[t]) for n, t in axes),
                      *RESULT_COLUMNS])  # fmt: skip


def threats_schema(axes: Sequence[tuple[str, str]]) -> pa.Schema:
    """Schema of the threats table for axes given as (name, dtype)."""
    return pa.schema([("point", pa.int64()), *((n, DTYPES[t]) for n, t in axes),
                      *THREAT_COLUMNS])  # fmt: skip
