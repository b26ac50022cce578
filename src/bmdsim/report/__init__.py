"""Reports: static maps (:mod:`bmdsim.report.maps`), drawn with matplotlib on an Agg canvas."""

from bmdsim.report.maps import (
    EXTENTS,
    AzimuthalEquidistant,
    Equirectangular,
    GeoMap,
    Projection,
    base_map,
    label_cities,
    plot_points,
    plot_polygon_fill,
    plot_track,
    save_png,
)

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
