"""Run folders: ``summary.json`` (stable, byte-identical for the same scenario and seed),
``run.json`` (timestamps, versions, command), ``results.parquet`` (one row per architecture x
trial x raid missile), ``coverage.parquet`` (one row per architecture x asset city),
``geometry.json`` (what the report draws), ``trajectories.parquet`` (the raid's flights),
``shots.parquet`` (every interceptor shot), ``report.html`` (`bmdsim.report.html`),
``scene.czml`` and ``globe.html`` (the 3-D replay, `bmdsim.report.scene`) and
``scenario.yaml`` (the file as given). Written into a temporary folder beside the target and
renamed into place, so a failed run leaves nothing half-written (docs/cli/run.md,
docs/metrics.md).
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bmdsim import __version__, _io
from bmdsim._io import OutputFolderError
from bmdsim.battle.world import World
from bmdsim.report.html import build_report, geometry
from bmdsim.report.scene import write_scene
from bmdsim.scenario import LoadedScenario
from bmdsim.scenario.load import scenario_hash
from bmdsim.study.run import DEFENDED_PROBABILITY, ArchitectureRun, is_defended

SUMMARY_SCHEMA = "bmdsim.summary/1"

DEFINITIONS = {
    "share_defended": (
        f"population of the party's threatened asset cities whose defense probability is >= "
        f"{DEFENDED_PROBABILITY} (one missile of every coverage group that reaches the city, "
        "aimed at it alone), over the threatened population"
    ),
    "dependency_share": (
        "share of the party's defended population that is not defended when the other "
        "parties' sensors and interceptors are removed"
    ),
    "expected_leakers": "raid missiles aimed at the party's territory not killed, mean per raid",
    "interceptors_expended": "interceptors fired by the party's sites, mean per raid",
    "earliest_intercept_s": (
        "earliest intercept by the party's sites, scenario clock (s; the threats' "
        "launch_time_s count from its 0)"
    ),
    "partner_fails": "sectoral only: the same metrics when every other party never performs",
}


#: The error of an output folder that must not be written (`bmdsim._io.OutputFolderError`).
RunFolderError = OutputFolderError


def summary(loaded: LoadedScenario, world: World, runs: dict[str, ArchitectureRun],
            trials: int, seed: int, partner_fails: dict[str, Any] | None,
            primary: str | None) -> dict[str, Any]:  # fmt: skip
    scn = world.scenario
    archs: dict[str, Any] = {}
    for name, run in runs.items():
        m = dict(run.metrics)
        if name == "sectoral" and partner_fails is not None:
            m["partner_fails"] = partner_fails
        archs[name] = m
    th = world.threats
    return {
        "schema": SUMMARY_SCHEMA,
        "bmdsim_version": __version__,
        "scenario": {
            "name": scn.name,
            "title": scn.title,
            "resolved_sha256": scenario_hash(scn),
        },  # fmt: skip
        "study": {"trials": trials, "seed": seed},
        "architecture": primary,
        "threats": {
            "raid_missiles": int((~th.probe).sum()),
            "coverage_probes": int(th.probe.sum()),
            "max_aim_miss_m": round(float(np.nanmax(th.miss_m)), 1) if th.size else None,
        },
        "definitions": DEFINITIONS,
        "architectures": archs,
    }


def _results_table(world: World, runs: dict[str, ArchitectureRun]) -> pa.Table:
    rows = world.raid_rows
    th = world.threats
    parts: dict[str, list[Any]] = {}
    for name, run in runs.items():
        n = run.raid["trial"].size
        r_idx = np.tile(rows, n // max(rows.size, 1)) if rows.size else np.zeros(0, int)
        cols: dict[str, Any] = {
            "architecture": [name] * n,
            "trial": run.raid["trial"],
            "threat": th.name[r_idx],
            "raid": th.raid[r_idx],
            "missile": th.missile[r_idx],
            "target": th.target[r_idx],
            "target_country": th.target_country[r_idx],
            "launch_time_s": th.t0_s[r_idx],
            "impact_time_s": th.impact_s[r_idx],
            "detect_s": np.min(world.detect_s[:, r_idx], axis=0, initial=np.inf),
            "track_s": np.min(world.eval_track_s[:, r_idx], axis=0, initial=np.inf),
        }
        for k in (
            "deciders",
            "decide_s",
            "shots",
            "first_launch_s",
            "first_intercept_s",
            "first_intercept_alt_km",
            "first_site",
            "killed",
            "kill_s",
            "kill_site",
        ):
            cols[k] = run.raid[k]
        cols["leaked"] = ~run.raid["killed"]
        for k, v in cols.items():
            v = np.asarray(v)
            if v.dtype.kind == "f":
                v = np.where(np.isfinite(v), v, np.nan)
            parts.setdefault(k, []).append(v)
    data = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
    return pa.table({k: (v.astype(str) if v.dtype == object else v) for k, v in data.items()})


def _coverage_table(world: World, runs: dict[str, ArchitectureRun]) -> pa.Table:
    c = world.cities
    parts: dict[str, list[Any]] = {}
    for name, run in runs.items():
        p = run.city_p
        cols = {
            "architecture": np.array([name] * c.size),
            "city": c["name"].astype(str),
            "country": c["country_iso_a3"].astype(str),
            "party": world.city_party.astype(str),
            "lat_deg": c["lat_deg"],
            "lon_deg": c["lon_deg"],
            "population": c["population"],
            "threatened": np.isfinite(p),
            "defense_probability": p,
            "defended": is_defended(p),
            "dependent": run.city_dependent,
        }
        for k, v in cols.items():
            parts.setdefault(k, []).append(np.asarray(v))
    return pa.table({k: np.concatenate(v) for k, v in parts.items()})


#: Sampling of the raid trajectories written for the 3-D replay (s).
TRAJECTORY_DT_S = 10.0


def _trajectories_table(world: World) -> pa.Table:
    """The raid missiles' flights: one row per (threat, sample), scenario clock, every
    `TRAJECTORY_DT_S` and at impact (for the 3-D replay, `bmdsim.report.scene`)."""
    rows = world.raid_rows
    th = world.threats
    if rows.size == 0:
        return pa.table({"threat": pa.array([], pa.string()), "t_s": pa.array([], pa.float64()),
                          "lat_deg": pa.array([], pa.float64()),
                          "lon_deg": pa.array([], pa.float64()),
                          "alt_m": pa.array([], pa.float64())})  # fmt: skip
    imp = np.nan_to_num(th.impact_s[rows], nan=0.0)
    m = int(np.ceil(imp.max() / TRAJECTORY_DT_S)) + 1
    t = np.minimum(np.arange(m + 1)[None, :] * TRAJECTORY_DT_S, imp[:, None])
    lat, lon, alt = world.threat_geodetic(rows, t)
    keep = np.isfinite(lat) & np.concatenate([np.ones((rows.size, 1), bool),
                                              np.diff(t, axis=1) > 0], axis=1)  # fmt: skip
    r_i = np.broadcast_to(rows[:, None], t.shape)[keep]
    return pa.table({
        "threat": th.name[r_i].astype(str),
        "t_s": (th.t0_s[r_i] + t[keep]).round(3),
        "lat_deg": lat[keep].round(5), "lon_deg": lon[keep].round(5), "alt_m": alt[keep].round(1),
    })  # fmt: skip


def _shots_table(world: World, runs: dict[str, ArchitectureRun]) -> pa.Table:
    """Every interceptor shot of every trial: one row per shot, scenario clock, with the
    intercept point (the threat's position at the intercept time)."""
    th = world.threats
    cols: dict[str, list[Any]] = {k: [] for k in (
        "architecture", "trial", "threat", "decider", "site", "site_party", "round",
        "engagement", "launch_s", "intercept_s", "intercept_alt_km", "killed")}  # fmt: skip
    rows: list[int] = []
    t_int: list[float] = []
    for name, run in runs.items():
        for sh in run.shots:
            t0 = float(th.t0_s[sh.threat])
            site = world.sites[sh.site]
            for k, v in (("architecture", name), ("trial", sh.trial),
                         ("threat", str(th.name[sh.threat])), ("decider", sh.decider),
                         ("site", site.key), ("site_party", site.party), ("round", sh.round),
                         ("engagement", sh.engagement), ("launch_s", t0 + sh.launch_s),
                         ("intercept_s", t0 + sh.intercept_s),
                         ("intercept_alt_km", sh.intercept_alt_m / 1e3),
                         ("killed", sh.killed)):  # fmt: skip
                cols[k].append(v)
            rows.append(sh.threat)
            t_int.append(sh.intercept_s)
    lat, lon, _ = (world.threat_geodetic_at(np.array(rows, dtype=np.int64), np.array(t_int))
                   if rows else (np.zeros(0), np.zeros(0), np.zeros(0)))  # fmt: skip
    types = {"architecture": pa.string(), "trial": pa.int64(), "threat": pa.string(),
             "decider": pa.string(), "site": pa.string(), "site_party": pa.string(),
             "round": pa.int64(), "engagement": pa.int64(), "launch_s": pa.float64(),
             "intercept_s": pa.float64(), "intercept_alt_km": pa.float64(),
             "killed": pa.bool_()}  # fmt: skip
    data = {k: pa.array(v, types[k]) for k, v in cols.items()}
    data["intercept_lat_deg"] = pa.array(np.round(lat, 5), pa.float64())
    data["intercept_lon_deg"] = pa.array(np.round(lon, 5), pa.float64())
    return pa.table(data)


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


RUN_MARKER = "run.json"  # a run folder has it; a stability folder does not


def check_out_folder(out: Path, marker: str = RUN_MARKER) -> None:
    """`bmdsim._io.check_out_folder`, for run folders by default."""
    _io.check_out_folder(out, marker)


def write_folder(out: Path, write: Callable[[Path], None], marker: str = RUN_MARKER) -> None:
    """`bmdsim._io.write_folder`, for run folders by default."""
    _io.write_folder(out, write, marker)


def write_run_folder(out: Path, loaded: LoadedScenario, world: World,
                     runs: dict[str, ArchitectureRun], summary_obj: dict[str, Any],
                     run_info: dict[str, Any],
                     extra: Callable[[Path], None] | None = None) -> None:  # fmt: skip
    """Write a run folder atomically (`write_folder`)."""

    def write(tmp: Path) -> None:
        (tmp / "summary.json").write_text(dumps(summary_obj))
        (tmp / "run.json").write_text(dumps(run_info))
        (tmp / "scenario.yaml").write_text(loaded.text)
        pq.write_table(_results_table(world, runs), tmp / "results.parquet")
        pq.write_table(_coverage_table(world, runs), tmp / "coverage.parquet")
        (tmp / "geometry.json").write_text(dumps(geometry(world)))
        pq.write_table(_trajectories_table(world), tmp / "trajectories.parquet")
        pq.write_table(_shots_table(world, runs), tmp / "shots.parquet")
        (tmp / "report.html").write_text(build_report(tmp))
        write_scene(tmp)
        if extra is not None:
            extra(tmp)

    write_folder(out, write)


def run_info(loaded: LoadedScenario, command: str, started: datetime, seconds: float
             ) -> dict[str, Any]:  # fmt: skip
    import numba
    import scipy

    return {
        "command": command,
        "scenario_file": loaded.path,
        "scenario_file_sha256": loaded.sha256,
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_time_s": round(seconds, 3),
        "bmdsim_version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "pyarrow": pa.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
