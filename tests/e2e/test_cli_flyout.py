"""End-to-end tests of `bmdsim flyout` and `bmdsim missiles` (JSON schema: docs/cli/flyout.md)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bmdsim.cli import app
from bmdsim.physics import kepler
from bmdsim.physics.constants import SPHERE_RADIUS_M, WGS84_GM_M3_S2

runner = CliRunner()


def run_json(*args: str) -> dict:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_aimed_flyout_json_schema_and_hit() -> None:
    doc = run_json("flyout", "--missile", "sejjil-2", "--launch", "35.23,53.92",
                   "--target", "39.93,32.86")  # fmt: skip
    for key in ("range_km", "time_of_flight_s", "apogee_km", "burnout", "impact", "controls"):
        assert key in doc
    for key in ("time_s", "speed_km_s", "altitude_km", "angle_deg"):
        assert isinstance(doc["burnout"][key], float)
    assert doc["mode"] == "aimed" and doc["shape"] == "minimum-energy"
    assert doc["miss_km"] <= 1.0
    assert doc["impact"]["lat_deg"] == pytest.approx(39.93, abs=0.01)
    assert doc["impact"]["lon_deg"] == pytest.approx(32.86, abs=0.01)
    assert doc["range_km"] == pytest.approx(doc["target_range_km"], abs=1.0)


def test_lofted_with_apogee_from_the_cli() -> None:
    doc = run_json(
        "flyout",
        "--missile",
        "topol-m",
        "--launch",
        "54.03,35.77",
        "--target",
        "51.5,-0.13",
        "--shape",
        "lofted",
        "--apogee-km",
        "2500",
    )
    assert doc["apogee_km"] == pytest.approx(2500.0, abs=5.0)
    assert doc["miss_km"] <= 1.0


def test_max_range_mode() -> None:
    doc = run_json("flyout", "--missile", "topol-m", "--launch", "54.03,35.77",
                   "--azimuth-deg", "330", "--max-range")  # fmt: skip
    assert doc["mode"] == "max-range"
    assert doc["max_range_km"] == pytest.approx(doc["range_km"], rel=1e-6)
    assert 9000.0 < doc["max_range_km"] < 14000.0


def test_oracle_mode_matches_closed_form() -> None:
    doc = run_json("flyout", "--burnout-speed-km-s", "4.86", "--min-energy",
                   "--burnout-altitude-km", "0", "--impact-altitude-km", "0", "--earth",
                   "sphere", "--no-rotation", "--no-drag")  # fmt: skip
    exact = kepler.max_range_angle(4860.0, SPHERE_RADIUS_M, mu_m3_s2=WGS84_GM_M3_S2)
    assert doc["range_km"] == pytest.approx(exact.range_angle_rad * SPHERE_RADIUS_M / 1e3,
                                            rel=1e-3)  # fmt: skip
    assert doc["burnout"]["angle_deg"] == pytest.approx(
        math.degrees(exact.flight_path_angle_rad), rel=1e-3
    )


def test_oracle_mode_with_a_given_angle() -> None:
    doc = run_json("flyout", "--burnout-speed-km-s", "7.2", "--burnout-angle-deg", "22.5",
                   "--burnout-altitude-km", "0", "--earth", "sphere", "--no-rotation",
                   "--no-drag")  # fmt: skip
    arc = kepler.free_flight(7200.0, math.radians(22.5), SPHERE_RADIUS_M, SPHERE_RADIUS_M)
    assert doc["range_km"] == pytest.approx(float(arc.range_m) / 1e3, rel=1e-6)
    assert doc["time_of_flight_s"] == pytest.approx(float(arc.time_of_flight_s), rel=1e-6)


def test_readable_table_without_json() -> None:
    res = runner.invoke(app, ["flyout", "--missile", "scud-b", "--launch", "38.08,46.29",
                              "--target", "36.19,44.01"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "range_km" in res.stdout and "burnout.speed_km_s" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--missile", "nosuch", "--launch", "35,50", "--target", "36,51"], "sejjil-2"),
        (["--missile", "sejjil-2", "--launch", "95,50", "--target", "36,51"], "latitude 95"),
        (["--missile", "sejjil-2", "--launch", "35;50", "--target", "36,51"], "LAT,LON"),
        (
            ["--missile", "scud-b", "--launch", "35,51", "--target", "48.85,2.35"],
            "beyond the maximum range",
        ),
        (["--burnout-speed-km-s", "3"], "exactly one of"),
        (["--burnout-speed-km-s", "3", "--burnout-angle-deg", "40"], "--beta-kg-m2"),
        (
            [
                "--missile",
                "sejjil-2",
                "--launch",
                "35,50",
                "--target",
                "36,51",
                "--apogee-km",
                "300",
            ],
            "--shape lofted",
        ),
        (["--missile", "sejjil-2", "--launch", "35,50"], "--target"),
        (
            ["--burnout-speed-km-s", "3", "--min-energy", "--no-drag", "--cutoff-s", "10"],
            "--cutoff-s: not used in free-flight mode",
        ),
        (
            ["--missile", "sejjil-2", "--launch", "35,50", "--target", "36,51", "--cutoff-s", "30"],
            "not used in aimed",
        ),
        (
            ["--missile", "sejjil-2", "--launch", "35,50", "--target", "36,51", "--min-energy"],
            "--min-energy: not used in missile mode",
        ),
        (
            [
                "--missile",
                "sejjil-2",
                "--launch",
                "35,50",
                "--shape",
                "sideways",
                "--target",
                "36,51",
            ],
            "sideways",
        ),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(args: list[str], message: str) -> None:
    res = runner.invoke(app, ["flyout", *args])
    assert res.exit_code == 2
    assert message in res.output


def test_missiles_json_lists_computed_and_cited_range() -> None:
    res = runner.invoke(app, ["missiles", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    names = {r["name"] for r in rows}
    assert {"scud-b", "sejjil-2", "topol-m", "ss-18", "minuteman-3"} <= names
    for r in rows:
        assert r["max_range_km"] > 0 and r["cited_range_km"] > 0


def test_console_script_runs() -> None:
    """The installed entry point (python -m bmdsim) works outside the test runner."""
    out = subprocess.run([sys.executable, "-m", "bmdsim", "--version"], capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.startswith("bmdsim ")


@pytest.mark.parametrize(
    ("command", "keys"),
    [
        ("sensors", {"name", "variant", "party", "kind", "max_range_km", "fire_control"}),
        ("interceptors", {"name", "variant", "burnout_speed_km_s", "max_flyout_time_s"}),
        ("sites", {"name", "lat_deg", "lon_deg", "sensors", "interceptors"}),
    ],
)
def test_catalog_listings_json(command: str, keys: set[str]) -> None:
    res = runner.invoke(app, [command, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert rows and all(keys <= set(r) for r in rows)


def test_catalog_variant_listing() -> None:
    rows = run_json("interceptors", "--variant", "lewis-postol-8.5")
    gbi = next(r for r in rows if r["name"] == "gbi-2stage")
    assert gbi["variant"] == "lewis-postol-8.5" and gbi["burnout_speed_km_s"] == 8.5
    table = runner.invoke(app, ["sites"])
    assert table.exit_code == 0 and "deveselu" in table.stdout


def test_unknown_catalog_variant_is_an_error() -> None:
    res = runner.invoke(app, ["interceptors", "--variant", "nosuch"])
    assert res.exit_code == 2 and "lewis-postol-8.5" in res.output
