"""The sweep folder: a manifest, the inputs, one Parquet file per finished point.

::

    DIR/sweep.json                      manifest: the definition (axes, points, seeds, hashes)
    DIR/sweep.yaml                      the sweep file as given
    DIR/base-scenario.yaml              the base scenario as given
    DIR/results/point-00012.parquet     point 12: one row per architecture x party
    DIR/threats/point-00012.parquet     point 12: one row per architecture x raid missile
    DIR/failed.json                     points that failed in the last run (if any)
    DIR/sweep.html                      the sensitivity report (`bmdsim.sweep.html`)

The folder is created whole (a temporary folder renamed into place). Each point's two files
are written to temporary names and renamed, threats first, so a point is finished exactly
when its results file exists: a run stopped in any way (Ctrl-C, a killed worker or process)
leaves only whole files, and `--resume` runs the points whose results file is missing. Each
results file carries its point's scenario hash in the Parquet metadata, and the manifest the
sweep's definition hash, so a resume refuses a changed sweep file or base scenario.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from bmdsim import __version__
from bmdsim._io import atomic_file, write_text_atomic
from bmdsim.sweep.points import SweepPlan

MANIFEST = "sweep.json"
SCHEMA = "bmdsim.sweep/1"
HASH_KEY = b"bmdsim.point_hash"

__all__ = ["MANIFEST", "Prepared", "StoreError", "done_points", "prepare", "read_manifest",
           "write_point"]  # fmt: skip


class StoreError(ValueError):
    pass


def _dumps(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True, allow_nan=False) + "\n"


def point_name(index: int, width: int) -> str:
    return f"point-{index:0{width}d}.parquet"


def _versions() -> dict[str, str]:
    import numpy
    import scipy

    return {"bmdsim": __version__, "python": platform.python_version(),
            "numpy": numpy.__version__, "scipy": scipy.__version__,
            "pyarrow": pa.__version__}  # fmt: skip


def manifest(plan: SweepPlan, sweep_file: str, sweep_sha: str, base_file: str, base_sha: str
             ) -> dict[str, Any]:  # fmt: skip
    return {
        "schema": SCHEMA,
        "name": plan.name,
        "title": plan.title,
        "sweep_file": sweep_file,
        "sweep_file_sha256": sweep_sha,
        "base_file": base_file,
        "base_file_sha256": base_sha,
        "definition": plan.definition,
        "definition_sha256": plan.definition_sha256,
        "axes": [
            {
                "name": a.name,
                "paths": a.path_texts,
                "kind": a.kind,
                "dtype": a.dtype,
                "values": list(a.values),
            }
            for a in plan.axes
        ],  # fmt: skip
        "report": {"parties": list(plan.report_parties), "metrics": list(plan.report_metrics)},
        "points": [
            {"point": p.index, "values": list(p.values), "seed": p.seed, "hash": p.hash}
            for p in plan.points
        ],  # fmt: skip
        "width": plan.width,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
    }


def read_manifest(out: Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    try:
        m = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreError(f"{out}: not a sweep folder (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the sweep manifest: {exc}") from exc
    if not isinstance(m, dict) or m.get("schema") != SCHEMA:
        raise StoreError(f"{path}: not a {SCHEMA} manifest")
    return m


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    a, b = old.get("definition", {}), new["definition"]
    out = []
    if a.get("base_resolved_sha256") != b["base_resolved_sha256"]:
        out.append("the base scenario differs")
    names_a = [x.get("name") for x in a.get("axes", [])]
    names_b = [x["name"] for x in b["axes"]]
    if names_a != names_b:
        out.append(f"the axes differ ({', '.join(map(str, names_a))} before, "
                   f"{', '.join(names_b)} now)")  # fmt: skip
    else:
        for x, y in zip(a.get("axes", []), b["axes"], strict=True):
            if x.get("paths") != y["paths"]:
                out.append(f"axis {y['name']}: the paths differ")
            if x.get("values") != y["values"]:
                out.append(f"axis {y['name']}: the values differ")
    for k in ("trials", "seed", "common_random_numbers", "architectures", "partner_fails"):
        if a.get(k) != b[k]:
            out.append(f"{k}: {a.get(k)!r} before, {b[k]!r} now")
    if not out and old.get("definition_sha256") != new["definition_sha256"]:
        out.append("the points' scenarios differ (another bmdsim version?)")
    return out


def _cleanup(out: Path) -> None:
    """Remove the temporary files of a run that was stopped."""
    for sub in ("results", "threats", "."):
        for p in (out / sub).glob(".*.tmp"):
            p.unlink(missing_ok=True)


def done_points(out: Path, plan: SweepPlan) -> set[int]:
    """The finished points: a results file (and its threats file) whose scenario hash is the
    plan's. A results file of another sweep is an error."""
    out = Path(out)
    by_name = {point_name(p.index, plan.width): p for p in plan.points}
    done: set[int] = set()
    for path in sorted((out / "results").glob("point-*.parquet")):
        spec = by_name.get(path.name)
        if spec is None:
            raise StoreError(f"{path}: not a point of this sweep (it has {len(plan.points)} "
                             "points); the folder holds another sweep's files")  # fmt: skip
        try:
            meta = pq.read_schema(path).metadata or {}
        except (OSError, pa.ArrowInvalid):
            continue  # unreadable: computed again
        if meta.get(HASH_KEY, b"").decode() != spec.hash:
            raise StoreError(f"{path}: computed for another scenario than this sweep's point "
                             f"{spec.index}; the folder holds another sweep's files")  # fmt: skip
        if (out / "threats" / path.name).exists():
            done.add(spec.index)
    return done


@dataclass(frozen=True)
class Prepared:
    done: set[int]  # the finished points
    report_changed: bool  # a resume with other report settings (written to the manifest)


def prepare(out: Path, plan: SweepPlan, sweep_file: str, sweep_text: str, base_file: str,
            base_text: str, resume: bool) -> Prepared:  # fmt: skip
    """Create the sweep folder, or check the existing one (with `resume`). Refuses a folder
    that is not a sweep folder, an existing sweep without `resume`, and a resume of a
    different sweep; the report settings may change on a resume."""
    import hashlib

    from bmdsim.report.run_folder import RunFolderError, check_out_folder, write_folder

    out = Path(out)
    sha = hashlib.sha256(sweep_text.encode()).hexdigest()
    base_sha = hashlib.sha256(base_text.encode()).hexdigest()
    new = manifest(plan, sweep_file, sha, base_file, base_sha)
    try:
        check_out_folder(out, marker=MANIFEST)
    except RunFolderError as exc:
        raise StoreError(str(exc)) from None
    if (out / MANIFEST).exists():
        old = read_manifest(out)
        if not resume:
            n = len(list((out / "results").glob("point-*.parquet")))
            total = len(old.get("points", []))
            raise StoreError(f"--out {out}: holds a sweep ({n} of {total} points done); continue "
                             "it with --resume, or choose another --out (or delete the "
                             "folder to start again)")  # fmt: skip
        diff = _differences(old, new)
        if diff:
            raise StoreError(f"--resume: {out} holds a different sweep: {'; '.join(diff)}. "
                             "Resume it with its own sweep file, or choose another "
                             "--out")  # fmt: skip
        _cleanup(out)
        changed = old.get("report") != new["report"]
        if changed:
            write_text_atomic(out / MANIFEST, _dumps({**old, "report": new["report"]}))
        return Prepared(done_points(out, plan), changed)

    def write(tmp: Path) -> None:
        (tmp / MANIFEST).write_text(_dumps(new))
        (tmp / "sweep.yaml").write_text(sweep_text)
        (tmp / "base-scenario.yaml").write_text(base_text)
        (tmp / "results").mkdir()
        (tmp / "threats").mkdir()

    try:
        write_folder(out, write, marker=MANIFEST)
    except RunFolderError as exc:
        raise StoreError(str(exc)) from None
    return Prepared(set(), True)


def _write_table(table: pa.Table, path: Path) -> None:
    with atomic_file(path, "wb", fsync=True) as f:
        pq.write_table(table, f)


def write_point(out: Path, plan: SweepPlan, result: Any) -> None:
    """Write one point's tables atomically: threats, then results (the finished mark)."""
    name = point_name(result.index, plan.width)
    meta = {HASH_KEY: result.hash.encode()}
    threats = result.threats.replace_schema_metadata(meta)
    results = result.results.replace_schema_metadata(meta)
    _write_table(threats, Path(out) / "threats" / name)
    _write_table(results, Path(out) / "results" / name)


def write_failures(out: Path, failures: Iterable[tuple[Any, Any]]) -> None:
    """DIR/failed.json: the points that failed in this run, with their errors (removed when
    none did)."""
    rows = [{"point": spec.index, "values": list(spec.values), "error": f.message,
             "traceback": f.traceback} for spec, f in failures]  # fmt: skip
    path = Path(out) / "failed.json"
    if rows:
        write_text_atomic(path, _dumps(rows))
    else:
        path.unlink(missing_ok=True)
