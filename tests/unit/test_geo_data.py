"""Shipped map data (Natural Earth countries, GeoNames cities) and the static maps drawn on it.

Set BMDSIM_SAVE_MAPS_DIR to a folder to keep the rendered maps (map_europe.png,
map_arctic.png) for a person to look at.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import numpy as np
import pyproj
import pytest
from matplotlib.image import imread

from bmdsim.geo import (
    CITY_DTYPE,
    UnknownCountryError,
    cities,
    countries,
    country,
    country_of,
)
from bmdsim.report import (
    AzimuthalEquidistant,
    base_map,
    label_cities,
    plot_points,
    plot_polygon_fill,
    plot_track,
    save_png,
)

DEVESELU = (44.08, 24.42)  # Aegis Ashore, Romania (lat, lon deg)
REDZIKOWO = (54.48, 17.10)  # Aegis Ashore, Poland
MOSCOW = (55.75, 37.62)
WASHINGTON = (38.91, -77.04)


# ----------------------------------------------------------------------------- countries


def test_countries_load_with_codes_that_iso_a3_lacks() -> None:
    cs = countries()
    assert len(cs) > 200
    # Natural Earth's ISO_A3 is -99 for these two: the extract keys on ISO_A3_EH / ADM0_A3
    assert cs["FRA"].name == "France"
    assert cs["NOR"].name == "Norway"
    assert "-99" not in cs
    assert cs["XKX"].name == "Kosovo"
    for c in cs.values():
        assert len(c.iso_a3) == 3
        for ring in c.polygons:
            assert ring.ndim == 2 and ring.shape[1] == 2
            assert np.array_equal(ring[0], ring[-1])  # closed
            assert not ring.flags.writeable


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (48.85, 2.35, "FRA"),  # Paris
        (55.75, 37.62, "RUS"),  # Moscow
        (*DEVESELU, "ROU"),
        (*REDZIKOWO, "POL"),
        (59.91, 10.75, "NOR"),  # Oslo
        (56.0, 3.0, ""),  # North Sea
        (36.0, 18.0, ""),  # Ionian Sea
        (65.0, 175.0, "RUS"),  # Chukotka, west of the antimeridian
        (65.0, -175.0, "RUS"),  # Chukotka, east of it
        (65.0, -150.0, "USA"),  # Alaska
        (60.0, -175.0, ""),  # Bering Sea
        (-29.5, 28.2, "LSO"),  # Lesotho: a hole in South Africa
        (43.94, 12.45, "SMR"),  # San Marino: an enclave in Italy
        (40.0, -100.0, "USA"),
        (35.7, 51.4, "IRN"),  # Tehran
    ],
)
def test_country_of_known_places(lat: float, lon: float, expected: str) -> None:
    assert country_of(lat, lon) == expected


def test_country_of_is_vectorized_and_wraps_longitude() -> None:
    lat = np.array([[48.85, 55.75], [56.0, 65.0]])
    lon = np.array([[2.35, 37.62], [3.0, 185.0]])  # 185 E is 175 W
    codes = country_of(lat, lon)
    assert codes.shape == (2, 2)
    assert codes.tolist() == [["FRA", "RUS"], ["", "RUS"]]
    assert country_of(48.85, 2.35).shape == ()
    assert country_of(np.full(3, 48.85), 2.35).tolist() == ["FRA"] * 3  # broadcast


def test_country_of_grid_agrees_with_ray_casting_everywhere() -> None:
    # the grid shortcut must give what ray casting alone gives (random points, whole globe)
    from bmdsim.geo.data import _owner_exact, _polygon_index

    rng = np.random.default_rng(7)
    lat = rng.uniform(-90.0, 90.0, 20_000)
    lon = rng.uniform(-180.0, 180.0, 20_000)
    owner = _owner_exact(lat, lon)
    codes = _polygon_index().codes
    exact = np.where(owner >= 0, codes[np.maximum(owner, 0)], "")
    assert np.array_equal(country_of(lat, lon), exact)
    assert 0.2 < np.mean(exact != "") < 0.4  # land is ~29 % of the globe


def test_russia_is_cut_at_the_antimeridian_not_wrapped_around() -> None:
    rus = country("RUS")
    assert rus.bbox_deg[0] == -180.0 and rus.bbox_deg[1] == 180.0
    east = [r for r in rus.polygons if r[:, 0].min() < 0.0]  # Chukotka beyond 180
    assert east, "Chukotka east of 180 deg is missing"
    for c in countries().values():
        for ring in c.polygons:
            jump = np.abs(np.diff(ring[:, 0])) > 180.0
            at_pole = (np.abs(ring[:-1, 1]) > 89.99) & (np.abs(ring[1:, 1]) > 89.99)
            assert not np.any(jump & ~at_pole), f"{c.iso_a3}: a ring jumps across 180 deg"


def test_country_lookup_by_code_or_name() -> None:
    assert country("fra").iso_a3 == "FRA"
    assert country("FR").iso_a3 == "FRA"
    assert country("France").iso_a3 == "FRA"
    assert country("united states").iso_a3 == "USA"
    assert country("Romania").contains(*DEVESELU)


def test_unknown_country_lists_close_matches() -> None:
    with pytest.raises(UnknownCountryError, match=r"close matches: .*France \(FRA\)"):
        country("Frnace")
    with pytest.raises(UnknownCountryError, match="no country 'Atlantis'"):
        country("Atlantis")


# ----------------------------------------------------------------------------- cities

# City-proper populations from the national statistics offices, for a 30 % check of the
# GeoNames figures (whose census years vary).
REFERENCE_POPULATIONS = {
    ("Moscow", "RUS"): 13_010_112,  # Rosstat, 2021 census
    ("London", "GBR"): 8_799_800,  # ONS, Census 2021 (Greater London)
    ("Paris", "FRA"): 2_133_111,  # INSEE, population légale 2021
    ("Tehran", "IRN"): 8_693_706,  # Statistical Centre of Iran, 2016 census
    ("Istanbul", "TUR"): 15_655_924,  # TÜİK, ADNKS 2023
    ("New York City", "USA"): 8_804_190,  # US Census Bureau, 2020 census
}


def test_cities_load() -> None:
    c = cities()
    assert c.dtype == CITY_DTYPE
    assert len(c) > 1500
    assert c["population"].min() >= 100_000
    assert np.all(np.diff(c["population"]) <= 0)  # most populous first
    assert np.all(np.abs(c["lat_deg"]) <= 90.0) and np.all(np.abs(c["lon_deg"]) <= 180.0)
    assert len(np.unique(c["geonames_id"])) == len(c)


@pytest.mark.parametrize(("key", "reference"), REFERENCE_POPULATIONS.items())
def test_large_cities_present_with_plausible_population(
    key: tuple[str, str], reference: int
) -> None:
    name, iso_a3 = key
    big = cities(min_population=1e6)
    row = big[(big["name"] == name) & (big["country_iso_a3"] == iso_a3)]
    assert len(row) == 1, f"{name} missing from cities(min_population=1e6)"
    assert abs(row["population"][0] / reference - 1.0) < 0.30


def test_cities_in_their_country() -> None:
    # GeoNames' country code agrees with the point-in-polygon country for big cities
    big = cities(min_population=1e6, distinct=True)
    inland = country_of(big["lat_deg"], big["lon_deg"])
    coastal_misses = inland == ""  # a coastal city may fall in the sea at ~5 km resolution
    agree = (inland == big["country_iso_a3"]) | coastal_misses
    assert agree.mean() > 0.97, big["name"][~agree]


def test_city_filters() -> None:
    fr = cities(countries=["FR"])
    assert len(fr) > 10 and set(fr["country_iso_a3"]) == {"FRA"}
    assert set(cities(countries="Germany")["country_iso_a3"]) == {"DEU"}
    box = cities(bbox=(-10.0, 30.0, 35.0, 60.0))
    assert np.all((box["lon_deg"] >= -10.0) & (box["lon_deg"] <= 30.0))
    assert "Paris" in box["name"] and "Moscow" not in box["name"]
    across = cities(bbox=(170.0, -140.0, 50.0, 72.0))  # across the antimeridian
    assert "Anchorage" in across["name"]
    assert np.all((across["lon_deg"] >= 170.0) | (across["lon_deg"] <= -140.0))
    # GeoNames lists Pest (a part of Budapest) beside Budapest; distinct=True drops it
    assert "Pest" in cities()["name"]
    assert "Pest" not in cities(distinct=True)["name"]
    assert "Budapest" in cities(distinct=True)["name"]
    with pytest.raises(UnknownCountryError):
        cities(countries=["Narnia"])


# ----------------------------------------------------------------------------- maps


def _assert_readable_png(path: Path, min_width_px: int = 800) -> None:
    img = imread(path)
    assert img.shape[1] >= min_width_px
    rgb = img[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05, "the image is blank"
    # sea, land, borders, labels and marks: many distinct colours, not a flat fill
    packed = (rgb * 255).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.uint32)
    assert len(np.unique(packed)) > 50


def _keep(path: Path) -> None:
    target = os.environ.get("BMDSIM_SAVE_MAPS_DIR")
    if target:
        shutil.copy(path, Path(target) / path.name)


def test_europe_map_with_aegis_ashore_sites(tmp_path: Path) -> None:
    m = base_map(extent="europe", title="Aegis Ashore: Deveselu and Redzikowo")
    lats, lons = zip(DEVESELU, REDZIKOWO, strict=True)
    plot_points(m, lats, lons, labels=["Deveselu", "Redzikowo"])
    n = label_cities(m, cities(min_population=1_000_000, distinct=True))
    assert n >= 20
    out = save_png(m.fig, tmp_path / "map_europe.png")
    assert out == tmp_path / "map_europe.png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map_europe.png"]  # no temp file
    _assert_readable_png(out)
    _keep(out)


def test_arctic_map_with_moscow_washington_great_circle(tmp_path: Path) -> None:
    m = base_map(extent="arctic", projection="polar", width_in=9, title="Moscow - Washington")
    lonlat = np.array(pyproj.Geod(ellps="WGS84").npts(*MOSCOW[::-1], *WASHINGTON[::-1], 200))
    lat = np.r_[MOSCOW[0], lonlat[:, 1], WASHINGTON[0]]
    lon = np.r_[MOSCOW[1], lonlat[:, 0], WASHINGTON[1]]
    lines = plot_track(m, lat, lon)
    assert len(lines) == 1  # no seam in an azimuthal projection
    lats, lons = zip(MOSCOW, WASHINGTON, strict=True)
    plot_points(m, lats, lons, labels=["Moscow", "Washington"])
    label_cities(m, cities(min_population=2_000_000, distinct=True), max_labels=25)
    out = save_png(m.fig, tmp_path / "map_arctic.png")
    _assert_readable_png(out)
    _keep(out)


def test_track_and_area_split_at_the_antimeridian(tmp_path: Path) -> None:
    m = base_map(extent="world", graticule_deg=30.0, country_labels=False)
    lonlat = np.array(pyproj.Geod(ellps="WGS84").npts(158.6, 53.0, -149.9, 61.2, 50))
    lines = plot_track(m, lonlat[:, 1], lonlat[:, 0])  # Kamchatka -> Anchorage
    assert len(lines) == 2
    x0, _ = lines[0].get_data()
    x1, _ = lines[1].get_data()
    assert x0[-1] == 180.0 and x1[0] == -180.0  # each piece runs to the edge
    th = np.linspace(0.0, 2.0 * np.pi, 60)
    patches = plot_polygon_fill(m, 65.0 + 5.0 * np.sin(th), 178.0 + 10.0 * np.cos(th))
    assert len(patches) == 2  # drawn on both sides of the seam
    _assert_readable_png(save_png(m.fig, tmp_path / "world.png"))


def test_azimuthal_equidistant_keeps_distance_from_centre() -> None:
    proj = AzimuthalEquidistant(lat0_deg=90.0, lon0_deg=-80.0)
    x, y = proj.project(WASHINGTON[1], WASHINGTON[0])
    expected_km = math.radians(90.0 - WASHINGTON[0]) * 6371.0
    assert math.hypot(float(x), float(y)) == pytest.approx(expected_km, rel=1e-9)
    # the central meridian points straight down the page
    x, y = proj.project(-80.0, 50.0)
    assert abs(float(x)) < 1e-6 and float(y) < 0.0
    centred = AzimuthalEquidistant(lat0_deg=MOSCOW[0], lon0_deg=MOSCOW[1])
    xw, yw = centred.project(WASHINGTON[1], WASHINGTON[0])
    gc_km = float(pyproj.Geod(a=6371000.0, f=0.0).inv(*MOSCOW[::-1], *WASHINGTON[::-1])[2] / 1000.0)
    assert math.hypot(float(xw), float(yw)) == pytest.approx(gc_km, rel=1e-9)


def test_base_map_rejects_unknown_extent_and_projection() -> None:
    with pytest.raises(ValueError, match="unknown extent"):
        base_map(extent="atlantis")
    with pytest.raises(ValueError, match="unknown projection"):
        base_map(extent="europe", projection="mercator")
