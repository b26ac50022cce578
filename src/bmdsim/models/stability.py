"""The strategic-stability study's data: Russian ICBM bases, US targets, PAA phase deployments
and the presets of published analyses (``catalog/stability.yaml``, every value sourced).

Public API: `StabilityData`, `Base`, `Target`, `Preset`, `Cue`, `load_stability`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bmdsim.models._catalog import CatalogError, Frozen, Sourced, packaged_text

__all__ = ["Base", "Cue", "Preset", "StabilityData", "Target", "load_stability"]

RESOURCE = "stability.yaml"


class Base(Frozen):
    display_name: str
    lat_deg: Sourced
    lon_deg: Sourced
    missile: str
    missile_note: str = ""
    launchers: Sourced
    warheads_per_missile: Sourced

    @property
    def warheads(self) -> int:
        return int(round(self.launchers.value * self.warheads_per_missile.value))


class Target(Frozen):
    display_name: str
    lat_deg: Sourced
    lon_deg: Sourced


class Deployment(Frozen):
    site: str
    interceptor: str
    variant: str | None = None


class Phase(Frozen):
    year: int
    deployments: list[Deployment] = Field(min_length=1)


class Cue(Frozen):
    """What starts the interceptor's clock: the site's own radar track (`own-radar`), a named
    radar's fire-control track (`radar`: sensor at site), or a space-based launch warning
    (`space-ew`: the sensor's detection delay), plus a latency."""

    name: str
    kind: Literal["own-radar", "radar", "space-ew"]
    sensor: str | None = None
    site: str | None = None
    latency_s: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _fields(self) -> Cue:
        if self.kind == "radar" and (self.sensor is None or self.site is None):
            raise ValueError("a 'radar' cue needs 'sensor' and 'site'")
        if self.kind == "space-ew" and self.sensor is None:
            raise ValueError("a 'space-ew' cue needs 'sensor'")
        return self


class Preset(Frozen):
    display_name: str
    summary: str
    source: str
    earth: Literal["wgs84", "sphere"]
    icbm_shape: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"
    burnout_speed_km_s: dict[str, float] = {}
    cues: list[Cue] = Field(min_length=1)
    launch_delay_s: Sourced

    @field_validator("burnout_speed_km_s")
    @classmethod
    def _speeds(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not 0.5 <= x <= 12.0:
                raise ValueError(f"burnout_speed_km_s.{k}: {x} is outside [0.5, 12] km/s")
        return v

    @property
    def rotation(self) -> bool:
        return self.earth == "wgs84"


class StabilityData(Frozen):
    bases: dict[str, Base] = Field(min_length=1)
    targets: dict[str, Target] = Field(min_length=1)
    phases: dict[int, Phase]
    presets: dict[str, Preset] = Field(min_length=1)


def load_stability(path: Path | str | None = None) -> StabilityData:
    """Load and validate the stability data (the packaged file when `path` is None);
    `CatalogError` naming the file and the field otherwise."""
    label = str(path) if path is not None else RESOURCE
    try:
        text = Path(path).read_text() if path is not None else packaged_text(RESOURCE)
        doc = YAML(typ="safe", pure=True).load(text)
    except (OSError, YAMLError) as exc:
        raise CatalogError(f"{label}: cannot read: {exc}") from exc
    try:
        data = StabilityData.model_validate(doc)
    except ValidationError as exc:
        lines = [f"{label}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                 for e in exc.errors(include_url=False)]  # fmt: skip
        raise CatalogError("\n".join(lines)) from exc
    from bmdsim.models.interceptors import load_interceptors
    from bmdsim.models.missiles import load_missiles
    from bmdsim.models.sensors import load_sensors
    from bmdsim.models.sites import load_sites

    missiles, sites, its = load_missiles(), load_sites(), load_interceptors()
    sensors = load_sensors()
    for k, p in data.presets.items():
        for i, cue in enumerate(p.cues):
            if cue.sensor is not None and cue.sensor not in sensors:
                raise CatalogError(f"{label}: presets.{k}.cues.{i}.sensor: unknown sensor "
                                   f"{cue.sensor!r}; allowed: {', '.join(sensors)}")  # fmt: skip
            if cue.site is not None and cue.site not in sites:
                raise CatalogError(f"{label}: presets.{k}.cues.{i}.site: unknown site "
                                   f"{cue.site!r}; allowed: {', '.join(sites)}")  # fmt: skip
        for name in p.burnout_speed_km_s:
            if name not in its:
                raise CatalogError(f"{label}: presets.{k}.burnout_speed_km_s.{name}: unknown "
                                   f"interceptor; allowed: {', '.join(its)}")  # fmt: skip
    for k, b in data.bases.items():
        if b.missile not in missiles:
            raise CatalogError(f"{label}: bases.{k}.missile: unknown missile {b.missile!r}")
    for n, ph in data.phases.items():
        for i, d in enumerate(ph.deployments):
            if d.site not in sites:
                raise CatalogError(f"{label}: phases.{n}.deployments.{i}.site: unknown {d.site!r}")
            if d.interceptor not in its:
                raise CatalogError(
                    f"{label}: phases.{n}.deployments.{i}.interceptor: unknown {d.interceptor!r}"
                )
    return data
