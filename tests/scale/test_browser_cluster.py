"""A real phone and projector through nginx, in front of two processes on PostgreSQL and Redis:
both end on a WebSocket through the proxy, and after the process holding the game is killed they
reconnect through nginx to the other one, upgrade again, and the game goes on. Debian's
Chromium, driven by Playwright."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import Transport, browser, watch_console  # noqa: F401 (fixture)
from tests.support import ADMIN_PASSWORD

pytestmark = [pytest.mark.scale, pytest.mark.browser]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
#: What Chromium logs while a connection is refused during the failover, and only then.
FAILOVER_NOISE = ("ERR_CONNECTION_REFUSED", "502", "503", "WebSocket connection")


def test_a_browser_through_nginx_stays_on_websockets_across_a_failover(cluster, browser):
    url, servers, _ = cluster
    token = requests.post(url + "/api/v1/tokens", auth=("admin", ADMIN_PASSWORD),
                          timeout=10).json()["token"]
    game = requests.post(url + "/api/v1/games", headers={"Authorization": f"Bearer {token}"},
                         json={"quiz": "cluster", "school": "DEMO"}, timeout=10).json()
    assert game["join_url"].startswith(url)
    errors: list[str] = []

    desk = browser.new_context(viewport={"width": 1280, "height": 720})
    projector = desk.new_page()
    watch_console(projector, errors)
    projector_net = Transport(projector)
    projector.goto(url + "/lang/en")
    projector.goto(url + "/login")
    projector.fill("#username", "admin")
    projector.fill("#password", ADMIN_PASSWORD)
    projector.click("button.btn-primary")
    expect(projector).not_to_have_url(re.compile(r"/login"))
    projector.goto(game["host_url"])
    expect(projector.locator("#v-lobby")).to_be_visible()

    phone = browser.new_context(**PHONE).new_page()
    watch_console(phone, errors)
    phone_net = Transport(phone)
    phone.goto(url + "/lang/en")
    phone.goto(game["join_url"])
    phone.fill("#nick", "Sóc Nâu")
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#count")).to_have_text("1")
    phone_net.assert_on_websocket()
    projector_net.assert_on_websocket()

    projector.click("#btn-start")
    expect(phone.locator("#q-text")).to_have_text("Q0")
    phone.locator("#q-ans button").nth(0).click()  # "a", correct for Q0
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    score = int(phone.locator("#res-score").inner_text())
    assert score > 0

    # the process that holds the game dies; nginx sends the PIN to the other one
    games = [requests.get(f"http://127.0.0.1:{s.port}/healthz", timeout=5).json()["games"]
             for s in servers]
    victim = servers[games.index(1)]
    upgrades = (len(phone_net.sockets), len(projector_net.sockets))
    victim.proc.kill()
    victim.proc.wait()
    expect(phone.locator("#net")).to_have_text("Back online", timeout=20000)
    expect(projector.locator("#net")).to_have_text("Back online", timeout=20000)
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(phone.locator("#me-score")).to_have_text(str(score))

    projector.keyboard.press("Space")  # the leaderboard, then question 1
    expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(500)
    projector.keyboard.press("Space")
    expect(phone.locator("#q-text")).to_have_text("Q1")
    phone.locator("#q-ans button").nth(1).click()  # "b", correct for Q1
    expect(phone.locator("#v-res")).to_be_visible()
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    assert int(phone.locator("#res-score").inner_text()) > score

    # both came back on new WebSockets, through nginx, with no polling since the upgrade
    assert len(phone_net.sockets) > upgrades[0] and len(projector_net.sockets) > upgrades[1]
    phone_net.assert_on_websocket()
    projector_net.assert_on_websocket()
    survivor = next(s for s in servers if s is not victim)
    assert "Traceback" not in survivor.log()
    unexpected = [e for e in errors if not any(n in e for n in FAILOVER_NOISE)]
    assert not unexpected, unexpected
