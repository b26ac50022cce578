"""End-to-end tests of `bmdsim engage` (a Sejjil-2 class threat from Semnan towards Ankara
against Deveselu; the numbers are checked for consistency, not against a publication)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bmdsim.cli import app

runner = CliRunner()
BASE = ["engage", "--threat", "sejjil-2", "--launch", "35.23,53.92", "--target", "39.93,32.86",
        "--site", "deveselu", "--interceptor", "sm-3-iia"]  # fmt: skip


def run(*extra: str) -> dict:
    res = runner.invoke(app, [*BASE, *extra, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_own_radar_alone_cannot_engage_a_small_rv_far_away() -> None:
    """SPY-1 ashore at Deveselu (324 km vs 1 m2, so ~100 km vs 0.01 m2) never sees this threat:
    no track, no engagement; the timeline says so."""
    doc = run()
    own = [e for e in doc["timeline"] if e["own"]]
    assert own and all(e["track_s"] is None for e in own)
    assert doc["window"]["possible"] is False


def test_remote_tpy2_track_enables_the_engagement_and_latency_delays_it() -> None:
    cue = run("--sensor", "an-tpy-2", "--launch-on-remote")
    w = cue["window"]
    assert w["possible"] is True
    assert w["earliest_launch_s"] >= cue["fire_control_track_s"]
    assert w["earliest_intercept_s"] <= w["latest_intercept_s"] <= cue["threat"]["time_of_flight_s"]
    for which in ("earliest_intercept", "latest_intercept"):  # SM-3 IIA band: 70-1,400 km
        assert 70.0 <= w[which]["alt_km"] <= 1400.0
    late = run("--sensor", "an-tpy-2", "--launch-on-remote", "--latency-s", "60")
    assert late["fire_control_track_s"] == pytest.approx(cue["fire_control_track_s"] + 60.0)
    assert late["window"]["earliest_intercept_s"] >= w["earliest_intercept_s"]
    no_remote = run("--sensor", "an-tpy-2")
    assert no_remote["window"]["possible"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sensor", "nosuch"], "--sensor"),
        (["--latency-s", "-1"], "--latency-s"),
        (["--interceptor-variant", "nosuch"], "--interceptor"),
    ],
)
def test_bad_engage_input_exits_2(extra: list[str], message: str) -> None:
    res = runner.invoke(app, [*BASE, *extra])
    assert res.exit_code == 2
    assert message in res.output


def test_unknown_site_lists_names() -> None:
    args = [a if a != "deveselu" else "atlantis" for a in BASE]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "deveselu" in res.output


def test_ship_site_given_by_position() -> None:
    args = [a if a != "deveselu" else "41.0,29.5" for a in BASE]
    res = runner.invoke(app, [*args, "--sensor", "an-tpy-2", "--launch-on-remote", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["site"] == "ad-hoc"
