"""The stability study's data file: it loads, every value is sourced, and bad entries are
named errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bmdsim.models._catalog import CatalogError, packaged_text
from bmdsim.models.stability import load_stability


def test_packaged_data_loads_and_is_sourced() -> None:
    d = load_stability()
    assert len(d.bases) == 10 and len(d.targets) == 4 and set(d.phases) == {1, 2, 3, 4}
    assert {"us-mda", "postol"} <= set(d.presets)
    for b in d.bases.values():
        for q in (b.lat_deg, b.lon_deg, b.launchers, b.warheads_per_missile):
            assert q.source.strip()
        assert b.warheads >= 1
    for p in d.presets.values():
        assert p.source.strip() and p.launch_delay_s.source.strip()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("missile: ss-18\n", "missile: ss-99\n", "bases.dombarovsky.missile: unknown missile"),
        (
            "{site: deveselu, interceptor: sm-3-ib}",
            "{site: nowhere, interceptor: sm-3-ib}",
            "deployments.1.site: unknown",
        ),
        (
            "sensor: an-tpy-2, site: kurecik",
            "sensor: an-tpy-9, site: kurecik",
            "presets.us-mda.cues.1.sensor: unknown sensor",
        ),
        (
            "burnout_speed_km_s: {}        # catalog values (",
            "burnout_speed_km_s: {sm-3-iia: 40}  # (",
            "outside [0.5, 12] km/s",
        ),
    ],
)
def test_bad_entries_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = packaged_text("stability.yaml")
    assert old in text
    bad = tmp_path / "stability.yaml"
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogError, match=re.escape(message)):
        load_stability(bad)
