"""Browser tests: the real server as a process, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.support import ServerProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, in a machine with no network but loopback: no sandbox, no background connections.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(tmp_path / "instance").start()
    yield proc
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()


@pytest.fixture
def browser():
    assert shutil.which("chromium"), "install Debian's chromium (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def watch_console(page, errors: list):
    """Collect the page's console errors and uncaught exceptions into ``errors``."""
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
