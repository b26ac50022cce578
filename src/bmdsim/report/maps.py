"""Static maps with matplotlib alone: country outlines, filled land, points, tracks, areas.

No cartopy and no download: outlines come from :mod:`bmdsim.geo` (Natural Earth, shipped).
Figures are made with ``matplotlib.figure.Figure`` on an Agg canvas, never through pyplot, so
the module is headless and leaves matplotlib's global backend alone; pass ``ax=`` to draw into
an Axes of your own instead.

Two projections, both pure numpy (angles in degrees, sphere of radius
``SPHERE_RADIUS_M``):

* :class:`Equirectangular`: x = longitude, y = latitude, in degrees, with the Axes aspect set
  to 1 / cos(standard latitude), so that shapes are right near that latitude and the axes
  read in degrees. Readable for regional maps (Europe, the Middle East); the antimeridian is a
  seam at the map's left and right edges.
* :class:`AzimuthalEquidistant`: distances and azimuths from the centre are true, great
  circles through the centre are straight lines; x, y in km. Centred on the North Pole it
  gives the polar view of Russia - North America flight paths.

Every drawing helper takes the :class:`GeoMap` that :func:`base_map` returns, and takes
points as ``lat_deg, lon_deg`` like :func:`bmdsim.geo.country_of`; ``GeoMap.project`` takes
``(lon_deg, lat_deg)`` and returns ``(x, y)``, x first, like pyproj's ``always_xy``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon as PolygonPatch
from matplotlib.patheffects import withStroke
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox
from numpy.typing import ArrayLike, NDArray

from bmdsim._io import atomic_file
from bmdsim.geo import countries, country
from bmdsim.physics.constants import SPHERE_RADIUS_M

F64 = NDArray[np.float64]

__all__ = [
    "EXTENTS",
    "AzimuthalEquidistant",
    "Equirectangular",
    "GeoMap",
    "Projection",
    "base_map",
    "label_cities",
    "plot_points",
    "plot_polygon_fill",
    "plot_track",
    "save_png",
]

# (lon_min, lon_max, lat_min, lat_max), deg
EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "europe": (-12.0, 45.0, 34.0, 66.0),
    "europe_middle_east": (-12.0, 62.0, 24.0, 66.0),
    "middle_east": (25.0, 63.0, 12.0, 43.0),
    "arctic": (-180.0, 180.0, 25.0, 90.0),
    "world": (-180.0, 180.0, -60.0, 85.0),
}

SEA_COLOR = "#d6e6f2"
LAND_COLOR = "#f3f0e6"
BORDER_COLOR = "#7d7d7d"
GRATICULE_COLOR = "#9fb3c4"
_HALO = [withStroke(linewidth=2.5, foreground="white")]
_COUNTRY_LABEL_GID = "bmdsim-country-label"  # city names may cover these, not other text
_POINTS_GID = "bmdsim-points"
_SEAM_DEG = 179.999  # |lon| beyond this: on the antimeridian cut of the stored outlines
# where a city's name may go, in order of preference: (offset in points, ha, va)
_LABEL_PLACES = (
    ((3, 2), "left", "baseline"),
    ((-3, 2), "right", "baseline"),
    ((0, 4), "center", "bottom"),
    ((0, -4), "center", "top"),
)


class Projection(Protocol):
    """A map projection: ``project(lon_deg, lat_deg) -> (x, y)``, vectorized."""

    @property
    def has_seam(self) -> bool:
        """True if longitudes +180 and -180 map to different places (lines split there)."""
        ...

    def project(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[F64, F64]: ...

    def setup_axes(self, ax: Axes, extent: tuple[float, float, float, float]) -> None: ...


@dataclass(frozen=True)
class Equirectangular:
    """x = lon, y = lat (deg); the Axes aspect 1/cos(lat_ts_deg) keeps shapes right there."""

    lat_ts_deg: float = 50.0

    @property
    def has_seam(self) -> bool:
        return True

    def project(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[F64, F64]:
        lon, lat = np.broadcast_arrays(
            np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64)
        )
        return lon.copy(), lat.copy()

    def setup_axes(self, ax: Axes, extent: tuple[float, float, float, float]) -> None:
        lon_min, lon_max, lat_min, lat_max = extent
        ax.set_xlim(lon_min, lon_max)
        ax.set_ylim(lat_min, lat_max)
        ax.set_aspect(1.0 / math.cos(math.radians(self.lat_ts_deg)))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{abs(v):g}°{'E' if v > 0 else 'W' if v < 0 else ''}")
        )
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{abs(v):g}°{'N' if v > 0 else 'S' if v < 0 else ''}")
        )
        ax.tick_params(labelsize=7, length=2, colors="#555555")


@dataclass(frozen=True)
class AzimuthalEquidistant:
    """Azimuthal equidistant projection on a sphere, centred on (lat0_deg, lon0_deg); x, y km.

    Snyder (1987), *Map Projections: A Working Manual*, USGS PP 1395, eqs. (25-2), (5-3),
    (4-5), (4-6). The antipode of the centre is singular: points within ``max_angle_deg`` of
    the centre only are drawn (farther ones become NaN, which breaks lines there).
    """

    lat0_deg: float = 90.0
    lon0_deg: float = -80.0
    max_angle_deg: float = 150.0

    @property
    def has_seam(self) -> bool:
        return False

    def project(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[F64, F64]:
        lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
        dlon = np.radians(np.asarray(lon_deg, dtype=np.float64) - self.lon0_deg)
        lat0 = math.radians(self.lat0_deg)
        cos_c = np.sin(lat0) * np.sin(lat) + np.cos(lat0) * np.cos(lat) * np.cos(dlon)
        c = np.arccos(np.clip(cos_c, -1.0, 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(c < 1e-12, 1.0, c / np.sin(c)) * (SPHERE_RADIUS_M / 1000.0)
        x = k * np.cos(lat) * np.sin(dlon)
        y = k * (np.cos(lat0) * np.sin(lat) - np.sin(lat0) * np.cos(lat) * np.cos(dlon))
        far = c > math.radians(self.max_angle_deg)
        return np.where(far, np.nan, x), np.where(far, np.nan, y)

    def setup_axes(self, ax: Axes, extent: tuple[float, float, float, float]) -> None:
        # limits: the box around the projected boundary of the lon/lat extent
        lon_min, lon_max, lat_min, lat_max = extent
        t = np.linspace(0.0, 1.0, 361)
        lon = np.concatenate(
            [lon_min + (lon_max - lon_min) * t, np.full_like(t, lon_max)]
            + [lon_max - (lon_max - lon_min) * t, np.full_like(t, lon_min)]
        )
        lat = np.concatenate(
            [np.full_like(t, lat_min), lat_min + (lat_max - lat_min) * t]
            + [np.full_like(t, lat_max), lat_max - (lat_max - lat_min) * t]
        )
        x, y = self.project(lon, lat)
        ax.set_xlim(np.nanmin(x), np.nanmax(x))
        ax.set_ylim(np.nanmin(y), np.nanmax(y))
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])


@dataclass(frozen=True)
class GeoMap:
    """A map drawn by :func:`base_map`: its figure, Axes and projection."""

    fig: Figure
    ax: Axes
    projection: Projection
    extent: tuple[float, float, float, float]

    def project(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[F64, F64]:
        """Map coordinates (x, y) of points given as (lon_deg, lat_deg), x first."""
        return self.projection.project(lon_deg, lat_deg)


def _resolve_projection(
    projection: str | Projection, extent: tuple[float, float, float, float]
) -> Projection:
    if not isinstance(projection, str):
        return projection
    lon_min, lon_max, lat_min, lat_max = extent
    if projection == "equirectangular":
        return Equirectangular(lat_ts_deg=0.5 * (lat_min + lat_max))
    if projection in ("azimuthal", "polar"):
        if projection == "polar" or lat_max >= 89.9:
            return AzimuthalEquidistant(lat0_deg=90.0, lon0_deg=-80.0)
        return AzimuthalEquidistant(
            lat0_deg=0.5 * (lat_min + lat_max), lon0_deg=0.5 * (lon_min + lon_max)
        )
    raise ValueError(
        f"unknown projection {projection!r}: 'equirectangular', 'azimuthal', 'polar' "
        "or a Projection object"
    )


def _outline_pieces(ring: F64) -> list[F64]:
    """Split a ring at edges that are no real border: the +-180 cut and the pole edges."""
    lon, lat = ring[:, 0], ring[:, 1]
    fake = ((np.abs(lon[:-1]) > _SEAM_DEG) & (np.abs(lon[1:]) > _SEAM_DEG)) | (
        (np.abs(lat[:-1]) > 89.99) & (np.abs(lat[1:]) > 89.99)
    )
    if not fake.any():
        return [ring]
    cuts = np.nonzero(fake)[0] + 1
    return [p for p in np.split(ring, cuts) if len(p) >= 2]


def _renderer(fig: Figure) -> Any:
    """The renderer that measures text: the canvas's own (Agg-based canvases have one), else
    an Agg renderer of a blank figure of the same size and dpi (e.g. for a PDF canvas)."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    blank = Figure(figsize=tuple(fig.get_size_inches()), dpi=fig.dpi)
    return FigureCanvasAgg(blank).get_renderer()


def _inside(box: Bbox, frame: Bbox, pad_px: float = 3.0) -> bool:
    """Whether ``box`` lies inside ``frame`` with a margin (glyphs overhang their extent)."""
    return bool(
        frame.x0 + pad_px <= box.x0
        and box.x1 <= frame.x1 - pad_px
        and frame.y0 + pad_px <= box.y0
        and box.y1 <= frame.y1 - pad_px
    )


def _in_view(x: F64, y: F64, xlim: tuple[float, float], ylim: tuple[float, float]) -> bool:
    if not np.isfinite(x).any():
        return False
    return bool(
        np.nanmax(x) >= xlim[0]
        and np.nanmin(x) <= xlim[1]
        and np.nanmax(y) >= ylim[0]
        and np.nanmin(y) <= ylim[1]
    )


def base_map(
    ax: Axes | None = None,
    extent: tuple[float, float, float, float] | str = "europe",
    projection: str | Projection = "equirectangular",
    *,
    width_in: float = 10.0,
    highlight: Mapping[str, str] | None = None,
    country_labels: bool = True,
    graticule_deg: float | None = 10.0,
    title: str | None = None,
) -> GeoMap:
    """A map of filled land and country outlines, ready for points, tracks and areas.

    Parameters
    ----------
    ax : Axes, optional
        Draw into this Axes; by default a new Agg-backed Figure is made.
    extent : (lon_min, lon_max, lat_min, lat_max) deg, or a key of ``EXTENTS``
        Area to show. For azimuthal projections the view is the box around this area's
        projected outline (``"arctic"``: everything north of 25 deg N).
    projection : "equirectangular", "azimuthal", "polar" or a Projection
        "azimuthal" centres an azimuthal equidistant projection on the extent (on the pole
        if the extent reaches 90 deg N); "polar" always centres it on the North Pole with
        80 deg W pointing down (North America below, Russia above).
    width_in : float
        Width of a new figure, inches; its height follows from the map's shape.
    highlight : mapping of country code or name -> colour, optional
        Fill these countries in their own colour (e.g. NATO members).
    country_labels : bool
        Write the short names of countries large enough in the view.
    graticule_deg : float or None
        Spacing of the meridians and parallels drawn; None for none.
    title : str, optional
    """
    if isinstance(extent, str):
        if extent not in EXTENTS:
            raise ValueError(f"unknown extent {extent!r}; known: {', '.join(EXTENTS)}")
        extent = EXTENTS[extent]
    extent = tuple(float(v) for v in extent)  # type: ignore[assignment]
    proj = _resolve_projection(projection, extent)
    own_figure = ax is None
    if ax is None:
        fig = Figure(figsize=(width_in, width_in * 0.75))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    proj.setup_axes(ax, extent)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    if own_figure:
        # fit the figure to the map's shape (data aspect times data box)
        aspect = ax.get_aspect()
        aspect = 1.0 if aspect == "equal" else float(aspect)
        ratio = aspect * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
        fig.set_size_inches(width_in, max(2.0, width_in * ratio * 0.92 + 0.6))
    ax.set_facecolor(SEA_COLOR)

    colours = {country(key).iso_a3: colour for key, colour in (highlight or {}).items()}

    fills: list[F64] = []
    face: list[str] = []
    area: list[float] = []
    lines: list[F64] = []
    labels = []
    view_area = (xlim[1] - xlim[0]) * (ylim[1] - ylim[0])
    for c in countries().values():
        c_area = 0.0
        for ring, holes in zip(c.polygons, c.holes, strict=True):
            x, y = proj.project(ring[:, 0], ring[:, 1])
            if not _in_view(x, y, xlim, ylim):
                continue
            xy = np.column_stack([x, y])
            if np.isfinite(xy).all():
                a = 0.5 * abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])))
                fills.append(xy)
                face.append(colours.get(c.iso_a3, LAND_COLOR))
                area.append(a)
                c_area += a
            for r in (ring, *holes):
                for piece in _outline_pieces(r):
                    px, py = proj.project(piece[:, 0], piece[:, 1])
                    lines.append(np.column_stack([px, py]))
        if country_labels and c_area > 0.004 * view_area:
            labels.append(c)
    order = np.argsort(area)[::-1]  # large first, so enclaves are drawn over their host
    ax.add_collection(
        PolyCollection(
            [fills[i] for i in order],
            facecolors=[face[i] for i in order],
            edgecolors="none",
            zorder=1,
        )
    )
    ax.add_collection(LineCollection(lines, colors=BORDER_COLOR, linewidths=0.5, zorder=2))
    if graticule_deg:
        _draw_graticule(ax, proj, graticule_deg, extent)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    if title:
        ax.set_title(title, fontsize=11)
    if own_figure:
        fig.tight_layout(pad=0.4)
    renderer = _renderer(fig)
    ax.apply_aspect()  # the frame as drawn: shrunk to the aspect, not the subplot box
    axes_box = ax.get_window_extent(renderer)
    for c in labels:
        lx, ly = proj.project(c.label_lon_deg, c.label_lat_deg)
        if not (xlim[0] < lx < xlim[1] and ylim[0] < ly < ylim[1]):
            continue
        text = ax.text(
            float(lx),
            float(ly),
            c.name_short.upper(),
            fontsize=6.5,
            color="#8a8070",
            ha="center",
            va="center",
            zorder=3,
            gid=_COUNTRY_LABEL_GID,
        )
        if not _inside(text.get_window_extent(renderer), axes_box):
            text.remove()  # a name cut by the frame reads as a different word
    return GeoMap(fig=fig, ax=ax, projection=proj, extent=extent)


def _draw_graticule(
    ax: Axes, proj: Projection, step_deg: float, extent: tuple[float, float, float, float]
) -> None:
    dense = np.linspace(-90.0, 90.0, 361)
    lines = []
    polar = isinstance(proj, AzimuthalEquidistant)
    for lon in np.arange(-180.0, 180.0 + 1e-9, step_deg * (3 if polar else 1)):
        # in a polar view meridians stop at 80 deg, short of the crowded pole
        lat_m = dense[np.abs(dense) <= (80.0 if polar else 90.0)]
        lines.append(np.column_stack(proj.project(np.full_like(lat_m, lon), lat_m)))
    lon_p = np.linspace(-180.0, 180.0, 721)
    for lat in np.arange(-90.0 + step_deg, 90.0 - 1e-9, step_deg):
        lines.append(np.column_stack(proj.project(lon_p, np.full_like(lon_p, lat))))
    ax.add_collection(
        LineCollection(
            lines, colors=GRATICULE_COLOR, linewidths=0.4, linestyles=(0, (2, 2)), zorder=1.5
        )
    )
    if isinstance(proj, Equirectangular):
        ax.set_xticks(
            np.arange(math.ceil(extent[0] / step_deg), extent[1] / step_deg + 1e-9) * step_deg
        )
        ax.set_yticks(
            np.arange(math.ceil(extent[2] / step_deg), extent[3] / step_deg + 1e-9) * step_deg
        )
    elif isinstance(proj, AzimuthalEquidistant):
        # label parallels along the meridian that points down the page
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        lon_lab = proj.lon0_deg + 12.0
        for lat in np.arange(step_deg * math.ceil(extent[2] / step_deg), 90.0, step_deg):
            px, py = (float(v) for v in proj.project(lon_lab, lat))
            if xlim[0] < px < xlim[1] and ylim[0] < py < ylim[1]:
                ax.text(
                    px,
                    py,
                    f"{lat:g}°N",
                    fontsize=6,
                    color="#5f7a91",
                    ha="center",
                    va="center",
                    zorder=3,
                    path_effects=_HALO,
                )


def _split_at_seam(lon: F64, lat: F64) -> list[tuple[F64, F64]]:
    """Cut a lon/lat polyline where it crosses +-180, adding the crossing point to both ends."""
    jumps = np.nonzero(np.abs(np.diff(lon)) > 180.0)[0]
    if jumps.size == 0:
        return [(lon, lat)]
    pieces: list[tuple[F64, F64]] = []
    start = 0
    for j in jumps:
        lon_a, lon_b = lon[j], lon[j + 1]
        edge = 180.0 if lon_a > 0 else -180.0
        lon_b_unwrapped = lon_b + (360.0 if lon_a > 0 else -360.0)
        f = (edge - lon_a) / (lon_b_unwrapped - lon_a)
        lat_x = lat[j] + f * (lat[j + 1] - lat[j])
        pieces.append((np.append(lon[start : j + 1], edge), np.append(lat[start : j + 1], lat_x)))
        lon = lon.copy()
        lat = lat.copy()
        lon[j], lat[j] = -edge, lat_x  # the next piece starts on the other side of the cut
        start = int(j)
    pieces.append((lon[start:], lat[start:]))
    return pieces


def plot_track(gmap: GeoMap, lat_deg: ArrayLike, lon_deg: ArrayLike, **kwargs: Any) -> list[Line2D]:
    """Draw a polyline (e.g. a ground track), split where it crosses the antimeridian.

    ``kwargs`` go to ``Axes.plot`` (default: a red line 1.6 pt wide). Returns the lines.
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = (np.atleast_1d(np.asarray(lon_deg, dtype=np.float64)) + 180.0) % 360.0 - 180.0
    style: dict[str, Any] = {"color": "#c0392b", "linewidth": 1.6, "zorder": 4} | kwargs
    pieces = _split_at_seam(lon, lat) if gmap.projection.has_seam else [(lon, lat)]
    out: list[Line2D] = []
    for i, (plon, plat) in enumerate(pieces):
        x, y = gmap.project(plon, plat)
        if i > 0:
            style.pop("label", None)  # one legend entry per track
        out.extend(gmap.ax.plot(x, y, **style))
    return out


def plot_points(
    gmap: GeoMap,
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    labels: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[Any]:
    """Draw markers (``Axes.plot`` keywords; default black-edged red dots), optionally named.

    ``labels`` writes a name to the upper right of each point, with a white halo.
    """
    lat, lon = np.broadcast_arrays(
        np.atleast_1d(np.asarray(lat_deg, dtype=np.float64)),
        np.atleast_1d(np.asarray(lon_deg, dtype=np.float64)),
    )
    x, y = gmap.project(lon, lat)
    style: dict[str, Any] = {
        "marker": "o",
        "linestyle": "none",
        "markersize": 6,
        "markerfacecolor": "#c0392b",
        "markeredgecolor": "black",
        "markeredgewidth": 0.6,
        "zorder": 5,
        "gid": _POINTS_GID,
    } | kwargs
    out: list[Any] = list(gmap.ax.plot(x, y, **style))
    for xi, yi, text in zip(x, y, labels or [], strict=False):
        out.append(
            gmap.ax.annotate(
                text,
                (float(xi), float(yi)),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=8,
                fontweight="bold",
                zorder=6,
                path_effects=_HALO,
                annotation_clip=True,
            )
        )
    return out


def plot_polygon_fill(
    gmap: GeoMap, lat_deg: ArrayLike, lon_deg: ArrayLike, **kwargs: Any
) -> list[PolygonPatch]:
    """Fill an area given by its boundary (e.g. a defended footprint).

    ``kwargs`` go to ``matplotlib.patches.Polygon`` (default: translucent blue with an
    edge). On a seamed projection an area across the antimeridian is drawn on both sides.
    """
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    style: dict[str, Any] = {
        "facecolor": "#2e86c1",
        "edgecolor": "#1b4f72",
        "alpha": 0.3,
        "linewidth": 1.0,
        "zorder": 3,
    } | kwargs
    shifts = [0.0]
    if gmap.projection.has_seam:
        lon = np.rad2deg(np.unwrap(np.deg2rad(lon)))  # continuous boundary
        lon -= 360.0 * np.round(np.mean(lon) / 360.0)
        shifts += [-360.0] if lon.max() > 180.0 else []
        shifts += [360.0] if lon.min() < -180.0 else []
    out = []
    for shift in shifts:
        x, y = gmap.project(lon + shift, lat)
        if not np.isfinite(x).all():
            keep = np.isfinite(x) & np.isfinite(y)
            x, y = x[keep], y[keep]
        patch = PolygonPatch(np.column_stack([x, y]), closed=True, **style)
        gmap.ax.add_patch(patch)
        style.pop("label", None)
        out.append(patch)
    return out


def label_cities(
    gmap: GeoMap,
    cities: NDArray[np.void],
    max_labels: int | None = 40,
    fontsize: float = 7.5,
    **kwargs: Any,
) -> int:
    """Mark and name cities (rows of :func:`bmdsim.geo.cities`), largest first.

    Each name goes to the right of its dot, else to the left, above or below, at the first
    place where it overlaps no text already on the map and stays inside the frame (a place
    clear of the country names too is preferred); a city with no such place is left out, so
    that what is written can be read. Call it after :func:`plot_points` so that their names
    are kept clear. ``max_labels`` caps the count; ``kwargs`` go to the markers'
    ``Axes.plot``. Returns the number of cities labelled.
    """
    ax = gmap.ax
    renderer = _renderer(gmap.fig)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    ax.apply_aspect()  # the frame as drawn: shrunk to the aspect, not the subplot box
    axes_box = ax.get_window_extent(renderer)
    order = np.argsort(-cities["population"], kind="stable")
    hard: list[Bbox] = []  # names and points already written: never covered
    soft: list[Bbox] = []  # country names: covered only if there is no other place
    for t in ax.texts:
        box = t.get_window_extent(renderer)
        (soft if t.get_gid() == _COUNTRY_LABEL_GID else hard).append(box)
    dots: list[Bbox] = [  # dots of cities and of plot_points: no name may cover them
        _dot_box(ax, float(px), float(py), renderer, half_px=6.0)
        for line in ax.lines
        if line.get_gid() == _POINTS_GID
        for px, py in zip(
            np.asarray(line.get_xdata(), dtype=float),
            np.asarray(line.get_ydata(), dtype=float),
            strict=True,
        )
    ]
    n_labelled = 0
    xs, ys = [], []
    style: dict[str, Any] = {
        "marker": "o",
        "markersize": 3,
        "color": "#333333",
        "linestyle": "none",
        "zorder": 5,
    } | kwargs
    for i in order:
        if max_labels is not None and n_labelled >= max_labels:
            break
        x, y = (float(v) for v in gmap.project(cities["lon_deg"][i], cities["lat_deg"][i]))
        if not (xlim[0] < x < xlim[1] and ylim[0] < y < ylim[1]):
            continue
        dot = _dot_box(ax, x, y, renderer)
        if any(dot.overlaps(t) for t in hard):
            continue  # its dot would sit under a name already written
        candidates = []
        for offset, ha, va in _LABEL_PLACES:
            text = ax.annotate(
                str(cities["name"][i]),
                (x, y),
                xytext=offset,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=fontsize,
                color="#222222",
                zorder=6,
                path_effects=_HALO,
            )
            box = text.get_window_extent(renderer).expanded(1.05, 1.15)
            text.remove()
            if _inside(box, axes_box) and not any(box.overlaps(t) for t in hard + dots):
                candidates.append((any(box.overlaps(t) for t in soft), text, box))
        if not candidates:
            continue
        _, text, box = min(candidates, key=lambda c: c[0])  # first place clear of all text
        ax.add_artist(text)
        hard.append(box)
        dots.append(dot)
        n_labelled += 1
        xs.append(x)
        ys.append(y)
    ax.plot(xs, ys, **style)
    return n_labelled


def _dot_box(ax: Axes, x: float, y: float, renderer: Any, half_px: float = 3.0) -> Bbox:
    px, py = ax.transData.transform((x, y))
    return Bbox.from_extents(px - half_px, py - half_px, px + half_px, py + half_px)


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Write ``fig`` as a PNG atomically (`bmdsim._io.atomic_file`)."""
    target = Path(path)
    with atomic_file(target, "wb") as fh:
        fig.savefig(fh, format="png", dpi=dpi, facecolor="white")
    return target
