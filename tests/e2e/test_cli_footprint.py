"""End-to-end tests of `bmdsim footprint` (coarse grid so that it runs in seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

runner = CliRunner()
ARGS = ["footprint", "--site", "deveselu", "--interceptor", "sm-3-iia", "--launch-area",
        "36.2,53.5,150", "--threat", "sejjil-2", "--sensor", "an-tpy-2", "--launch-on-remote",
        "--grid-deg", "2", "--region", "20,56,30,50", "--fan", "21,15"]  # fmt: skip


def test_footprint_writes_geojson_png_and_json(tmp_path: Path) -> None:
    out = tmp_path / "fp"
    res = runner.invoke(app, [*ARGS, "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert sorted(p.name for p in out.iterdir()) == [
        "footprint.geojson", "footprint.json", "footprint.png"]  # fmt: skip
    assert json.loads((out / "footprint.json").read_text()) == doc
    assert doc["area_km2"] > 0 and doc["area_twice_km2"] <= doc["area_km2"]
    assert doc["area_km2"] <= doc["threatened_area_km2"]
    assert doc["defended_cities"] and all(c["shots"] >= 1 for c in doc["defended_cities"])
    gj = json.loads((out / "footprint.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) > 0
    png = (out / "footprint.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000


def test_no_sensors_no_footprint(tmp_path: Path) -> None:
    """Without the forward radar's cue Deveselu's own radar sees nothing far enough: the
    defended area is empty (the dependency the architectures turn on)."""
    args = [a for a in ARGS if a not in ("--sensor", "an-tpy-2", "--launch-on-remote")]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "fp"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["area_km2"] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--launch-area", "36.2"], "--launch-area"),
        (["--grid-deg", "0"], "--grid-deg"),
        (["--region", "50,20,30,50"], "--region"),
        (["--threat", "nosuch"], "--threat"),
        (["--fan", "2,2"], "--fan"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, change: list[str], message: str
                                              ) -> None:  # fmt: skip
    args = list(ARGS)
    i = args.index(change[0])
    args[i + 1] = change[1]
    out = tmp_path / "fp"
    res = runner.invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 2 and message in res.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_ship_position_site_and_tight_regions(tmp_path: Path) -> None:
    """--site LAT,LON (a ship) works with a single launch point and an assumed track time; a
    region of one cell and a negative track time are clear errors."""
    args = ["footprint", "--site", "34.5,30.0", "--interceptor", "sm-3-iia", "--launch-area",
            "33.0,44.0", "--threat", "nodong", "--track-time-s", "150", "--grid-deg", "1",
            "--region", "30,40,30,38", "--fan", "41,25"]  # fmt: skip
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "ship"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["site"] == "ad-hoc" and doc["threatened_area_km2"] > 0
    bad = [a if a != "30,40,30,38" else "30,31,30,31" for a in args]
    res = runner.invoke(app, [*bad, "--out", str(tmp_path / "tiny")])
    assert res.exit_code == 2 and "2 x 2" in res.output
    neg = [a if a != "150" else "-5" for a in args]
    res = runner.invoke(app, [*neg, "--out", str(tmp_path / "neg")])
    assert res.exit_code == 2 and "--track-time-s" in res.output
