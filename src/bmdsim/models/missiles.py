"""Ballistic missile parameter sets: typed, sourced, loaded from ``catalog/missiles.yaml``.

Every number in the catalog is a `Sourced` value: the number and where it comes from (a
public source, or a named bmdsim estimate explained in ``docs/model/missiles.md``). The
models are inert settings (`load -> validate -> build -> run`): they hold parameters and
derived quantities, they never fly anything; the flyout (`bmdsim.physics.flyout`) reads them.

Staging model (the point-mass model of the open literature, e.g. Forden 2007, Wright &
Kadyshev 1994): each stage burns its propellant at a constant mass flow
``mdot = propellant / burn_time`` with a constant exhaust velocity ``ve``, so a constant thrust
``mdot * ve``; at burnout its dry mass is dropped, then an optional coast precedes the next
stage's ignition. Each stage pushes all the stages above it and the payload.

Public API: `Sourced`, `Stage`, `Missile`, `load_missiles`, `get_missile`, `CatalogError`,
`UnknownMissileError`.
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bmdsim.physics.constants import G0_M_S2

__all__ = [
    "CatalogError",
    "Missile",
    "Sourced",
    "Stage",
    "UnknownMissileError",
    "get_missile",
    "load_missiles",
]

CATALOG_RESOURCE = "missiles.yaml"
_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CatalogError(ValueError):
    """A catalog file that cannot be read or does not validate.

    The message names the file, the missile and the field, e.g.
    ``missiles.yaml: sejjil-2: stages.0.propellant_mass_kg: must be less than wet_mass_kg``.
    """


class UnknownMissileError(KeyError):
    """No missile of that name or alias; the message lists the names available."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def _fail(message: str) -> PydanticCustomError:
    # A custom error keeps the message as written (no "Value error, " prefix).
    return PydanticCustomError("bmdsim_catalog", message)


def _fmt(x: float) -> str:
    return f"{x:g}"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Frozen):
    """A catalog number with the public source (or the named bmdsim estimate) it comes from."""

    value: float
    source: str

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise _fail(f"must be a finite number (got {v})")
        return v

    @field_validator("source")
    @classmethod
    def _non_empty(cls, s: str) -> str:
        if not s.strip():
            raise _fail("source must be a non-empty citation")
        return s


def _positive(field: str, q: Sourced | None) -> Sourced | None:
    if q is not None and not q.value > 0.0:
        raise _fail(f"{field} must be positive (got {_fmt(q.value)})")
    return q


class Stage(_Frozen):
    """One rocket stage: constant mass flow and exhaust velocity, dry mass dropped at burnout.

    Exactly one of `isp_s` (vacuum or flight-average specific impulse, s) and
    `exhaust_velocity_m_s` is given; ``ve = isp * g0`` with g0 = 9.80665 m/s^2.
    """

    name: str | None = None
    wet_mass_kg: Sourced
    propellant_mass_kg: Sourced
    isp_s: Sourced | None = None
    exhaust_velocity_m_s: Sourced | None = None
    burn_time_s: Sourced
    coast_after_s: Sourced | None = None

    @field_validator("wet_mass_kg", "isp_s", "exhaust_velocity_m_s", "burn_time_s")
    @classmethod
    def _check_positive(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return _positive(info.field_name, q)

    @field_validator("propellant_mass_kg")
    @classmethod
    def _check_propellant(cls, q: Sourced, info: Any) -> Sourced:
        _positive("propellant_mass_kg", q)
        wet = info.data.get("wet_mass_kg")
        if wet is not None and not q.value < wet.value:
            raise _fail(
                "must be less than wet_mass_kg "
                f"({_fmt(q.value)} >= {_fmt(wet.value)}): a stage has a dry mass"
            )
        return q

    @field_validator("coast_after_s")
    @classmethod
    def _check_coast(cls, q: Sourced | None) -> Sourced | None:
        if q is not None and q.value < 0.0:
            raise _fail(f"coast_after_s must be >= 0 (got {_fmt(q.value)})")
        return q

    @model_validator(mode="after")
    def _one_impulse(self) -> Stage:
        if (self.isp_s is None) == (self.exhaust_velocity_m_s is None):
            raise _fail("give exactly one of isp_s and exhaust_velocity_m_s")
        return self

    @property
    def exhaust_velocity(self) -> float:
        """Effective exhaust velocity, m/s."""
        if self.exhaust_velocity_m_s is not None:
            return self.exhaust_velocity_m_s.value
        assert self.isp_s is not None  # guaranteed by the validator
        return self.isp_s.value * G0_M_S2

    @property
    def dry_mass_kg(self) -> float:
        """Mass dropped at this stage's burnout (wet minus propellant), kg."""
        return self.wet_mass_kg.value - self.propellant_mass_kg.value

    @property
    def mass_flow_kg_s(self) -> float:
        """Constant propellant mass flow, kg/s."""
        return self.propellant_mass_kg.value / self.burn_time_s.value

    @property
    def thrust_n(self) -> float:
        """Constant thrust ``mdot * ve``, N."""
        return self.mass_flow_kg_s * self.exhaust_velocity


class Missile(_Frozen):
    """A ballistic missile: stages, payload, boost aerodynamics, re-entry body, published range.

    `rv_ballistic_coefficient_kg_m2` is ``beta = m / (Cd A)`` of what re-enters: the
    re-entry vehicle, or the whole burnt-out body for missiles whose warhead does not separate
    (Scud-B). `body_diameter_m` and `body_drag_coefficient` give the boost-phase drag
    (reference area ``pi d^2 / 4``, Mach-independent Cd: a documented simplification).
    """

    name: str
    display_name: str
    aliases: list[str] = []
    category: Literal["SRBM", "MRBM", "IRBM", "ICBM"]
    country: str
    propellant: Literal["liquid", "solid"]
    description: str
    stages: list[Stage]
    payload_mass_kg: Sourced
    rv_ballistic_coefficient_kg_m2: Sourced
    body_diameter_m: Sourced
    body_drag_coefficient: Sourced
    vertical_rise_s: Sourced
    cited_range_km: Sourced
    cited_burnout_time_s: Sourced | None = None
    notes: str | None = None

    @field_validator("name")
    @classmethod
    def _check_name(cls, s: str) -> str:
        if not _NAME_RE.match(s):
            raise _fail(f"name {s!r} must be lowercase words joined by hyphens, e.g. 'sejjil-2'")
        return s

    @field_validator("display_name", "country", "description")
    @classmethod
    def _check_text(cls, s: str, info: Any) -> str:
        if not s.strip():
            raise _fail(f"{info.field_name} must not be empty")
        return s

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, aliases: list[str], info: Any) -> list[str]:
        name = info.data.get("name")
        seen: set[str] = {name.casefold()} if name else set()
        for a in aliases:
            key = a.strip().casefold()
            if not key:
                raise _fail("aliases must not be empty strings")
            if key in seen:
                raise _fail(f"alias {a!r} repeats the name or another alias")
            seen.add(key)
        return aliases

    @field_validator("stages")
    @classmethod
    def _check_stages(cls, stages: list[Stage]) -> list[Stage]:
        if not 1 <= len(stages) <= 4:
            raise _fail(f"a missile has 1 to 4 stages (got {len(stages)})")
        if stages[-1].coast_after_s is not None:
            raise _fail("the last stage cannot have coast_after_s: no stage ignites after it")
        return stages

    @field_validator(
        "payload_mass_kg",
        "rv_ballistic_coefficient_kg_m2",
        "body_diameter_m",
        "body_drag_coefficient",
        "cited_range_km",
        "cited_burnout_time_s",
    )
    @classmethod
    def _check_positive(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return _positive(info.field_name, q)

    @field_validator("vertical_rise_s")
    @classmethod
    def _check_rise(cls, q: Sourced) -> Sourced:
        if q.value < 0.0:
            raise _fail(f"vertical_rise_s must be >= 0 (got {_fmt(q.value)})")
        return q

    @model_validator(mode="after")
    def _check_liftoff(self) -> Missile:
        # A first stage that cannot lift the missile is a known error in public presets
        # (docs/model/missiles.md); reject it here rather than in a flyout.
        first = self.stages[0]
        weight_n = self.total_mass_kg * G0_M_S2
        if not first.thrust_n > weight_n:
            raise _fail(
                f"first-stage thrust {first.thrust_n / 1e3:.1f} kN does not exceed the liftoff "
                f"weight {weight_n / 1e3:.1f} kN (thrust/weight "
                f"{first.thrust_n / weight_n:.2f}): check stages.0.burn_time_s and masses"
            )
        if self.boost_time_s <= self.vertical_rise_s.value:
            raise _fail(
                f"vertical_rise_s ({_fmt(self.vertical_rise_s.value)} s) must be shorter than "
                f"the boost ({self.boost_time_s:g} s)"
            )
        return self

    @property
    def total_mass_kg(self) -> float:
        """Liftoff mass: all stages wet plus the payload, kg."""
        return sum(s.wet_mass_kg.value for s in self.stages) + self.payload_mass_kg.value

    @property
    def stage_ignition_masses_kg(self) -> tuple[float, ...]:
        """Vehicle mass at each stage's ignition (that stage, all above it, payload), kg."""
        above = self.payload_mass_kg.value
        out: list[float] = []
        for stage in reversed(self.stages):
            above += stage.wet_mass_kg.value
            out.append(above)
        return tuple(reversed(out))

    @property
    def ideal_delta_v_m_s(self) -> float:
        """Tsiolkovsky delta-v summed over the stages (no gravity, no drag), m/s."""
        return sum(
            s.exhaust_velocity * math.log(m0 / (m0 - s.propellant_mass_kg.value))
            for s, m0 in zip(self.stages, self.stage_ignition_masses_kg, strict=True)
        )

    @property
    def boost_time_s(self) -> float:
        """Launch to last burnout at full burn: all burn times and inter-stage coasts, s."""
        return sum(
            s.burn_time_s.value + (s.coast_after_s.value if s.coast_after_s else 0.0)
            for s in self.stages
        )

    def matches(self, name: str) -> bool:
        """True if `name` is this missile's name or one of its aliases (case-insensitive)."""
        key = name.strip().casefold()
        return key == self.name.casefold() or any(key == a.strip().casefold() for a in self.aliases)


# ------------------------------------------------------------------ loading


def _error_text(err: ValidationError, file_label: str, missile: str) -> str:
    lines = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"]) or "(missile)"
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/model/missiles.md)"
        lines.append(f"{file_label}: {missile}: {loc}: {msg}")
    return "\n".join(lines)


def _parse(text: str, file_label: str) -> dict[str, Missile]:
    try:
        doc = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise CatalogError(f"{file_label}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("missiles"), dict):
        raise CatalogError(f"{file_label}: expected a top-level mapping 'missiles: {{name: ...}}'")
    unknown_top = set(doc) - {"missiles"}
    if unknown_top:
        raise CatalogError(f"{file_label}: unknown top-level keys {sorted(unknown_top)}")

    catalog: dict[str, Missile] = {}
    owner: dict[str, str] = {}  # casefolded name or alias -> missile name
    for key, body in doc["missiles"].items():
        key = str(key)
        if not isinstance(body, dict):
            raise CatalogError(f"{file_label}: {key}: expected a mapping of fields")
        if "name" in body and body["name"] != key:
            raise CatalogError(
                f"{file_label}: {key}: name: {body['name']!r} differs from its key {key!r}"
            )
        try:
            missile = Missile.model_validate({**body, "name": key})
        except ValidationError as exc:
            raise CatalogError(_error_text(exc, file_label, key)) from exc
        for label in (missile.name, *missile.aliases):
            folded = label.strip().casefold()
            if folded in owner and owner[folded] != key:
                raise CatalogError(
                    f"{file_label}: {key}: aliases: {label!r} already names {owner[folded]!r}"
                )
            owner[folded] = key
        catalog[key] = missile
    if not catalog:
        raise CatalogError(f"{file_label}: the catalog has no missiles")
    return catalog


@functools.lru_cache(maxsize=1)
def _packaged() -> tuple[tuple[str, Missile], ...]:
    # Resolved from the regular package `bmdsim`: works whether or not catalog/ is a package.
    resource = resources.files("bmdsim").joinpath("catalog").joinpath(CATALOG_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    return tuple(_parse(text, CATALOG_RESOURCE).items())


def load_missiles(path: Path | str | None = None) -> dict[str, Missile]:
    """Load and validate a missile catalog; the packaged one by default.

    Parameters
    ----------
    path : a YAML file with a top-level ``missiles:`` mapping from catalog key to fields
        (see ``docs/model/missiles.md``); None for the packaged ``bmdsim/catalog/missiles.yaml``.

    Returns
    -------
    dict from catalog key (e.g. ``"sejjil-2"``) to `Missile`, in file order.

    Raises
    ------
    CatalogError : the file is missing, is not YAML, or a missile does not validate; the
        message names the file, the missile and the field.
    """
    if path is None:
        return dict(_packaged())
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{p}: cannot read the catalog: {exc.strerror or exc}") from exc
    return _parse(text, str(p))


def get_missile(name: str, catalog: dict[str, Missile] | None = None) -> Missile:
    """The missile with this catalog name or alias (case-insensitive).

    Raises `UnknownMissileError` (a `KeyError`) listing the available names.
    """
    cat = load_missiles() if catalog is None else catalog
    key = name.strip().casefold()
    if key in cat:
        return cat[key]
    for missile in cat.values():
        if missile.matches(name):
            return missile
    listing = ", ".join(
        f"{m.name} ({', '.join(m.aliases)})" if m.aliases else m.name for m in cat.values()
    )
    raise UnknownMissileError(f"unknown missile {name!r}; available: {listing}")
