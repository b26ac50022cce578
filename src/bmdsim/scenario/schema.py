"""Scenario files: the typed, validated settings of one run (pydantic v2).

A scenario names the parties and their territory, the defended assets, the sensors and
interceptor sites (catalog entries placed at catalog sites or at given points, with
inventories), the threats (raids), the cooperation architecture with its parameters, the
engagement doctrine and the study (trials, seed). Units are in the field names (``_s``,
``_deg``, ``_km``, ``_m``); the engine converts to SI in one place (`bmdsim.battle.world`).

Validation here is about the file's own consistency (types, ranges, references between its
sections); references to the catalogs and to the map data (missile, sensor, interceptor and
site names, country names, city names) are checked by `bmdsim.scenario.load` with the same
line-numbered errors. docs/scenario.md documents every field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Name = Annotated[str, Field(min_length=1, max_length=120)]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180.0, le=360.0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, strict=True)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]

ARCHITECTURES = ("independent", "coordinated", "sectoral", "integrated")
ArchitectureName = Literal["independent", "coordinated", "sectoral", "integrated"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(Strict):
    """A party: its territory (countries it defends as its own), the allies it also defends,
    and its command-and-control timing."""

    territory: list[Name] = Field(min_length=1)
    allies: list[Name] = []
    decision_delay_s: NonNegative = 30.0
    internal_latency_s: NonNegative = 2.0
    launch_on_remote: bool = True
    #: worst track error (1 sigma, m) of a partner's track this party will launch on
    remote_fire_accuracy_m: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1000.0
    source: str = "bmdsim assumption (docs/scenario.md)"


class City(Strict):
    name: Name
    lat_deg: Latitude
    lon_deg: Longitude
    population: Count


class Assets(Strict):
    """Defended assets: every city of the parties' territory (not their allies': a party's
    metrics count its own people) with at least `min_population` people from the shipped
    GeoNames extract, plus any listed here that lie on a party's territory."""

    min_population: Annotated[int, Field(ge=100_000, strict=True)] = 100_000
    cities: list[City] = []


class Point(Strict):
    """A named point: a launch site, a target or an ad-hoc sensor position."""

    name: Name
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: float = 0.0
    source: str = ""


class SensorPlacement(Strict):
    """A catalog sensor at a catalog site (``site``) or at a given point (``at`` + ``party``)."""

    sensor: Name
    site: Name | None = None
    at: Point | None = None
    party: Name | None = None
    variant: Name | None = None

    @model_validator(mode="after")
    def _where(self) -> SensorPlacement:
        if (self.site is None) == (self.at is None):
            raise ValueError("give exactly one of 'site' (a catalog site) or 'at' (a point)")
        if self.at is not None and self.party is None:
            raise ValueError("a sensor placed 'at' a point needs its 'party'")
        return self


class InterceptorSite(Strict):
    """Interceptors of one type at a catalog site (``site``) or at a given point
    (``at`` + ``party``). Its own radars are the sensor placements at the same place (same
    catalog site, or an ``at`` point of the same name) and party."""

    interceptor: Name
    site: Name | None = None
    at: Point | None = None
    party: Name | None = None
    variant: Name | None = None
    inventory: Count
    launch_delay_s: NonNegative = 10.0
    name: Name | None = None

    @model_validator(mode="after")
    def _where(self) -> InterceptorSite:
        if (self.site is None) == (self.at is None):
            raise ValueError("give exactly one of 'site' (a catalog site) or 'at' (a point)")
        if self.at is not None and self.party is None:
            raise ValueError("an interceptor site placed 'at' a point needs its 'party'")
        return self


class Threat(Strict):
    """A raid: `missiles_per_target` missiles of one type from one launch point at each
    target, launched `interval_s` apart from `launch_time_s` on."""

    name: Name
    missile: Name
    launch: Point
    targets: list[Name | Point] = Field(min_length=1)
    missiles_per_target: Annotated[int, Field(ge=1, le=50, strict=True)] = 1
    shape: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"
    apogee_km: Annotated[float, Field(gt=0)] | None = None
    launch_time_s: NonNegative = 0.0
    interval_s: NonNegative = 0.0


class Coverage(Strict):
    """A coverage probe: one missile of this type from this launch point at every asset
    city in reach (each alone: the defended-population metric)."""

    missile: Name
    launch: Point
    shape: Literal["minimum-energy", "lofted", "depressed"] = "minimum-energy"


class ExchangeFlow(Strict):
    """What one party sends the other under the coordinated architecture."""

    sender: Name = Field(alias="from")
    receiver: Name = Field(alias="to")
    data: Literal["none", "warning", "tracks"] = "warning"
    sensors: list[Name] | None = None  # NAME@SITE placements; None: all of the sender's
    latency_s: NonNegative = 10.0
    loss_probability: Probability = 0.0
    fire_control: bool = False  # may the receiver launch on these tracks
    #: track error (1 sigma, m) as received; worse than the receiver's remote_fire_accuracy_m
    #: the tracks cue (threat evaluation) but cannot fire. None: good enough to fire.
    accuracy_m: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    source: str = "bmdsim assumption (docs/architectures.md)"

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Coordinated(Strict):
    exchange: list[ExchangeFlow] = []


class Sector(Strict):
    """A sector: a party's responsibility, as countries and/or a polygon of (lat, lon)."""

    party: Name
    countries: list[Name] = []
    polygon_deg: list[tuple[Latitude, Longitude]] = []

    @model_validator(mode="after")
    def _some(self) -> Sector:
        if not self.countries and not self.polygon_deg:
            raise ValueError("a sector needs 'countries' or 'polygon_deg'")
        if self.polygon_deg and len(self.polygon_deg) < 3:
            raise ValueError("polygon_deg needs at least 3 vertices")
        return self


class Sectoral(Strict):
    sectors: list[Sector] = []  # empty: each party's territory is its sector
    assign_by: Literal["crossing", "launch"] = "crossing"
    joint_decision_delay_s: NonNegative = 60.0
    fusion_latency_s: NonNegative = 10.0
    performance: dict[Name, Probability] = {}  # party -> probability it performs (default 1)
    source: str = "bmdsim assumption (docs/architectures.md)"


class Integrated(Strict):
    decision_delay_s: NonNegative = 30.0
    latency_s: NonNegative = 2.0


class Architectures(Strict):
    coordinated: Coordinated = Coordinated()
    sectoral: Sectoral = Sectoral()
    integrated: Integrated = Integrated()


class Doctrine(Strict):
    type: Literal["shoot-look-shoot", "salvo"] = "shoot-look-shoot"
    max_shots: Annotated[int, Field(ge=1, le=8, strict=True)] = 2
    salvo_size: Annotated[int, Field(ge=1, le=4, strict=True)] = 2
    kill_assessment_s: NonNegative = 30.0
    decision_cycle_s: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 5.0


class Study(Strict):
    trials: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] = 200
    seed: Annotated[int, Field(ge=0, strict=True)] = 1


class Scenario(Strict):
    """A bmdsim scenario (see docs/scenario.md)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")]
    title: str = ""
    description: str = ""
    parties: dict[Name, Party] = Field(min_length=1)
    assets: Assets = Assets()
    sensors: list[SensorPlacement] = []
    interceptor_sites: list[InterceptorSite] = []
    threats: list[Threat] = Field(min_length=1)
    coverage: list[Coverage] | None = None
    architecture: ArchitectureName = "coordinated"
    architectures: Architectures = Architectures()
    doctrine: Doctrine = Doctrine()
    rv_rcs_m2: Annotated[float, Field(gt=0)] = 0.01
    study: Study = Study()
