"""Sweep files that are wrong: every problem is reported as ``file:line:col: field.path:
message`` at the place in the sweep file (the axis path, the refused value, the field), with
what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bmdsim.sweep import SweepError, load_sweep
from bmdsim.sweep.points import build_plan

DATA = Path(__file__).resolve().parents[1] / "data"
SMALL = DATA / "scenarios" / "small.yaml"
BROKEN = DATA / "broken_scenarios" / "unknown_missile.yaml"


def _errors(tmp_path: Path, body: str, base: Path = SMALL) -> list[str]:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"name: t\nbase: {base}\n{body}")
    with pytest.raises(SweepError) as info:
        build_plan(load_sweep(path))
    prefix = f"{path}:"
    assert all(
        line.startswith(prefix) or not line.startswith(str(tmp_path)) for line in info.value.lines
    )
    return [line.replace(str(path), "sweep.yaml") for line in info.value.lines]


CASES = {
    "unknown top-level field": (
        "trails: 5\naxes:\n  - {path: doctrine.max_shots, values: [1, 2]}\n",
        "sweep.yaml:3:1: trails: unknown field (check the spelling; docs/sweep.md lists the "
        "fields)",
    ),
    "no axes": (
        "",
        "sweep.yaml:1:1: axes: required field is missing (docs/sweep.md lists the fields)",
    ),
    "values and range": (
        "axes:\n  - path: doctrine.max_shots\n    values: [1, 2]\n"
        "    range: {start: 1, stop: 2, step: 1}\n",
        "sweep.yaml:4:5: axes.0: give exactly one of 'values', 'range' or 'latin_hypercube'",
    ),
    "path to no field": (
        "axes:\n  - path: architectures.sectoral.joint_decision_delay\n    values: [1, 2]\n",
        "sweep.yaml:4:11: axes.0.path: architectures.sectoral has no field "
        "'joint_decision_delay' (did you mean joint_decision_delay_s?); allowed: assign_by, "
        "fusion_latency_s, joint_decision_delay_s, performance, sectors, source",
    ),
    "new last key on a model": (
        "axes:\n  - path: doctrine.max_shot\n    values: [1, 2]\n",
        "sweep.yaml:4:11: axes.0.path: doctrine has no field 'max_shot' (did you mean "
        "max_shots?); allowed: decision_cycle_s, kill_assessment_s, max_shots, salvo_size, type",
    ),
    "list index out of range": (
        "axes:\n  - name: lat\n    path: architectures.coordinated.exchange[3].latency_s\n"
        "    values: [1, 2]\n",
        "sweep.yaml:5:11: axes.0.path: architectures.coordinated.exchange has items [0] to [0]; "
        "there is no [3]",
    ),
    "path to a mapping": (
        "axes:\n  - {path: architectures.integrated, values: [0.5]}\n",
        "sweep.yaml:4:12: axes.0.path: architectures.integrated is a mapping; its fields: "
        "decision_delay_s, latency_s: an axis sets one value (a number, a string or a boolean): "
        "give the path of a field in it",
    ),
    "value below the minimum": (
        "axes:\n  - path: architectures.sectoral.joint_decision_delay_s\n"
        "    values: [30, -5, 60]\n",
        "sweep.yaml:5:18: axes.0.values.1: architectures.sectoral.joint_decision_delay_s = -5: "
        "Input should be greater than or equal to 0",
    ),
    "value not among the choices": (
        "axes:\n  - {path: doctrine.type, values: [salvo, shoot-shoot]}\n",
        "sweep.yaml:4:43: axes.0.values.1: doctrine.type = 'shoot-shoot': Input should be "
        "'shoot-look-shoot' or 'salvo'",
    ),
    "unknown catalog variant": (
        "axes:\n  - path: interceptor_sites[0].variant\n    values: [cmo-2024, nope]\n",
        "sweep.yaml:5:24: axes.0.values.1: interceptor_sites[0].variant = 'nope': sm-3-ib has no "
        "variant 'nope'; allowed: cmo-2024",
    ),
    "unknown party as a key": (
        "axes:\n  - {path: architectures.sectoral.performance.Iran, values: [0.5]}\n",
        "sweep.yaml:4:62: axes.0.values.0: architectures.sectoral.performance.Iran = 0.5: "
        "unknown party 'Iran'; allowed: NATO, Russia",
    ),
    "range of reals for an integer field": (
        "axes:\n  - name: inv\n    path: interceptor_sites[0].inventory\n"
        "    range: {start: 0, stop: 1, num: 3}\n",
        "sweep.yaml:6:12: axes.0.range: interceptor_sites[0].inventory = 0.5: Input should be a "
        "valid integer",
    ),
    "the study is the sweep's": (
        "axes:\n  - {name: n, path: study.trials, values: [1, 2]}\n",
        "sweep.yaml:4:21: axes.0.path: the study's trials and seed are the sweep's: set "
        "'trials' and 'seed' in the sweep file",
    ),
    "Latin hypercubes of different n": (
        "axes:\n  - path: doctrine.kill_assessment_s\n    latin_hypercube: {n: 4, low: 0, "
        "high: 10}\n  - path: doctrine.decision_cycle_s\n    latin_hypercube: {n: 5, low: 1, "
        "high: 10}\n",
        "sweep.yaml:7:26: axes.1.latin_hypercube.n: the Latin-hypercube axes form one design: "
        "give them the same n (they have 4, 5)",
    ),
    "Latin hypercube high below low": (
        "axes:\n  - path: doctrine.kill_assessment_s\n"
        "    latin_hypercube: {n: 4, low: 10, high: 0}\n",
        "sweep.yaml:5:22: axes.0.latin_hypercube: high (0.0) must be above low (10.0)",
    ),
    "step and num": (
        "axes:\n  - path: doctrine.kill_assessment_s\n"
        "    range: {start: 0, stop: 10, step: 1, num: 3}\n",
        "sweep.yaml:5:12: axes.0.range: give exactly one of 'step' or 'num'",
    ),
    "two axes of one name": (
        "axes:\n  - {path: doctrine.kill_assessment_s, values: [1, 2]}\n"
        "  - {path: doctrine.kill_assessment_s, values: [3]}\n",
        "sweep.yaml:5:5: axes.1: two axes are named 'kill_assessment_s' (axes 0 and 1): give "
        "each a distinct 'name'",
    ),
    "one field set by two axes": (
        "axes:\n  - {name: a, path: doctrine.max_shots, values: [1]}\n"
        "  - {name: b, paths: [doctrine.salvo_size, doctrine.max_shots], values: [2]}\n",
        "sweep.yaml:5:44: axes.1.paths.1: doctrine.max_shots is set twice (axis 0 sets it too): "
        "each field by one axis, once",
    ),
    "axis named like a column": (
        "axes:\n  - {name: party, path: doctrine.kill_assessment_s, values: [1, 2]}\n",
        "sweep.yaml:4:5: axes.0: the axis name 'party' is a column of the results already: give "
        "the axis another 'name'",
    ),
    "non-finite value": (
        "axes:\n  - {path: doctrine.kill_assessment_s, values: [1.0, .nan]}\n",
        "sweep.yaml:4:54: axes.0.values.1: Input should be a valid boolean, or: Input should be "
        "a valid integer, or: Input should be a finite number, or: Input should be a valid "
        "string",
    ),
    "mixed value types": (
        "axes:\n  - {path: doctrine.kill_assessment_s, values: [1, two]}\n",
        "sweep.yaml:4:5: axes.0: the values mix numbers and strings; an axis's values are all "
        "numbers, all strings or all booleans",
    ),
    "unknown report party": (
        "report: {parties: [NATO, Nato]}\naxes:\n  - {path: doctrine.max_shots, values: [1, 2]}\n",
        "sweep.yaml:3:26: report.parties.1: unknown party 'Nato'; allowed: NATO, Russia",
    ),
    "unknown report metric": (
        "report: {metrics: [leakers]}\naxes:\n  - {path: doctrine.max_shots, values: [1, 2]}\n",
        "sweep.yaml:3:20: report.metrics.0: Input should be 'share_defended', "
        "'population_defended', 'cities_defended', 'dependency_share', 'expected_leakers', "
        "'interceptors_expended', 'earliest_intercept_s' or 'latest_intercept_s'",
    ),
    "YAML syntax": (
        "axes:\n  - {path: doctrine.kill_assessment_s, values: [1, 2]\n",
        "sweep.yaml:5:1: YAML syntax error: expected ',' or '}', but got '<stream end>'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_sweep_file_is_located(tmp_path: Path, case: str) -> None:
    body, expected = CASES[case]
    lines = _errors(tmp_path, body)
    assert expected in lines, "\n".join(lines)


def test_missing_base_names_the_resolved_path(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\nbase: nothere.yaml\naxes:\n  - {path: doctrine.max_shots, values: [1]}\n"
    )
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    assert info.value.lines == [
        f"{path}:2:7: base: no such scenario file 'nothere.yaml' "
        f"(relative to the sweep file: {tmp_path / 'nothere.yaml'})"
    ]


def test_broken_base_reports_the_base_file_lines(tmp_path: Path) -> None:
    lines = _errors(tmp_path, "axes:\n  - {path: doctrine.max_shots, values: [1]}\n", BROKEN)
    assert lines[0] == "sweep.yaml:2:7: base: the base scenario does not validate:"
    assert lines[1].startswith(f"{BROKEN}:22:14: threats.0.missile: unknown missile 'sejjil-9'")


def test_all_problems_at_once(tmp_path: Path) -> None:
    lines = _errors(
        tmp_path,
        "axes:\n  - {name: a, path: doctrine.max_shot, values: [1]}\n"
        "  - {name: b, path: parties.Nato.decision_delay_s, values: [1]}\n",
    )
    assert [ln.split(": ")[0:2] for ln in lines] == [
        ["sweep.yaml:4:21", "axes.0.path"],
        ["sweep.yaml:5:21", "axes.1.path"],
    ]
    assert "parties has no field 'Nato' (did you mean NATO?)" in lines[1]


def test_refused_combination_names_each_value_once(tmp_path: Path) -> None:
    # one bad value over many points: one line, not one per point
    lines = _errors(
        tmp_path,
        "axes:\n  - {name: a, path: doctrine.max_shots, values: [1, 9]}\n"
        "  - {name: b, path: doctrine.kill_assessment_s, "
        "values: [1, 2, 3]}\n",
    )
    assert lines == [
        "sweep.yaml:4:53: axes.0.values.1: doctrine.max_shots = 9: Input should be "
        "less than or equal to 8"
    ]
