"""Browser tests: Debian's Chromium driven by Playwright (the real server is tests/conftest.py's
``server``)."""
from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, in a machine with no network but loopback: no sandbox, no background connections.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


class Transport:
    """A page's Socket.IO traffic as the network sees it: its long-polling requests, its
    WebSockets, and when the client last sent the upgrade (``5``) on a WebSocket."""

    def __init__(self, page):
        self.page = page
        self.polls: list[str] = []
        self.sockets: list = []
        self.polls_at_upgrade: int | None = None
        page.on("request", self._request)
        page.on("websocket", self._websocket)

    def _request(self, request) -> None:
        if "/socket.io/" in request.url and "transport=polling" in request.url:
            self.polls.append(request.url)

    def _websocket(self, ws) -> None:
        if "/socket.io/" in ws.url:
            self.sockets.append(ws)
            ws.on("framesent", self._sent)

    def _sent(self, payload) -> None:
        if payload == "5":
            self.polls_at_upgrade = len(self.polls)

    def upgraded(self) -> bool:
        """The page's latest connection is on its WebSocket: upgraded, with no long-polling
        request since."""
        return self.polls_at_upgrade is not None and self.polls_at_upgrade == len(self.polls)

    def assert_on_websocket(self, timeout: float = 10) -> None:
        """The page started on long-polling, as every Socket.IO client does, then upgraded; it
        has made no polling request since, and its WebSocket is open (waits up to ``timeout``
        for an upgrade in progress)."""
        for _ in range(int(timeout * 10)):
            if self.upgraded():
                break
            self.page.wait_for_timeout(100)
        assert self.polls, "the page never opened its connection by long-polling"
        assert self.polls_at_upgrade is not None, f"never upgraded to a WebSocket: {self.polls}"
        assert self.upgraded(), f"polling after the upgrade: {self.polls[self.polls_at_upgrade:]}"
        assert not self.sockets[-1].is_closed()
