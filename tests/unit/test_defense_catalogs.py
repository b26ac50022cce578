"""Unit tests of the defence catalogs: sensors, interceptors, sites and their named variants.

Code: bmdsim.models.{_catalog, sensors, interceptors, sites}; data: catalog/sensors.yaml,
catalog/interceptors.yaml, catalog/sites.yaml; docs: docs/model/defense-catalogs.md.
Reference coordinates are those of /work/shared/SOURCES.md, section 2.4.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from bmdsim.models import missiles
from bmdsim.models._catalog import SourcedDate
from bmdsim.models.interceptors import (
    Interceptor,
    UnknownInterceptorError,
    get_interceptor,
    load_interceptors,
)
from bmdsim.models.sensors import Sensor, UnknownSensorError, get_sensor, load_sensors
from bmdsim.models.sites import (
    CatalogError,
    Site,
    Sourced,
    UnknownSiteError,
    UnknownVariantError,
    get_site,
    load_sites,
)

SENSORS = load_sensors()
INTERCEPTORS = load_interceptors()
SITES = load_sites()

REQUIRED_SENSORS = {"an-tpy-2", "spy-1d", "spy-1d-ashore", "voronezh-dm", "voronezh-dm-kaliningrad",
                    "voronezh-m-lekhtusi", "daryal", "don-2n"}  # fmt: skip
REQUIRED_INTERCEPTORS = {
    "sm-3-ia",
    "sm-3-ib",
    "sm-3-iia",
    "sm-3-iib",
    "thaad",
    "pac-3",
    "gbi-2stage",
    "gbi-3stage",
    "53t6",
    "40n6",
    "77n6",
}
REQUIRED_SITES = {
    "deveselu",
    "redzikowo",
    "kurecik",
    "rota",
    "armavir",
    "gabala",
    "moscow-a135",
    "east-med-station",
    "black-sea-station",
    "north-sea-station",
    "norwegian-sea-station",
    "baltic-station",
}
SEA_STATIONS = sorted(k for k, s in SITES.items() if s.status == "notional")


def _all_versions(catalog: dict[str, Any]) -> list[Any]:
    """Every entry and every resolved variant of a catalog."""
    return [v for e in catalog.values() for v in (e, *e.variants.values())]


def _sourced_fields(obj: BaseModel, prefix: str = "") -> list[tuple[str, Sourced | SourcedDate]]:
    found: list[tuple[str, Sourced | SourcedDate]] = []
    for field in type(obj).model_fields:
        if field == "variants":
            continue
        value = getattr(obj, field)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for i, item in items:
            path = f"{prefix}{field}" if i is None else f"{prefix}{field}.{i}"
            if isinstance(item, Sourced | SourcedDate):
                found.append((path, item))
            elif isinstance(item, BaseModel):
                found.extend(_sourced_fields(item, path + "."))
    return found


def _src(value: Any) -> dict[str, Any]:
    return {"value": value, "source": "test"}


def _write(path: Path, top: str, entries: dict[str, Any]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        YAML(typ="safe", pure=True).dump({top: entries}, f)
    return path


def _radar(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "display_name": "Test radar",
        "kind": "ground-radar",
        "party": "NATO",
        "operator": "test",
        "band": "X",
        "fire_control": True,
        "description": "test radar",
        "boresight_azimuth_deg": _src(90.0),
        "azimuth_half_width_deg": _src(60.0),
        "min_elevation_deg": _src(1.0),
        "max_elevation_deg": _src(80.0),
        "max_range_km": _src(1000.0),
        "reference_rcs_m2": _src(0.01),
        "track_establish_time_s": _src(10.0),
    }
    fields.update(overrides)
    return fields


def _interceptor(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "display_name": "Test interceptor",
        "party": "NATO",
        "operator": "test",
        "status": "operational",
        "regime": "exo",
        "description": "test interceptor",
        "booster_burn_time_s": _src(50.0),
        "burnout_speed_km_s": _src(3.0),
        "min_intercept_altitude_km": _src(70.0),
        "max_intercept_altitude_km": _src(500.0),
        "max_flyout_time_s": _src(300.0),
        "kill_probability": _src(0.8),
    }
    fields.update(overrides)
    return fields


def _site(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "display_name": "Test site",
        "kind": "aegis-ashore",
        "party": "NATO",
        "country": "Nowhere",
        "status": "operational",
        "description": "test site",
        "lat_deg": _src(44.0),
        "lon_deg": _src(24.0),
        "altitude_m": _src(90.0),
        "sensors": ["spy-1d-ashore"],
        "interceptors": ["sm-3-ib"],
    }
    fields.update(overrides)
    return fields


# ------------------------------------------------------------------ the packaged catalogs


def test_required_entries_load() -> None:
    assert REQUIRED_SENSORS <= set(SENSORS)
    assert REQUIRED_INTERCEPTORS <= set(INTERCEPTORS)
    assert REQUIRED_SITES <= set(SITES)
    for catalog in (SENSORS, INTERCEPTORS, SITES):
        for key, entry in catalog.items():
            assert entry.name == key
            for vname, variant in entry.variants.items():
                assert variant.name == key and variant.variant == vname
                assert variant.variant_note and not variant.variants


def test_catalogs_share_the_missile_catalog_types() -> None:
    # One Sourced and one CatalogError across all catalogs: callers catch one type.
    assert Sourced is missiles.Sourced
    assert CatalogError is missiles.CatalogError
    assert isinstance(SENSORS["an-tpy-2"].max_range_km, missiles.Sourced)


def test_load_returns_a_fresh_dict() -> None:
    cat = load_sites()
    cat.pop("deveselu")
    assert "deveselu" in load_sites()


@pytest.mark.parametrize(
    "entry",
    _all_versions(SENSORS) + _all_versions(INTERCEPTORS) + _all_versions(SITES),
    ids=lambda e: e.label,
)
def test_every_number_and_date_cites_a_source(entry: Any) -> None:
    sourced = _sourced_fields(entry)
    assert len(sourced) >= 3
    for path, q in sourced:
        assert q.source.strip(), f"{entry.label}: {path} has no source"
        if isinstance(q, Sourced):
            assert math.isfinite(q.value), f"{entry.label}: {path}"
        # a tag or our own label says how the number was obtained
        tagged = any(t in q.source for t in ("[V", "[R]", "[C]", "bmdsim", "as ", "same"))
        assert tagged, f"{entry.label}: {path}: {q.source!r} has no [V]/[R]/[C] or bmdsim mark"


@pytest.mark.parametrize("catalog", [SENSORS, INTERCEPTORS, SITES], ids=["sens", "int", "sites"])
def test_every_variant_changes_a_sourced_value(catalog: dict[str, Any]) -> None:
    for entry in catalog.values():
        base = dict(_sourced_fields(entry))
        for variant in entry.variants.values():
            changed = [p for p, q in _sourced_fields(variant) if base.get(p) != q]
            assert changed, f"{variant.label} repeats {entry.label}"


def test_names_and_aliases_are_unique_within_each_catalog() -> None:
    for catalog in (SENSORS, INTERCEPTORS, SITES):
        labels = [a.casefold() for e in catalog.values() for a in (e.name, *e.aliases)]
        assert len(labels) == len(set(labels))


# ------------------------------------------------------------------ cross-references


def test_site_references_resolve_to_entries_of_the_same_party() -> None:
    for site in _all_versions(SITES):
        for name in site.sensors:
            assert SENSORS[name].party == site.party, site.label
        for name in site.interceptors:
            assert INTERCEPTORS[name].party == site.party, site.label


def test_site_kinds_host_the_right_sensors() -> None:
    for site in SITES.values():
        kinds = {SENSORS[n].kind for n in site.sensors}
        if site.kind == "naval-area":
            assert kinds == {"ship-radar"}, site.name
        else:
            assert kinds <= {"ground-radar"}, site.name
    assert SITES["deveselu"].sensors == ["spy-1d-ashore"]
    assert "sm-3-ib" in SITES["deveselu"].interceptors
    assert "sm-3-iia" in SITES["redzikowo"].interceptors
    assert SITES["kurecik"].sensors == ["an-tpy-2"]
    assert SITES["armavir"].sensors == ["voronezh-dm"]
    assert SITES["pionersky"].sensors == ["voronezh-dm-kaliningrad"]
    assert SITES["lekhtusi"].sensors == ["voronezh-m-lekhtusi"]
    assert SITES["gabala"].sensors == ["daryal"]
    assert SITES["moscow-a135"].interceptors == ["53t6"]


def test_every_sensor_and_interceptor_except_space_and_us_homeland_has_a_site() -> None:
    hosted = {n for s in SITES.values() for n in (*s.sensors, *s.interceptors)}
    unhosted = (set(SENSORS) | set(INTERCEPTORS)) - hosted
    # Satellites have no site; THAAD, PAC-3, the homeland GBI and the S-400/S-500 classes are
    # placed by scenarios (mobile batteries, or outside the European theatre).
    assert unhosted == {"sbirs-dsp", "thaad", "pac-3", "gbi-3stage", "40n6", "77n6"}


# ------------------------------------------------------------------ coordinates and dates


@pytest.mark.parametrize(
    ("key", "lat", "lon"),
    [
        ("deveselu", 44.08, 24.42),  # SOURCES.md 44.0773N 24.4164E
        ("kurecik", 38.34944, 37.79361),  # SOURCES.md
        ("redzikowo", 54.48, 17.10),  # SOURCES.md ~54.48N 17.10E
        ("rota", 36.62, -6.35),  # SOURCES.md 36.62N 6.35W
    ],
)
def test_coordinates_match_the_sources_sheet(key: str, lat: float, lon: float) -> None:
    site = SITES[key]
    assert site.lat_deg.value == pytest.approx(lat, abs=0.05)
    assert site.lon_deg.value == pytest.approx(lon, abs=0.05)


@pytest.mark.parametrize(
    ("key", "lat_box", "lon_box"),
    [
        ("armavir", (44.5, 45.5), (40.5, 41.5)),  # Krasnodar Krai, SW of Armavir
        ("gabala", (40.5, 41.2), (47.5, 48.2)),  # Qabala district, Azerbaijan
        ("sofrino", (55.9, 56.4), (37.5, 38.1)),  # NE of Moscow
        ("moscow-a135", (55.5, 56.0), (37.3, 37.9)),  # Moscow
        ("east-med-station", (31.0, 37.0), (23.0, 35.0)),  # open sea, eastern Mediterranean
        ("black-sea-station", (41.5, 45.5), (28.5, 41.0)),
        ("north-sea-station", (51.5, 61.0), (-3.0, 8.0)),
        ("norwegian-sea-station", (62.0, 72.0), (-5.0, 15.0)),
        ("baltic-station", (54.0, 60.0), (13.0, 23.0)),
    ],
)
def test_other_sites_are_in_their_region(
    key: str, lat_box: tuple[float, float], lon_box: tuple[float, float]
) -> None:
    lat, lon, _ = SITES[key].lat_lon_alt
    assert lat_box[0] <= lat <= lat_box[1]
    assert lon_box[0] <= lon <= lon_box[1]


def test_kurecik_altitude_alternatives_and_sea_level_ships() -> None:
    kurecik = SITES["kurecik"]
    altitudes = {v.altitude_m.value for v in (kurecik, *kurecik.variants.values())}
    assert altitudes == {2085.0, 1969.0, 1800.0}
    for key in SEA_STATIONS + ["rota"]:
        assert SITES[key].altitude_m.value == 0.0


@pytest.mark.parametrize("key", SEA_STATIONS)
def test_sea_stations_are_marked_assumptions_with_a_reason(key: str) -> None:
    site = SITES[key]
    assert site.kind == "naval-area" and site.patrol_radius_km is not None
    for q in (site.lat_deg, site.lon_deg, site.patrol_radius_km):
        assert q.source.startswith("bmdsim assumption")
    # the reason follows the mark
    assert len(site.lat_deg.source) > len("bmdsim assumption: ") + 20


def test_paa_phases_and_dates() -> None:
    assert SITES["kurecik"].paa_phase == "I"
    assert SITES["deveselu"].paa_phase == "II"
    assert SITES["redzikowo"].paa_phase == "III"
    assert SITES["east-med-station"].paa_phase == "I"
    kurecik_from = SITES["kurecik"].operational_from
    assert isinstance(kurecik_from, SourcedDate) and kurecik_from.value == date(2012, 1, 1)
    red = SITES["redzikowo"]
    assert red.planned_from and red.operational_from
    assert red.planned_from.value.year == 2018 and red.operational_from.value.year == 2024
    dev = SITES["deveselu"].operational_from
    assert dev is not None and dev.value == date(2015, 12, 18)
    gabala = SITES["gabala"]
    assert gabala.status == "closed" and gabala.operational_until is not None
    assert gabala.operational_until.value == date(2012, 12, 24)
    assert SITES["redzikowo-gbi"].status == "cancelled"
    assert SITES["redzikowo-gbi"].interceptors == ["gbi-2stage"]


# ------------------------------------------------------------------ interceptor physics sanity


def _speeds(key: str) -> list[float]:
    e = INTERCEPTORS[key]
    return [v.burnout_speed_km_s.value for v in (e, *e.variants.values())]


def test_sm3_burnout_speeds_are_ordered() -> None:
    # IA/IB < IIA < IIB, over every variant of each.
    ia, ib = max(_speeds("sm-3-ia")), max(_speeds("sm-3-ib"))
    iia_lo, iia_hi = min(_speeds("sm-3-iia")), max(_speeds("sm-3-iia"))
    iib_lo = min(_speeds("sm-3-iib"))
    assert ia <= ib < iia_lo <= iia_hi < iib_lo
    assert ia == pytest.approx(3.0) and iia_lo == pytest.approx(4.5)


def test_interceptor_invariants_hold_for_every_variant() -> None:
    for e in _all_versions(INTERCEPTORS):
        assert e.min_intercept_altitude_km.value < e.max_intercept_altitude_km.value
        assert e.booster_burn_time_s.value < e.max_flyout_time_s.value
        assert 0.0 < e.kill_probability.value <= 1.0
        assert 0.5 < e.burnout_speed_km_s.value < 11.2
        assert e.burnout_speed_m_s == pytest.approx(1000 * e.burnout_speed_km_s.value)
        if e.regime == "exo":
            assert e.min_intercept_altitude_km.value >= 50.0
        if e.regime == "endo":
            assert e.max_intercept_altitude_km.value <= 100.0
        if e.stages:
            total = sum(s.burn_time_s.value for s in e.stages)
            assert total == pytest.approx(e.booster_burn_time_s.value, abs=1.0)


@pytest.mark.parametrize("entry", _all_versions(INTERCEPTORS), ids=lambda e: e.label)
def test_kill_probability_says_whose(entry: Interceptor) -> None:
    src = entry.kill_probability.source
    assert "bmdsim assumption" in src or "CMO" in src or "Lewis" in src or "Postol" in src


def test_status_of_the_historical_systems() -> None:
    assert INTERCEPTORS["sm-3-iib"].status == "cancelled"
    assert INTERCEPTORS["gbi-2stage"].status == "cancelled"
    assert INTERCEPTORS["77n6"].status == "development"
    assert {INTERCEPTORS[k].party for k in ("53t6", "40n6", "77n6")} == {"Russia"}


# ------------------------------------------------------------------ the disputed values


def test_gbi_speed_alternatives_mda_versus_lewis_postol() -> None:
    assert get_interceptor("gbi-2stage").burnout_speed_km_s.value == pytest.approx(6.3)
    assert get_interceptor("gbi-2stage").variant == "mda-6.3"
    fast = get_interceptor("gbi-2stage", variant="lewis-postol-8.5")
    assert fast.burnout_speed_km_s.value == pytest.approx(8.5)
    assert "Lewis" in fast.burnout_speed_km_s.source
    assert max(_speeds("gbi-2stage")) == pytest.approx(9.0)
    # Everything but the disputed number is shared.
    assert fast.max_flyout_time_s == get_interceptor("gbi-2stage").max_flyout_time_s


def test_sm3_iia_range_and_ceiling_alternatives() -> None:
    base = get_interceptor("SM-3 Block IIA")
    claim = get_interceptor("sm-3-iia", variant="raytheon-2020")
    assert base.variant == "analyst-4.5"
    assert base.max_range_km is not None and claim.max_range_km is not None
    assert (base.max_range_km.value, claim.max_range_km.value) == (2593.0, 2500.0)
    assert base.max_intercept_altitude_km.value == 1400.0
    assert claim.max_intercept_altitude_km.value == 1000.0
    assert claim.burnout_speed_km_s == base.burnout_speed_km_s


def test_sm3_iib_as_the_analysts_assumed_it() -> None:
    speeds = sorted(_speeds("sm-3-iib"))
    assert speeds == [5.0, 5.5]
    assert "Wilkening" in get_interceptor("sm-3-iib").burnout_speed_km_s.source


def _ranges_km(key: str) -> set[float]:
    e = SENSORS[key]
    return {v.max_range_km.value for v in (e, *e.variants.values()) if v.max_range_km}


def test_radar_range_alternatives() -> None:
    assert _ranges_km("an-tpy-2") == {1000.0, 1500.0, 2000.0, 3000.0}
    assert SENSORS["an-tpy-2"].variant == "nrc-2012"
    assert _ranges_km("voronezh-dm") == {4000.0, 4200.0, 6000.0}
    assert _ranges_km("voronezh-dm-kaliningrad") == {4000.0, 4200.0, 4500.0, 6000.0}
    assert _ranges_km("voronezh-m-lekhtusi") == {4000.0, 4200.0, 6000.0}
    # the two Voronezh-DM entries default to the same class figure (RIA's 4,000 km)
    kal, arm = SENSORS["voronezh-dm-kaliningrad"].max_range_km, SENSORS["voronezh-dm"].max_range_km
    assert kal is not None and arm is not None and kal.value == arm.value
    assert _ranges_km("daryal") == {6000.0, 7200.0}
    assert _ranges_km("don-2n") == {3700.0, 6000.0}


def test_early_warning_radars_and_satellites_give_no_fire_control() -> None:
    early_warning = ("voronezh-dm", "voronezh-dm-kaliningrad", "voronezh-m-lekhtusi", "daryal")
    for key in (*early_warning, "sbirs-dsp"):
        assert not SENSORS[key].fire_control
    for key in ("an-tpy-2", "spy-1d", "spy-1d-ashore", "don-2n"):
        assert SENSORS[key].fire_control
    sbirs = get_sensor("SBIRS")
    assert sbirs.kind == "space-ew" and sbirs.detection_delay_s is not None
    assert sbirs.max_range_km is None and not sbirs.is_radar
    staring = get_sensor("sbirs-dsp", variant="sbirs-staring")
    assert staring.detection_delay_s is not None
    assert staring.detection_delay_s.value < sbirs.detection_delay_s.value


def test_fields_of_regard() -> None:
    assert SENSORS["spy-1d"].all_round and SENSORS["don-2n"].all_round
    tpy2 = SENSORS["an-tpy-2"]
    assert not tpy2.all_round and tpy2.boresight_azimuth_deg is not None
    # Kürecik looks east, toward Iran (great-circle bearing to Tehran 99.6 deg).
    assert 80.0 < tpy2.boresight_azimuth_deg.value < 120.0
    voronezh = SENSORS["voronezh-dm"]
    assert voronezh.azimuth_half_width_deg is not None
    assert voronezh.azimuth_half_width_deg.value == 120.0  # two radars, 240 deg


# Bodies at (lat, lon in deg, altitude in m) that a western Russian early-warning radar must
# see, or must not, at its baseline range against 0.1 m^2. Kyiv, 300 km up, is in range and
# above the horizon of both: only the radar's face keeps it out (the test checks that too).
_EW_RADAR_VIEWS = {
    # Pionersky (Kaliningrad), commissioned 29 Nov 2011: one face about 240 deg (keeptrack
    # KALV). It sees the North Sea, London and Redzikowo (the Polish Aegis Ashore site, 200 km
    # to its west); not Kyiv (bearing about 120 deg) or Moscow (east).
    "pionersky": (
        {"North Sea": (56.0, 3.0, 300e3), "London": (51.5, -0.1, 300e3),
         "Redzikowo": (54.48, 17.1, 100e3)},
        {"Kyiv": (50.45, 30.52, 300e3), "Moscow": (55.75, 37.6, 300e3)},
    ),
    # Lekhtusi (Voronezh-M): one face about 300 deg (keeptrack LEKV), the north-west. It sees
    # the Norwegian Sea, above Iceland and (from 500 km up) the North Sea; not Redzikowo (south-
    # west, just outside the face), Kyiv (south) or Moscow.
    "lekhtusi": (
        {"Norwegian Sea": (68.0, 5.0, 300e3), "Iceland": (64.0, -20.0, 800e3),
         "North Sea": (56.0, 3.0, 500e3)},
        {"Redzikowo": (54.48, 17.1, 300e3), "Kyiv": (50.45, 30.52, 300e3),
         "Moscow": (55.75, 37.6, 300e3)},
    ),
}  # fmt: skip


@pytest.mark.parametrize("site_key", sorted(_EW_RADAR_VIEWS))
def test_western_early_warning_radars_look_where_their_faces_point(site_key: str) -> None:
    """The Voronezh radars at Pionersky and Lekhtusi (docs/model/defense-catalogs.md): their
    sites' radars see the bodies of `_EW_RADAR_VIEWS` that they should and not the others
    (the engine's radar geometry, `radar_geometry` and `visibility_margin`)."""
    from dataclasses import replace

    from bmdsim.engagement.engage import radar_geometry
    from bmdsim.engagement.visibility import visibility_margin
    from bmdsim.physics.earth import EarthModel, geodetic_to_ecef

    site = SITES[site_key]
    (sensor_key,) = site.sensors
    sensor = SENSORS[sensor_key]
    radar = radar_geometry(sensor, site.lat_deg.value, site.lon_deg.value, site.altitude_m.value)
    earth = EarthModel.wgs84()

    def margin(points: dict[str, tuple[float, float, float]], r: Any = radar) -> Any:
        lat, lon, alt = (np.array(c) for c in zip(*points.values(), strict=True))
        ecef = geodetic_to_ecef(np.radians(lat), np.radians(lon), alt, earth)
        return visibility_margin(r, ecef, 0.1, earth)

    seen, unseen = _EW_RADAR_VIEWS[site_key]
    assert list(margin(seen) > 0) == [True] * len(seen), dict(zip(seen, margin(seen), strict=True))
    assert list(margin(unseen) > 0) == [False] * len(unseen), dict(
        zip(unseen, margin(unseen), strict=True)
    )
    kyiv = {"Kyiv": unseen["Kyiv"]}
    assert margin(kyiv, replace(radar, az_half_width_rad=math.pi))[0] > 0  # all round: seen


def test_western_early_warning_radar_dates() -> None:
    """For the Russian early-warning radars `operational_from` is combat duty as announced by
    an official, not experimental combat duty (sites.yaml's header): Pionersky 29 Nov 2011
    (kremlin.ru), Lekhtusi February 2012 (experimental from December 2006), Armavir June 2013
    (experimental from 2009); Gabala closed on 24 Dec 2012. At the end of 2011, when the joint
    study began, Pionersky and Gabala were on combat duty, Lekhtusi and Armavir on
    experimental duty."""
    want = {"pionersky": date(2011, 11, 29), "lekhtusi": date(2012, 2, 1),
            "armavir": date(2013, 6, 1)}  # fmt: skip
    for key, day in want.items():
        start = SITES[key].operational_from
        assert start is not None and start.value == day, key
    for key in ("lekhtusi", "armavir"):
        start = SITES[key].operational_from
        assert start is not None and "experimental" in start.source.lower(), key
    end_2011 = date(2011, 12, 31)
    on_duty = set()
    for key in ("lekhtusi", "pionersky", "gabala", "armavir"):
        start, end = SITES[key].operational_from, SITES[key].operational_until
        if start is not None and start.value <= end_2011 and (end is None or end.value > end_2011):
            on_duty.add(key)
    assert on_duty == {"pionersky", "gabala"}


# ------------------------------------------------------------------ radar range scaling


@given(st.floats(1e-4, 100.0), st.sampled_from(sorted(k for k in SENSORS if k != "sbirs-dsp")))
def test_range_scales_as_fourth_root_of_rcs(rcs: float, key: str) -> None:
    s = SENSORS[key]
    assert s.range_against_km(16.0 * rcs) == pytest.approx(2.0 * s.range_against_km(rcs))
    assert s.reference_rcs_m2 is not None and s.max_range_km is not None
    assert s.range_against_km(s.reference_rcs_m2.value) == pytest.approx(s.max_range_km.value)


def test_range_against_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="no detection range"):
        SENSORS["sbirs-dsp"].range_against_km(0.1)
    with pytest.raises(ValueError, match="positive"):
        SENSORS["an-tpy-2"].range_against_km(0.0)


# ------------------------------------------------------------------ look-up


@pytest.mark.parametrize(
    ("getter", "query", "key"),
    [
        (get_sensor, "TPY-2", "an-tpy-2"),
        (get_sensor, "  an/tpy-2 ", "an-tpy-2"),
        (get_sensor, "VORONEZH", "voronezh-dm"),
        (get_sensor, "qabala radar", "daryal"),
        (get_interceptor, "Gazelle", "53t6"),
        (get_interceptor, "s-400", "40n6"),
        (get_interceptor, "Prometey", "77n6"),
        (get_interceptor, "RIM-161D", "sm-3-ib"),
        (get_site, "NSF Deveselu", "deveselu"),
        (get_site, "Kürecik", "kurecik"),
        (get_site, "QABALA", "gabala"),
    ],
)
def test_get_by_name_or_alias_any_case(getter: Any, query: str, key: str) -> None:
    assert getter(query).name == key


def test_variant_lookup_is_case_insensitive_and_accepts_the_baseline_name() -> None:
    assert get_sensor("voronezh-dm", variant="RIA-4000") is SENSORS["voronezh-dm"]
    assert get_sensor("voronezh-dm", variant="Press-6000").variant == "press-6000"
    assert SENSORS["voronezh-dm"].variant_names == ("ria-4000", "russianforces-4200", "press-6000")
    assert SENSORS["spy-1d"].variant_names == ("baseline",)
    assert get_site("rota", variant="baseline") is SITES["rota"]


@pytest.mark.parametrize(
    ("getter", "error", "names"),
    [
        (get_sensor, UnknownSensorError, REQUIRED_SENSORS),
        (get_interceptor, UnknownInterceptorError, REQUIRED_INTERCEPTORS),
        (get_site, UnknownSiteError, REQUIRED_SITES),
    ],
)
def test_unknown_names_list_the_catalog(getter: Any, error: type, names: set[str]) -> None:
    with pytest.raises(error) as info:
        getter("nike-zeus")
    assert isinstance(info.value, KeyError)
    text = str(info.value)
    assert "nike-zeus" in text
    for name in names:
        assert name in text


def test_unknown_variant_lists_the_variants() -> None:
    with pytest.raises(UnknownVariantError) as info:
        get_interceptor("gbi-2stage", variant="obering-5")
    assert isinstance(info.value, KeyError)
    text = str(info.value)
    for v in ("obering-5", "mda-6.3", "lewis-postol-8.5", "postol-2007-9"):
        assert v in text


def test_models_are_frozen() -> None:
    with pytest.raises(ValidationError):
        setattr(SENSORS["an-tpy-2"], "band", "S")  # noqa: B010 (assignment must fail)
    with pytest.raises(ValidationError):
        setattr(INTERCEPTORS["sm-3-ia"], "regime", "endo")  # noqa: B010


# ------------------------------------------------------------------ validation errors


def test_broken_sensor_yaml_names_file_entry_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "sensors.yaml",
        "sensors",
        {"bad-radar": _radar(min_elevation_deg=_src(50.0), max_elevation_deg=_src(10.0))},
    )
    with pytest.raises(CatalogError) as info:
        load_sensors(path)
    text = str(info.value)
    assert str(path) in text
    assert "sensors.yaml: bad-radar: (entry): min_elevation_deg must be less than" in text


def test_broken_interceptor_yaml_names_file_entry_and_field(tmp_path: Path) -> None:
    bad = _interceptor(min_intercept_altitude_km=_src(600.0), max_intercept_altitude_km=_src(500.0))
    path = _write(tmp_path / "interceptors.yaml", "interceptors", {"bad-sm": bad})
    with pytest.raises(CatalogError) as info:
        load_interceptors(path)
    text = str(info.value)
    assert str(path) in text
    assert "interceptors.yaml: bad-sm: (entry): min_intercept_altitude_km must be less" in text
    assert "(600 >= 500)" in text


def test_broken_site_yaml_names_file_entry_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "sites.yaml", "sites", {"bad-site": _site(lat_deg=_src(94.1))})
    with pytest.raises(CatalogError) as info:
        load_sites(path)
    text = str(info.value)
    assert str(path) in text
    assert "sites.yaml: bad-site: lat_deg: lat_deg must be in [-90, 90] (got 94.1)" in text


@pytest.mark.parametrize(
    ("site", "field", "message"),
    [
        (_site(sensors=["spy-9"]), "sensors.0", "unknown sensor 'spy-9'; known sensors: an-tpy-2"),
        (_site(interceptors=["sm-3-ib", "sm-7"]), "interceptors.1", "unknown interceptor 'sm-7'"),
        (
            _site(sensors=["TPY-2"]),
            "sensors.0",
            "alias; name the sensor by its catalog key 'an-tpy-2'",
        ),
        (_site(sensors=["spy-1d"]), "sensors.0", "'spy-1d' is a ship-radar"),
        (_site(sensors=["voronezh-dm"]), "sensors.0", "belongs to Russia, the site to NATO"),
        (_site(interceptors=["53t6"]), "interceptors.0", "belongs to Russia, the site to NATO"),
        (
            _site(kind="naval-area", sensors=["an-tpy-2"]),
            "sensors.0",
            "a naval-area site hosts ship-radar sensors",
        ),
    ],
)
def test_bad_site_references_name_the_field(
    tmp_path: Path, site: dict[str, Any], field: str, message: str
) -> None:
    path = _write(tmp_path / "s.yaml", "sites", {"test-site": site})
    with pytest.raises(CatalogError) as info:
        load_sites(path)
    text = str(info.value)
    assert f"s.yaml: test-site: {field}: " in text
    assert message in text


def test_bad_reference_in_a_site_variant_names_the_variant(tmp_path: Path) -> None:
    site = _site(variants={"other": {"note": "n", "interceptors": ["sm-3-ib", "sm-9"]}})
    path = _write(tmp_path / "s.yaml", "sites", {"test-site": site})
    with pytest.raises(CatalogError, match=r"test-site: variants\.other: interceptors\.1: unknown"):
        load_sites(path)


def test_sites_check_against_given_catalogs(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.yaml", "sites", {"test-site": _site()})
    assert load_sites(path)["test-site"].sensors == ["spy-1d-ashore"]
    with pytest.raises(CatalogError, match="unknown sensor 'spy-1d-ashore'"):
        load_sites(path, sensors={"an-tpy-2": SENSORS["an-tpy-2"]})


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"max_range_km": {"value": 1000.0, "source": " "}}, "max_range_km.source", "source"),
        ({"max_range_km": {"value": 1000.0}}, "max_range_km.source", "missing"),
        ({"max_range_km": _src(-5.0)}, "max_range_km", "positive"),
        ({"kind": "airborne-radar"}, "kind", "ground-radar"),
        ({"range_km": _src(1.0)}, "range_km", "unknown field"),
        ({"party": "Iran"}, "party", "NATO"),
        ({"azimuth_half_width_deg": _src(200.0)}, "azimuth_half_width_deg", "(0, 180]"),
        ({"boresight_azimuth_deg": _src(360.0)}, "boresight_azimuth_deg", "[0, 360)"),
        ({"boresight_azimuth_deg": None}, "(entry)", "boresight_azimuth_deg is required"),
        ({"reference_rcs_m2": None}, "(entry)", "needs reference_rcs_m2"),
        ({"detection_delay_s": _src(60.0)}, "(entry)", "has no detection_delay_s"),
    ],
)
def test_sensor_field_errors_name_the_field(
    tmp_path: Path, change: dict[str, Any], field: str, message: str
) -> None:
    fields = {k: v for k, v in _radar(**change).items() if v is not None}
    path = _write(tmp_path / "c.yaml", "sensors", {"test-radar": fields})
    with pytest.raises(CatalogError) as info:
        load_sensors(path)
    text = str(info.value)
    assert f"c.yaml: test-radar: {field}" in text
    assert message in text


def test_space_sensor_rules(tmp_path: Path) -> None:
    space: dict[str, Any] = {
        "display_name": "Test satellite",
        "kind": "space-ew",
        "party": "NATO",
        "operator": "test",
        "band": "IR",
        "fire_control": False,
        "description": "test",
        "track_establish_time_s": _src(20.0),
        "detection_delay_s": _src(60.0),
        "warning_accuracy_km": _src(2.0),
    }
    ok = _write(tmp_path / "ok.yaml", "sensors", {"sat": space})
    assert load_sensors(ok)["sat"].kind == "space-ew"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"fire_control": True}, "cannot provide fire-control"),
        ({"max_range_km": _src(5000.0)}, "has no max_range_km"),
        ({"detection_delay_s": None}, "needs detection_delay_s"),
    ]
    for change, message in cases:
        fields = {k: v for k, v in {**space, **change}.items() if v is not None}
        path = _write(tmp_path / "bad.yaml", "sensors", {"sat": fields})
        with pytest.raises(CatalogError, match=rf"bad\.yaml: sat: \(entry\): .*{message}"):
            load_sensors(path)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kill_probability": _src(1.2)}, "kill_probability", "(0, 1]"),
        ({"burnout_speed_km_s": _src(4500.0)}, "burnout_speed_km_s", "km/s, not m/s"),
        ({"regime": "endo"}, "(entry)", "cannot intercept above 100 km"),
        ({"min_intercept_altitude_km": _src(20.0)}, "(entry)", "cannot intercept below 50 km"),
        ({"max_flyout_time_s": _src(40.0)}, "(entry)", "must be shorter than max_flyout_time_s"),
        ({"status": "planned"}, "status", "operational"),
        (
            {"stages": [{"name": "s1", "burn_time_s": _src(20.0)}]},
            "(entry)",
            "stage burn times add up to 20 s",
        ),
    ],
)
def test_interceptor_field_errors_name_the_field(
    tmp_path: Path, change: dict[str, Any], field: str, message: str
) -> None:
    path = _write(tmp_path / "c.yaml", "interceptors", {"test-int": _interceptor(**change)})
    with pytest.raises(CatalogError) as info:
        load_interceptors(path)
    text = str(info.value)
    assert f"c.yaml: test-int: {field}" in text
    assert message in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "radar-site", "interceptors": ["sm-3-ib"]}, "no interceptors"),
        ({"sensors": [], "interceptors": []}, "at least one sensor or interceptor"),
        ({"patrol_radius_km": _src(10.0)}, "naval-area sites only"),
        ({"status": "closed"}, "needs operational_until"),
        (
            {
                "status": "closed",
                "operational_from": _src(date(2013, 1, 1)),
                "operational_until": _src(date(2012, 1, 1)),
            },
            "must be before operational_until",
        ),
        ({"status": "cancelled", "operational_from": _src(date(2013, 1, 1))}, "cancelled"),
    ],
)
def test_site_rules(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    path = _write(tmp_path / "c.yaml", "sites", {"test-site": _site(**change)})
    with pytest.raises(CatalogError, match=rf"c\.yaml: test-site: .*{message}"):
        load_sites(path)


def test_variant_errors_name_the_variant_and_field(tmp_path: Path) -> None:
    variants = {"too-high": {"note": "n", "min_intercept_altitude_km": _src(800.0)}}
    path = _write(tmp_path / "c.yaml", "interceptors", {"x": _interceptor(variants=variants)})
    with pytest.raises(CatalogError, match=r"c\.yaml: x: variants\.too-high: .*must be less"):
        load_interceptors(path)
    variants = {"typo": {"note": "n", "burnout_sped_km_s": _src(5.0)}}
    path = _write(tmp_path / "c.yaml", "interceptors", {"x": _interceptor(variants=variants)})
    with pytest.raises(CatalogError, match=r"x: variants\.typo\.burnout_sped_km_s: unknown"):
        load_interceptors(path)


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ({"v-1": {"burnout_speed_km_s": _src(5.0)}}, r"variants\.v-1\.note: say what"),
        ({"v-1": {"note": "n"}}, "a variant must change some value"),
        ({"v-1": {"note": "n", "party": "Russia"}}, r"variants\.v-1\.party: a variant cannot"),
        ({"Bad Name": {"note": "n", "burnout_speed_km_s": _src(5.0)}}, "variant name 'Bad Name'"),
        ({"baseline": {"note": "n", "burnout_speed_km_s": _src(5.0)}}, "is used twice"),
        (["v-1"], "expected a mapping of variant names"),
    ],
)
def test_malformed_variants_are_rejected(tmp_path: Path, variants: Any, message: str) -> None:
    path = _write(tmp_path / "c.yaml", "interceptors", {"x": _interceptor(variants=variants)})
    with pytest.raises(CatalogError, match=rf"c\.yaml: x: .*{message}"):
        load_interceptors(path)


def test_valid_variant_round_trips(tmp_path: Path) -> None:
    variants = {"fast-5.0": {"note": "faster", "burnout_speed_km_s": _src(5.0)}}
    entry = _interceptor(variant="slow-3.0", aliases=["T-1"], variants=variants)
    cat = load_interceptors(_write(tmp_path / "c.yaml", "interceptors", {"test-1": entry}))
    assert get_interceptor("t-1", catalog=cat).variant == "slow-3.0"
    fast = get_interceptor("test-1", variant="fast-5.0", catalog=cat)
    assert fast.burnout_speed_km_s.value == 5.0 and fast.variant_note == "faster"
    assert fast.label == "test-1/fast-5.0"


def test_alias_clash_and_bad_keys_are_rejected(tmp_path: Path) -> None:
    cat = {"a-1": _radar(aliases=["Alpha"]), "b-1": _radar(aliases=["ALPHA"])}
    with pytest.raises(CatalogError, match=r"b-1: aliases: 'ALPHA' already names 'a-1'"):
        load_sensors(_write(tmp_path / "c.yaml", "sensors", cat))
    with pytest.raises(CatalogError, match=r"TPY_2: name: .*lowercase"):
        load_sensors(_write(tmp_path / "a.yaml", "sensors", {"TPY_2": _radar()}))
    with pytest.raises(CatalogError, match=r"x-1: name: 'y-1' differs from its key"):
        load_sensors(_write(tmp_path / "b.yaml", "sensors", {"x-1": _radar(name="y-1")}))
    with pytest.raises(CatalogError, match=r"x-1: variant_note: is set by the loader"):
        load_sensors(_write(tmp_path / "d.yaml", "sensors", {"x-1": _radar(variant_note="n")}))


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_sites(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sensors:\n  x: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"bad\.yaml: not valid YAML"):
        load_sensors(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text("interceptors:\n  x: {}\n  x: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"dup\.yaml"):
        load_interceptors(dup)
    wrong_top = _write(tmp_path / "top.yaml", "sensors", {"x": _radar()})
    with pytest.raises(CatalogError, match="top-level mapping 'sites: "):
        load_sites(wrong_top)
    empty = tmp_path / "empty.yaml"
    empty.write_text("sensors: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="no entries"):
        load_sensors(empty)


def test_model_constructors_validate_directly() -> None:
    # The models are usable without a file (e.g. by scenario code building a what-if).
    fields = _radar(name="what-if")
    sensor = Sensor.model_validate(fields)
    assert sensor.range_against_km(0.01) == pytest.approx(1000.0)
    with pytest.raises(ValidationError, match="alias 'X' repeats"):
        Site.model_validate(_site(name="s-1", aliases=["x", "X"]))
