"""The points of a sweep: axis paths, axis values, per-point seeds and scenarios (`build_plan`).

* An axis path is a dotted path into the scenario mapping, with list items as ``[N]``:
  ``architectures.coordinated.exchange[0].latency_s``. It is resolved against the base
  scenario *with its defaults filled in* (the validated model, dumped), so a field the base
  file leaves to its default can be swept too. Only the last part may be a new key, and only
  where the scenario takes free keys (``architectures.sectoral.performance.PARTY``).
* Values: a list, a range (`start` to `stop` inclusive, by `step` or `num` values) or a
  Latin-hypercube sample (`scipy.stats.qmc.LatinHypercube`, seeded). The points are the full
  factorial of the list and range axes (in file order, the last varying fastest) times the
  rows of one joint Latin-hypercube design of all Latin-hypercube axes.
* Seeds: point p runs with seed ``SeedSequence(sweep_seed, spawn_key=(p,))``'s first 32-bit
  word (the engine then spawns one stream per trial), or, with `common_random_numbers`, with
  the sweep seed itself at every point.
* Every point's scenario is validated with the scenario schema and the catalog checks; a
  refused value is reported at the line of the axis value in the sweep file.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ValidationError

from bmdsim.scenario.load import _references
from bmdsim.scenario.schema import Scenario
from bmdsim.sweep.schema import Axis, LatinHypercube, LoadedSweep, Range, SweepError
from bmdsim.sweep.tables import RESERVED

PathT = tuple[str | int, ...]
MAX_POINTS = 1_000_000
MAX_ERRORS = 40

__all__ = ["AxisPlan", "PathError", "PointSpec", "SweepPlan", "build_plan", "check_path",
           "dotted", "dump", "lhs_design", "parse_path", "point_hash", "point_scenario",
           "point_seed", "range_values", "set_paths", "world_key"]  # fmt: skip


class PathError(ValueError):
    pass


# ------------------------------------------------------------------ paths

_SEG = re.compile(r"^([^.\[\]\s]+)((?:\[\d+\])*)$")


def parse_path(text: str) -> PathT:
    """``a.b[0].c`` -> ("a", "b", 0, "c"); a part of digits alone is a list index too."""
    parts: list[str | int] = []
    for seg in text.strip().split("."):
        m = _SEG.match(seg)
        if m is None:
            raise PathError(f"cannot read the path {text!r}: write field names separated by '.' "
                            "and list items as [N] (e.g. architectures.coordinated.exchange[0]"
                            ".latency_s)")  # fmt: skip
        head = m.group(1)
        parts.append(int(head) if head.isdigit() else head)
        parts.extend(int(x) for x in re.findall(r"\[(\d+)\]", m.group(2)))
    return tuple(parts)


def dotted(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "(scenario)"


def _kind_of(node: Any) -> str:
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    if node is None:
        return "empty (null)"
    return f"a {type(node).__name__} ({node!r})"


def _hint(key: str, names: Iterable[str]) -> str:
    names = list(names)
    near = [n for n in names if n.casefold() == key.casefold()]
    near = near or difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(near)}?)" if near else ""


def check_path(base: dict[str, Any], path: PathT) -> None:
    """`PathError` unless `path` leads to a value of `base` that an axis can set: a scalar or
    null (a new last key on a mapping is left to the schema)."""
    if path and path[0] == "study":
        raise PathError("the study's trials and seed are the sweep's: set 'trials' and 'seed' "
                        "in the sweep file")  # fmt: skip
    node: Any = base
    for i, part in enumerate(path):
        where = dotted(path[:i]) if i else "the scenario"
        last = i == len(path) - 1
        if isinstance(node, dict):
            key = str(part)
            if key in node:
                node = node[key]
                continue
            if last and _takes_new_keys(path[:-1]):
                return  # a new key of a free mapping (architectures.sectoral.performance)
            raise PathError(f"{where} has no field {key!r}{_hint(key, node)}; allowed: "
                            f"{', '.join(sorted(node)) or '(none)'}")  # fmt: skip
        if isinstance(node, list):
            if not isinstance(part, int):
                raise PathError(f"{where} is a list: give an item as [N], not {part!r}")
            if not 0 <= part < len(node):
                rng = f"items [0] to [{len(node) - 1}]" if node else "no items"
                raise PathError(f"{where} has {rng}; there is no [{part}]")
            node = node[part]
            continue
        raise PathError(f"{where} is {_kind_of(node)}: it has no field {part!r}")
    if isinstance(node, dict | list):
        fields = (f"; its fields: {', '.join(sorted(node))}" if isinstance(node, dict) else
                  f" of {len(node)} items")  # fmt: skip
        raise PathError(f"{dotted(path)} is {_kind_of(node)}{fields}: an axis sets one value "
                        "(a number, a string or a boolean): give the path of a field in "
                        "it")  # fmt: skip


def _strip(typ: Any) -> Any:
    """The type inside Annotated[...] and X | None (the model member of a union)."""
    while True:
        origin = get_origin(typ)
        if origin is Annotated:
            typ = get_args(typ)[0]
        elif origin in (Union, UnionType):
            members = [a for a in get_args(typ) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            typ = (models or members)[0]
        else:
            return typ


def _takes_new_keys(path: PathT) -> bool:
    """Whether the scenario field at `path` is a mapping of free keys (dict[...]), not a
    model with fixed fields."""
    typ: Any = Scenario
    for part in path:
        typ = _strip(typ)
        if isinstance(typ, type) and issubclass(typ, BaseModel):
            fields = typ.model_fields
            field = fields.get(str(part)) or next(
                (f for f in fields.values() if f.alias == part), None
            )
            if field is None:
                return False
            typ = field.annotation
        elif get_origin(typ) in (dict, list):
            typ = get_args(typ)[-1]
        else:
            return False
    return get_origin(_strip(typ)) is dict


def set_paths(base: dict[str, Any], assignments: Iterable[tuple[PathT, Any]]) -> dict[str, Any]:
    """A copy of `base` with each path set to its value (containers along the paths copied,
    the rest shared; `base` is not changed)."""
    out = dict(base)
    for path, value in assignments:
        node: Any = out
        for part in path[:-1]:
            key: Any = part if isinstance(node, list) else str(part)
            child = node[key]
            child = dict(child) if isinstance(child, dict) else list(child)
            node[key] = child
            node = child
        node[path[-1] if isinstance(node, list) else str(path[-1])] = value
    return out


# ------------------------------------------------------------------ values and seeds


def _clean(v: float) -> float:
    r = round(float(v), 12)
    return 0.0 if r == 0 else r


def range_values(r: Range) -> list[Any]:
    """`start` to `stop` inclusive (by `step`, or `num` evenly spaced values); integers when
    `start`, `stop` (and `step`) are, else floats rounded to 12 decimals."""
    ints = all(isinstance(x, int) for x in (r.start, r.stop, r.step) if x is not None)
    if r.step is not None:
        n = int(math.floor((r.stop - r.start) / r.step + 1e-9)) + 1
        vals = [r.start + k * r.step for k in range(n)]
    else:
        assert r.num is not None
        vals = list(np.linspace(r.start, r.stop, r.num)) if r.num > 1 else [r.start]
        ints = ints and all(float(v).is_integer() for v in vals)
    return [int(round(v)) for v in vals] if ints else [_clean(v) for v in vals]


def lhs_design(n: int, d: int, seed: int) -> np.ndarray:
    """(n, d) Latin-hypercube sample in [0, 1): each column has one value in each of the n
    equal strata. Reproducible for a seed (and a SciPy version)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed))
    try:
        sampler = qmc.LatinHypercube(d=d, rng=rng)
    except TypeError:  # SciPy < 1.15
        sampler = qmc.LatinHypercube(d=d, seed=rng)
    return np.asarray(sampler.random(n))


def _lhs_values(spec: LatinHypercube, u: np.ndarray) -> list[Any]:
    if spec.integer:
        lo, hi = math.ceil(spec.low), math.floor(spec.high)
        return [int(min(hi, lo + math.floor(x * (hi - lo + 1)))) for x in u]
    return [float(spec.low + x * (spec.high - spec.low)) for x in u]


def point_seed(sweep_seed: int, index: int, common: bool = False) -> int:
    """The seed of point `index`: the first 32-bit word of ``SeedSequence(sweep_seed,
    spawn_key=(index,))``, or the sweep seed itself with common random numbers."""
    if common:
        return int(sweep_seed)
    ss = np.random.SeedSequence(sweep_seed, spawn_key=(index,))
    return int(ss.generate_state(1, np.uint32)[0])


# ------------------------------------------------------------------ keys


_C2_TOP = ("name", "title", "description", "architecture", "architectures", "doctrine", "study")
_C2_PARTY = ("decision_delay_s", "internal_latency_s", "launch_on_remote",
             "remote_fire_accuracy_m", "source")  # fmt: skip
_C2_SITE = ("inventory", "launch_delay_s")


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def dump(scn: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON data (aliases, defaults filled in)."""
    return scn.model_dump(mode="json", by_alias=True)


def point_hash(d: dict[str, Any]) -> str:
    """SHA-256 of a resolved scenario's canonical JSON (`dump`): the identity of a point."""
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


def world_key(d: dict[str, Any]) -> str:
    """Hash of the scenario fields (of `dump`) that `bmdsim.battle.world.build_world` reads:
    everything but the fields listed as command-and-control ones (the architectures, the
    doctrine, the study, the parties' timing, the sites' inventory and launch delay). A field
    not listed counts as physics, so a new field can only make more worlds, never a wrong
    one."""
    keep = {k: v for k, v in d.items() if k not in _C2_TOP}
    # a list, not a mapping: the order of the parties is part of the world
    keep["parties"] = [[n, {k: v for k, v in p.items() if k not in _C2_PARTY}]
                       for n, p in d["parties"].items()]  # fmt: skip
    keep["interceptor_sites"] = [{k: v for k, v in s.items() if k not in _C2_SITE}
                                 for s in d["interceptor_sites"]]  # fmt: skip
    return _digest(keep)


def _ref_key(d: dict[str, Any]) -> str:
    """Hash of what `bmdsim.scenario.load._references` reads (names that point into the
    catalogs, the map data and other sections): points equal here need one check."""
    arch = d.get("architectures", {})
    sect = arch.get("sectoral", {})
    flows = [{k: f.get(k) for k in ("from", "to", "sensors")}
             for f in arch.get("coordinated", {}).get("exchange", [])]  # fmt: skip
    keep = {k: v for k, v in d.items() if k in ("sensors", "threats", "coverage")}
    keep["parties"] = [[n, p.get("territory"), p.get("allies")] for n, p in d["parties"].items()]
    keep["sites"] = [{k: v for k, v in s.items() if k not in (*_C2_SITE, "name")}
                     for s in d.get("interceptor_sites", [])]  # fmt: skip
    keep["flows"] = flows
    keep["sectors"] = sect.get("sectors")
    keep["performers"] = sorted(sect.get("performance", {}))
    return _digest(keep)


# ------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class AxisPlan:
    name: str
    paths: tuple[PathT, ...]
    kind: str  # values | range | latin_hypercube
    values: tuple[Any, ...]  # the list or range; for a Latin hypercube its n samples in order
    dtype: str  # float64 | int64 | string | bool
    position: int  # index in the sweep file's axes

    @property
    def path_texts(self) -> list[str]:
        return [dotted(p) for p in self.paths]


@dataclass(frozen=True)
class PointSpec:
    """What a worker needs to run one point (with the sweep's shared data)."""

    index: int
    values: tuple[Any, ...]  # one per axis, in axis order
    seed: int
    hash: str  # `point_hash` of the point's scenario
    world_key: str


@dataclass(frozen=True)
class SweepPlan:
    name: str
    title: str
    base: dict[str, Any]  # the resolved base scenario (defaults filled in)
    base_hash: str
    axes: tuple[AxisPlan, ...]
    trials: int
    seed: int
    common_random_numbers: bool
    architectures: tuple[str, ...]
    partner_fails: bool
    report_parties: tuple[str, ...]
    report_metrics: tuple[str, ...]
    points: tuple[PointSpec, ...]

    @property
    def width(self) -> int:
        return max(5, len(str(len(self.points) - 1)))

    @property
    def axis_types(self) -> list[tuple[str, str]]:
        return [(a.name, a.dtype) for a in self.axes]

    @property
    def definition(self) -> dict[str, Any]:
        """Everything the results depend on (not the report settings, comments or paths)."""
        return {
            "base_resolved_sha256": self.base_hash,
            "axes": [
                {"name": a.name, "paths": a.path_texts, "values": list(a.values)} for a in self.axes
            ],  # fmt: skip
            "trials": self.trials,
            "seed": self.seed,
            "common_random_numbers": self.common_random_numbers,
            "architectures": list(self.architectures),
            "partner_fails": self.partner_fails,
            "points_sha256": _digest([p.hash for p in self.points]),
        }

    @property
    def definition_sha256(self) -> str:
        return _digest(self.definition)


def point_scenario(base: dict[str, Any], axes: Sequence[AxisPlan], values: Sequence[Any],
                   trials: int, seed: int) -> Scenario:  # fmt: skip
    """The scenario of a point (`ValidationError` if the schema refuses it)."""
    sets = [(p, v) for ax, v in zip(axes, values, strict=True) for p in ax.paths]
    sets += [(("study", "trials"), trials), (("study", "seed"), seed)]
    return Scenario.model_validate(set_paths(base, sets))


def _dtype(values: Sequence[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    return "string"


def _axes(loaded: LoadedSweep, base: dict[str, Any], seed: int) -> list[AxisPlan]:
    sw = loaded.sweep
    errs: list[str] = []
    names: dict[str, int] = {}
    lhs = [(i, ax) for i, ax in enumerate(sw.axes) if ax.latin_hypercube is not None]
    design = None
    if lhs:
        ns = {ax.latin_hypercube.n for _, ax in lhs if ax.latin_hypercube is not None}
        seeds = {ax.latin_hypercube.seed for _, ax in lhs if ax.latin_hypercube is not None}
        seeds.discard(None)
        if len(ns) > 1:
            errs += [loaded.at(("axes", i, "latin_hypercube", "n"), f"the Latin-hypercube axes "
                               f"form one design: give them the same n (they have "
                               f"{', '.join(map(str, sorted(ns)))})") for i, _ in lhs]  # fmt: skip
        if len(seeds) > 1:
            errs += [loaded.at(("axes", i, "latin_hypercube", "seed"), "the Latin-hypercube axes "
                               "form one design: give the seed once, or the same seed")
                     for i, ax in lhs
                     if ax.latin_hypercube and ax.latin_hypercube.seed is not None]  # fmt: skip
        if len(ns) == 1:
            lhs_seed = seeds.pop() if seeds else None
            design = lhs_design(ns.pop(), len(lhs), seed if lhs_seed is None else lhs_seed)
    out: list[AxisPlan] = []
    seen: dict[PathT, int] = {}
    for i, ax in enumerate(sw.axes):
        paths: list[PathT] = []
        for j, text in enumerate(ax.targets):
            loc: tuple[str | int, ...] = ("axes", i, "path") if ax.path else ("axes", i, "paths", j)
            try:
                p = parse_path(text)
                check_path(base, p)
            except PathError as exc:
                errs.append(loaded.at(loc, str(exc)))
                continue
            if p in seen:
                errs.append(loaded.at(loc, f"{dotted(p)} is set twice (axis {seen[p]} sets it "
                                      "too): each field by one axis, once"))  # fmt: skip
            seen.setdefault(p, i)
            paths.append(p)
        name = ax.name or re.sub(r"\[\d+\]", "", ax.targets[0]).split(".")[-1]
        if name in RESERVED:
            errs.append(loaded.at(("axes", i), f"the axis name {name!r} is a column of the "
                                  "results already: give the axis another 'name'"))  # fmt: skip
        elif name in names:
            errs.append(loaded.at(("axes", i), f"two axes are named {name!r} (axes {names[name]} "
                                  f"and {i}): give each a distinct 'name'"))  # fmt: skip
        names.setdefault(name, i)
        values: list[Any]
        if ax.values is not None:
            values = list(ax.values)
        elif ax.range is not None:
            values = range_values(ax.range)
        else:
            assert ax.latin_hypercube is not None
            col = [k for k, (ii, _) in enumerate(lhs) if ii == i][0]
            values = [] if design is None else _lhs_values(ax.latin_hypercube, design[:, col])
        out.append(AxisPlan(name, tuple(paths), ax.kind, tuple(values), _dtype(values), i))
    if errs:
        raise SweepError(errs)
    return out


def _value_loc(ax: AxisPlan, value: Any, sweep_axis: Axis) -> tuple[str | int, ...]:
    if ax.kind == "values" and sweep_axis.values is not None:
        for j, v in enumerate(sweep_axis.values):
            if type(v) is type(value) and v == value:
                return ("axes", ax.position, "values", j)
    return ("axes", ax.position, ax.kind)


def _clean_loc(d: Any, loc: Sequence[str | int]) -> PathT:
    """The error's location without pydantic's union-member tags (parts not in the data)."""
    out: list[str | int] = []
    node = d
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, dict | list) or node is None or isinstance(part, str):
            if isinstance(node, dict) and isinstance(part, str) and not part[:1].isupper() \
                    and not part.startswith(("function-", "constrained-")):  # fmt: skip
                out.append(part)  # a missing key (e.g. an unknown field)
                node = None
            continue
        out.append(part)
    return tuple(out)


def _locate(loaded: LoadedSweep, axes: Sequence[AxisPlan], base: dict[str, Any],
            values: Sequence[Any], index: int, loc: PathT, msg: str) -> str:  # fmt: skip
    """An error of point `index`'s scenario at data path `loc`, as a located line of the
    sweep file: at the value of the axis whose path holds (or is under) `loc`."""
    best: tuple[int, AxisPlan, PathT] | None = None
    for ax in axes:
        for p in ax.paths:
            n = min(len(p), len(loc))
            if p[:n] == loc[:n] and (best is None or n > best[0]):
                best = (n, ax, p)
    if best is None:
        shown = ", ".join(f"{a.name}={v!r}" for a, v in zip(axes, values, strict=True))
        return loaded.at(("axes",), f"point {index} ({shown}): {dotted(loc)}: {msg}")
    _, ax, p = best
    value = values[axes.index(ax)]
    where = _value_loc(ax, value, loaded.sweep.axes[ax.position])
    if msg == "unknown field" and loc == p:  # a new key (check_path lets it through) refused
        node: Any = base
        for part in p[:-1]:
            node = node[part if isinstance(node, list) else str(part)]
        allowed = ", ".join(sorted(node)) if isinstance(node, dict) else "(none)"
        sweep_axis = loaded.sweep.axes[ax.position]
        k = ax.paths.index(p)
        at = ("axes", ax.position, "path") if sweep_axis.path else ("axes", ax.position, "paths", k)
        hint = _hint(str(p[-1]), node)
        return loaded.at(at, f"{dotted(p[:-1])} has no field {p[-1]!r}{hint}; allowed: {allowed}")
    under = f" ({dotted(loc)})" if loc != p else ""
    return loaded.at(where, f"{dotted(p)} = {value!r}{under}: {msg}")


def _pyd_msg(e: Any) -> str:
    msg = str(e["msg"])
    if e["type"] == "extra_forbidden":
        return "unknown field"
    return msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg


def build_plan(loaded: LoadedSweep) -> SweepPlan:
    """Every point of the sweep with its seed and validated scenario's hash; `SweepError` with
    located lines for bad paths, refused values and any point the scenario checks refuse."""
    sw = loaded.sweep
    base_scn = loaded.base.scenario
    base = base_scn.model_dump(mode="json", by_alias=True)
    seed = sw.seed if sw.seed is not None else base_scn.study.seed
    trials = sw.trials if sw.trials is not None else base_scn.study.trials
    axes = _axes(loaded, base, seed)
    parties = sw.report.parties or [next(iter(base_scn.parties))]
    bad = [loaded.at(("report", "parties", k), f"unknown party {p!r}; allowed: "
                     f"{', '.join(base_scn.parties)}")
           for k, p in enumerate(parties) if p not in base_scn.parties]  # fmt: skip
    if bad:
        raise SweepError(bad)
    fact = [a for a in axes if a.kind != "latin_hypercube"]
    lhs = [a for a in axes if a.kind == "latin_hypercube"]
    n_lhs = len(lhs[0].values) if lhs else 1
    total = math.prod(len(a.values) for a in fact) * n_lhs
    if total > MAX_POINTS:
        raise SweepError([loaded.at(("axes",), f"{total:,} points; at most {MAX_POINTS:,} in one "
                                    "sweep")])  # fmt: skip
    pos = {id(a): k for k, a in enumerate(axes)}
    errors: dict[str, None] = {}
    refs_ok: dict[str, list[tuple[PathT, str]]] = {}
    points: list[PointSpec] = []
    combos = itertools.product(itertools.product(*(a.values for a in fact)), range(n_lhs))
    for index, (fvals, row) in enumerate(combos):
        values: list[Any] = [None] * len(axes)
        for a, v in zip(fact, fvals, strict=True):
            values[pos[id(a)]] = v
        for a in lhs:
            values[pos[id(a)]] = a.values[row]
        pseed = point_seed(seed, index, sw.common_random_numbers)
        try:
            scn = point_scenario(base, axes, values, trials, pseed)
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                data = set_paths(base, [(p, v) for a, v in zip(axes, values, strict=True)
                                        for p in a.paths])  # fmt: skip
                loc = _clean_loc(data, e["loc"])
                errors[_locate(loaded, axes, base, values, index, loc, _pyd_msg(e))] = None
            if len(errors) >= MAX_ERRORS:
                break
            continue
        d = dump(scn)
        rk = _ref_key(d)
        if rk not in refs_ok:
            refs_ok[rk] = [(tuple(loc), msg) for loc, msg in _references(scn)]
        for loc, msg in refs_ok[rk]:
            errors[_locate(loaded, axes, base, values, index, loc, msg)] = None
        if len(errors) >= MAX_ERRORS:
            break
        points.append(PointSpec(index, tuple(values), pseed, point_hash(d), world_key(d)))
    if errors:
        lines = list(errors)
        if len(lines) >= MAX_ERRORS:
            lines.append(f"{loaded.path}: (more problems not shown: fix these first)")
        raise SweepError(lines)
    return SweepPlan(sw.name, sw.title, base, point_hash(base), tuple(axes), trials, seed,
                     sw.common_random_numbers, tuple(sw.architectures), sw.partner_fails,
                     tuple(dict.fromkeys(parties)),
                     tuple(sw.report.metrics), tuple(points))  # fmt: skip
