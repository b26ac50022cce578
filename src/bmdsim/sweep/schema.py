"""Sweep files: a base scenario, axes over its fields, trials and seeds (pydantic v2).

A sweep file names a base scenario (a path relative to the sweep file), the axes (each sets one
or several scenario fields, by path, to a list of values, a range or a Latin-hypercube sample),
the Monte Carlo trials of every point, the seed, the architectures to run and what sweep.html
plots. `load_sweep` reads and validates the file with errors located like scenario errors
(``file:line:col: field.path: message``); `bmdsim.sweep.points.build_plan` then checks every
axis path and every point's scenario. docs/sweep.md documents every field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bmdsim.scenario.load import (
    LoadedScenario,
    ScenarioError,
    _fmt,
    _pydantic_lines,
    _to_plain,
    load_scenario,
)
from bmdsim.scenario.schema import ArchitectureName

__all__ = ["Axis", "LoadedSweep", "SweepError", "SweepFile", "load_sweep", "parse_sweep"]

#: Per (point, architecture, party) metrics that sweep.html can plot.
Metric = Literal["share_defended", "population_defended", "cities_defended", "dependency_share",
                 "expected_leakers", "interceptors_expended", "earliest_intercept_s",
                 "latest_intercept_s"]  # fmt: skip
REPORT_METRICS: tuple[str, ...] = get_args(Metric)
IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"

Scalar = StrictBool | StrictInt | Annotated[StrictFloat, Field(allow_inf_nan=False)] | str


class SweepError(ValueError):
    """A sweep file that cannot be read or does not validate; one problem per line, each
    ``file:line:col: field.path: message``."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Finite = Annotated[float, Field(allow_inf_nan=False)]


class Range(Strict):
    """`start` to `stop` inclusive: every `step`, or `num` evenly spaced values."""

    start: StrictInt | Finite
    stop: StrictInt | Finite
    step: Annotated[StrictInt | Finite, Field(gt=0)] | None = None
    num: Annotated[int, Field(ge=1, le=100_000, strict=True)] | None = None

    @model_validator(mode="after")
    def _one(self) -> Range:
        if (self.step is None) == (self.num is None):
            raise ValueError("give exactly one of 'step' or 'num'")
        if self.stop < self.start:
            raise ValueError(f"stop ({self.stop}) is below start ({self.start})")
        if self.step is not None and (self.stop - self.start) / self.step > 100_000:
            raise ValueError("more than 100,000 values; use a larger step")
        return self


class LatinHypercube(Strict):
    """`n` values in [low, high] from a Latin hypercube; every Latin-hypercube axis of a sweep
    is one dimension of the same design (same `n`)."""

    n: Annotated[int, Field(ge=1, le=100_000, strict=True)]
    low: Finite
    high: Finite
    seed: Annotated[int, Field(ge=0, strict=True)] | None = None
    integer: bool = False  # integers low..high (inclusive) instead of real numbers

    @model_validator(mode="after")
    def _order(self) -> LatinHypercube:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self


class Axis(Strict):
    """One axis: a name (a column of the results), the scenario field(s) it sets and its
    values."""

    name: Annotated[str, Field(pattern=IDENT, max_length=60)] | None = None
    path: Annotated[str, Field(min_length=1)] | None = None
    paths: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | None = None
    values: Annotated[list[Scalar], Field(min_length=1)] | None = None
    range: Range | None = None
    latin_hypercube: LatinHypercube | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Axis:
        if (self.path is None) == (self.paths is None):
            raise ValueError("give exactly one of 'path' (a scenario field) or 'paths' (several "
                             "fields set to the same value)")  # fmt: skip
        given = [k for k in ("values", "range", "latin_hypercube") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'values', 'range' or 'latin_hypercube'")
        if self.values is not None:
            kinds = {_kind(v) for v in self.values}
            if len(kinds) > 1:
                raise ValueError(f"the values mix {' and '.join(sorted(kinds))}; an axis's "
                                 "values are all numbers, all strings or all booleans")  # fmt: skip
            if len(set(map(repr, self.values))) != len(self.values):
                raise ValueError("the values repeat; list each value once")
        return self

    @property
    def targets(self) -> list[str]:
        return [self.path] if self.path is not None else list(self.paths or [])

    @property
    def kind(self) -> str:
        return next(
            k for k in ("values", "range", "latin_hypercube") if getattr(self, k) is not None
        )


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "booleans"
    if isinstance(v, int | float):
        return "numbers"
    return "strings"


class Report(Strict):
    """What sweep.html plots: metrics of some parties (default: the base scenario's first)."""

    parties: Annotated[list[str], Field(min_length=1)] | None = None
    metrics: Annotated[list[Metric], Field(min_length=1)] = ["share_defended", "expected_leakers"]


class SweepFile(Strict):
    """A bmdsim sweep (docs/sweep.md)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")]
    title: str = ""
    description: str = ""
    base: Annotated[str, Field(min_length=1)]
    trials: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] | None = None
    seed: Annotated[int, Field(ge=0, strict=True)] | None = None
    common_random_numbers: bool = False
    architectures: Annotated[list[ArchitectureName], Field(min_length=1)] = [
        "independent",
        "coordinated",
        "sectoral",
        "integrated",
    ]
    partner_fails: bool = True
    axes: Annotated[list[Axis], Field(min_length=1)]
    report: Report = Report()

    @model_validator(mode="after")
    def _unique(self) -> SweepFile:
        if len(set(self.architectures)) != len(self.architectures):
            raise ValueError("architectures: each architecture once")
        return self


@dataclass(frozen=True)
class LoadedSweep:
    sweep: SweepFile
    path: str
    text: str
    root: Any  # the ruamel round-trip document (positions)
    base: LoadedScenario

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def at(self, loc: tuple[str | int, ...], msg: str) -> str:
        """``file:line:col: loc: msg`` for a place in the sweep file."""
        return _fmt(self.path, self.root, loc, msg)


def _yaml(text: str, label: str) -> Any:
    try:
        return YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        problem = str(exc.problem or exc.context)
        if "but got '['" in problem:
            problem += (" (inside {...} or [...] a path with [N] needs quotes: \"a[0].b\", or "
                        "write it a.0.b)")  # fmt: skip
        raise SweepError([f"{where}: YAML syntax error: {problem}"]) from exc
    except YAMLError as exc:
        raise SweepError([f"{label}: YAML syntax error: {exc}"]) from exc


def parse_sweep(text: str, label: str, base_dir: Path) -> LoadedSweep:
    """Validate sweep text (`label` names the file in errors; `base` is relative to
    `base_dir`) and load its base scenario."""
    root = _yaml(text, label)
    if not isinstance(root, dict):
        raise SweepError([f"{label}:1:1: (sweep): expected a mapping of fields (name, base, "
                          "axes, ...)"])  # fmt: skip
    try:
        sweep = SweepFile.model_validate(_to_plain(root))
    except ValidationError as exc:
        lines = [ln.replace("docs/scenario.md", "docs/sweep.md").replace("(scenario)", "(sweep)")
                 for ln in _pydantic_lines(exc, label, root)]  # fmt: skip
        raise SweepError(lines) from exc
    errs: list[str] = []
    for i, ax in enumerate(sweep.axes):
        if ax.name is None:
            last = re.sub(r"\[\d+\]", "", ax.targets[0]).split(".")[-1]
            if not re.match(IDENT, last):
                errs.append(_fmt(label, root, ("axes", i), f"give the axis a 'name' (letters, "
                                 f"digits, _): {last!r} cannot name a column"))  # fmt: skip
    base_path = (base_dir / sweep.base).resolve()
    try:
        base = load_scenario(base_path)
    except ScenarioError as exc:
        head = _fmt(label, root, ("base",), "the base scenario does not validate:")
        raise SweepError([*errs, head, *exc.lines]) from exc
    if errs:
        raise SweepError(errs)
    return LoadedSweep(sweep, label, text, root, base)


def load_sweep(path: str | Path) -> LoadedSweep:
    """Read and validate a sweep file and its base scenario; `SweepError` if either is bad
    (the axes and points are checked by `bmdsim.sweep.points.build_plan`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SweepError([f"{p}: cannot read the sweep file: {exc}"]) from exc
    root = _yaml(text, str(p))
    base = root.get("base") if isinstance(root, dict) else None
    if isinstance(base, str) and not (p.parent / base).is_file():
        where = _fmt(str(p), root, ("base",), "")
        raise SweepError([f"{where}no such scenario file {base!r} (relative to the sweep "
                          f"file: {(p.parent / base).resolve()})"])  # fmt: skip
    return parse_sweep(text, str(p), p.parent)
