"""End-to-end: `bmdsim sweep` and `bmdsim query` on the cooperation test scenario.

A 50-point sweep (5 joint-decision delays x 2 partner reliabilities x a 5-row Latin
hypercube of NATO's decision delay) runs serially; the same sweep on a Dask LocalCluster of
2 workers gives an identical table; a run killed with SIGKILL and resumed gives the same
table again without recomputing a finished point; the results are queried with SQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "scenarios"
COOP = DATA / "coop.yaml"
SMALL = DATA / "small.yaml"
N_POINTS = 50

SWEEP = f"""\
name: e2e-sectoral
title: Sectoral joint-decision delay x partner reliability x NATO decision delay
base: {COOP}
trials: 4
seed: 17
architectures: [coordinated, sectoral]
partner_fails: false  # covered by tests/unit/test_sweep_points.py; here it would double the time
axes:
  - name: jdd
    path: architectures.sectoral.joint_decision_delay_s
    values: [0, 60, 120, 240, 360]
  - name: rus
    path: architectures.sectoral.performance.Russia
    values: [0.0, 1.0]
  - name: nato_delay
    paths: [parties.NATO.decision_delay_s]
    latin_hypercube: {{n: 5, low: 0, high: 120}}
report: {{parties: [NATO, Russia], metrics: [share_defended]}}
"""


def _table(out: Path, sub: str = "results") -> pa.Table:
    t = pq.read_table(out / sub)
    key = "party" if sub == "results" else "threat"
    return t.replace_schema_metadata(None).sort_by(
        [("point", "ascending"), ("architecture", "ascending"), (key, "ascending")]
    )


def _sweep(*args: str) -> object:
    res = runner.invoke(app, ["sweep", *args])
    return res


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweeps") / "e2e.yaml"
    path.write_text(SWEEP)
    return path


@pytest.fixture(scope="module")
def serial(sweep_file: Path) -> Path:
    out = sweep_file.parent / "serial"
    res = runner.invoke(
        app, ["sweep", str(sweep_file), "--out", str(out), "--executor", "serial", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert f"{N_POINTS} of {N_POINTS} points done" in res.output
    return out


def test_serial_sweep_folder(serial: Path) -> None:
    assert {p.name for p in serial.iterdir()} == {
        "sweep.json",
        "sweep.yaml",
        "base-scenario.yaml",
        "results",
        "threats",
        "sweep.html",
    }
    assert len(list((serial / "results").iterdir())) == N_POINTS
    assert len(list((serial / "threats").iterdir())) == N_POINTS
    m = json.loads((serial / "sweep.json").read_text())
    assert len(m["points"]) == N_POINTS and [a["name"] for a in m["axes"]] == [
        "jdd",
        "rus",
        "nato_delay",
    ]
    assert (serial / "base-scenario.yaml").read_text() == COOP.read_text()
    res = _table(serial).to_pylist()
    # points x (coordinated, sectoral) x parties
    assert len(res) == N_POINTS * 2 * 2
    assert len({r["seed"] for r in res}) == N_POINTS  # one seed per point
    assert all(r["share_defended"] is None or 0.0 <= r["share_defended"] <= 1.0 for r in res)
    # With the partner's reliability 0 or 1 nothing is drawn for NATO's coverage under the
    # sectoral architecture: its defended share cannot grow as the joint decision slows.
    sect = {
        (r["rus"], r["nato_delay"], r["jdd"]): r["share_defended"]
        for r in res
        if r["architecture"] == "sectoral" and r["party"] == "NATO"
    }
    delays = sorted({k[1] for k in sect})
    assert len(delays) == 5  # the Latin-hypercube rows
    for rus in (0.0, 1.0):
        for nd in delays:
            shares = [sect[(rus, nd, j)] for j in (0, 60, 120, 240, 360)]
            assert shares == sorted(shares, reverse=True), shares
    assert all(sect[(1.0, nd, 0)] > sect[(1.0, nd, 360)] for nd in delays)  # it does matter
    # the coordinated architecture does not read the sectoral axes
    coord = {
        (r["jdd"], r["rus"], r["nato_delay"]): r["share_defended"]
        for r in res
        if r["architecture"] == "coordinated" and r["party"] == "NATO"
    }
    assert len({coord[(j, 0.0, nd)] for j in (0, 60, 120, 240, 360)}) == 1
    thr = _table(serial, "threats")
    assert thr.num_rows == N_POINTS * 2 * 8  # points x architectures x raid missiles
    html = (serial / "sweep.html").read_text()
    # parties x metrics x (panels, tornado)
    assert html.count("<img") == 2 * 1 * 2 and "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_dask_gives_the_serial_table(serial: Path, sweep_file: Path) -> None:
    out = sweep_file.parent / "dask"
    res = runner.invoke(
        app,
        ["sweep", str(sweep_file), "--out", str(out), "--executor", "dask", "--workers", "2", "-q"],
    )
    assert res.exit_code == 0, res.output
    assert _table(out).equals(_table(serial))
    assert _table(out, "threats").equals(_table(serial, "threats"))


def test_killed_sweep_resumes_to_the_same_table(serial: Path, sweep_file: Path) -> None:
    out = sweep_file.parent / "killed"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bmdsim",
            "sweep",
            str(sweep_file),
            "--out",
            str(out),
            "--executor",
            "serial",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "results").glob("point-*.parquet"))) >= 8:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # a finished point is a results file (its threats file is written first); a threats file
    # alone is a point killed before it finished, which the resume computes again
    finished = [p.name for p in (out / "results").glob("point-*.parquet")]
    before = {
        out / sub / name: (os.stat(out / sub / name).st_ino, os.stat(out / sub / name).st_mtime_ns)
        for sub in ("results", "threats")
        for name in finished
    }
    done = len(finished)
    assert 8 <= done < N_POINTS
    res = runner.invoke(
        app, ["sweep", str(sweep_file), "--out", str(out), "--executor", "serial", "--resume", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert f"{N_POINTS} of {N_POINTS} points done ({N_POINTS - done} now" in res.output
    for p, stamp in before.items():  # no finished point was written again
        assert (os.stat(p).st_ino, os.stat(p).st_mtime_ns) == stamp
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert _table(out).equals(_table(serial))
    assert _table(out, "threats").equals(_table(serial, "threats"))
    # resuming a finished sweep runs nothing
    res = runner.invoke(app, ["sweep", str(sweep_file), "--out", str(out), "--resume", "-q"])
    assert res.exit_code == 0 and "(0 now" in res.output


def test_an_existing_or_changed_sweep_is_refused(
    serial: Path, sweep_file: Path, tmp_path: Path
) -> None:
    res = _sweep(str(sweep_file), "--out", str(serial), "-q")
    assert res.exit_code == 2 and "continue it with --resume" in res.output
    changed = tmp_path / "changed.yaml"
    changed.write_text(SWEEP.replace("trials: 4", "trials: 5").replace("[0.0, 1.0]", "[0.0, 0.5]"))
    res = _sweep(str(changed), "--out", str(serial), "--resume", "-q")
    assert res.exit_code == 2
    assert "holds a different sweep" in res.output and "trials: 4 before, 5 now" in res.output
    assert "axis rus: the values differ" in res.output
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    res = _sweep(str(sweep_file), "--out", str(foreign), "-q")
    assert res.exit_code == 2 and "not a bmdsim output folder" in res.output
    assert (foreign / "notes.txt").read_text() == "mine"


def test_query(serial: Path) -> None:
    res = runner.invoke(
        app,
        [
            "query",
            str(serial),
            "SELECT architecture, count(*) AS n, "
            "count(DISTINCT point) AS points FROM results GROUP BY ALL "
            "ORDER BY architecture",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == [
        {"architecture": "coordinated", "n": 100, "points": 50},
        {"architecture": "sectoral", "n": 100, "points": 50},
    ]
    res = runner.invoke(
        app,
        [
            "query",
            str(serial),
            "SELECT jdd, avg(kill_probability) AS p "
            "FROM threats WHERE architecture = 'sectoral' GROUP BY jdd "
            "ORDER BY jdd",
            "--csv",
        ],
    )
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "jdd,p" and [ln.split(",")[0] for ln in lines[1:]] == [
        "0",
        "60",
        "120",
        "240",
        "360",
    ]
    res = runner.invoke(
        app,
        [
            "query",
            str(serial),
            "SELECT count(*) FILTER (WHERE done) AS d, count(*) AS n FROM points",
        ],
    )
    assert res.exit_code == 0 and "50" in res.output


def test_query_errors(serial: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["query", str(serial), "SELECT nope FROM results"])
    assert res.exit_code == 2 and "SQL:" in res.output and "nope" in res.output
    res = runner.invoke(app, ["query", str(serial), "SELEC 1"])
    assert res.exit_code == 2 and "SQL:" in res.output
    res = runner.invoke(app, ["query", str(tmp_path), "SELECT 1"])
    assert res.exit_code == 2 and "not a sweep folder" in res.output


def test_a_failing_point_keeps_the_others(tmp_path: Path) -> None:
    # scud-b cannot reach the small scenario's targets: those points fail in the world build
    sweep = tmp_path / "fail.yaml"
    sweep.write_text(
        f"name: fail\nbase: {SMALL}\ntrials: 2\narchitectures: [coordinated]\n"
        "axes:\n  - {name: weapon, path: threats.0.missile, "
        "values: [sejjil-2, scud-b]}\n"
        "  - {name: shots, path: doctrine.max_shots, values: [2]}\n"
    )
    out = tmp_path / "out"
    res = _sweep(str(sweep), "--out", str(out), "--executor", "serial", "-q")
    assert res.exit_code == 1, res.output
    assert "point 1 (weapon='scud-b', shots=2) failed: ThreatOutOfRangeError" in res.output
    assert "1 point failed, 0 not run" in res.output
    assert [p.name for p in (out / "results").iterdir()] == ["point-00000.parquet"]
    failed = json.loads((out / "failed.json").read_text())
    assert [f["point"] for f in failed] == [1]
    assert "beyond the reach of scud-b" in failed[0]["error"] and failed[0]["traceback"]
    html = (out / "sweep.html").read_text()
    assert "Incomplete: 1 of 2 points" in html
    # a resume runs the failed point again (it fails again) and not the finished one
    stamp = os.stat(out / "results" / "point-00000.parquet").st_mtime_ns
    res = _sweep(str(sweep), "--out", str(out), "--executor", "serial", "--resume", "-q")
    assert res.exit_code == 1 and "1 of 2 points done (0 now" in res.output
    assert os.stat(out / "results" / "point-00000.parquet").st_mtime_ns == stamp
