"""Shared machinery of the defence catalogs: entries, named variants, loading, look-up.

The sensor, interceptor and site catalogs (``catalog/sensors.yaml``, ``interceptors.yaml``,
``sites.yaml``) share one shape, the shape of ``catalog/missiles.yaml``: a top-level mapping
from a catalog key to the fields of one entry, every number a `Sourced` ``{value, source}``.
This module holds what the three loaders have in common, so that each of
``sensors.py``, ``interceptors.py`` and ``sites.py`` only declares its model.

`Sourced`, `CatalogError` and the YAML loader live here and serve all four catalogs (the
missile catalog too: `bmdsim.models.missiles` re-exports `Sourced` and `CatalogError`), so
that every catalog raises and carries the same types and reports errors the same way.

Named variants
--------------
Where the open literature disagrees (the GBI's burnout speed, a radar's range), an entry
carries the alternatives as named variants::

    gbi-2stage:
      variant: mda-6.3                    # the name of the values written in the entry
      burnout_speed_km_s: {value: 6.3, source: "..."}
      ...
      variants:
        lewis-postol-8.5:                 # only what differs, each number with its source
          note: "Lewis & Postol 2008: ..."
          burnout_speed_km_s: {value: 8.5, source: "..."}

On load every variant is merged over the entry and validated as a complete model, so a
variant cannot break an invariant (e.g. min < max intercept altitude) unnoticed. The entry
model holds its resolved variants in ``variants`` (name -> complete model); a resolved variant
has the entry's ``name`` and its own ``variant``; ``get_*(name, variant=...)`` picks one.
docs/model/defense-catalogs.md ("Named variants") says why variants are inline rather than
separate entries.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

__all__ = [
    "CatalogEntry",
    "CatalogError",
    "Party",
    "Sourced",
    "SourcedDate",
    "UnknownEntryError",
    "UnknownVariantError",
    "fail",
    "fmt",
    "load_catalog",
    "lookup",
    "packaged_text",
]

Party = Literal["NATO", "Russia"]

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Variant names may carry a number with a decimal point: "analyst-4.5", "mda-6.3".
VARIANT_RE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
DOCS = "docs/model/defense-catalogs.md"

# Fields a variant may not override: they identify the entry, or (party, kind) would make
# the variant a different kind of thing rather than a different estimate of the same one.
IDENTITY_FIELDS = frozenset(
    {"name", "display_name", "aliases", "party", "kind", "variant", "variant_note", "variants"}
)


class CatalogError(ValueError):
    """A catalog file that cannot be read or does not validate.

    The message names the file, the entry and the field, e.g.
    ``missiles.yaml: sejjil-2: stages.0.propellant_mass_kg: must be less than wet_mass_kg``.
    """


class UnknownEntryError(KeyError):
    """No catalog entry of that name or alias; the message lists the names available."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownVariantError(UnknownEntryError):
    """The entry exists but has no variant of that name; the message lists its variants."""


def fail(message: str) -> PydanticCustomError:
    """A validation error whose message is kept as written (no "Value error, " prefix)."""
    return PydanticCustomError("bmdsim_catalog", message)


def fmt(x: float) -> str:
    return f"{x:g}"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Frozen):
    """A catalog number with the public source (or the named bmdsim estimate) it comes from."""

    value: float
    source: str

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise fail(f"must be a finite number (got {v})")
        return v

    @field_validator("source")
    @classmethod
    def _non_empty(cls, s: str) -> str:
        if not s.strip():
            raise fail("source must be a non-empty citation")
        return s


class SourcedDate(Frozen):
    """A date with the public source it comes from (``value`` is an ISO date in the YAML)."""

    value: date
    source: str

    @field_validator("source")
    @classmethod
    def _non_empty(cls, s: str) -> str:
        if not s.strip():
            raise fail("source must be a non-empty citation")
        return s


def positive(field: str, q: Sourced | None) -> Sourced | None:
    """Reject a non-positive number; None (an absent optional value) passes."""
    if q is not None and not q.value > 0.0:
        raise fail(f"{field} must be positive (got {fmt(q.value)})")
    return q


def in_range(field: str, q: Sourced | None, lo: float, hi: float) -> Sourced | None:
    """Reject a number outside the closed interval [lo, hi]."""
    if q is not None and not lo <= q.value <= hi:
        raise fail(f"{field} must be in [{fmt(lo)}, {fmt(hi)}] (got {fmt(q.value)})")
    return q


class CatalogEntry(Frozen):
    """Fields every defence-catalog entry has: identity, party, text, and its variant name.

    Subclasses add their numbers and a ``variants: dict[str, <Subclass>]`` field holding the
    resolved alternatives (empty on a resolved variant itself).
    """

    name: str
    display_name: str
    aliases: list[str] = []
    party: Party
    description: str
    notes: str | None = None
    variant: str = "baseline"
    variant_note: str | None = None

    @field_validator("name")
    @classmethod
    def _check_name(cls, s: str) -> str:
        if not NAME_RE.match(s):
            raise fail(f"name {s!r} must be lowercase words joined by hyphens, e.g. 'sm-3-iia'")
        return s

    @field_validator("variant")
    @classmethod
    def _check_variant(cls, s: str) -> str:
        if not VARIANT_RE.match(s):
            raise fail(
                f"variant {s!r} must be lowercase words or numbers joined by '-' or '.', "
                "e.g. 'analyst-4.5'"
            )
        return s

    @field_validator("display_name", "description")
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

    def matches(self, name: str) -> bool:
        """True if `name` is this entry's name or one of its aliases (case-insensitive)."""
        key = name.strip().casefold()
        return key == self.name.casefold() or any(key == a.strip().casefold() for a in self.aliases)

    @property
    def label(self) -> str:
        """``name/variant``: what a report prints to say which numbers were used."""
        return f"{self.name}/{self.variant}"

    @property
    def variant_names(self) -> tuple[str, ...]:
        """This entry's variant followed by its alternatives, in file order."""
        alternatives: Mapping[str, Any] = getattr(self, "variants", {})
        return (self.variant, *alternatives)


E = TypeVar("E", bound=CatalogEntry)
# Anything with `name` and `aliases` fields loads through `_parse` (the missile catalog too).
M = TypeVar("M", bound=BaseModel)


# ------------------------------------------------------------------ loading


def _error_lines(
    err: ValidationError, file_label: str, entry: str, prefix: str = "", *,
    noun: str = "entry", docs: str = DOCS,
) -> list[str]:  # fmt: skip
    lines = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(p) for p in e["loc"])
        loc = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or f"({noun})")
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "extra_forbidden":
            msg = f"unknown field (check the spelling; see {docs})"
        lines.append(f"{file_label}: {entry}: {loc}: {msg}")
    return lines


def _resolve_variants(
    model: type[M], key: str, body: dict[str, Any], raw: Any, file_label: str
) -> dict[str, M]:
    if not isinstance(raw, dict):
        raise CatalogError(f"{file_label}: {key}: variants: expected a mapping of variant names")
    baseline_variant = str(body.get("variant", "baseline"))
    resolved: dict[str, M] = {}
    for vname, vbody in raw.items():
        vname = str(vname)
        where = f"variants.{vname}"
        if not VARIANT_RE.match(vname):
            raise CatalogError(
                f"{file_label}: {key}: {where}: variant name {vname!r} must be lowercase "
                "words or numbers joined by '-' or '.'"
            )
        if vname.casefold() == baseline_variant.casefold() or vname in resolved:
            raise CatalogError(
                f"{file_label}: {key}: {where}: variant name {vname!r} is used twice"
            )
        if not isinstance(vbody, dict):
            raise CatalogError(f"{file_label}: {key}: {where}: expected a mapping of fields")
        overrides = dict(vbody)
        note = overrides.pop("note", None)
        if not isinstance(note, str) or not note.strip():
            raise CatalogError(
                f"{file_label}: {key}: {where}.note: say what the variant is and whose figures"
            )
        forbidden = sorted(set(overrides) & IDENTITY_FIELDS)
        if forbidden:
            raise CatalogError(
                f"{file_label}: {key}: {where}.{forbidden[0]}: a variant cannot change "
                f"{', '.join(forbidden)}; make a separate entry instead"
            )
        if not overrides:
            raise CatalogError(f"{file_label}: {key}: {where}: a variant must change some value")
        merged = {**body, **overrides, "name": key, "variant": vname, "variant_note": note}
        try:
            resolved[vname] = model.model_validate(merged)
        except ValidationError as exc:
            raise CatalogError("\n".join(_error_lines(exc, file_label, key, prefix=where))) from exc
    return resolved


def _parse(
    model: type[M],
    top_key: str,
    text: str,
    file_label: str,
    *,
    noun: str = "entry",
    docs: str = DOCS,
) -> dict[str, M]:
    """Validate a catalog text: one `model` per key under `top_key`; named variants where the
    model has a ``variants`` field. Errors name `file_label`, the entry and the field."""
    has_variants = "variants" in model.model_fields
    try:
        doc = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise CatalogError(f"{file_label}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get(top_key), dict):
        raise CatalogError(f"{file_label}: expected a top-level mapping '{top_key}: {{name: ...}}'")
    unknown_top = set(doc) - {top_key}
    if unknown_top:
        raise CatalogError(f"{file_label}: unknown top-level keys {sorted(unknown_top)}")

    catalog: dict[str, M] = {}
    owner: dict[str, str] = {}  # casefolded name or alias -> entry key
    for key, body in doc[top_key].items():
        key = str(key)
        if not isinstance(body, dict):
            raise CatalogError(f"{file_label}: {key}: expected a mapping of fields")
        if "name" in body and body["name"] != key:
            raise CatalogError(
                f"{file_label}: {key}: name: {body['name']!r} differs from its key {key!r}"
            )
        fields = {k: v for k, v in body.items() if not (has_variants and k == "variants")}
        if has_variants and "variant_note" in fields:
            raise CatalogError(
                f"{file_label}: {key}: variant_note: is set by the loader from a variant's note"
            )
        try:
            entry = model.model_validate({**fields, "name": key})
        except ValidationError as exc:
            lines = _error_lines(exc, file_label, key, noun=noun, docs=docs)
            raise CatalogError("\n".join(lines)) from exc
        if has_variants and "variants" in body:
            resolved = _resolve_variants(model, key, fields, body["variants"], file_label)
            entry = entry.model_copy(update={"variants": resolved})
        ident: Any = entry
        for label in (ident.name, *ident.aliases):
            folded = label.strip().casefold()
            if folded in owner and owner[folded] != key:
                raise CatalogError(
                    f"{file_label}: {key}: aliases: {label!r} already names {owner[folded]!r}"
                )
            owner[folded] = key
        catalog[key] = entry
    if not catalog:
        what = f"{top_key}" if noun != "entry" else f"entries under '{top_key}'"
        raise CatalogError(f"{file_label}: the catalog has no {what}")
    return catalog


def packaged_text(resource: str) -> str:
    """The text of a packaged catalog file, e.g. ``packaged_text("sensors.yaml")``."""
    # Resolved from the regular package `bmdsim`: works whether or not catalog/ is a package.
    return resources.files("bmdsim").joinpath("catalog").joinpath(resource).read_text("utf-8")


@functools.lru_cache(maxsize=8)
def _packaged(
    model: type[BaseModel], top_key: str, resource: str, noun: str, docs: str
) -> tuple[tuple[str, Any], ...]:
    text = packaged_text(resource)
    return tuple(_parse(model, top_key, text, resource, noun=noun, docs=docs).items())


def load_catalog(
    model: type[M], top_key: str, resource: str, path: Path | str | None, *,
    noun: str = "entry", docs: str = DOCS,
) -> dict[str, M]:  # fmt: skip
    """Load and validate a catalog file; the packaged ``catalog/<resource>`` when `path` is None.

    Raises `CatalogError` naming the file, the entry and the field, one line per problem.
    """
    if path is None:
        return dict(_packaged(model, top_key, resource, noun, docs))
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{p}: cannot read the catalog: {exc.strerror or exc}") from exc
    return _parse(model, top_key, text, str(p), noun=noun, docs=docs)


# ------------------------------------------------------------------ look-up


def lookup(
    catalog: Mapping[str, E],
    name: str,
    variant: str | None,
    *,
    what: str,
    unknown: Callable[[str], UnknownEntryError],
) -> E:
    """The entry with this key or alias (case-insensitive), or one of its named variants.

    `what` names the kind of entry in messages ("sensor"); `unknown` builds the error raised
    for an unknown name. An unknown variant raises `UnknownVariantError` listing the variants.
    """
    key = name.strip().casefold()
    entry = catalog.get(key)
    if entry is None:
        entry = next((e for e in catalog.values() if e.matches(name)), None)
    if entry is None:
        listing = ", ".join(
            f"{e.name} ({', '.join(e.aliases)})" if e.aliases else e.name for e in catalog.values()
        )
        raise unknown(f"unknown {what} {name!r}; available: {listing}")
    if variant is None:
        return entry
    wanted = variant.strip().casefold()
    if wanted == entry.variant.casefold():
        return entry
    alternatives: Mapping[str, E] = getattr(entry, "variants", {})
    for vname, resolved in alternatives.items():
        if vname.casefold() == wanted:
            return resolved
    raise UnknownVariantError(
        f"{what} {entry.name!r} has no variant {variant!r}; "
        f"variants: {', '.join(entry.variant_names)}"
    )
