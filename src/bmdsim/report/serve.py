"""`bmdsim view`: serve a run folder on localhost, with a local CesiumJS under ``/cesium/``.

Cesium loads its workers and imagery with HTTP requests, which browsers refuse for pages
opened from ``file://``; a tiny local server fixes that. The local Cesium is looked for, in
order, in ``$BMDSIM_CESIUM_DIR``, ``.cesium/`` of the current folder and ``.cesium/`` of the
source checkout bmdsim runs from (``make cesium`` puts it there, from the npm registry). When
there is none, ``globe.html`` falls back to the pinned public copy (`scene.CESIUM_CDN`).
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["CESIUM_SUBDIR", "find_cesium", "serve"]

#: Where `make cesium` installs the CesiumJS build, relative to a checkout.
CESIUM_SUBDIR = Path(".cesium/node_modules/cesium/Build/Cesium")


def find_cesium() -> Path | None:
    """The folder holding ``Cesium.js`` (module docstring), or None."""
    env = os.environ.get("BMDSIM_CESIUM_DIR")
    candidates = [Path(env)] if env else []
    candidates += [Path.cwd() / CESIUM_SUBDIR, Path(__file__).resolve().parents[3] / CESIUM_SUBDIR]
    for c in candidates:
        if (c / "Cesium.js").is_file():
            return c.resolve()
    return None


class _Handler(SimpleHTTPRequestHandler):
    """Files of the run folder; ``/cesium/...`` from the local Cesium build."""

    cesium: Path | None = None

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if self.cesium is not None and clean.startswith("/cesium/"):
            rel = Path(clean[len("/cesium/") :])
            target = (self.cesium / rel).resolve()
            if self.cesium in target.parents or target == self.cesium:
                return str(target)
            return str(self.cesium / "__outside__")  # 404
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


def serve(folder: Path, port: int = 0, host: str = "127.0.0.1",
          cesium: Path | None = None) -> ThreadingHTTPServer:  # fmt: skip
    """Start serving `folder` in a background thread; returns the server (its
    ``server_address`` has the port; call ``shutdown()`` to stop)."""
    handler = type("Handler", (_Handler,), {"cesium": cesium})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
