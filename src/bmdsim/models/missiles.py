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

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator, model_validator

from bmdsim.models._catalog import (
    NAME_RE,
    CatalogError,
    Frozen,
    Sourced,
    UnknownEntryError,
    fail,
    fmt,
    load_catalog,
    positive,
)
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


class UnknownMissileError(UnknownEntryError):
    """No missile of that name or alias; the message lists the names available (a KeyError)."""


class Stage(Frozen):
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
    def _checkpositive(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return positive(info.field_name, q)

    @field_validator("propellant_mass_kg")
    @classmethod
    def _check_propellant(cls, q: Sourced, info: Any) -> Sourced:
        positive("propellant_mass_kg", q)
        wet = info.data.get("wet_mass_kg")
        if wet is not None and not q.value < wet.value:
            raise fail(
                "must be less than wet_mass_kg "
                f"({fmt(q.value)} >= {fmt(wet.value)}): a stage has a dry mass"
            )
        return q

    @field_validator("coast_after_s")
    @classmethod
    def _check_coast(cls, q: Sourced | None) -> Sourced | None:
        if q is not None and q.value < 0.0:
            raise fail(f"coast_after_s must be >= 0 (got {fmt(q.value)})")
        return q

    @model_validator(mode="after")
    def _one_impulse(self) -> Stage:
        if (self.isp_s is None) == (self.exhaust_velocity_m_s is None):
            raise fail("give exactly one of isp_s and exhaust_velocity_m_s")
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


class Missile(Frozen):
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
        if not NAME_RE.match(s):
            raise fail(f"name {s!r} must be lowercase words joined by hyphens, e.g. 'sejjil-2'")
        return s

    @field_validator("display_name", "country", "description")
    @classmethod
    def _check_text(cls, s: str, info: Any) -> str:
        if not s.strip():
            raise fail(f"{info.field_name} must not be empty")
        return s

    @field_validator("aliases")
    @classmethod
    def _check_aliases(cls, aliases: list[str], info: Any) -> list[str]:
        name = info.data.get("name")
        seen: set[str] = {name.casefold()} if name else set()
        for a in aliases:
            key = a.strip().casefold()
            if not key:
                raise fail("aliases must not be empty strings")
            if key in seen:
                raise fail(f"alias {a!r} repeats the name or another alias")
            seen.add(key)
        return aliases

    @field_validator("stages")
    @classmethod
    def _check_stages(cls, stages: list[Stage]) -> list[Stage]:
        if not 1 <= len(stages) <= 4:
            raise fail(f"a missile has 1 to 4 stages (got {len(stages)})")
        if stages[-1].coast_after_s is not None:
            raise fail("the last stage cannot have coast_after_s: no stage ignites after it")
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
    def _checkpositive(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return positive(info.field_name, q)

    @field_validator("vertical_rise_s")
    @classmethod
    def _check_rise(cls, q: Sourced) -> Sourced:
        if q.value < 0.0:
            raise fail(f"vertical_rise_s must be >= 0 (got {fmt(q.value)})")
        return q

    @model_validator(mode="after")
    def _check_liftoff(self) -> Missile:
        # A first stage that cannot lift the missile is a known error in public presets
        # (docs/model/missiles.md); reject it here rather than in a flyout.
        first = self.stages[0]
        weight_n = self.total_mass_kg * G0_M_S2
        if not first.thrust_n > weight_n:
            raise fail(
                f"first-stage thrust {first.thrust_n / 1e3:.1f} kN does not exceed the liftoff "
                f"weight {weight_n / 1e3:.1f} kN (thrust/weight "
                f"{first.thrust_n / weight_n:.2f}): check stages.0.burn_time_s and masses"
            )
        if self.boost_time_s <= self.vertical_rise_s.value:
            raise fail(
                f"vertical_rise_s ({fmt(self.vertical_rise_s.value)} s) must be shorter than "
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
    return load_catalog(Missile, "missiles", CATALOG_RESOURCE, path, noun="missile",
                        docs="docs/model/missiles.md")  # fmt: skip


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
