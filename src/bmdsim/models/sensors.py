"""Sensor parameter sets: typed, sourced, loaded from ``catalog/sensors.yaml``.

Three kinds of sensor, the ones the 2010-2011 cooperation debate turned on:

* ``ground-radar``: fixed or transportable phased-array radars (AN/TPY-2 at Kürecik, the
  SPY-1 of Aegis Ashore, Voronezh-DM at Armavir, Daryal at Gabala, Don-2N near Moscow);
* ``ship-radar``: the SPY-1 of Aegis BMD ships, placed by a site of kind ``naval-area``;
* ``space-ew``: infrared early-warning satellites (DSP/SBIRS), which see the boost phase
  only, after a detection delay, with a coarse warning accuracy.

Radar model (what the engagement physics reads): a field of regard in azimuth (a boresight
and a half-width; half-width 180 deg means all round, for rotating or multi-face radars) and
in elevation, and a maximum detection range against a reference radar cross-section. Range
scales with the fourth root of RCS (radar equation at a fixed signal-to-noise threshold):
``R(sigma) = R_ref (sigma / sigma_ref)^(1/4)``, `Sensor.range_against_km`. A track becomes
usable ``track_establish_time_s`` after first detection: fire-control quality for the radars
with ``fire_control: true``, warning quality for the early-warning radars, which cannot
guide an interceptor.

Disputed values (the AN/TPY-2 and Voronezh ranges, ...) are named variants, see
`bmdsim.models._catalog` and docs/model/defense-catalogs.md.

Public API: `Sensor`, `load_sensors`, `get_sensor`, `UnknownSensorError`, `SensorKind`
(and `Sourced`, `CatalogError`, `UnknownVariantError` from the shared catalog module).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator, model_validator

from bmdsim.models._catalog import (
    CatalogEntry,
    CatalogError,
    Sourced,
    UnknownEntryError,
    UnknownVariantError,
    fail,
    fmt,
    in_range,
    load_catalog,
    lookup,
    positive,
)

__all__ = [
    "CatalogError",
    "Sensor",
    "SensorKind",
    "Sourced",
    "UnknownSensorError",
    "UnknownVariantError",
    "get_sensor",
    "load_sensors",
]

CATALOG_RESOURCE = "sensors.yaml"
SensorKind = Literal["ground-radar", "ship-radar", "space-ew"]
RADAR_KINDS = ("ground-radar", "ship-radar")

# Fields only a radar has, and fields only a space-based early-warning sensor has.
_RADAR_FIELDS = (
    "max_range_km",
    "reference_rcs_m2",
    "azimuth_half_width_deg",
    "min_elevation_deg",
    "max_elevation_deg",
)
_SPACE_FIELDS = ("detection_delay_s", "warning_accuracy_km")


class UnknownSensorError(UnknownEntryError):
    """No sensor of that name or alias; the message lists the names available."""


class Sensor(CatalogEntry):
    """A sensor: where it looks, how far it sees a reference target, how soon it tracks.

    Radars (``ground-radar``, ``ship-radar``) need the range, reference RCS and field of
    regard; ``space-ew`` sensors need the detection delay and warning accuracy and have no
    radar fields. The position of a radar is its site's (catalog/sites.yaml).
    """

    kind: SensorKind
    operator: str
    band: str
    fire_control: bool
    # radar field of regard and sensitivity
    boresight_azimuth_deg: Sourced | None = None
    azimuth_half_width_deg: Sourced | None = None
    min_elevation_deg: Sourced | None = None
    max_elevation_deg: Sourced | None = None
    max_range_km: Sourced | None = None
    reference_rcs_m2: Sourced | None = None
    # tracking
    track_establish_time_s: Sourced
    track_accuracy_m: Sourced | None = None
    # space-based early warning
    detection_delay_s: Sourced | None = None
    warning_accuracy_km: Sourced | None = None
    revisit_time_s: Sourced | None = None
    variants: dict[str, Sensor] = {}

    @field_validator("operator", "band")
    @classmethod
    def _check_words(cls, s: str, info: Any) -> str:
        if not s.strip():
            raise fail(f"{info.field_name} must not be empty")
        return s

    @field_validator(
        "max_range_km",
        "reference_rcs_m2",
        "track_accuracy_m",
        "detection_delay_s",
        "warning_accuracy_km",
        "revisit_time_s",
    )
    @classmethod
    def _check_positive(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return positive(info.field_name, q)

    @field_validator("track_establish_time_s")
    @classmethod
    def _check_track_time(cls, q: Sourced) -> Sourced:
        if q.value < 0.0:
            raise fail(f"track_establish_time_s must be >= 0 (got {fmt(q.value)})")
        return q

    @field_validator("boresight_azimuth_deg")
    @classmethod
    def _check_boresight(cls, q: Sourced | None) -> Sourced | None:
        if q is not None and not 0.0 <= q.value < 360.0:
            raise fail(f"boresight_azimuth_deg must be in [0, 360) (got {fmt(q.value)})")
        return q

    @field_validator("azimuth_half_width_deg")
    @classmethod
    def _check_half_width(cls, q: Sourced | None) -> Sourced | None:
        if q is not None and not 0.0 < q.value <= 180.0:
            raise fail(
                f"azimuth_half_width_deg must be in (0, 180] (got {fmt(q.value)}); "
                "180 means all round"
            )
        return q

    @field_validator("min_elevation_deg", "max_elevation_deg")
    @classmethod
    def _check_elevation(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return in_range(info.field_name, q, -10.0, 90.0)

    @model_validator(mode="after")
    def _check_kind(self) -> Sensor:
        if self.kind in RADAR_KINDS:
            missing = [f for f in _RADAR_FIELDS if getattr(self, f) is None]
            if missing:
                raise fail(f"a {self.kind} needs {', '.join(missing)}")
            extra = [f for f in _SPACE_FIELDS if getattr(self, f) is not None]
            if extra:
                raise fail(f"a {self.kind} has no {', '.join(extra)} (space-ew only)")
            assert self.min_elevation_deg is not None and self.max_elevation_deg is not None
            assert self.azimuth_half_width_deg is not None
            if not self.min_elevation_deg.value < self.max_elevation_deg.value:
                raise fail(
                    "min_elevation_deg must be less than max_elevation_deg "
                    f"({fmt(self.min_elevation_deg.value)} >= "
                    f"{fmt(self.max_elevation_deg.value)})"
                )
            if self.azimuth_half_width_deg.value < 180.0 and self.boresight_azimuth_deg is None:
                raise fail("boresight_azimuth_deg is required unless azimuth_half_width_deg is 180")
        else:
            missing = [f for f in _SPACE_FIELDS if getattr(self, f) is None]
            if missing:
                raise fail(f"a space-ew sensor needs {', '.join(missing)}")
            extra = [
                f for f in (*_RADAR_FIELDS, "boresight_azimuth_deg") if getattr(self, f) is not None
            ]
            if extra:
                raise fail(f"a space-ew sensor has no {', '.join(extra)} (radar fields)")
            if self.fire_control:
                raise fail("a space-ew sensor cannot provide fire-control tracks")
        return self

    @property
    def is_radar(self) -> bool:
        return self.kind in RADAR_KINDS

    @property
    def all_round(self) -> bool:
        """True for a radar covering all azimuths (rotating, or multi-face)."""
        return self.azimuth_half_width_deg is not None and self.azimuth_half_width_deg.value >= 180

    def range_against_km(self, rcs_m2: float) -> float:
        """Maximum detection range against a target of this RCS, km: ``R_ref (s/s_ref)^(1/4)``.

        Raises `ValueError` for a non-radar sensor or a non-positive RCS.
        """
        if self.max_range_km is None or self.reference_rcs_m2 is None:
            raise ValueError(f"{self.label} is a {self.kind} sensor: it has no detection range")
        if not rcs_m2 > 0.0:
            raise ValueError(f"rcs_m2 must be positive (got {rcs_m2:g})")
        return float(self.max_range_km.value * (rcs_m2 / self.reference_rcs_m2.value) ** 0.25)


Sensor.model_rebuild()


def load_sensors(path: Path | str | None = None) -> dict[str, Sensor]:
    """Load and validate a sensor catalog; the packaged one by default.

    Parameters
    ----------
    path : a YAML file with a top-level ``sensors:`` mapping from catalog key to fields
        (see docs/model/defense-catalogs.md); None for the packaged ``catalog/sensors.yaml``.

    Returns
    -------
    dict from catalog key (e.g. ``"an-tpy-2"``) to the entry's `Sensor` (its named
    alternatives in ``.variants``), in file order.

    Raises
    ------
    CatalogError : the file is missing, is not YAML, or an entry or variant does not validate;
        the message names the file, the entry and the field.
    """
    return load_catalog(Sensor, "sensors", CATALOG_RESOURCE, path)


def get_sensor(
    name: str, variant: str | None = None, catalog: dict[str, Sensor] | None = None
) -> Sensor:
    """The sensor with this catalog name or alias (case-insensitive), optionally a variant.

    ``get_sensor("voronezh-dm", variant="press-6000")`` returns the complete model with that
    variant's values. Raises `UnknownSensorError` (a `KeyError`) listing the names, or
    `UnknownVariantError` listing the entry's variants.
    """
    cat = load_sensors() if catalog is None else catalog
    return lookup(cat, name, variant, what="sensor", unknown=UnknownSensorError)
