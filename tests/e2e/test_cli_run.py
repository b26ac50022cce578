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
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "coop"
    res = runner.invoke(app, ["compare", str(COOP), "--out", str(out), "--trials", "40",
                              "--seed", "5", "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "integrated" in res.output and "sectoral (partner fails)" in res.output
    return out


def test_compare_folder(compared: Path) -> None:
    names = {p.name for p in compared.iterdir()}
    assert names == {"summary.json", "run.json", "scenario.yaml", "results.parquet",
                     "coverage.parquet", "geometry.json", "report.html"}  # fmt: skip
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
    assert not re.search(r"<(link|iframe|object|embed)\b|href=|@import|url\(", text)
    assert "<script" not in text
    assert "sm-3-iia" in text and "source" in text  # the sources table
    (compared / "report.html").unlink()
    res = runner.invoke(app, ["report", str(compared)])
    assert res.exit_code == 0, res.output
    again = (compared / "report.html").read_text()
    assert re.sub(r"base64,[^\"]+", "", again) == re.sub(r"base64,[^\"]+", "", text)
    bad = runner.invoke(app, ["report", str(compared.parent)])
    assert bad.exit_code == 2 and "not a complete run folder" in bad.output
