"""Phones on a school network, in a real browser: a phone that loses the network for 20 seconds,
one whose screen sleeps for a minute, and one behind a proxy that blocks WebSockets. Debian's
Chromium, driven by Playwright."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.support import ServerProcess, quiz_folder

from .conftest import Transport
from .test_safeguarding_pages import OFFLINE_NOISE, PHONE, english, presenter

pytestmark = pytest.mark.browser
OFFLINE = 20  # seconds a phone stays off the network
ASLEEP = 60  # seconds a phone's screen sleeps


@pytest.fixture
def server(tmp_path):
    """A server with a quiz of long questions, so that one stays open while a phone is away."""
    folder = quiz_folder(tmp_path / "questions", "network",
                         ["Question 1", "Question 2", "Question 3"], time_limit=120)
    proc = ServerProcess(tmp_path / "instance", questions=folder).start()
    yield proc
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()


def phone_joins(browser, server, game, nickname: str, errors: list):
    context, phone = english(browser, errors, **PHONE)
    net = Transport(phone)
    phone.goto(server.url + "/lang/en")
    phone.goto(game["join_url"])
    phone.fill("#nick", nickname)
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    return context, phone, net


class Screen:
    """A phone's screen going to sleep and waking up.

    Headless Chromium never hides a page, and Playwright's focus emulation keeps it from being
    frozen, so the test does both as the page sees them: ``document.visibilityState`` turns
    ``hidden`` (with its ``visibilitychange`` event), and the debugger stops all of the page's
    JavaScript — its timers, its socket's handlers and the heartbeat's pong — until it wakes.
    That is harsher than a sleeping phone, whose timers still run about once a minute.
    """

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def sleep(self) -> None:
        self.page.evaluate("""() => {
            for (const [name, value] of [["visibilityState", "hidden"], ["hidden", true]])
                Object.defineProperty(document, name, {configurable: true, get: () => value});
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
        self.cdp.send("Debugger.enable")
        self.cdp.send("Debugger.pause")

    def wake(self) -> None:
        self.cdp.send("Debugger.resume")
        self.cdp.send("Debugger.disable")
        self.page.evaluate("""() => {
            delete document.visibilityState;
            delete document.hidden;
            document.dispatchEvent(new Event("visibilitychange"));
        }""")


def test_phones_come_back_from_a_lost_network_and_a_sleeping_screen(server, browser):
    game = server.create_game(server.token(), quiz="network")
    errors: list[str] = []
    nets: list[Transport] = []
    projector, _, _ = presenter(browser, server, game, errors, console=False, nets=nets)
    a_context, a, a_net = phone_joins(browser, server, game, "Sóc Nâu", errors)
    c_context, c, c_net = phone_joins(browser, server, game, "Cú Mèo", errors)
    _, b, b_net = phone_joins(browser, server, game, "Hổ Con", errors)
    nets += [a_net, b_net, c_net]
    expect(projector.locator("#count")).to_have_text("3")

    projector.click("#btn-start")
    for phone in (a, b, c):
        expect(phone.locator("#q-text")).to_have_text("Question 1")
    # A and C lose the network and tap an answer anyway; B's screen goes to sleep
    for context, phone in ((a_context, a), (c_context, c)):
        context.set_offline(True)
        expect(phone.locator("#net")).to_have_text("Reconnecting…")
        phone.locator("#q-ans button").nth(0).click()  # "a", the correct answer
        expect(phone.locator("#sent-title")).to_have_text("Answer kept on your phone")
        expect(phone.locator("#sent-msg")).to_have_text(
            "It is sent as soon as you are back online.")
    screen = Screen(b)
    screen.sleep()
    asleep = time.monotonic()
    projector.wait_for_timeout(OFFLINE * 1000)

    # A is back while question 1 is open: its kept answer is sent and counts
    a_context.set_offline(False)
    expect(a.locator("#net")).to_have_text("Back online", timeout=15000)
    expect(a.locator("#sent-title")).to_have_text("Answer sent")
    expect(projector.locator("#q-ans")).to_have_text("1")

    # the presenter closes question 1 while C is still offline and B asleep
    projector.click("#btn-reveal")
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(projector.locator("#r-ans")).to_have_text("1")
    expect(a.locator("#res-title")).to_have_text("Correct!")
    expect(a.locator("#res-note")).to_be_hidden()
    projector.wait_for_timeout(3000)

    # C is back after the question closed: the reveal, its own result, and its answer did not count
    c_context.set_offline(False)
    expect(c.locator("#net")).to_have_text("Back online", timeout=15000)
    expect(c.locator("#v-res")).to_be_visible()
    expect(c.locator("#res-title")).to_have_text("Time's up")
    expect(c.locator("#res-expl")).to_have_text("Lesson 1.")
    expect(c.locator("#res-note")).to_have_text(
        "Your answer to question 1 did not count: the question closed before your phone was "
        "back online.")
    expect(projector.locator("#r-ans")).to_have_text("1")

    # on to question 2 while B sleeps
    projector.keyboard.press("Space")
    expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(500)
    projector.keyboard.press("Space")
    expect(projector.locator("#q-text")).to_have_text("Question 2")
    for phone in (a, c):
        expect(phone.locator("#q-text")).to_have_text("Question 2")
    projector.wait_for_timeout(max(0, ASLEEP - (time.monotonic() - asleep)) * 1000)

    # B wakes a minute later: it slept through a reveal and a leaderboard, and shows the open
    # question (its clock counting down from the server's time), where its answer counts
    screen.wake()
    expect(b.locator("#q-text")).to_have_text("Question 2", timeout=15000)
    expect(b.locator("#q-ans button")).to_have_count(3)
    # (an event held while asleep may draw it first with a full clock; the server's state
    # follows at once)
    expect(b.locator("#q-sec")).to_have_text(re.compile(r"^[1-9][0-9]?$"))  # under 100 s left
    for phone in (a, b, c):
        phone.locator("#q-ans button").nth(1).click()  # "b", the correct answer
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(projector.locator("#r-ans")).to_have_text("3")
    for phone in (a, b, c):
        expect(phone.locator("#v-res")).to_be_visible()
        expect(phone.locator("#res-title")).to_have_text("Correct!")
    expect(b.locator("#res-score")).not_to_have_text("0")
    assert int(a.locator("#res-score").inner_text()) > int(c.locator("#res-score").inner_text())

    # every page is back on its WebSocket, with no polling since the upgrade
    for net in nets:
        net.assert_on_websocket()
    unexpected = [e for e in errors if not any(n in e for n in OFFLINE_NOISE)]
    assert not unexpected, unexpected


def test_a_phone_behind_a_proxy_that_blocks_websockets_plays_over_polling(server, browser):
    game = server.create_game(server.token(), quiz="network")
    errors: list[str] = []
    projector, _, _ = presenter(browser, server, game, errors, console=False)
    context, phone = english(browser, errors, **PHONE)
    net = Transport(phone)
    refused: list[str] = []

    def block(ws):  # what a proxy that does not pass WebSockets does
        refused.append(ws.url)
        ws.close()

    phone.route_web_socket(re.compile(r"/socket\.io/"), block)
    phone.goto(server.url + "/lang/en")
    phone.goto(game["join_url"])
    phone.fill("#nick", "Rùa Biển")
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#count")).to_have_text("1")
    projector.click("#btn-start")
    expect(phone.locator("#q-text")).to_have_text("Question 1")
    phone.locator("#q-ans button").nth(0).click()  # "a", the correct answer
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    expect(projector.locator("#r-ans")).to_have_text("1")
    assert refused, "the phone never tried to upgrade"
    assert net.polls_at_upgrade is None and len(net.polls) > 3  # it stayed on long-polling
    assert not [e for e in errors if "WebSocket" not in e], errors
