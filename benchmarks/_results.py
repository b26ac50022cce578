"""benchmarks/results.json: each benchmark records its section there (atomic rewrite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bmdsim._io import write_text_atomic

RESULTS = Path(__file__).with_name("results.json")


def record(section: str, value: Any, path: Path = RESULTS) -> None:
    """Set `section` of the results file to `value`, keeping the other sections."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data[section] = value
    write_text_atomic(path, json.dumps(data, indent=2, allow_nan=True) + "\n")
