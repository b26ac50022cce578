"""Country outlines and cities shipped with bmdsim, and which country a point lies in.

The data are committed extracts (``bmdsim/data/``), made once by ``scripts/make_map_data.py``
from Natural Earth 1:10m admin-0 countries (public domain) and GeoNames cities (CC BY 4.0);
``bmdsim/data/ATTRIBUTION.md`` names the versions. Nothing is downloaded at run time.

Conventions: angles in degrees (these are map data, not physics inputs); longitudes
east-positive in [-180, 180], latitudes geodetic. Countries are keyed by ISO 3166-1 alpha-3
(``iso_a3``), taken from Natural Earth's ``ISO_A3_EH`` and, where that is -99, its
``ADM0_A3`` (Kosovo: ``XKX``; the UK sovereign base areas on Cyprus: ``ESB``, ``WSB``).
Outlines are simplified to about 0.05 deg (~5 km): ``country_of`` is exact away from borders
and coasts and may err within a few km of them.

Polygons crossing the antimeridian (Russia's Chukotka, Fiji) are stored cut at +-180 deg, so
every ring is continuous in longitude; map code that draws across the cut must not draw the
cut itself (``bmdsim.report.maps`` does that).
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.resources
import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from matplotlib.path import Path
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

__all__ = [
    "CITY_DTYPE",
    "Country",
    "UnknownCountryError",
    "cities",
    "countries",
    "country",
    "country_of",
    "find_city",
]


class UnknownCountryError(KeyError):
    """No country of that code or name; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, eq=False)
class Country:
    """One country's outline: polygons of (lon, lat) vertices in degrees.

    Attributes
    ----------
    iso_a3, iso_a2 : str
        ISO 3166-1 codes (``iso_a2`` is "" where Natural Earth has none).
    name, name_short : str
        Natural Earth's ``ADMIN`` name ("United States of America") and its short map label
        ("United States").
    label_lon_deg, label_lat_deg : float
        Natural Earth's point for a map label, inside the main polygon.
    polygons : tuple of (N, 2) float arrays
        Exterior rings, columns (lon_deg, lat_deg), closed (first vertex == last), largest
        first. Read-only.
    holes : tuple of tuples of (M, 2) float arrays
        ``holes[i]`` are the interior rings (e.g. Lesotho inside South Africa) of
        ``polygons[i]``.
    bbox_deg : tuple of float
        (lon_min, lon_max, lat_min, lat_max) over all polygons.
    """

    iso_a3: str
    iso_a2: str
    name: str
    name_short: str
    label_lon_deg: float
    label_lat_deg: float
    polygons: tuple[F64, ...]
    holes: tuple[tuple[F64, ...], ...]
    bbox_deg: tuple[float, float, float, float]

    def contains(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        """Whether each point lies in this country's outline (holes excluded)."""
        return np.asarray(country_of(lat_deg, lon_deg) == self.iso_a3)

    def __repr__(self) -> str:
        n = sum(len(p) for p in self.polygons)
        return (
            f"Country({self.iso_a3!r}, {self.name!r}, {len(self.polygons)} polygons, {n} vertices)"
        )


def _ring(coords: list[list[float]]) -> F64:
    a = np.asarray(coords, dtype=np.float64)
    a.setflags(write=False)
    return a


@functools.lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """All countries of the shipped extract, keyed by ISO alpha-3 code (cached; do not mutate)."""
    text = (importlib.resources.files("bmdsim") / "data" / "countries.geojson").read_text(
        encoding="utf-8"
    )
    out: dict[str, Country] = {}
    for feature in json.loads(text)["features"]:
        props = feature["properties"]
        polys = feature["geometry"]["coordinates"]
        exteriors = tuple(_ring(p[0]) for p in polys)
        holes = tuple(tuple(_ring(h) for h in p[1:]) for p in polys)
        allv = np.concatenate(exteriors)
        out[props["iso_a3"]] = Country(
            iso_a3=props["iso_a3"],
            iso_a2=props["iso_a2"],
            name=props["name"],
            name_short=props["name_short"],
            label_lon_deg=float(props["label_lon_deg"]),
            label_lat_deg=float(props["label_lat_deg"]),
            polygons=exteriors,
            holes=holes,
            bbox_deg=(
                float(allv[:, 0].min()),
                float(allv[:, 0].max()),
                float(allv[:, 1].min()),
                float(allv[:, 1].max()),
            ),
        )
    return out


@functools.lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    """Lower-cased codes and names -> iso_a3."""
    index: dict[str, str] = {}
    for c in countries().values():
        for key in (c.name, c.name_short, c.iso_a2, c.iso_a3):  # codes win over names
            if key:
                index[key.casefold()] = c.iso_a3
    return index


def country(code_or_name: str) -> Country:
    """Look a country up by ISO alpha-3 or alpha-2 code or by name, case-insensitively.

    Raises
    ------
    UnknownCountryError
        If nothing matches; the message lists the closest names and codes.
    """
    index = _name_index()
    key = code_or_name.strip().casefold()
    if key in index:
        return countries()[index[key]]
    close = difflib.get_close_matches(key, list(index), n=5, cutoff=0.6)
    # a prefix ("united") is a likelier intent than an edit-distance neighbour
    close += [k for k in index if k.startswith(key) and k not in close][: max(0, 5 - len(close))]
    hints = sorted({f"{countries()[index[k]].name} ({index[k]})" for k in close})
    hint = f"; close matches: {', '.join(hints)}" if hints else ""
    raise UnknownCountryError(
        f"no country {code_or_name!r} in the Natural Earth extract (codes are ISO 3166-1 "
        f"alpha-3 or alpha-2){hint}"
    )


@dataclass(frozen=True)
class _PolygonIndex:
    """Every ring of every country, flat, ordered by decreasing area (enclaves last)."""

    bbox: F64  # (P, 4): lon_min, lon_max, lat_min, lat_max
    owner: NDArray[np.int64]  # (P,) index into codes
    paths: tuple[Path, ...]
    holes: tuple[tuple[Path, ...], ...]
    codes: NDArray[np.str_]


def _ring_area_deg2(ring: F64) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])))


@functools.lru_cache(maxsize=1)
def _polygon_index() -> _PolygonIndex:
    entries = []
    codes = sorted(countries())
    for owner, code in enumerate(codes):
        c = countries()[code]
        for ext, holes in zip(c.polygons, c.holes, strict=True):
            entries.append((_ring_area_deg2(ext), owner, ext, holes))
    # largest first: where simplified outlines overlap (an enclave whose hole in its host
    # did not survive simplification: Vatican, San Marino), the smaller polygon is tested
    # later and wins
    entries.sort(key=lambda e: -e[0])
    bbox = np.array(
        [(e[2][:, 0].min(), e[2][:, 0].max(), e[2][:, 1].min(), e[2][:, 1].max()) for e in entries]
    )
    return _PolygonIndex(
        bbox=bbox,
        owner=np.array([e[1] for e in entries], dtype=np.int64),
        paths=tuple(Path(e[2], closed=True) for e in entries),
        holes=tuple(tuple(Path(h, closed=True) for h in e[3]) for e in entries),
        codes=np.array(codes),
    )


def _owner_exact(lat: F64, lon: F64) -> NDArray[np.int64]:
    """Index into ``_polygon_index().codes`` of the country of each point, -1 at sea.

    ``lon`` must be in [-180, 180). Ray casting against every ring whose bounding box holds
    the point, found by binary search on longitude-sorted points.
    """
    index = _polygon_index()
    owner = np.full(lat.shape, -1, dtype=np.int64)
    order = np.argsort(lon, kind="stable")
    lon_s, lat_s = lon[order], lat[order]
    starts = np.searchsorted(lon_s, index.bbox[:, 0], side="left")
    stops = np.searchsorted(lon_s, index.bbox[:, 1], side="right")
    for k in np.nonzero(stops > starts)[0]:
        i0, i1 = int(starts[k]), int(stops[k])
        la = lat_s[i0:i1]
        cand = np.nonzero((la >= index.bbox[k, 2]) & (la <= index.bbox[k, 3]))[0] + i0
        if cand.size == 0:
            continue
        pts = np.column_stack([lon_s[cand], lat_s[cand]])
        inside = index.paths[k].contains_points(pts)
        for hole in index.holes[k]:
            inside &= ~hole.contains_points(pts)
        owner[order[cand[inside]]] = index.owner[k]
    return owner


_CELL_DEG = 0.5
_BORDER = -2  # cell value: an outline passes through or next to the cell, test exactly
_EDGE_STEP_DEG = 0.125  # sample spacing along edges when marking border cells (< _CELL_DEG)


def _cell_of(lat: F64, lon: F64) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    ny, nx = int(round(180.0 / _CELL_DEG)), int(round(360.0 / _CELL_DEG))
    iy = np.clip(np.floor((lat + 90.0) / _CELL_DEG).astype(np.intp), 0, ny - 1)
    ix = np.clip(np.floor((lon + 180.0) / _CELL_DEG).astype(np.intp), 0, nx - 1)
    return iy, ix


@functools.lru_cache(maxsize=1)
def _cell_grid() -> NDArray[np.int64]:
    """Country of every grid cell that no outline touches, ``_BORDER`` for the others.

    A cell is marked border if a point sampled every ``_EDGE_STEP_DEG`` along any ring lies
    in it or in one of its 8 neighbours: every cell that an edge crosses is then marked (the
    nearest sample is within half a step of the crossing, and a step is shorter than a
    cell), so an unmarked cell lies wholly on one side of every ring and its centre's country
    is the country of all its points.
    """
    ny, nx = int(round(180.0 / _CELL_DEG)), int(round(360.0 / _CELL_DEG))
    border = np.zeros((ny, nx), dtype=bool)
    rings = [
        r
        for c in countries().values()
        for ext, holes in zip(c.polygons, c.holes, strict=True)
        for r in (ext, *holes)
    ]
    a = np.concatenate([r[:-1] for r in rings])  # edge starts
    b = np.concatenate([r[1:] for r in rings])  # edge ends
    n = np.maximum(1, np.ceil(np.abs(b - a).max(axis=1) / _EDGE_STEP_DEG)).astype(np.intp)
    seg = np.repeat(np.arange(len(a)), n + 1)  # samples at t = 0, 1/n, ..., 1 on every edge
    first = np.repeat(np.cumsum(n + 1) - (n + 1), n + 1)
    t = (np.arange(len(seg)) - first) / n[seg]
    pts = a[seg] + t[:, None] * (b[seg] - a[seg])
    border[_cell_of(pts[:, 1], pts[:, 0])] = True
    grown = border.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            shifted = np.roll(border, dx, axis=1)  # longitude wraps at +-180
            if dy:
                shifted = np.roll(shifted, dy, axis=0)
                shifted[0 if dy > 0 else -1, :] = False  # latitude does not wrap
            grown |= shifted
    lat_c = -90.0 + _CELL_DEG * (np.arange(ny) + 0.5)
    lon_c = -180.0 + _CELL_DEG * (np.arange(nx) + 0.5)
    lat_g, lon_g = np.meshgrid(lat_c, lon_c, indexing="ij")
    grid = np.full((ny, nx), _BORDER, dtype=np.int64)
    grid[~grown] = _owner_exact(lat_g[~grown], lon_g[~grown])
    grid.setflags(write=False)
    return grid


def country_of(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.str_]:
    """ISO alpha-3 code of the country each point lies in, "" at sea (vectorized).

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Geodetic latitude and longitude, deg; broadcast together. Longitudes are wrapped
        into [-180, 180).

    Returns
    -------
    ndarray of str (dtype ``<U3``)
        One code per point, with the broadcast shape (0-d for scalars).

    Notes
    -----
    A 0.5-deg grid answers points in cells that no outline touches (about 80 % of the
    globe); the others are ray-cast (``matplotlib.path.Path.contains_points``) against the
    rings whose bounding box holds them. The first call builds the grid (~0.6 s); then about
    1 s per million points spread over the globe, 2 s per million over Europe.
    Where simplified outlines overlap, the smaller polygon wins (enclaves).
    """
    lat, lon = np.broadcast_arrays(
        np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
    )
    shape = lat.shape
    lat = lat.ravel()
    lon = (lon.ravel() + 180.0) % 360.0 - 180.0
    owner = _cell_grid()[_cell_of(lat, lon)]
    near = np.nonzero(owner == _BORDER)[0]
    if near.size:
        owner[near] = _owner_exact(lat[near], lon[near])
    codes = _polygon_index().codes
    return np.where(owner >= 0, codes[np.maximum(owner, 0)], "").astype("<U3").reshape(shape)


CITY_DTYPE = np.dtype(
    [
        ("geonames_id", np.int64),
        ("name", "<U64"),
        ("country_iso_a2", "<U2"),
        ("country_iso_a3", "<U3"),
        ("lat_deg", np.float64),
        ("lon_deg", np.float64),
        ("population", np.int64),
        ("near_larger_id", np.int64),
    ]
)


@functools.lru_cache(maxsize=1)
def _all_cities() -> NDArray[np.void]:
    text = (importlib.resources.files("bmdsim") / "data" / "cities.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    data = np.array(
        [
            (
                int(r["geonames_id"]),
                r["name"],
                r["country_iso_a2"],
                r["country_iso_a3"],
                float(r["lat_deg"]),
                float(r["lon_deg"]),
                int(r["population"]),
                int(r["near_larger_id"]),
            )
            for r in rows
        ],
        dtype=CITY_DTYPE,
    )
    data.setflags(write=False)
    return data


def cities(
    min_population: float = 100_000,
    countries: Iterable[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    distinct: bool = False,
) -> NDArray[np.void]:
    """Cities of the shipped GeoNames extract, most populous first.

    The extract holds cities of at least 100,000 people in Europe, Russia, the Middle East,
    North Africa, Central Asia and North America (GeoNames, CC BY 4.0; city proper).

    Parameters
    ----------
    min_population : float
        Keep cities with at least this many people (below 100,000 returns the whole extract).
    countries : iterable of str, optional
        Keep cities in these countries, given as anything ``country()`` accepts
        ("FRA", "FR", "France").
    bbox : (lon_min, lon_max, lat_min, lat_max), deg, optional
        Keep cities inside this box; ``lon_min > lon_max`` means the box crosses the
        antimeridian.
    distinct : bool
        Drop cities within 10 km of a more populous city of the same country
        (``near_larger_id != 0``). GeoNames lists sections of cities beside the whole city
        (Pest and Buda beside Budapest, Paris's arrondissements, New York's boroughs), whose
        people are then counted twice; the same test also drops close neighbours (Jersey
        City, Gelsenkirchen). Use it before summing populations.

    Returns
    -------
    ndarray with dtype ``CITY_DTYPE``
        Fields ``geonames_id, name, country_iso_a2, country_iso_a3, lat_deg, lon_deg,
        population, near_larger_id``; a new array (the cached table is not exposed).
    """
    data = _all_cities()
    keep = data["population"] >= min_population
    if distinct:
        keep &= data["near_larger_id"] == 0
    if countries is not None:
        if isinstance(countries, str):
            countries = [countries]
        wanted = [country(c).iso_a3 for c in countries]
        keep &= np.isin(data["country_iso_a3"], wanted)
    if bbox is not None:
        lon_min, lon_max, lat_min, lat_max = bbox
        lon = data["lon_deg"]
        if lon_min <= lon_max:
            in_lon = (lon >= lon_min) & (lon <= lon_max)
        else:
            in_lon = (lon >= lon_min) | (lon <= lon_max)
        keep &= in_lon & (data["lat_deg"] >= lat_min) & (data["lat_deg"] <= lat_max)
    return data[keep].copy()


def find_city(name: str) -> np.void | None:
    """The most populous city of the extract called `name` ("Athens") or `name, country`
    ("Athens, Greece", "Athens, GRC"), case-insensitively; None if there is none (or the
    country is unknown)."""
    base, _, where = name.partition(",")
    data = _all_cities()
    hit = np.char.lower(data["name"].astype(str)) == base.strip().casefold()
    if where.strip():
        try:
            hit &= data["country_iso_a3"] == country(where.strip()).iso_a3
        except UnknownCountryError:
            return None
    idx = np.flatnonzero(hit)
    return data[idx[np.argmax(data["population"][idx])]] if idx.size else None
