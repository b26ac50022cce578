"""Interceptor parameter sets: typed, sourced, loaded from ``catalog/interceptors.yaml``.

An interceptor is described at the fidelity of the open literature's reachable-set analyses
(Wilkening 2012; Butt & Postol 2011; Lewis & Postol 2008): a boost of ``booster_burn_time_s``
to ``burnout_speed_km_s``, an intercept altitude band (endo- or exo-atmospheric kill
vehicle), a maximum fly-out time (kill-vehicle endurance or battery life) and, where a figure
is cited, a maximum range. The single-shot kill probability is an assumption and says whose.
Stage data are optional and carried only where public.

Where the literature disagrees (SM-3 IIA range and ceiling, GBI burnout speed 6.3 vs 8-9
km/s, the cancelled SM-3 IIB's 5-5.5 km/s), the entry carries named variants, see
`bmdsim.models._catalog` and docs/model/defense-catalogs.md.

Public API: `Interceptor`, `InterceptorStage`, `load_interceptors`, `get_interceptor`,
`UnknownInterceptorError` (and `Sourced`, `CatalogError`, `UnknownVariantError`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator, model_validator

from bmdsim.models._catalog import (
    CatalogEntry,
    CatalogError,
    Frozen,
    Sourced,
    UnknownEntryError,
    UnknownVariantError,
    fail,
    fmt,
    load_catalog,
    lookup,
    positive,
)

__all__ = [
    "CatalogError",
    "Interceptor",
    "InterceptorStage",
    "Sourced",
    "UnknownInterceptorError",
    "UnknownVariantError",
    "get_interceptor",
    "load_interceptors",
]

CATALOG_RESOURCE = "interceptors.yaml"

# Rough edges of the atmosphere for a kill vehicle (bmdsim convention, docs): an exo-
# atmospheric kill vehicle needs thin air (intercepts above ~50 km), an endo-atmospheric
# interceptor steers aerodynamically (intercepts below ~100 km).
EXO_MIN_ALTITUDE_KM = 50.0
ENDO_MAX_ALTITUDE_KM = 100.0


class UnknownInterceptorError(UnknownEntryError):
    """No interceptor of that name or alias; the message lists the names available."""


class InterceptorStage(Frozen):
    """One booster stage, where public: its motor and burn time."""

    name: str
    burn_time_s: Sourced
    motor: str | None = None

    @field_validator("burn_time_s")
    @classmethod
    def _check_positive(cls, q: Sourced) -> Sourced:
        positive("burn_time_s", q)
        return q


class Interceptor(CatalogEntry):
    """A missile-defence interceptor as the reachable-set analyses of the literature see it."""

    operator: str
    status: Literal["operational", "development", "cancelled", "retired"]
    regime: Literal["exo", "endo", "endo-exo"]
    booster_burn_time_s: Sourced
    burnout_speed_km_s: Sourced
    min_intercept_altitude_km: Sourced
    max_intercept_altitude_km: Sourced
    max_flyout_time_s: Sourced
    max_range_km: Sourced | None = None
    max_target_speed_km_s: Sourced | None = None
    kill_probability: Sourced
    stages: list[InterceptorStage] = []
    variants: dict[str, Interceptor] = {}

    @field_validator("operator")
    @classmethod
    def _check_operator(cls, s: str) -> str:
        if not s.strip():
            raise fail("operator must not be empty")
        return s

    @field_validator(
        "booster_burn_time_s",
        "burnout_speed_km_s",
        "max_intercept_altitude_km",
        "max_flyout_time_s",
        "max_range_km",
        "max_target_speed_km_s",
    )
    @classmethod
    def _check_positive(cls, q: Sourced | None, info: Any) -> Sourced | None:
        return positive(info.field_name, q)

    @field_validator("burnout_speed_km_s")
    @classmethod
    def _check_speed(cls, q: Sourced) -> Sourced:
        # An interceptor faster than escape speed is a unit error (m/s written as km/s).
        if q.value > 11.2:
            raise fail(f"burnout_speed_km_s {fmt(q.value)} exceeds escape speed: km/s, not m/s?")
        return q

    @field_validator("min_intercept_altitude_km")
    @classmethod
    def _check_min_altitude(cls, q: Sourced) -> Sourced:
        if q.value < 0.0:
            raise fail(f"min_intercept_altitude_km must be >= 0 (got {fmt(q.value)})")
        return q

    @field_validator("kill_probability")
    @classmethod
    def _check_pk(cls, q: Sourced) -> Sourced:
        if not 0.0 < q.value <= 1.0:
            raise fail(f"kill_probability must be in (0, 1] (got {fmt(q.value)})")
        return q

    @model_validator(mode="after")
    def _check_consistency(self) -> Interceptor:
        lo, hi = self.min_intercept_altitude_km.value, self.max_intercept_altitude_km.value
        if not lo < hi:
            raise fail(
                "min_intercept_altitude_km must be less than max_intercept_altitude_km "
                f"({fmt(lo)} >= {fmt(hi)})"
            )
        if self.regime == "exo" and lo < EXO_MIN_ALTITUDE_KM:
            raise fail(
                f"an exo-atmospheric interceptor cannot intercept below {fmt(EXO_MIN_ALTITUDE_KM)} "
                f"km (min_intercept_altitude_km {fmt(lo)})"
            )
        if self.regime == "endo" and hi > ENDO_MAX_ALTITUDE_KM:
            raise fail(
                f"an endo-atmospheric interceptor cannot intercept above "
                f"{fmt(ENDO_MAX_ALTITUDE_KM)} km (max_intercept_altitude_km {fmt(hi)})"
            )
        burn, flyout = self.booster_burn_time_s.value, self.max_flyout_time_s.value
        if not burn < flyout:
            raise fail(
                f"booster_burn_time_s ({fmt(burn)} s) must be shorter than max_flyout_time_s "
                f"({fmt(flyout)} s)"
            )
        if self.stages:
            total = sum(s.burn_time_s.value for s in self.stages)
            if abs(total - burn) > 1.0:
                raise fail(
                    f"the stage burn times add up to {fmt(total)} s, booster_burn_time_s is "
                    f"{fmt(burn)} s"
                )
        return self

    @property
    def burnout_speed_m_s(self) -> float:
        """Burnout speed in SI units, m/s."""
        return self.burnout_speed_km_s.value * 1000.0


Interceptor.model_rebuild()


def load_interceptors(path: Path | str | None = None) -> dict[str, Interceptor]:
    """Load and validate an interceptor catalog; the packaged one by default.

    Parameters
    ----------
    path : a YAML file with a top-level ``interceptors:`` mapping from catalog key to fields
        (see docs/model/defense-catalogs.md); None for the packaged
        ``catalog/interceptors.yaml``.

    Returns
    -------
    dict from catalog key (e.g. ``"sm-3-iia"``) to the entry's `Interceptor` (its named
    alternatives in ``.variants``), in file order.

    Raises
    ------
    CatalogError : the file is missing, is not YAML, or an entry or variant does not validate;
        the message names the file, the entry and the field.
    """
    return load_catalog(Interceptor, "interceptors", CATALOG_RESOURCE, path)


def get_interceptor(
    name: str, variant: str | None = None, catalog: dict[str, Interceptor] | None = None
) -> Interceptor:
    """The interceptor with this catalog name or alias (case-insensitive), optionally a variant.

    ``get_interceptor("gbi-2stage", variant="lewis-postol-8.5")`` returns the complete model
    with that variant's values. Raises `UnknownInterceptorError` (a `KeyError`) listing the
    names, or `UnknownVariantError` listing the entry's variants.
    """
    cat = load_interceptors() if catalog is None else catalog
    return lookup(cat, name, variant, what="interceptor", unknown=UnknownInterceptorError)
