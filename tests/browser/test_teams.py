"""Teams sharing phones, in a real browser: a phone at 360×740 joins as a team of three, the
projector's lobby shows the team and its pupils, the phone shows the question locked under the
discussion countdown and answers once it ends; a session without a timer shows no countdown.
Screenshots of the team join form, the discussion and the lobby with teams are kept in the
test's folder (or ``$QUIZAPP_TEST_ARTIFACTS/teams``)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD

from .conftest import watch_console

pytestmark = pytest.mark.browser


def shots_folder(tmp_path: Path) -> Path:
    root = os.environ.get("QUIZAPP_TEST_ARTIFACTS")
    folder = Path(root) / "teams" if root else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def signed_in_projector(browser, server, game):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server.url + "/lang/en")
    page.goto(server.url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button.btn-primary")
    page.goto(game["host_url"])
    return page


def phone_page(browser, server, url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    context.add_cookies([{"name": "lang", "value": "en", "url": server.url}])
    page = context.new_page()
    page.goto(url)
    return page


def test_a_team_of_three_joins_talks_it_over_and_answers(server, browser, tmp_path):
    shots = shots_folder(tmp_path)
    headers = server.token()
    game = server.create_game(headers, options={"team_mode": True, "discussion": 10})
    errors: list[str] = []
    projector = signed_in_projector(browser, server, game)
    watch_console(projector, errors)
    expect(projector.locator("#v-lobby")).to_be_visible()
    expect(projector.locator(".lobby-row")).to_contain_text("teams joined")

    phone = phone_page(browser, server, game["join_url"])
    watch_console(phone, errors)
    expect(phone.locator("#members")).to_have_value("2")  # a team of two unless told
    expect(phone.locator("label[for=nick]")).to_have_text("Your team's name")
    phone.click("#suggest")
    suggested = phone.locator("#nick").input_value()
    assert suggested.startswith("Team ") and 6 <= len(suggested) <= 20
    phone.fill("#nick", "Đội Sao Biển")
    phone.click("#members-more")
    expect(phone.locator("#members")).to_have_value("3")
    for _ in range(5):
        phone.click("#members-more", force=True)
    expect(phone.locator("#members")).to_have_value("6")  # never more than six
    expect(phone.locator("#members-more")).to_be_disabled()
    for _ in range(3):
        phone.click("#members-less")
    expect(phone.locator("#members")).to_have_value("3")
    phone.screenshot(path=str(shots / "phone-team-join-360.png"), full_page=True)
    # every control of the form fits the narrow screen
    for box in (phone.locator(s).bounding_box() for s in
                ("#nick", "#members-less", "#members", "#members-more", "#join-btn")):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(phone.locator("#wait-nick")).to_have_text("Đội Sao Biển")
    expect(phone.locator("#wait-team")).to_have_text("A team of 3")

    # another team joins over Socket.IO, as a phone does, with five pupils
    import socketio
    other = socketio.Client(reconnection=False)
    other.connect(f"{server.url}?pin={game['pin']}")
    assert other.call("player:join", {"pin": game["pin"], "nickname": "Đội Cá Heo",
                                      "members": 5})["ok"]

    chips = projector.locator("#chips .chip")
    expect(chips).to_have_count(2)
    expect(projector.locator("#chips")).to_contain_text("Đội Sao Biển")
    expect(chips.filter(has_text="Đội Sao Biển").locator(".members")).to_have_text("3")
    expect(projector.locator("#count")).to_have_text("2")
    expect(projector.locator("#pupils")).to_have_text("8")
    projector.wait_for_timeout(500)  # the chips' entrance animation
    projector.screenshot(path=str(shots / "projector-lobby-teams-1280.png"))

    projector.click("#btn-start")
    expect(phone.locator("#v-q")).to_be_visible()
    expect(phone.locator("#q-talk")).to_be_visible()
    expect(phone.locator("#q-talk-msg")).to_have_text("Talk it over with your team…")
    buttons = phone.locator("#q-ans button")
    expect(buttons).to_have_count(4)
    for i in range(4):
        expect(buttons.nth(i)).to_be_disabled()  # the choices are shown, locked
    expect(projector.locator("#q-talk")).to_be_visible()
    expect(projector.locator(".ring")).to_have_class("ring talk")
    talk_left = int(phone.locator("#q-talk-sec").inner_text())
    assert 7 <= talk_left <= 10
    phone.screenshot(path=str(shots / "phone-discussion-360.png"))
    projector.screenshot(path=str(shots / "projector-discussion-1280.png"))

    # the countdown ends: the buttons open, the question's own countdown runs
    expect(phone.locator("#q-talk")).to_be_hidden(timeout=13_000)
    expect(buttons.nth(2)).to_be_enabled()
    expect(phone.locator("#q-sec")).not_to_have_text("")
    expect(projector.locator("#q-talk")).to_be_hidden()
    buttons.nth(2).click()  # "Two", the right answer
    expect(phone.locator("#v-sent")).to_be_visible()
    assert other.call("player:answer", {"question": 0, "choice": 1})["ok"]
    expect(phone.locator("#v-res")).to_be_visible()
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    expect(projector.locator("#v-reveal")).to_be_visible()
    projector.keyboard.press("Space")
    expect(projector.locator("#v-board h1")).to_have_text("Team leaderboard")
    expect(phone.locator("#v-board h1")).to_have_text("Team leaderboard")
    other.disconnect()

    results = requests.get(f"{server.url}/api/v1/games/{game['pin']}/results", headers=headers,
                           timeout=10).json()
    assert {p["nickname"]: p["members"] for p in results["players"]} == {
        "Đội Sao Biển": 3, "Đội Cá Heo": 5}
    assert results["pupils"] == 8
    assert not errors, errors


def test_without_a_timer_no_countdown_shows(server, browser, tmp_path):
    shots = shots_folder(tmp_path)
    game = server.create_game(server.token(), options={"no_timer": True, "time_factor": 2})
    errors: list[str] = []
    projector = signed_in_projector(browser, server, game)
    watch_console(projector, errors)
    phone = phone_page(browser, server, game["join_url"])
    watch_console(phone, errors)
    expect(phone.locator("#members")).to_have_count(0)  # not a team session
    phone.fill("#nick", "Cú Mèo")
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#count")).to_have_text("1")
    projector.click("#btn-start")
    expect(phone.locator("#v-q")).to_be_visible()
    expect(phone.locator("#q-clock")).to_be_hidden()
    expect(phone.locator("#q-tbar")).to_be_hidden()
    expect(phone.locator("#q-hint")).to_have_text("Take your time: no countdown.")
    expect(projector.locator(".ring")).to_be_hidden()
    expect(phone.locator("#q-ans button").nth(0)).to_be_enabled()
    phone.screenshot(path=str(shots / "phone-no-timer-360.png"))
    phone.locator("#q-ans button").nth(2).click()
    expect(phone.locator("#v-res")).to_be_visible()  # the only player answered: revealed
    expect(phone.locator("#res-pts")).to_have_text("+1000")  # full points, no speed
    assert not errors, errors
