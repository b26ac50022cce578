"""End-to-end: `bmdsim stability` writes its records, summary, map and plot; bad flags exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bmdsim.cli import app

runner = CliRunner()
KEYS = {"base", "target", "site", "interceptor", "burnout_speed_km_s", "cue", "reachable",
        "margin_km_s", "earliest_intercept_s", "latest_intercept_s", "earliest_intercept_alt_km",
        "latest_intercept_alt_km"}  # fmt: skip


def test_stability_phase_folder(tmp_path: Path) -> None:
    out = tmp_path / "st"
    res = runner.invoke(app, ["stability", "--preset", "postol", "--phase", "3", "--base",
                              "kozelsk", "--base", "uzhur", "--target", "washington",
                              "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == {"stability.json", "summary.json", "tracks.png",
                                               "margin-vs-delay.png"}  # fmt: skip
    recs = json.loads((out / "stability.json").read_text())
    assert isinstance(recs, list) and recs
    assert all(KEYS <= set(r) for r in recs)
    # phase III: 6 deployments x 2 bases x 1 target x 2 cues
    assert len(recs) == 6 * 2 * 1 * 2
    assert {r["interceptor"] for r in recs} == {"sm-3-ib", "sm-3-iia"}
    s = json.loads((out / "summary.json").read_text())
    assert s["preset"] == "postol" and s["phase"] == 3
    assert {a["base"] for a in s["attrition"]} == {"kozelsk", "uzhur"}
    assert (out / "tracks.png").stat().st_size > 20_000
    assert (out / "margin-vs-delay.png").stat().st_size > 10_000
    assert "attrition" in res.output


def test_stability_json_and_errors(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "stability",
            "--preset",
            "postol",
            "--interceptor",
            "sm-3-iib",
            "--site",
            "norwegian-sea-station",
            "--base",
            "teykovo",
            "--target",
            "new-york",
            "--out",
            str(tmp_path / "j"),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    recs = json.loads(res.output)
    assert len(recs) == 2 and {r["cue"] for r in recs} == {"early-warning", "own-radar"}
    for args, msg in (
        (["--preset", "nope"], "--preset"),
        (["--base", "moscow"], "--base"),
        (["--interceptor", "sm-9"], "--interceptor"),
    ):
        bad = runner.invoke(app, ["stability", *args, "--out", str(tmp_path / "x")])
        assert bad.exit_code == 2 and msg in bad.output
        assert not (tmp_path / "x").exists()


def test_phase_with_variant_alias_and_bad_delay(tmp_path: Path) -> None:
    args = ["stability", "--preset", "postol", "--phase", "4", "--site", "redzikowo",
            "--base", "kozelsk", "--target", "washington", "--json"]  # fmt: skip
    res = runner.invoke(app, [*args, "--interceptor", "sm-3-iib:analyst-5.0",
                              "--out", str(tmp_path / "v")])  # fmt: skip
    assert res.exit_code == 0, res.output
    recs = json.loads(res.output)
    assert {(r["interceptor"], r["burnout_speed_km_s"]) for r in recs} == {
        ("sm-3-iib:analyst-5.0", 5.0)
    }
    res = runner.invoke(app, [*args, "--interceptor", "SM-3-IIB", "--site", "redzikowo",
                              "--out", str(tmp_path / "a")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.output)) == 2  # 2 cues; the repeated --site adds nothing
    bad = runner.invoke(app, [*args, "--launch-delay-s", "inf", "--out", str(tmp_path / "i")])
    assert bad.exit_code == 2 and "finite" in bad.output
    assert not (tmp_path / "i").exists()


def test_run_refuses_a_stability_folder(tmp_path: Path) -> None:
    """Each command replaces only its own kind of folder."""
    st = tmp_path / "st"
    res = runner.invoke(app, ["stability", "--preset", "postol", "--interceptor", "sm-3-iib",
                              "--site", "redzikowo", "--base", "kozelsk", "--target",
                              "washington", "--out", str(st)])  # fmt: skip
    assert res.exit_code == 0, res.output
    scn = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "small.yaml"
    bad = runner.invoke(app, ["run", str(scn), "--out", str(st), "--trials", "2", "-q"])
    assert bad.exit_code == 2 and "not a bmdsim output folder" in bad.output
    assert (st / "stability.json").exists()
