"""A real browser: the projector shows the lobby, a phone joins through the join URL and answers,
the projector shows the reveal. Debian's Chromium, driven by Playwright."""
from __future__ import annotations


import pytest
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD, MODES

from .conftest import Transport, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("server", MODES, indirect=True)]


def test_lobby_join_answer_reveal(server, browser, tmp_path):
    game = server.create_game(server.token())
    errors: list[str] = []

    projector = browser.new_page(viewport={"width": 1280, "height": 720})
    watch_console(projector, errors)
    projector_net = Transport(projector)
    projector.goto(server.url + "/login")
    projector.fill("#username", "admin")
    projector.fill("#password", ADMIN_PASSWORD)
    projector.click("button.btn-primary")
    projector.goto(game["host_url"])
    expect(projector.locator("#v-lobby")).to_be_visible()
    expect(projector.locator("body")).to_contain_text(game["pin"][:3])
    qr = projector.locator(f"img[src*='{game['pin']}/qr.svg']")
    expect(qr).to_be_visible()
    assert projector.evaluate("(img) => img.naturalWidth > 0", qr.element_handle())

    phone_context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                        has_touch=True)
    phone = phone_context.new_page()
    watch_console(phone, errors)
    phone_net = Transport(phone)
    phone.goto(game["join_url"])
    phone.fill("#nick", "Cú <b>Mèo</b>")
    phone.click("#join-btn")
    expect(phone.locator("#join-err")).to_be_visible()  # markup is refused, with a message
    phone.fill("#nick", "Cú Mèo")
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#chips")).to_contain_text("Cú Mèo")
    expect(projector.locator("#count")).to_have_text("1")
    phone_net.assert_on_websocket()  # joined over the WebSocket, after starting on polling
    projector_net.assert_on_websocket()

    # a refresh keeps the player (token in localStorage)
    phone.reload()
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(phone.locator("#wait-nick")).to_have_text("Cú Mèo")
    expect(projector.locator("#count")).to_have_text("1")

    projector.click("#btn-start")
    expect(projector.locator("#v-question")).to_be_visible()
    expect(projector.locator("#q-text")).to_have_text("Which one is correct?")
    expect(phone.locator("#v-q")).to_be_visible()
    expect(phone.locator("#q-text")).to_have_text("Which one is correct?")
    buttons = phone.locator("#q-ans button")
    expect(buttons).to_have_count(4)
    projector.screenshot(path=str(tmp_path / "projector-question.png"))
    phone.screenshot(path=str(tmp_path / "phone-question.png"))
    buttons.nth(2).click()  # "Two", the correct answer; the only player answered: reveal

    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(projector.locator("#r-expl")).to_have_text("Two is correct.")
    expect(projector.locator("#r-chart")).to_contain_text("1")
    expect(phone.locator("#v-res")).to_be_visible()
    expect(phone.locator("#res-score")).not_to_have_text("0")
    expect(phone.locator("#res-rank")).to_contain_text("1")
    projector.screenshot(path=str(tmp_path / "projector-reveal.png"))
    phone.screenshot(path=str(tmp_path / "phone-result.png"))

    # a presentation remote's key moves on: the leaderboard, then the next question
    projector.keyboard.press("Space")
    expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(500)  # a second press within 400 ms is ignored on purpose
    projector.keyboard.press("PageDown")
    expect(projector.locator("#v-question")).to_be_visible()
    expect(phone.locator("#v-q")).to_be_visible()
    projector.wait_for_timeout(500)

    # the presenter ends the session (after confirming): podium on the projector, summary with
    # helplines on the phone
    projector.once("dialog", lambda dialog: dialog.accept())
    projector.click("#btn-end")
    expect(projector.locator("#v-over")).to_be_visible()
    expect(projector.locator("#podium")).to_contain_text("Cú Mèo")
    expect(phone.locator("#v-over")).to_be_visible()
    expect(phone.locator("a[href='tel:111']")).to_be_visible()
    expect(phone.locator("a[href='tel:113']")).to_be_visible()
    # the whole game went over the WebSocket: no polling request since the upgrade
    phone_net.assert_on_websocket(timeout=0)
    projector_net.assert_on_websocket(timeout=0)
    assert not errors, errors
