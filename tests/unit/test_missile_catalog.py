"""Unit tests of the missile catalog: bmdsim.models.missiles and catalog/missiles.yaml.

The rough range estimate below is the pre-calibration tool of docs/model/missiles.md (it is
not part of the package): burnout speed = ideal delta-v - gravity loss - drag loss, then the
minimum-energy range on a 6,371 km sphere (Fetter, "A Ballistic Missile Primer"; Wright &
Kadyshev 1994). Run this file with ``-s -k table`` to print the calibration table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from bmdsim.models.missiles import (
    CatalogError,
    Missile,
    Sourced,
    Stage,
    UnknownMissileError,
    get_missile,
    load_missiles,
)
from bmdsim.physics.constants import G0_M_S2

CATALOG = load_missiles()

REQUIRED = {
    "scud-b",
    "nodong",
    "ghadr-1",
    "sejjil-2",
    "iran-irbm-3stage",
    "iran-icbm",
    "topol-m",
    "ss-18",
    "minuteman-3",
}

# Sane ideal (Tsiolkovsky) delta-v per category, m/s. Ranges of 300-1,000 km need burnout
# speeds of ~1.7-3 km/s, 1,000-3,000 km ~3-5 km/s, 3,000-5,500 km ~5-6.2 km/s and an ICBM
# ~6.5-7.5 km/s; ideal delta-v adds the gravity and drag losses (0.3-1.3 km/s).
DV_BAND_M_S = {
    "SRBM": (1500.0, 3500.0),
    "MRBM": (3000.0, 6000.0),
    "IRBM": (5000.0, 7500.0),
    "ICBM": (7500.0, 10000.0),
}


def _sourced_fields(obj: BaseModel, prefix: str = "") -> list[tuple[str, Sourced]]:
    found: list[tuple[str, Sourced]] = []
    for field in type(obj).model_fields:
        value = getattr(obj, field)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            path = f"{prefix}{field}" if i is None else f"{prefix}{field}.{i}"
            if isinstance(item, Sourced):
                found.append((path, item))
            elif isinstance(item, BaseModel):
                found.extend(_sourced_fields(item, path + "."))
    return found


def _src(value: float) -> dict[str, Any]:
    return {"value": value, "source": "test"}


def _missile_fields(**overrides: Any) -> dict[str, Any]:
    """A small valid missile as plain data (the YAML form)."""
    fields: dict[str, Any] = {
        "display_name": "Test",
        "category": "MRBM",
        "country": "Nowhere",
        "propellant": "solid",
        "description": "test missile",
        "stages": [
            {
                "wet_mass_kg": _src(10000.0),
                "propellant_mass_kg": _src(8500.0),
                "isp_s": _src(250.0),
                "burn_time_s": _src(60.0),
            }
        ],
        "payload_mass_kg": _src(500.0),
        "rv_ballistic_coefficient_kg_m2": _src(3000.0),
        "body_diameter_m": _src(1.0),
        "body_drag_coefficient": _src(0.2),
        "vertical_rise_s": _src(5.0),
        "cited_range_km": _src(1000.0),
    }
    fields.update(overrides)
    return fields


def _write_catalog(path: Path, missiles: dict[str, Any]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        YAML(typ="safe", pure=True).dump({"missiles": missiles}, f)
    return path


# ------------------------------------------------------------------ the packaged catalog


def test_all_required_missiles_load() -> None:
    assert REQUIRED <= set(CATALOG)
    for key, missile in CATALOG.items():
        assert missile.name == key
        assert 1 <= len(missile.stages) <= 4


def test_load_returns_a_fresh_dict() -> None:
    cat = load_missiles()
    cat.pop("scud-b")
    assert "scud-b" in load_missiles()


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_number_cites_a_source(key: str) -> None:
    sourced = _sourced_fields(CATALOG[key])
    assert len(sourced) >= 10
    for path, q in sourced:
        assert q.source.strip(), f"{key}: {path} has no source"
        assert math.isfinite(q.value), f"{key}: {path}"


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_stage_masses_are_consistent(key: str) -> None:
    for stage in CATALOG[key].stages:
        assert 0.0 < stage.propellant_mass_kg.value < stage.wet_mass_kg.value
        assert stage.dry_mass_kg > 0.0
        assert 0.5 < stage.propellant_mass_kg.value / stage.wet_mass_kg.value < 0.97


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_liftoff_thrust_to_weight_exceeds_1_1(key: str) -> None:
    # SOURCES.md: one public Scud-B preset lifts off with thrust barely above its weight.
    m = CATALOG[key]
    thrust_to_weight = m.stages[0].thrust_n / (m.total_mass_kg * G0_M_S2)
    assert thrust_to_weight > 1.1, f"{key}: T/W {thrust_to_weight:.2f}"


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_ideal_delta_v_in_category_band(key: str) -> None:
    m = CATALOG[key]
    lo, hi = DV_BAND_M_S[m.category]
    assert lo < m.ideal_delta_v_m_s < hi, f"{key}: {m.ideal_delta_v_m_s:.0f} m/s"


@pytest.mark.parametrize("key", sorted(k for k, m in CATALOG.items() if m.cited_burnout_time_s))
def test_cited_burnout_time_close_to_boost_time(key: str) -> None:
    m = CATALOG[key]
    assert m.cited_burnout_time_s is not None
    assert m.boost_time_s == pytest.approx(m.cited_burnout_time_s.value, rel=0.10)


def test_categories_follow_the_cited_range() -> None:
    # SRBM < 1,000 km <= MRBM < 3,000 km <= IRBM < 5,500 km <= ICBM (the usual US classes).
    bounds = {"SRBM": (0, 1000), "MRBM": (1000, 3000), "IRBM": (3000, 5500), "ICBM": (5500, 2e4)}
    for key, m in CATALOG.items():
        lo, hi = bounds[m.category]
        assert lo <= m.cited_range_km.value < hi, key


# ------------------------------------------------------------------ reproducing the sources


def test_minuteman3_reproduces_the_pytrajlib_totals() -> None:
    # SOURCES.md: the pytrajlib MMIII (bus 100 + RV 450 kg) has ideal delta-v 8.76 km/s, 188 s.
    m = CATALOG["minuteman-3"]
    pytrajlib = Missile.model_validate({**m.model_dump(), "payload_mass_kg": _src(550.0)})
    assert pytrajlib.ideal_delta_v_m_s == pytest.approx(8763.0, abs=5.0)
    assert pytrajlib.boost_time_s == pytest.approx(188.0)
    assert pytrajlib.total_mass_kg == pytest.approx(34760.0)


def test_nodong_reproduces_the_levinger_preset() -> None:
    # SOURCES.md: Levinger Nodong-A (Isp 226 s, 1,000 kg payload): burn 108.7 s, 3.52 km/s.
    m = CATALOG["nodong"]
    data = m.model_dump()
    data["stages"][0]["isp_s"] = _src(226.0)
    data["payload_mass_kg"] = _src(1000.0)
    preset = Missile.model_validate(data)
    assert preset.ideal_delta_v_m_s == pytest.approx(3515.0, abs=5.0)
    assert preset.stages[0].thrust_n == pytest.approx(26600 * 9.80665, rel=2e-3)


def test_scud_b_is_the_pytrajlib_configuration() -> None:
    m = CATALOG["scud-b"]
    assert m.total_mass_kg == pytest.approx(5860.0)
    assert m.stages[0].exhaust_velocity == pytest.approx(2217.06)
    assert math.pi * m.body_diameter_m.value**2 / 4 == pytest.approx(0.6082, abs=1e-4)


# ------------------------------------------------------------------ look-up


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("sejjil-2", "sejjil-2"),
        ("SEJJIL-2", "sejjil-2"),
        ("Sajjil", "sejjil-2"),
        ("shahab-3", "nodong"),
        ("Rodong", "nodong"),
        ("  SS-18 ", "ss-18"),
        ("satan", "ss-18"),
        ("lgm-30g", "minuteman-3"),
        ("Topol-M", "topol-m"),
        ("QADR", "ghadr-1"),
    ],
)
def test_get_missile_by_name_or_alias_any_case(query: str, key: str) -> None:
    assert get_missile(query).name == key
    assert get_missile(query, CATALOG) is CATALOG[key]


def test_unknown_missile_error_lists_the_names() -> None:
    with pytest.raises(UnknownMissileError) as info:
        get_missile("taepodong-9")
    assert isinstance(info.value, KeyError)
    text = str(info.value)
    assert "taepodong-9" in text
    for key in REQUIRED:
        assert key in text


def test_names_and_aliases_are_unique_across_the_catalog() -> None:
    labels = [label.casefold() for m in CATALOG.values() for label in (m.name, *m.aliases)]
    assert len(labels) == len(set(labels))


# ------------------------------------------------------------------ validation errors


def test_broken_yaml_names_file_missile_and_field(tmp_path: Path) -> None:
    stage = {
        "wet_mass_kg": _src(10000.0),
        "propellant_mass_kg": _src(12000.0),
        "isp_s": _src(250.0),
        "burn_time_s": _src(60.0),
    }
    path = _write_catalog(tmp_path / "missiles.yaml", {"sejjil-2": _missile_fields(stages=[stage])})
    with pytest.raises(CatalogError) as info:
        load_missiles(path)
    text = str(info.value)
    assert str(path) in text
    assert "missiles.yaml: sejjil-2: stages.0.propellant_mass_kg:" in text
    assert "must be less than wet_mass_kg (12000 >= 10000)" in text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"payload_mass_kg": {"value": 500.0, "source": " "}}, "payload_mass_kg.source", "source"),
        ({"payload_mass_kg": {"value": 500.0}}, "payload_mass_kg.source", "missing"),
        ({"payload_mass_kg": _src(-1.0)}, "payload_mass_kg", "positive"),
        ({"category": "SLBM"}, "category", "SRBM"),
        ({"range_km": _src(1.0)}, "range_km", "unknown field"),
        ({"stages": []}, "stages", "1 to 4 stages"),
        ({"vertical_rise_s": _src(500.0)}, "(missile)", "shorter than the boost"),
    ],
)
def test_field_errors_name_the_field(
    tmp_path: Path, change: dict[str, Any], field: str, message: str
) -> None:
    path = _write_catalog(tmp_path / "cat.yaml", {"test-missile": _missile_fields(**change)})
    with pytest.raises(CatalogError) as info:
        load_missiles(path)
    text = str(info.value)
    assert f"cat.yaml: test-missile: {field}" in text
    assert message in text


def test_stage_needs_exactly_one_of_isp_and_exhaust_velocity(tmp_path: Path) -> None:
    both = {
        "wet_mass_kg": _src(10000.0),
        "propellant_mass_kg": _src(8500.0),
        "isp_s": _src(250.0),
        "exhaust_velocity_m_s": _src(2450.0),
        "burn_time_s": _src(60.0),
    }
    neither = {k: v for k, v in both.items() if k not in ("isp_s", "exhaust_velocity_m_s")}
    for stage in (both, neither):
        path = _write_catalog(tmp_path / "c.yaml", {"x": _missile_fields(stages=[stage])})
        with pytest.raises(CatalogError, match=r"c\.yaml: x: stages\.0: .*exactly one of"):
            load_missiles(path)


def test_thrust_below_liftoff_weight_is_rejected(tmp_path: Path) -> None:
    slow = {
        "wet_mass_kg": _src(10000.0),
        "propellant_mass_kg": _src(8500.0),
        "isp_s": _src(250.0),
        "burn_time_s": _src(250.0),  # 83 kN of thrust for a 10.5 t missile
    }
    path = _write_catalog(tmp_path / "c.yaml", {"slow": _missile_fields(stages=[slow])})
    with pytest.raises(CatalogError, match="does not exceed the liftoff weight"):
        load_missiles(path)


def test_coast_after_the_last_stage_is_rejected(tmp_path: Path) -> None:
    stage = _missile_fields()["stages"][0] | {"coast_after_s": _src(5.0)}
    path = _write_catalog(tmp_path / "c.yaml", {"x": _missile_fields(stages=[stage])})
    with pytest.raises(CatalogError, match=r"x: stages: the last stage cannot have coast"):
        load_missiles(path)


def test_alias_clash_between_missiles_is_rejected(tmp_path: Path) -> None:
    cat = {"a-1": _missile_fields(aliases=["Alpha"]), "b-1": _missile_fields(aliases=["ALPHA"])}
    with pytest.raises(CatalogError, match=r"b-1: aliases: 'ALPHA' already names 'a-1'"):
        load_missiles(_write_catalog(tmp_path / "c.yaml", cat))


def test_bad_key_and_mismatched_name_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"Sejjil_2: name: .*lowercase"):
        load_missiles(_write_catalog(tmp_path / "a.yaml", {"Sejjil_2": _missile_fields()}))
    mismatch = {"x-1": _missile_fields(name="y-1")}
    with pytest.raises(CatalogError, match=r"x-1: name: 'y-1' differs from its key"):
        load_missiles(_write_catalog(tmp_path / "b.yaml", mismatch))


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_missiles(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("missiles:\n  x: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yaml: not valid YAML"):
        load_missiles(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text("missiles:\n  x: {}\n  x: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"dup\.yaml"):
        load_missiles(dup)
    flat = tmp_path / "flat.yaml"
    flat.write_text("- scud-b\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="top-level mapping"):
        load_missiles(flat)


def test_valid_file_round_trips(tmp_path: Path) -> None:
    path = _write_catalog(tmp_path / "ok.yaml", {"test-1": _missile_fields(aliases=["T1"])})
    cat = load_missiles(path)
    assert get_missile("t1", cat).name == "test-1"


def test_models_are_frozen() -> None:
    m = CATALOG["scud-b"]
    with pytest.raises(ValidationError):
        setattr(m, "category", "ICBM")  # noqa: B010 (assignment must fail at run time)


# ------------------------------------------------------------------ properties


@st.composite
def missiles(draw: st.DrawFn) -> Missile:
    n = draw(st.integers(1, 4))
    payload = draw(st.floats(10.0, 5000.0))
    stages: list[dict[str, Any]] = []
    for i in range(n):
        wet = draw(st.floats(100.0, 2e5))
        frac = draw(st.floats(0.5, 0.95))
        stage = {
            "wet_mass_kg": _src(wet),
            "propellant_mass_kg": _src(wet * frac),
            "exhaust_velocity_m_s": _src(draw(st.floats(1500.0, 4500.0))),
            "burn_time_s": _src(draw(st.floats(10.0, 300.0))),
        }
        if i < n - 1 and draw(st.booleans()):
            stage["coast_after_s"] = _src(draw(st.floats(0.0, 30.0)))
        stages.append(stage)
    # First-stage burn time chosen for a liftoff thrust-to-weight between 1.2 and 3.
    total = payload + sum(s["wet_mass_kg"]["value"] for s in stages)
    tw = draw(st.floats(1.2, 3.0))
    s0 = stages[0]
    s0["burn_time_s"] = _src(
        s0["propellant_mass_kg"]["value"]
        * s0["exhaust_velocity_m_s"]["value"]
        / (tw * total * G0_M_S2)
    )
    return Missile.model_validate(
        _missile_fields(
            name="hypo", stages=stages, payload_mass_kg=_src(payload), vertical_rise_s=_src(0.0)
        )
    )


@settings(max_examples=200, deadline=None)
@given(missiles())
def test_ideal_delta_v_is_the_sum_of_stage_rocket_equations(m: Missile) -> None:
    mass = m.total_mass_kg
    expected = 0.0
    for stage in m.stages:
        expected += stage.exhaust_velocity * math.log(
            mass / (mass - stage.propellant_mass_kg.value)
        )
        mass -= stage.wet_mass_kg.value
    assert mass == pytest.approx(m.payload_mass_kg.value)
    assert m.ideal_delta_v_m_s == pytest.approx(expected, rel=1e-12)
    assert m.stage_ignition_masses_kg[0] == pytest.approx(m.total_mass_kg)
    for stage in m.stages:
        assert stage.thrust_n == pytest.approx(stage.mass_flow_kg_s * stage.exhaust_velocity)
    coasts = sum(s.coast_after_s.value for s in m.stages if s.coast_after_s is not None)
    burns = sum(s.burn_time_s.value for s in m.stages)
    assert m.boost_time_s == pytest.approx(burns + coasts)


@settings(max_examples=100, deadline=None)
@given(missiles(), st.floats(1.01, 3.0))
def test_heavier_payload_means_less_delta_v(m: Missile, factor: float) -> None:
    # model_copy skips validation: a heavier payload may not lift off, the algebra still holds.
    payload = Sourced(value=m.payload_mass_kg.value * factor, source="t")
    heavier = m.model_copy(update={"payload_mass_kg": payload})
    assert heavier.ideal_delta_v_m_s < m.ideal_delta_v_m_s


@given(st.floats(1.0, 1e6), st.floats(1.0, 3.0))
def test_propellant_not_below_wet_mass_is_rejected(wet: float, ratio: float) -> None:
    with pytest.raises(ValidationError, match="must be less than wet_mass_kg"):
        Stage(
            wet_mass_kg=Sourced(value=wet, source="t"),
            propellant_mass_kg=Sourced(value=wet * ratio, source="t"),
            isp_s=Sourced(value=250.0, source="t"),
            burn_time_s=Sourced(value=60.0, source="t"),
        )


@given(st.floats(100.0, 450.0))
def test_isp_and_exhaust_velocity_agree(isp: float) -> None:
    kw: dict[str, Any] = {
        "wet_mass_kg": _src(1000.0),
        "propellant_mass_kg": _src(800.0),
        "burn_time_s": _src(50.0),
    }
    a = Stage.model_validate({**kw, "isp_s": _src(isp)})
    b = Stage.model_validate({**kw, "exhaust_velocity_m_s": _src(isp * G0_M_S2)})
    assert a.exhaust_velocity == pytest.approx(b.exhaust_velocity)
    assert a.thrust_n == pytest.approx(b.thrust_n)
    assert a.mass_flow_kg_s == pytest.approx(16.0)
