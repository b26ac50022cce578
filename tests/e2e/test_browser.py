"""End-to-end in a real browser: a run folder's report.html and globe.html rendered in headless
Chromium (Debian's ``chromium``, driven by Playwright; `.ci/run` installs both, `make cesium`
the local CesiumJS). Checks: no console errors, nothing fetched from outside (report.html
from ``file://`` with every network request blocked and counted; globe.html from the
`bmdsim view` server, every request to 127.0.0.1), and the map and the globe drawn: the
screenshot regions hold many colours, not a blank page. The screenshots are kept in
``test-artifacts/browser/`` (or ``$BMDSIM_TEST_ARTIFACTS/browser``) for a person to look at.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from bmdsim.report.serve import find_cesium, serve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BMDSIM_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("BMDSIM_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
         "--disable-sync", "--disable-quic"]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(coop_run: Path) -> Path:
    return coop_run


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), (
        f"{CHROMIUM} not found: the browser tests need Debian's chromium "
        "(`.ci/install-system-deps` installs it; or set BMDSIM_CHROMIUM)"
    )
    with sync_playwright() as p:  # launch() gives Chromium a new temporary profile
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


def _colours(png: bytes) -> tuple[int, float]:
    """Distinct colours (quantized to 32 levels per channel) and the pixel spread."""
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int64)
    q = img // 8
    codes = (q[..., 0] * 32 + q[..., 1]) * 32 + q[..., 2]
    return int(np.unique(codes).size), float(img.std())


def _keep(name: str, png: bytes) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(png)
    return path


def _errors(messages: list[tuple[str, str]]) -> list[str]:
    return [text for kind, text in messages if kind in ("error", "pageerror")]


def test_report_renders_offline(browser: Any, run_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    messages: list[tuple[str, str]] = []
    outside: list[str] = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))

    def block(route: Any) -> None:  # the report must not need the network
        if not route.request.url.startswith(("file:", "data:")):
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", block)
    page.goto((run_dir / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert outside == [] and _errors(messages) == []
    imgs = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.naturalWidth])")
    assert len(imgs) == 8 and all(w > 300 for _, w in imgs), imgs
    assert page.locator("h2", has_text="Comparison").count() == 1
    assert page.locator("table").first.locator("tr").count() == 1 + 2 * 5  # + partner fails
    full = page.screenshot(full_page=True)
    _keep("report.png", full)
    shot = page.locator("img[alt='map: sectoral']").screenshot()
    _keep("report-map-sectoral.png", shot)
    n, spread = _colours(shot)
    assert n > 60 and spread > 20, (n, spread)  # a drawn map, not a blank box
    page.close()


def test_globe_plays_the_scene(browser: Any, run_dir: Path) -> None:
    cesium = find_cesium()
    assert cesium is not None, (
        "no local CesiumJS: `make cesium` installs it into .cesium/ (make test does)"
    )
    server = serve(run_dir, cesium=cesium)
    host, port = server.server_address[:2]
    base = f"http://{host}:{port}/"
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    messages: list[tuple[str, str]] = []
    requests: list[str] = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(base + "globe.html")
        page.wait_for_function("window.bmdsimReady === true", timeout=90_000)
        page.wait_for_function("window.viewer.scene.globe.tilesLoaded", timeout=90_000)
        page.wait_for_timeout(1000)
        n_entities = page.evaluate("window.viewer.dataSources.get(0).entities.values.length")
        assert n_entities > 40
        shown = page.evaluate("""window.viewer.dataSources.get(0).entities.values
            .filter(e => /^arch\\/[^/]+$/.test(e.id) && e.show).map(e => e.id)""")
        assert shown == ["arch/independent"]
        page.select_option("#arch", "sectoral")
        shown = page.evaluate("""window.viewer.dataSources.get(0).entities.values
            .filter(e => /^arch\\/[^/]+$/.test(e.id) && e.show).map(e => e.id)""")
        assert shown == ["arch/sectoral"]
        page.wait_for_timeout(1000)
        png = page.screenshot()
        _keep("globe.png", png)
        canvas = page.locator("#globe canvas").first.screenshot()
        n, spread = _colours(canvas)
        assert n > 200 and spread > 20, (n, spread)  # the Earth's imagery, not a blank canvas
        assert _errors(messages) == [], messages
        outside = [u for u in requests if not u.startswith((base, "data:", "blob:"))]
        assert outside == []  # Cesium and the imagery from the local server only
    finally:
        page.close()
        server.shutdown()
