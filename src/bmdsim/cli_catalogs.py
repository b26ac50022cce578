"""`bmdsim sensors`, `bmdsim interceptors`, `bmdsim sites`: list the defense catalogs.

With `--json` each prints a list of objects with at least `name`, `variant`, `variants` and
the key parameters in units named by their suffix; `--variant NAME` shows one alternative of
every entry that has it. Sources are in the YAML files and docs/model/defense-catalogs.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bmdsim.cli_common import console, fail, print_json

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a JSON list.")]


def _v(q: Any) -> Any:
    """The value of a Sourced (or SourcedDate) field, None when absent."""
    if q is None:
        return None
    v = q.value
    return v.isoformat() if hasattr(v, "isoformat") else v


def _pick(entries: dict[str, Any], variant: str | None) -> list[Any]:
    """Every entry, with `variant` swapped in where the entry has it (an error if none has)."""
    if variant is None:
        return list(entries.values())
    if not any(variant in e.variants or e.variant == variant for e in entries.values()):
        names = sorted({v for e in entries.values() for v in (e.variant, *e.variants)})
        fail(f"--variant: no entry has a variant {variant!r}; variants: {', '.join(names)}")
    return [e.variants.get(variant, e) for e in entries.values()]


def _cell(v: Any) -> str:
    if v is None or v == []:
        return "-"
    return ", ".join(map(str, v)) if isinstance(v, list) else str(v)


def _emit(rows: list[dict[str, Any]], as_json: bool, title: str, cols: list[tuple[str, str]],
          fmt: Callable[[Any], str] = _cell) -> None:  # fmt: skip
    if as_json:
        print_json(rows)
        return
    t = Table(title=title)
    for header, _ in cols:
        t.add_column(header, no_wrap=header == "name")
    for r in rows:
        t.add_row(*(fmt(r[key]) for _, key in cols))
    Console(width=max(console.width, 180)).print(t)


def sensors_cmd(
    as_json: JsonOpt = False,
    variant: Annotated[str | None, typer.Option(help="Show this named variant.")] = None,
) -> None:
    """List the sensor catalog (radars and space-based early warning)."""
    from bmdsim.models.sensors import load_sensors

    rows = [
        {
            "name": s.name, "variant": s.variant, "variants": list(s.variants),
            "display_name": s.display_name, "party": s.party, "kind": s.kind,
            "band": s.band, "fire_control": s.fire_control,
            "max_range_km": _v(s.max_range_km), "reference_rcs_m2": _v(s.reference_rcs_m2),
            "boresight_azimuth_deg": _v(s.boresight_azimuth_deg),
            "azimuth_half_width_deg": _v(s.azimuth_half_width_deg),
            "min_elevation_deg": _v(s.min_elevation_deg),
            "max_elevation_deg": _v(s.max_elevation_deg),
            "track_establish_time_s": _v(s.track_establish_time_s),
            "detection_delay_s": _v(s.detection_delay_s),
        }
        for s in _pick(load_sensors(), variant)
    ]  # fmt: skip
    _emit(rows, as_json, "bmdsim sensors", [
        ("name", "name"), ("variant", "variant"), ("party", "party"), ("kind", "kind"),
        ("band", "band"), ("fire control", "fire_control"), ("range km", "max_range_km"),
        ("vs RCS m2", "reference_rcs_m2"), ("boresight deg", "boresight_azimuth_deg"),
        ("half-width deg", "azimuth_half_width_deg"), ("track s", "track_establish_time_s"),
        ("other variants", "variants"),
    ])  # fmt: skip


def interceptors_cmd(
    as_json: JsonOpt = False,
    variant: Annotated[str | None, typer.Option(help="Show this named variant.")] = None,
) -> None:
    """List the interceptor catalog."""
    from bmdsim.models.interceptors import load_interceptors

    rows = [
        {
            "name": i.name, "variant": i.variant, "variants": list(i.variants),
            "display_name": i.display_name, "party": i.party, "status": i.status,
            "regime": i.regime, "burnout_speed_km_s": _v(i.burnout_speed_km_s),
            "booster_burn_time_s": _v(i.booster_burn_time_s),
            "min_intercept_altitude_km": _v(i.min_intercept_altitude_km),
            "max_intercept_altitude_km": _v(i.max_intercept_altitude_km),
            "max_flyout_time_s": _v(i.max_flyout_time_s), "max_range_km": _v(i.max_range_km),
            "kill_probability": _v(i.kill_probability),
        }
        for i in _pick(load_interceptors(), variant)
    ]  # fmt: skip
    _emit(rows, as_json, "bmdsim interceptors", [
        ("name", "name"), ("variant", "variant"), ("party", "party"), ("status", "status"),
        ("regime", "regime"), ("burnout km/s", "burnout_speed_km_s"),
        ("burn s", "booster_burn_time_s"), ("alt min km", "min_intercept_altitude_km"),
        ("alt max km", "max_intercept_altitude_km"), ("fly-out s", "max_flyout_time_s"),
        ("Pk", "kill_probability"), ("other variants", "variants"),
    ])  # fmt: skip


def sites_cmd(
    as_json: JsonOpt = False,
    variant: Annotated[str | None, typer.Option(help="Show this named variant.")] = None,
) -> None:
    """List the sites: radar and interceptor sites and the (assumed) ship stations."""
    from bmdsim.models.sites import load_sites

    rows = [
        {
            "name": s.name, "variant": s.variant, "variants": list(s.variants),
            "display_name": s.display_name, "party": s.party, "kind": s.kind,
            "country": s.country, "status": s.status,
            "lat_deg": _v(s.lat_deg), "lon_deg": _v(s.lon_deg), "altitude_m": _v(s.altitude_m),
            "sensors": list(s.sensors), "interceptors": list(s.interceptors),
            "paa_phase": s.paa_phase, "operational_from": _v(s.operational_from),
        }
        for s in _pick(load_sites(), variant)
    ]  # fmt: skip
    _emit(rows, as_json, "bmdsim sites", [
        ("name", "name"), ("party", "party"), ("kind", "kind"), ("country", "country"),
        ("status", "status"), ("lat", "lat_deg"), ("lon", "lon_deg"),
        ("sensors", "sensors"), ("interceptors", "interceptors"), ("PAA", "paa_phase"),
        ("operational", "operational_from"),
    ])  # fmt: skip
