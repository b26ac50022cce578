"""Unit tests of `bmdsim.scenario.load`: the errors of bad scenario files say where.

tests/data/broken_scenarios/ holds small scenarios derived from tests/data/scenarios/small.yaml,
each with one defect and a header stating the error it must give:

    # expect: LINE:COL: field.path: substring of the message
    # also: LINE:COL: field.path: substring          (further lines, when one defect gives more)
    # defect: what is wrong

("YAML syntax error" and "(scenario)" stand in the field-path slot for syntax errors and for
files that are not a mapping, as the loader prints them.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bmdsim.scenario import ScenarioError, load_scenario
from bmdsim.scenario.load import parse_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "scenarios" / "small.yaml"
BROKEN = sorted((DATA / "broken_scenarios").glob("*.yaml"))
HEADER = re.compile(r"# (expect|also): (\d+):(\d+): (.+?): (.*)$")


def expectations(path: Path) -> list[tuple[int, int, str, str]]:
    """The (line, col, field path, message substring) of each expected error, in order."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if m:
            out.append((int(m[2]), int(m[3]), m[4], m[5]))
    return out


def test_corpus_is_there_and_every_file_states_its_error() -> None:
    assert len(BROKEN) >= 40
    for path in BROKEN:
        exp = expectations(path)
        assert exp, f"{path.name}: no '# expect:' header"
        assert path.read_text(encoding="utf-8").startswith("# expect: "), path.name


def test_good_scenario_loads() -> None:
    loaded = load_scenario(GOOD)
    s = loaded.scenario
    assert s.name == "small-test" and set(s.parties) == {"NATO", "Russia"}
    assert len(s.threats) == 1 and len(s.threats[0].targets) == 3
    assert loaded.path == str(GOOD) and len(loaded.sha256) == 64


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_scenario_error_says_where(path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = info.value.lines
    exp = expectations(path)
    assert len(lines) == len(exp), "\n".join(lines)  # one defect, the errors it states
    for got, (ln, col, field, msg) in zip(lines, exp, strict=True):
        assert got.startswith(f"{path}:{ln}:{col}: {field}: "), got
        assert msg in got, got
    assert str(info.value) == "\n".join(lines)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.lines == [f"{path}:1:1: (scenario): expected a mapping of fields "
                                "(name, parties, threats, ...)"]  # fmt: skip


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.yaml"
    with pytest.raises(ScenarioError, match="cannot read the scenario") as info:
        load_scenario(missing)
    assert info.value.lines[0].startswith(f"{missing}: ")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(GOOD.read_bytes().replace(b"Small test", b"Sm\xe5ll test"))
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        load_scenario(latin1)


# The launch point of the good file: `    launch: {name: NAME, lat_deg: LAT, lon_deg: LON}`
GOOD_TEXT = GOOD.read_text(encoding="utf-8")
LAUNCH = re.search(r"^ +launch: \{name: [^,]+, lat_deg: ([-\d.]+), lon_deg: ([-\d.]+)\}$",
                   GOOD_TEXT, re.M)  # fmt: skip
assert LAUNCH is not None
LAUNCH_LINE = GOOD_TEXT[: LAUNCH.start()].count("\n") + 1
LAT_COL = LAUNCH.start(1) - LAUNCH.start() + 1


def _with_launch(lat: str, lon: str | None = None) -> str:
    """The good file with the launch point at (lat, lon) (lon unchanged if None)."""
    assert LAUNCH is not None
    line = LAUNCH[0]
    new = line[: LAUNCH.start(1) - LAUNCH.start()] + lat + ", lon_deg: " + (lon or LAUNCH[2]) + "}"
    return GOOD_TEXT.replace(line, new)


@settings(max_examples=60, deadline=None)
@given(lat=st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: abs(x) > 90.0))
def test_any_latitude_off_the_globe_is_reported_at_the_launch_point(lat: float) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_with_launch(repr(lat)), "scn.yaml")
    (line,) = info.value.lines
    bound = "less than or equal to 90" if lat > 0 else "greater than or equal to -90"
    assert line.startswith(f"scn.yaml:{LAUNCH_LINE}:{LAT_COL}: threats.0.launch.lat_deg: "), line
    assert bound in line


@settings(max_examples=30, deadline=None)
@given(lat=st.floats(-90.0, 90.0), lon=st.floats(-180.0, 360.0))
def test_any_launch_point_on_the_globe_is_accepted(lat: float, lon: float) -> None:
    scn = parse_scenario(_with_launch(repr(lat), repr(lon)), "scn.yaml")
    assert scn.threats[0].launch.lat_deg == lat and scn.threats[0].launch.lon_deg == lon


@settings(max_examples=30, deadline=None)
@given(n=st.integers(max_value=-1))
def test_any_negative_inventory_is_reported_at_its_value(n: int) -> None:
    text = GOOD_TEXT.replace("inventory: 24}", f"inventory: {n}}}")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "scn.yaml")
    (line,) = info.value.lines
    ln = text[: text.index(f"inventory: {n}")].count("\n") + 1
    col = text.splitlines()[ln - 1].index(f"{n}}}") + 1
    assert line.startswith(f"scn.yaml:{ln}:{col}: interceptor_sites.0.inventory: "), line
    assert "greater than or equal to 0" in line


def test_qualified_city_names_are_checked_like_the_engine_resolves_them() -> None:
    """ "Athens, Germany" names no city: the loader says so (the engine would find none)."""
    from bmdsim.scenario import ScenarioError, parse_scenario

    good = (DATA / "scenarios" / "small.yaml").read_text()
    assert "Bucharest" in good
    parse_scenario(good.replace("Bucharest", "'Athens, Greece'"))
    with pytest.raises(ScenarioError, match="no city 'Athens, Germany'"):
        parse_scenario(good.replace("Bucharest", "'Athens, Germany'"))


def test_exchange_sensor_ids_use_the_catalog_key_also_for_an_alias() -> None:
    from bmdsim.scenario import parse_scenario

    text = (DATA / "scenarios" / "small.yaml").read_text()
    text = text.replace("site: kurecik}", "site: Kürecik}")
    text = text.replace(
        "{from: Russia, to: NATO, data: tracks, latency_s: 5}",
        "{from: NATO, to: Russia, data: tracks, sensors: [an-tpy-2@kurecik]}",
    )
    scn = parse_scenario(text)
    assert scn.architectures.coordinated.exchange[0].sensors == ["an-tpy-2@kurecik"]
