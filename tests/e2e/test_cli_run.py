"""End-to-end: `bmdsim run` and `bmdsim compare` on the cooperation test scenario: the run
folder's files, byte-identical summary.json for the same scenario and seed, and the
comparison table."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

runner = CliRunner()
COOP = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "coop.yaml"


@pytest.fixture(scope="module")
def compared(coop_run: Path) -> Path:
    return coop_run


def test_compare_folder(compared: Path) -> None:
    names = {p.name for p in compared.iterdir()}
    assert names == {"summary.json", "run.json", "scenario.yaml", "results.parquet",
                     "coverage.parquet", "geometry.json", "report.html", "trajectories.parquet",
                     "shots.parquet", "scene.czml", "globe.html"}  # fmt: skip
    s = json.loads((compared / "summary.json").read_text())
    assert s["study"] == {"trials": 40, "seed": 5}
    assert set(s["architectures"]) == {"independent", "coordinated", "sectoral", "integrated"}
    assert set(s["architectures"]["sectoral"]["partner_fails"]) == {"NATO", "Russia"}
    for arch in s["architectures"].values():
        for m in arch["parties"].values():
            assert 0 <= m["population_defended"] <= m["population_threatened"] <= m["population"]
            assert m["expected_leakers"] <= m["raid_missiles"]
    res = pq.read_table(compared / "results.parquet")
    assert res.num_rows == 4 * 40 * 8  # architectures x trials x raid missiles
    killed = res.column("killed").to_pylist()
    leaked = res.column("leaked").to_pylist()
    assert all(k != lk for k, lk in zip(killed, leaked, strict=True))
    cov = pq.read_table(compared / "coverage.parquet")
    assert cov.num_rows % 4 == 0 and "defense_probability" in cov.schema.names
    run = json.loads((compared / "run.json").read_text())
    assert "started_utc" in run and run["scenario_file_sha256"]
    assert "started_utc" not in (compared / "summary.json").read_text()


def test_same_seed_gives_byte_identical_summary(compared: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    res = runner.invoke(app, ["compare", str(COOP), "--out", str(again), "--trials", "40",
                              "--seed", "5", "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (again / "summary.json").read_bytes() == (compared / "summary.json").read_bytes()
    other = tmp_path / "other"
    res = runner.invoke(app, ["compare", str(COOP), "--out", str(other), "--trials", "40",
                              "--seed", "6", "-q"])  # fmt: skip
    assert (other / "summary.json").read_bytes() != (compared / "summary.json").read_bytes()


def test_run_one_architecture_and_rerun_in_place(tmp_path: Path) -> None:
    out = tmp_path / "run"
    for _ in range(2):  # the second run replaces the first folder
        res = runner.invoke(app, ["run", str(COOP), "--out", str(out), "--trials", "10",
                                  "-a", "sectoral", "-q"])  # fmt: skip
        assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["architecture"] == "sectoral" and list(s["architectures"]) == ["sectoral"]
    assert "partner_fails" in s["architectures"]["sectoral"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folders left


def test_run_refuses_a_foreign_folder(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    res = runner.invoke(app, ["run", str(COOP), "--out", str(out), "--trials", "5", "-q"])
    assert res.exit_code == 2
    assert "not a bmdsim output folder" in res.output
    assert (out / "notes.txt").read_text() == "keep me"
    assert not (out / "summary.json").exists()


def test_raid_target_out_of_range_is_a_located_error(tmp_path: Path) -> None:
    text = COOP.read_text().replace("targets: [Bucharest, Istanbul, Ankara]",
                                    "targets: [Bucharest, Paris, Ankara]")  # fmt: skip
    bad = tmp_path / "far.yaml"
    bad.write_text(text)
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 2
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "Paris" in t)
    assert f"{bad}:{line}:" in res.output and "threats.0.targets.1" in res.output
    assert "beyond the reach of sejjil-2" in res.output
    assert not (tmp_path / "o").exists()


def test_report_is_self_contained_and_rebuilds(compared: Path) -> None:
    """report.html: every section, pictures inline, no external reference; `bmdsim report`
    rebuilds it from the folder's data alone."""
    import re

    text = (compared / "report.html").read_text()
    for heading in (
        "Comparison",
        "Maps: cities by defense probability",
        "Engagement timelines",
        "Assumptions and sources",
        "The scenario as run",
    ):
        assert f">{heading}<" in text
    srcs = re.findall(r'src="([^"]+)"', text)
    assert len(srcs) == 8 and all(s.startswith("data:image/png;base64,") for s in srcs)
    # nothing the browser would fetch: no link, stylesheet, font or CSS url() (a source cited
    # as text may contain an address; that is not a reference)
    no_icon = text.replace('<link rel="icon" href="data:,">', "")  # an empty inline icon
    assert not re.search(r"<(link|iframe|object|embed)\b|href=|@import|url\(", no_icon)
    assert "<script" not in text
    assert "sm-3-iia" in text and "source" in text  # the sources table
    scene = (compared / "scene.czml").read_text()
    (compared / "report.html").unlink()
    (compared / "scene.czml").unlink()
    (compared / "globe.html").unlink()
    res = runner.invoke(app, ["report", str(compared)])
    assert res.exit_code == 0, res.output
    again = (compared / "report.html").read_text()
    assert re.sub(r"base64,[^\"]+", "", again) == re.sub(r"base64,[^\"]+", "", text)
    assert (compared / "scene.czml").read_text() == scene
    assert "scene.czml" in (compared / "globe.html").read_text()
    bad = runner.invoke(app, ["report", str(compared.parent)])
    assert bad.exit_code == 2 and "not a complete run folder" in bad.output


def test_flights_and_shots_tables_agree_with_the_results(compared: Path) -> None:
    """trajectories.parquet follows every raid missile from launch to impact; shots.parquet
    holds every shot, and its first intercepts are the results' first intercepts."""
    res = pq.read_table(compared / "results.parquet").to_pydict()
    traj = pq.read_table(compared / "trajectories.parquet").to_pydict()
    shots = pq.read_table(compared / "shots.parquet").to_pydict()
    first = {}  # (architecture, trial, threat) -> (launch, impact, first intercept, shots)
    for k in range(len(res["threat"])):
        first[(res["architecture"][k], res["trial"][k], res["threat"][k])] = (
            res["launch_time_s"][k], res["impact_time_s"][k], res["first_intercept_s"][k],
            res["shots"][k])  # fmt: skip
    for name in set(res["threat"]):
        t = [traj["t_s"][i] for i in range(len(traj["t_s"])) if traj["threat"][i] == name]
        alt = [traj["alt_m"][i] for i in range(len(traj["t_s"])) if traj["threat"][i] == name]
        t0, imp = next(v[:2] for k, v in first.items() if k[2] == name)
        assert t[0] == pytest.approx(t0) and t[-1] == pytest.approx(t0 + imp, abs=1e-3)
        assert all(b > a for a, b in zip(t, t[1:], strict=False))
        assert max(alt) > 100e3 and abs(alt[-1]) < 2e3  # flies to space, lands
    n_by_key: dict[tuple[str, int, str], list[float]] = {}
    for k in range(len(shots["threat"])):
        key = (shots["architecture"][k], shots["trial"][k], shots["threat"][k])
        n_by_key.setdefault(key, []).append(shots["intercept_s"][k])
        assert shots["launch_s"][k] < shots["intercept_s"][k]
        assert -90 <= shots["intercept_lat_deg"][k] <= 90
    for key, (t0, _, t_first, n) in first.items():
        got = n_by_key.get(key, [])
        assert len(got) == n
        if n:
            assert min(got) == pytest.approx(t0 + t_first)


def test_scene_czml(compared: Path) -> None:
    """scene.czml: a document packet with the clock, one parent per architecture, missiles
    flying their trajectories until killed or landing, interceptors from their site to the
    intercept point."""
    from bmdsim.report.scene import EPOCH, interceptor_path

    doc = json.loads((compared / "scene.czml").read_text())
    assert doc[0]["id"] == "document" and "clock" in doc[0]
    ids = {p["id"] for p in doc}
    archs = ["independent", "coordinated", "sectoral", "integrated"]
    assert {f"arch/{a}" for a in archs} <= ids
    res = pq.read_table(compared / "results.parquet").to_pydict()
    for a in archs:
        threats = [p for p in doc if p["id"].startswith(f"arch/{a}/threat/")]
        assert len(threats) == 8 and all(p["parent"] == f"arch/{a}" for p in threats)
        for p in threats:
            pos = p["position"]["cartographicDegrees"]
            assert p["position"]["epoch"].startswith(EPOCH.strftime("%Y-%m-%d"))
            times = pos[0::4]
            assert all(b > a for a, b in zip(times, times[1:], strict=False))
        killed = sum(1 for k in range(len(res["threat"])) if res["architecture"][k] == a
                     and res["trial"][k] == 0 and res["killed"][k])  # fmt: skip
        kills = [p for p in doc if p["id"].startswith(f"arch/{a}/shot/")
                 and p["id"].endswith("/intercept") and p["name"].startswith("kill")]  # fmt: skip
        assert len(kills) == killed
    path = interceptor_path(44.0, 24.0, 42.0, 35.0, 150e3, 100.0, 300.0, n=5)
    assert path[:4] == [100.0, 24.0, 44.0, 0.0] and path[-4:] == [300.0, 35.0, 42.0, 150000.0]
    alts = path[3::4]
    assert all(b >= a for a, b in zip(alts, alts[1:], strict=False))


def test_view_refuses_what_it_cannot_serve(tmp_path: Path, compared: Path) -> None:
    res = runner.invoke(app, ["view", str(tmp_path / "nope"), "--no-browser"])
    assert res.exit_code == 2 and "not a folder" in res.output
    res = runner.invoke(app, ["view", str(tmp_path), "--no-browser"])
    assert res.exit_code == 2 and "has no globe.html" in res.output
    res = runner.invoke(app, ["view", str(compared), "--page", "x.html", "--no-browser"])
    assert res.exit_code == 2 and "globe.html or report.html" in res.output
