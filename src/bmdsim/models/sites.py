"""Defence sites: typed, sourced, loaded from ``catalog/sites.yaml``.

A site is a place with coordinates (WGS84 geodetic latitude/longitude, altitude above the
ellipsoid-equivalent mean sea level, each with its source) and the sensors and interceptors
it hosts, named by their catalog keys in ``catalog/sensors.yaml`` and
``catalog/interceptors.yaml``. Kinds:

* ``aegis-ashore``: a land-based Aegis SPY-1 with SM-3 launchers (Deveselu, Redzikowo);
* ``radar-site``: a radar without interceptors (Kürecik, Armavir, Gabala, Sofrino);
* ``interceptor-site``: interceptors, their radar elsewhere (Moscow A-135 ring, the 2007
  Polish GBI site);
* ``naval-area``: a home port or a sea station where Aegis ships stand; the sea stations are
  bmdsim assumptions (each says why) with a patrol radius.

Dates (planned under the Phased Adaptive Approach, operational from, closed on) are
`SourcedDate` values. Cross-references are checked on load: a site naming an unknown sensor
or interceptor, one of the other party, or a radar of the wrong kind (a ship radar ashore)
is a `CatalogError` naming the file, the site and the field.

Public API: `Site`, `load_sites`, `get_site`, `UnknownSiteError`, `SiteKind`
(and `Sourced`, `SourcedDate`, `CatalogError`, `UnknownVariantError`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator, model_validator

from bmdsim.models._catalog import (
    CatalogEntry,
    CatalogError,
    Sourced,
    SourcedDate,
    UnknownEntryError,
    UnknownVariantError,
    fail,
    in_range,
    load_catalog,
    lookup,
    positive,
)
from bmdsim.models.interceptors import Interceptor, load_interceptors
from bmdsim.models.sensors import Sensor, load_sensors

__all__ = [
    "CatalogError",
    "Site",
    "SiteKind",
    "Sourced",
    "SourcedDate",
    "UnknownSiteError",
    "UnknownVariantError",
    "get_site",
    "load_sites",
]

CATALOG_RESOURCE = "sites.yaml"
SiteKind = Literal["aegis-ashore", "radar-site", "naval-area", "interceptor-site"]

# Which sensor kinds each site kind may host.
_SENSOR_KINDS: dict[str, tuple[str, ...]] = {
    "aegis-ashore": ("ground-radar",),
    "radar-site": ("ground-radar",),
    "interceptor-site": ("ground-radar",),
    "naval-area": ("ship-radar",),
}


class UnknownSiteError(UnknownEntryError):
    """No site of that name or alias; the message lists the names available."""


class Site(CatalogEntry):
    """A place that hosts sensors and/or interceptors, with its coordinates and dates."""

    kind: SiteKind
    country: str
    status: Literal["operational", "closed", "cancelled", "notional"]
    lat_deg: Sourced
    lon_deg: Sourced
    altitude_m: Sourced
    patrol_radius_km: Sourced | None = None
    sensors: list[str] = []
    interceptors: list[str] = []
    paa_phase: Literal["I", "II", "III", "IV"] | None = None
    planned_from: SourcedDate | None = None
    operational_from: SourcedDate | None = None
    operational_until: SourcedDate | None = None
    variants: dict[str, Site] = {}

    @field_validator("country")
    @classmethod
    def _check_country(cls, s: str) -> str:
        if not s.strip():
            raise fail("country must not be empty")
        return s

    @field_validator("lat_deg")
    @classmethod
    def _check_lat(cls, q: Sourced) -> Sourced:
        in_range("lat_deg", q, -90.0, 90.0)
        return q

    @field_validator("lon_deg")
    @classmethod
    def _check_lon(cls, q: Sourced) -> Sourced:
        in_range("lon_deg", q, -180.0, 180.0)
        return q

    @field_validator("altitude_m")
    @classmethod
    def _check_altitude(cls, q: Sourced) -> Sourced:
        # Dead Sea shore to the highest peaks: anything else is a unit error (km for m).
        in_range("altitude_m", q, -450.0, 9000.0)
        return q

    @field_validator("patrol_radius_km")
    @classmethod
    def _check_radius(cls, q: Sourced | None) -> Sourced | None:
        return positive("patrol_radius_km", q)

    @field_validator("sensors", "interceptors")
    @classmethod
    def _check_refs(cls, names: list[str], info: Any) -> list[str]:
        seen: set[str] = set()
        for n in names:
            if not n.strip():
                raise fail(f"{info.field_name} must not contain empty names")
            if n in seen:
                raise fail(f"{info.field_name} lists {n!r} twice")
            seen.add(n)
        return names

    @model_validator(mode="after")
    def _check_site(self) -> Site:
        if not self.sensors and not self.interceptors:
            raise fail("a site hosts at least one sensor or interceptor")
        if self.kind == "aegis-ashore" and not (self.sensors and self.interceptors):
            raise fail("an aegis-ashore site hosts both a radar and interceptors")
        if self.kind == "radar-site" and (not self.sensors or self.interceptors):
            raise fail("a radar-site hosts sensors and no interceptors")
        if self.kind == "interceptor-site" and not self.interceptors:
            raise fail("an interceptor-site hosts interceptors")
        if self.patrol_radius_km is not None and self.kind != "naval-area":
            raise fail("patrol_radius_km is for naval-area sites only")
        if self.status == "cancelled" and self.operational_from is not None:
            raise fail("a cancelled site has no operational_from date")
        if self.status == "closed" and self.operational_until is None:
            raise fail("a closed site needs operational_until")
        if self.operational_until is not None and self.status != "closed":
            raise fail(f"operational_until is for closed sites (status is {self.status!r})")
        start, end = self.operational_from, self.operational_until
        if start is not None and end is not None and not start.value < end.value:
            raise fail(
                f"operational_from ({start.value}) must be before operational_until ({end.value})"
            )
        return self

    @property
    def lat_lon_alt(self) -> tuple[float, float, float]:
        """(latitude deg, longitude deg, altitude m): the geodetic position."""
        return (self.lat_deg.value, self.lon_deg.value, self.altitude_m.value)


Site.model_rebuild()


def _check_references(
    sites: dict[str, Site],
    file_label: str,
    sensors: dict[str, Sensor],
    interceptors: dict[str, Interceptor],
) -> None:
    for key, site in sites.items():
        for entry in (site, *site.variants.values()):
            where = key if entry is site else f"{key}: variants.{entry.variant}"
            for i, sname in enumerate(entry.sensors):
                sensor = sensors.get(sname)
                if sensor is None:
                    raise CatalogError(
                        f"{file_label}: {where}: sensors.{i}: "
                        + _unknown_ref("sensor", sname, sensors)
                    )
                if sensor.party != entry.party:
                    raise CatalogError(
                        f"{file_label}: {where}: sensors.{i}: sensor {sname!r} belongs to "
                        f"{sensor.party}, the site to {entry.party}"
                    )
                allowed = _SENSOR_KINDS[entry.kind]
                if sensor.kind not in allowed:
                    raise CatalogError(
                        f"{file_label}: {where}: sensors.{i}: a {entry.kind} site hosts "
                        f"{' or '.join(allowed)} sensors; {sname!r} is a {sensor.kind}"
                    )
            for i, iname in enumerate(entry.interceptors):
                interceptor = interceptors.get(iname)
                if interceptor is None:
                    raise CatalogError(
                        f"{file_label}: {where}: interceptors.{i}: "
                        + _unknown_ref("interceptor", iname, interceptors)
                    )
                if interceptor.party != entry.party:
                    raise CatalogError(
                        f"{file_label}: {where}: interceptors.{i}: interceptor {iname!r} "
                        f"belongs to {interceptor.party}, the site to {entry.party}"
                    )


def _unknown_ref(what: str, name: str, catalog: dict[str, Any]) -> str:
    # Sites name entries by catalog key; an alias is refused with the key it stands for, so
    # that a site file reads the same as the catalog it points into.
    for key, entry in catalog.items():
        if entry.matches(name):
            return f"{name!r} is an alias; name the {what} by its catalog key {key!r}"
    return f"unknown {what} {name!r}; known {what}s: {', '.join(catalog)}"


def load_sites(
    path: Path | str | None = None,
    *,
    sensors: dict[str, Sensor] | None = None,
    interceptors: dict[str, Interceptor] | None = None,
) -> dict[str, Site]:
    """Load and validate a site catalog and its cross-references; the packaged one by default.

    Parameters
    ----------
    path : a YAML file with a top-level ``sites:`` mapping from catalog key to fields (see
        docs/model/defense-catalogs.md); None for the packaged ``catalog/sites.yaml``.
    sensors, interceptors : the catalogs the sites' ``sensors`` and ``interceptors`` lists
        refer to; None for the packaged ones.

    Returns
    -------
    dict from catalog key (e.g. ``"deveselu"``) to `Site`, in file order.

    Raises
    ------
    CatalogError : the file is missing, is not YAML, a site does not validate, or it names a
        sensor or interceptor that is unknown, of the other party, or of the wrong kind; the
        message names the file, the site and the field (e.g. ``sensors.0``).
    """
    sites = load_catalog(Site, "sites", CATALOG_RESOURCE, path)
    file_label = CATALOG_RESOURCE if path is None else str(path)
    _check_references(
        sites,
        file_label,
        load_sensors() if sensors is None else sensors,
        load_interceptors() if interceptors is None else interceptors,
    )
    return sites


def get_site(name: str, variant: str | None = None, catalog: dict[str, Site] | None = None) -> Site:
    """The site with this catalog name or alias (case-insensitive), optionally a variant.

    Raises `UnknownSiteError` (a `KeyError`) listing the names, or `UnknownVariantError`
    listing the site's variants.
    """
    cat = load_sites() if catalog is None else catalog
    return lookup(cat, name, variant, what="site", unknown=UnknownSiteError)
