"""Run folders: ``summary.json`` (stable, byte-identical for the same scenario and seed),
``run.json`` (timestamps, versions, command), ``results.parquet`` (one row per architecture x
trial x raid missile), ``coverage.parquet`` (one row per architecture x asset city),
``geometry.json`` (what the report draws), ``report.html`` (`bmdsim.report.html`) and
``scenario.yaml`` (the file as given). Written into a temporary folder beside the target and
renamed into place, so a failed run leaves nothing half-written (docs/cli/run.md,
docs/metrics.md).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bmdsim import __version__
from bmdsim.battle.world import World
from bmdsim.report.html import build_report, geometry
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


class RunFolderError(ValueError):
    pass


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


def dumps(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n"


RUN_MARKER = "run.json"  # a run folder has it; a stability folder does not


def check_out_folder(out: Path, marker: str = RUN_MARKER) -> None:
    """Refuse early an --out that is a file, the current folder or one of its parents, or a
    non-empty folder without `marker` (not an earlier output folder of the same command)."""
    out = Path(out).resolve()
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise RunFolderError(
            f"--out {out}: the current folder or one of its parents; the output folder is "
            "replaced whole, so name a folder below it"
        )
    if out.exists():
        if not out.is_dir():
            raise RunFolderError(f"--out {out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / marker).exists():
            raise RunFolderError(f"--out {out}: a non-empty folder that is not a bmdsim output "
                                 "folder of this command; choose another path")  # fmt: skip


def write_folder(out: Path, write: Callable[[Path], None], marker: str = RUN_MARKER) -> None:
    """Call ``write(tmp)`` on a new temporary folder beside `out`, then move it to `out`
    (replacing an earlier output folder with `marker`; refusing any other non-empty folder).
    On any error the temporary folder is removed and `out` is untouched."""
    out = Path(out).resolve()
    check_out_folder(out, marker)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; an output folder is not
    old: Path | None = None
    try:
        write(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(tmp, out)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists() and (old / "previous").exists():
            os.replace(old / "previous", out)  # put the earlier folder back
        raise
    finally:
        if old is not None and out.exists():  # else it holds the only copy: keep it
            shutil.rmtree(old, ignore_errors=True)


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
        (tmp / "report.html").write_text(build_report(tmp))
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
