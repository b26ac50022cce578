"""Shared fixtures."""

from __future__ import annotations

import pytest

from bmdsim.models.missiles import Missile, get_missile


@pytest.fixture(scope="session")
def minuteman() -> Missile:
    return get_missile("minuteman-3")


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fly-out tables built by the tests go to a temporary cache, not the user's."""
    import os

    os.environ["BMDSIM_CACHE_DIR"] = str(tmp_path_factory.mktemp("bmdsim-cache"))
