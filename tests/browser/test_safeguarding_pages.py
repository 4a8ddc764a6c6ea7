"""A real browser, for the safeguarding parts of the live pages: "I need help" on the phone and the
presenter's private console (never the projector), a phone that loses its network, a projector
reloaded mid-question, and remove-and-ban. Debian's Chromium, driven by Playwright."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD

from .conftest import Transport, watch_console

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
#: What Chromium logs while the network is switched off, and only then.
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_REFUSED", "ERR_NETWORK_CHANGED")
SEEN = "The presenter has seen your request."


def english(browser, errors: list, **options):
    """A new browser context (one phone, or the presenter's computer) with the pages in English."""
    context = browser.new_context(**options)
    page = context.new_page()
    watch_console(page, errors)
    return context, page


def presenter(browser, server, game, errors: list, console: bool = True,
              nets: list | None = None):
    """The presenter signed in, with the projector and (in another tab) the console; with
    ``nets``, the projector's and the console's Socket.IO traffic is watched (``Transport``)."""
    context, projector = english(browser, errors, viewport={"width": 1280, "height": 720})
    projector.goto(server.url + "/lang/en")
    projector.goto(server.url + "/login")
    projector.fill("#username", "admin")
    projector.fill("#password", ADMIN_PASSWORD)
    projector.click("button.btn-primary")
    expect(projector).not_to_have_url(re.compile(r"/login"))
    frames: list[str] = []
    projector.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    if nets is not None:
        nets.append(Transport(projector))
    projector.goto(game["host_url"])
    expect(projector.locator("#v-lobby")).to_be_visible()
    desk = None
    if console:
        desk = context.new_page()
        watch_console(desk, errors)
        if nets is not None:
            nets.append(Transport(desk))
        desk.goto(f"{server.url}/host/{game['pin']}/console")
        expect(desk.locator("#phase")).to_have_text("Lobby")
    return projector, desk, frames


def join(browser, server, game, nickname: str, errors: list, context=None):
    """A phone (its own context, unless given) joins with a nickname."""
    if context is None:
        context, phone = english(browser, errors, **PHONE)
    else:
        phone = context.new_page()
        watch_console(phone, errors)
    phone.goto(server.url + "/lang/en")
    phone.goto(game["join_url"])
    phone.fill("#nick", nickname)
    phone.click("#join-btn")
    return context, phone


def test_help_reaches_the_console_only(server, browser):
    game = server.create_game(server.token())
    errors: list[str] = []
    nets: list[Transport] = []
    projector, desk, projector_frames = presenter(browser, server, game, errors, nets=nets)

    # before joining, the button shows the helplines only: there is nobody to tell yet
    context, phone = english(browser, errors, **PHONE)
    nets.append(Transport(phone))
    phone.goto(server.url + "/lang/en")
    phone.goto(game["join_url"])
    phone.click("#help-btn")
    expect(phone.locator("#help-call")).to_be_visible()
    expect(phone.locator("#help-ask")).to_be_hidden()
    expect(phone.locator("#help-sheet a[href='tel:111']")).to_be_visible()
    phone.click("#help-close")
    expect(phone.locator("#help-sheet")).to_be_hidden()

    phone.fill("#nick", "Cú Mèo")
    phone.fill("#cls", "8A")
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    device = phone.evaluate("localStorage.getItem('quiz:device')")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", device), device
    expect(desk.locator("#plist")).to_contain_text("Cú Mèo")
    expect(desk.locator("#help")).to_be_hidden()
    for net in nets:  # the projector, the console and the phone are on their WebSockets
        net.assert_on_websocket()

    # the phone asks first, then tells the presenter and shows the helplines
    phone.click("#help-btn")
    expect(phone.locator("#help-ask")).to_contain_text("Only the presenter sees it, not the class.")
    phone.click("#help-send")
    expect(phone.locator("#help-told")).to_be_visible()
    expect(phone.locator("#help-told")).to_contain_text("The presenter has been told")
    expect(phone.locator("#help-sheet a[href='tel:111']")).to_be_visible()
    expect(phone.locator("#help-sheet a[href='tel:113']")).to_be_visible()

    # the console shows it at the top, with a badge and the count in the tab's title
    item = desk.locator("#help-list li", has_text="Cú Mèo")
    expect(item).to_be_visible()
    expect(item).to_contain_text("8A")
    expect(desk.locator("#help-badge")).to_have_text(re.compile(r"\b1\b"))
    expect(desk).to_have_title(re.compile(r"^\(1\) "))

    # the projector never: no help item, no help text, not even a message on its socket
    projector.wait_for_timeout(300)
    assert projector.locator("#help-list, .hreq, #help-badge").count() == 0
    assert projector.get_by_text("Help requests").count() == 0
    assert projector.get_by_text("Mark as dealt with").count() == 0
    assert projector.get_by_text("needs help").count() == 0
    assert not [f for f in projector_frames if "help:" in f], projector_frames
    expect(projector.locator("#v-lobby")).to_be_visible()

    # pressing again while the request is open shows the same panel, and sends nothing new
    phone.click("#help-close")
    phone.click("#help-btn")
    expect(phone.locator("#help-told")).to_be_visible()
    phone.click("#help-close")
    expect(desk.locator("#help-list li")).to_have_count(1)

    # the presenter has dealt with it: the alert goes, the phone is told
    item.get_by_role("button", name="Mark as dealt with").click()
    expect(desk.locator("#help")).to_be_hidden()
    expect(desk.locator("#help-badge")).to_be_hidden()
    expect(desk).not_to_have_title(re.compile(r"^\("))
    expect(phone.locator("#toast")).to_have_text(SEEN)
    for net in nets:
        net.assert_on_websocket(timeout=0)
    assert not errors, errors


def test_phone_reconnects_by_itself(server, browser):
    game = server.create_game(server.token())
    errors: list[str] = []
    projector, _, _ = presenter(browser, server, game, errors, console=False)
    context, phone = join(browser, server, game, "Sóc Nâu", errors)
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#count")).to_have_text("1")
    projector.click("#btn-start")
    expect(phone.locator("#v-q")).to_be_visible()
    expect(phone.locator("#q-text")).to_have_text("Which one is correct?")

    context.set_offline(True)
    net = phone.locator("#net")
    expect(net).to_be_visible(timeout=5000)
    expect(net).to_have_class(re.compile(r"\bdown\b"))
    expect(net).to_have_text("Reconnecting…")
    phone.wait_for_timeout(1500)
    context.set_offline(False)
    expect(net).to_have_class(re.compile(r"\bup\b"), timeout=10000)
    expect(net).to_have_text("Back online")
    offline_errors = [e for e in errors if any(n in e for n in OFFLINE_NOISE)]
    errors[:] = [e for e in errors if e not in offline_errors]

    # still the same player, on the same open question
    expect(phone.locator("#v-q")).to_be_visible()
    expect(phone.locator("#q-ans button")).to_have_count(4)
    phone.locator("#q-ans button").nth(2).click()  # "Two", the correct answer
    expect(phone.locator("#v-res")).to_be_visible()
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    score = phone.locator("#res-score").inner_text()
    assert int(score) > 0
    expect(net).to_be_hidden(timeout=5000)
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(projector.locator("#r-ans")).to_have_text("1")

    # the score is kept (a reload resumes with the token)
    phone.reload()
    expect(phone.locator("#me-name")).to_have_text("Sóc Nâu")
    expect(phone.locator("#me-score")).to_have_text(score)
    assert not errors, errors


def test_projector_reload_and_console_next(server, browser):
    game = server.create_game(server.token())
    errors: list[str] = []
    projector, desk, _ = presenter(browser, server, game, errors)
    _, one = join(browser, server, game, "Hổ Con", errors)
    _, two = join(browser, server, game, "Rùa Biển", errors)
    expect(two.locator("#v-wait")).to_be_visible()
    expect(desk.locator("#pcount")).to_have_text("2")

    desk.click("#btn-start")
    expect(projector.locator("#q-text")).to_have_text("Which one is correct?")
    expect(desk.locator("#phase")).to_have_text("Question 1/5")
    expect(one.locator("#v-q")).to_be_visible()
    one.locator("#q-ans button").nth(0).click()
    expect(projector.locator("#q-ans")).to_have_text("1")
    expect(desk.locator("#counter")).to_have_text("1/2 answered")

    # a reload mid-question comes back to the same question, counter and clock
    projector.reload()
    expect(projector.locator("#v-question")).to_be_visible()
    expect(projector.locator("#q-text")).to_have_text("Which one is correct?")
    expect(projector.locator("#q-num")).to_have_text("Question 1/5")
    expect(projector.locator("#q-ans")).to_have_text("1")
    expect(projector.locator("#q-of")).to_have_text("2")
    expect(projector.locator("#q-tiles li")).to_have_count(4)
    assert 0 < int(projector.locator("#q-sec").inner_text()) <= 20

    # the console reveals, then Next moves on (a leaderboard, then the next question)
    desk.click("#btn-reveal")
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(desk.locator("#phase")).to_have_text("Reveal")
    expect(desk.locator("#now-choices li.right")).to_contain_text("Two")
    desk.click("#btn-next")
    expect(projector.locator("#v-board")).to_be_visible()
    expect(desk.locator("#phase")).to_have_text("Leaderboard")
    desk.click("#btn-next")
    expect(projector.locator("#q-text")).to_have_text("Is this true?")
    expect(desk.locator("#phase")).to_have_text("Question 2/5")
    expect(two.locator("#q-text")).to_have_text("Is this true?")
    assert not errors, errors


def test_remove_and_ban_from_the_console(server, browser):
    game = server.create_game(server.token())
    errors: list[str] = []
    projector, desk, _ = presenter(browser, server, game, errors)
    context, phone = join(browser, server, game, "Cú Mèo", errors)
    expect(phone.locator("#v-wait")).to_be_visible()

    row = desk.locator("#plist li", has_text="Cú Mèo")
    desk.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Remove and ban").click()
    expect(phone.locator("#v-kicked")).to_be_visible()
    expect(row).to_have_count(0)
    expect(projector.locator("#chips")).not_to_contain_text("Cú Mèo")

    # the phone is told it is banned, and offered no way back in
    expect(phone.locator("#kicked-banned")).to_have_text("You cannot join this session again.")
    expect(phone.locator("#rejoin")).to_be_hidden()
    # the same phone, another name, in a new tab (same device key): refused
    _, again = join(browser, server, game, "Rùa Biển", errors, context=context)
    expect(again.locator("#join-err")).to_have_text("You cannot join this session again.")

    # another phone may take the freed nickname
    _, other = join(browser, server, game, "Cú Mèo", errors)
    expect(other.locator("#v-wait")).to_be_visible()
    expect(desk.locator("#plist")).to_contain_text("Cú Mèo")
    expect(desk.locator("#pcount")).to_have_text("1")
    assert not errors, errors
