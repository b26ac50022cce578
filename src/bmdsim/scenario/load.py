"""Load a scenario file with errors that say where: ``file:line:col: field.path: message``.

pydantic reports where in the data a value is wrong but knows no line numbers; ruamel.yaml's
round-trip loader keeps the line and column of every key and item. `load_scenario` validates
the data with the pydantic schema, then checks every reference against the catalogs and the
map data (missiles, sensors, interceptors, sites and their variants, countries, cities,
parties) and maps each problem's data path back to its line and column. All problems are
reported at once, one per line.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bmdsim.scenario.schema import Point, Scenario

__all__ = ["ScenarioError", "LoadedScenario", "load_scenario", "parse_scenario", "scenario_hash"]

Loc = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario file that cannot be read or does not validate; one problem per line, each
    ``file:line:col: field.path: message``."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def _position(root: Any, loc: Loc, at_key: bool = False
              ) -> tuple[tuple[int, int] | None, list[str | int]]:  # fmt: skip
    """(line, col) 1-based of the deepest node of `loc` present in the YAML (of its key rather
    than its value with `at_key`: an unknown field), and the cleaned path (pydantic's
    union-member tags such as 'constrained-str' or 'Point' dropped)."""
    node, pos, path = root, None, []
    missing = object()  # below a part that is not in the YAML
    lc0 = getattr(root, "lc", None)
    if lc0 is not None:
        pos = (lc0.line + 1, lc0.col + 1)
    for i, part in enumerate(loc):
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and part in node:
            if lc is not None:
                key = at_key and i + 1 == len(loc)
                ln, col = lc.value(part) if node[part] is not None and not key else lc.key(part)
                pos = (ln + 1, col + 1)
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            if lc is not None:
                ln, col = lc.item(part)
                pos = (ln + 1, col + 1)
            node = node[part]
            path.append(part)
        elif isinstance(part, str) and i + 1 < len(loc) and _present(node, loc[i + 1]):
            continue  # a union-member tag
        elif isinstance(node, dict | list) and isinstance(part, str) and part[:1].isupper():
            continue  # a union-member tag at the end
        elif node is not missing and not isinstance(node, dict) and isinstance(part, str):
            continue  # a union-member tag on a list or a scalar (which have no fields)
        else:
            path.append(part)
            node = missing
    return pos, path


def _present(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _fmt(label: str, root: Any, loc: Loc, msg: str, at_key: bool = False) -> str:
    pos, path = _position(root, loc, at_key)
    where = f"{label}:{pos[0]}:{pos[1]}" if pos else label
    dotted = ".".join(str(p) for p in path) or "(scenario)"
    return f"{where}: {dotted}: {msg}"


def _pydantic_lines(err: ValidationError, label: str, root: Any) -> list[str]:
    errors = err.errors(include_url=False)
    # A mapping given where a name or a mapping may go (a target): the name member's "valid
    # string" error is noise beside the mapping member's own errors.
    errors = [
        e
        for e in errors
        if not (
            e["type"] == "string_type"
            and isinstance(e["input"], dict)
            and len(e["loc"]) > 1
            and any(o is not e and o["loc"][: len(e["loc"]) - 1] == e["loc"][:-1] for o in errors)
        )
    ]
    out: dict[str, list[str]] = {}  # "file:line:col: path" -> messages
    for e in errors:
        msg = e["msg"]
        if e["type"] == "missing":
            msg = "required field is missing (docs/scenario.md lists the fields)"
        elif e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; docs/scenario.md lists the fields)"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        head = _fmt(label, root, tuple(e["loc"]), "", e["type"] == "extra_forbidden")
        if msg not in out.setdefault(head, []):
            out[head].append(msg)  # several union members failing at one place: one line
    return [head + ", or: ".join(msgs) for head, msgs in out.items()]


def _close(name: str, names: Iterable[str]) -> str:
    names = sorted(set(names))
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    return f"{hint}; allowed: {', '.join(names)}"


def _references(scn: Scenario) -> list[tuple[Loc, str]]:
    """Problems with names that point into the catalogs, the map data or other sections."""
    from bmdsim.geo import UnknownCountryError, cities, country, find_city
    from bmdsim.models.interceptors import load_interceptors
    from bmdsim.models.missiles import load_missiles
    from bmdsim.models.sensors import load_sensors
    from bmdsim.models.sites import load_sites

    errs: list[tuple[Loc, str]] = []
    parties = set(scn.parties)
    missiles, sensors = load_missiles(), load_sensors()
    interceptors, sites = load_interceptors(), load_sites()

    def party(p: str | None, loc: Loc) -> None:
        if p is not None and p not in parties:
            errs.append((loc, f"unknown party {p!r}; allowed: {', '.join(sorted(parties))}"))

    def lookup(cat: dict[str, Any], name: str, loc: Loc, noun: str) -> Any:
        for entry in cat.values():
            if entry.matches(name):
                return entry
        errs.append((loc, f"unknown {noun} {name!r}{_close(name, cat)}"))
        return None

    def variant(entry: Any, v: str | None, loc: Loc) -> None:
        if entry is not None and v is not None and v not in entry.variant_names:
            allowed = ", ".join(entry.variant_names)
            errs.append((loc, f"{entry.name} has no variant {v!r}; allowed: {allowed}"))

    def countries(names: list[str], loc: Loc) -> None:
        for i, c in enumerate(names):
            try:
                country(c)
            except UnknownCountryError as exc:
                errs.append(((*loc, i), str(exc)))

    for pname, p in scn.parties.items():
        countries(p.territory, ("parties", pname, "territory"))
        countries(p.allies, ("parties", pname, "allies"))
    placements: dict[str, str] = {}  # NAME@SITE -> party
    for i, sp in enumerate(scn.sensors):
        s = lookup(sensors, sp.sensor, ("sensors", i, "sensor"), "sensor")
        variant(s, sp.variant, ("sensors", i, "variant"))
        party(sp.party, ("sensors", i, "party"))
        owner = sp.party
        site = None
        if sp.site is not None:
            site = lookup(sites, sp.site, ("sensors", i, "site"), "site")
            if site is not None:
                owner = site.party
                party(site.party, ("sensors", i, "site"))
        if s is not None and owner is not None and s.party != owner:
            errs.append((("sensors", i, "sensor"), f"{s.name} belongs to {s.party}, the site "
                                                    f"to {owner}"))  # fmt: skip
        where = sp.at.name if sp.at is not None else str(sp.site)
        if sp.site is not None and site is not None:
            where = site.name  # the catalog key, also when the file gives an alias
        key = f"{s.name if s else sp.sensor}@{where}"
        if key in placements:
            errs.append((("sensors", i), f"{key} is placed twice"))
        placements[key] = owner or ""
    for i, isite in enumerate(scn.interceptor_sites):
        it = lookup(interceptors, isite.interceptor, ("interceptor_sites", i, "interceptor"),
                    "interceptor")  # fmt: skip
        variant(it, isite.variant, ("interceptor_sites", i, "variant"))
        party(isite.party, ("interceptor_sites", i, "party"))
        if isite.site is not None:
            site = lookup(sites, isite.site, ("interceptor_sites", i, "site"), "site")
            if site is not None:
                party(site.party, ("interceptor_sites", i, "site"))
    city_names = {str(c["name"]).casefold() for c in cities(100_000)}
    for i, th in enumerate(scn.threats):
        lookup(missiles, th.missile, ("threats", i, "missile"), "missile")
        for j, tgt in enumerate(th.targets):
            if isinstance(tgt, str) and find_city(tgt) is None:
                near = difflib.get_close_matches(
                    tgt.split(",")[0].strip().casefold(), sorted(city_names), n=3, cutoff=0.6
                )
                hint = f" (close: {', '.join(n.title() for n in near)})" if near else ""
                errs.append(
                    (
                        (("threats", i, "targets", j)),
                        f"no city {tgt!r} of >= 100,000 people in the shipped GeoNames "
                        f"extract{hint}; give the target as {{name, lat_deg, lon_deg}}",
                    )
                )
        if th.shape == "minimum-energy" and th.apogee_km is not None:
            errs.append((("threats", i, "apogee_km"),
                         "apogee_km applies to shape 'lofted' or 'depressed' only"))  # fmt: skip
    for i, cov in enumerate(scn.coverage or []):
        lookup(missiles, cov.missile, ("coverage", i, "missile"), "missile")
    for i, flow in enumerate(scn.architectures.coordinated.exchange):
        loc: Loc = ("architectures", "coordinated", "exchange", i)
        party(flow.sender, (*loc, "from"))
        party(flow.receiver, (*loc, "to"))
        if flow.sender == flow.receiver:
            errs.append(((*loc, "to"), "'from' and 'to' are the same party"))
        for j, key in enumerate(flow.sensors or []):
            if key not in placements:
                errs.append(((*loc, "sensors", j), f"no sensor placement {key!r} in 'sensors'; "
                             f"allowed: {', '.join(sorted(placements))}"))  # fmt: skip
            elif placements[key] != flow.sender:
                errs.append(((*loc, "sensors", j), f"{key} is not a sensor of {flow.sender}"))
    sect = scn.architectures.sectoral
    for i, sec in enumerate(sect.sectors):
        party(sec.party, ("architectures", "sectoral", "sectors", i, "party"))
        countries(sec.countries, ("architectures", "sectoral", "sectors", i, "countries"))
    for performer in sect.performance:
        party(performer, ("architectures", "sectoral", "performance", performer))
    return errs


def _to_plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    return node


def _start(text: str, root: Any) -> tuple[int, int]:
    """1-based (line, col) where a document's content starts (1, 1 if it has none)."""
    lc = getattr(root, "lc", None)
    if lc is not None:
        return lc.line + 1, lc.col + 1
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped and not stripped.startswith(("#", "%", "---")):
            return n, len(line) - len(stripped) + 1
    return 1, 1


def parse_scenario(text: str, label: str = "scenario.yaml") -> Scenario:
    """Validate scenario text; `label` names the file in error messages."""
    try:
        root = YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        problem = exc.problem or exc.context or "syntax error"
        ctx = exc.context_mark
        if exc.problem and exc.context and ctx is not None and ctx is not mark:
            problem += f" ({exc.context} started at line {ctx.line + 1}, column {ctx.column + 1})"
        raise ScenarioError([f"{where}: YAML syntax error: {problem}"]) from exc
    except YAMLError as exc:
        raise ScenarioError([f"{label}: YAML syntax error: {exc}"]) from exc
    if not isinstance(root, dict):
        ln, col = _start(text, root)
        raise ScenarioError([f"{label}:{ln}:{col}: (scenario): expected a mapping of fields "
                             "(name, parties, threats, ...)"])  # fmt: skip
    try:
        scn = Scenario.model_validate(_to_plain(root))
    except ValidationError as exc:
        raise ScenarioError(_pydantic_lines(exc, label, root)) from exc
    problems = _references(scn)
    if problems:
        raise ScenarioError([_fmt(label, root, loc, msg) for loc, msg in problems])
    return scn


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read and validate a scenario file; `ScenarioError` (with line numbers) if it is bad."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{p}: cannot read the scenario: {exc}"]) from exc
    return LoadedScenario(parse_scenario(text, str(p)), str(p), text)


def scenario_hash(scn: Scenario) -> str:
    """SHA-256 of the resolved scenario (canonical JSON of the validated model)."""
    blob = json.dumps(scn.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def point_label(p: Point) -> str:
    return f"{p.name} ({p.lat_deg:.2f}, {p.lon_deg:.2f})"


def locate(loaded: LoadedScenario, line: str) -> str:
    """``field.path: message`` -> ``file:line:col: field.path: message`` for a loaded file."""
    path, _, msg = line.partition(": ")
    loc = tuple(int(p) if p.isdigit() else p for p in path.split("."))
    try:
        root = YAML(typ="rt", pure=True).load(loaded.text)
    except YAMLError:
        root = None
    return _fmt(loaded.path, root, loc, msg)
