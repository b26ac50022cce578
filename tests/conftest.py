"""Shared fixtures."""

from __future__ import annotations

import pytest

from bmdsim.models.missiles import Missile, get_missile


@pytest.fixture(scope="session")
def minuteman() -> Missile:
    return get_missile("minuteman-3")
