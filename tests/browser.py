"""What the browser tests share: Debian's Chromium, a local HTTP server, screenshots.

Needs Debian's Chromium (``apt-get install chromium``): a contributor without it sees the tests
skipped, but under ``CI=true`` a missing Chromium fails the run. Playwright's own browser downloads
are not used.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the calling test module without Chromium; fail instead under ``CI=true``."""
    if CHROMIUM.exists():
        return
    # A contributor without Chromium may skip; continuous integration installs it and must not.
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: .ci/run installs Debian's chromium",
            pytrace=False,
        )
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` served on localhost; yields its base URL (ending with ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """Where a screenshot goes: ``build/screenshots/`` of the checkout when writable."""
    folder = REPO / "build" / "screenshots"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError:
        folder = tmp_path
    return folder / name
