"""A session with a knowledge check in a real browser (Debian's Chromium, Playwright): a phone
and the projector play the check without its answers, the quiz, the check again with them, and
the results page shows the gain. Screenshots at 1280×720 and 360×740 are kept in the test's
folder."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .test_safeguarding_pages import join, presenter

pytestmark = pytest.mark.browser
LESSONS = ("Right is right.", "It is true.", "C it is.")  # tests/data/questions/test-check.yaml


def test_a_session_with_a_knowledge_check(server, browser, tmp_path):
    game = server.create_game(server.token(), options={"check": "test-check"})
    errors: list[str] = []
    projector, desk, _ = presenter(browser, server, game, errors)
    expect(projector.locator("#lobby-check")).to_contain_text("3 questions")
    context, phone = join(browser, server, game, "Cú Mèo", errors)
    frames: list[str] = []  # everything the phone receives on its WebSocket
    phone.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(phone.locator("#wait-check")).to_be_visible()
    shots = tmp_path

    def snap(name: str) -> None:
        """The projector and the phone as they look once their entrance animations are over."""
        projector.screenshot(path=str(shots / f"projector-{name}.png"), animations="disabled")
        phone.screenshot(path=str(shots / f"phone-{name}.png"), animations="disabled")

    def press(button: str) -> None:
        """The presenter's remote: Space (Next) or R (Reveal now), as its buttons do."""
        projector.wait_for_timeout(450)  # a second press within 400 ms is ignored on purpose
        projector.keyboard.press({"#btn-next": "Space", "#btn-reveal": "r"}[button])

    def tap(choice: int) -> None:
        phone.locator("#q-ans button").nth(choice).click()

    # before: "what do you already know?", and no answer anywhere
    expect(projector.locator("#count")).to_have_text("1")
    projector.click("#btn-start")
    expect(phone.locator("#q-part")).to_have_text("Before we start: what do you already know?")
    expect(phone.locator("#q-num")).to_have_text("Check 1/3")
    expect(projector.locator("#q-num")).to_have_text("Check 1/3")
    expect(projector.locator("#q-kind")).to_have_text("Before we start: what do you already know?")
    expect(desk.locator("#now-part")).to_contain_text("before the quiz")
    snap("check-before-question")
    tap(1)  # right, but nobody is told
    expect(projector.locator("#v-recorded")).to_be_visible()
    expect(projector.locator("#k-ans")).to_have_text("1")
    expect(phone.locator("#v-res")).to_have_class("view res res-rec")
    expect(phone.locator("#res-title")).to_have_text("Answer recorded")
    expect(phone.locator("#res-lesson")).to_be_hidden()
    expect(phone.locator("#res-stats")).to_be_hidden()
    expect(desk.locator("#phase")).to_have_text("Answers recorded")
    expect(desk.locator("#now-choices .ok")).to_have_count(0)  # counts, marked neither way
    snap("check-before-recorded")
    desk.screenshot(path=str(shots / "console-check-before-recorded.png"), animations="disabled")
    for question, choice in ((1, 1), (2, 0)):  # both wrong
        press("#btn-next")
        expect(phone.locator("#q-num")).to_have_text(f"Check {question + 1}/3")
        tap(choice)
        expect(projector.locator("#v-recorded")).to_be_visible()
        expect(projector.locator("#k-num")).to_have_text(f"Check {question + 1}/3")
        expect(phone.locator("#res-title")).to_have_text("Answer recorded")
    for lesson in LESSONS:
        assert lesson not in phone.content() and lesson not in projector.content()
        assert not any(lesson in f for f in frames)
    assert not any('"correct":[' in f for f in frames)

    # the quiz, as always (no leaderboard came during the check)
    press("#btn-next")
    expect(phone.locator("#q-part")).to_have_text("Now the quiz, for points!")
    expect(phone.locator("#q-num")).to_have_text("Question 1/5")
    expect(projector.locator("#q-num")).to_have_text("Question 1/5")
    tap(2)
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(projector.locator("#r-expl")).to_have_text("Two is correct.")
    expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    expect(phone.locator("#res-stats")).to_be_visible()
    press("#btn-next")
    expect(projector.locator("#b-sub")).to_have_text("After question 1 of 5")
    for number in range(2, 6):
        press("#btn-next")
        expect(projector.locator("#q-num")).to_have_text(f"Question {number}/5")
        press("#btn-reveal")
        expect(projector.locator("#v-reveal")).to_be_visible()
        if number < 5:
            press("#btn-next")
            expect(projector.locator("#v-board")).to_be_visible()

    # after: the same questions, now with the answers and the lessons
    press("#btn-next")
    expect(phone.locator("#q-part")).to_have_text("Now, what have you learned?")
    expect(phone.locator("#q-num")).to_have_text("Check 1/3")
    expect(projector.locator("#q-kind")).to_have_text("Now, what have you learned?")
    expect(phone.locator("#q-text")).to_have_text("Check one: which is right?")
    snap("check-after-question")
    tap(1)
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(projector.locator("#r-expl")).to_have_text("Right is right.")
    expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    expect(phone.locator("#res-lesson")).to_contain_text("Right is right.")
    expect(phone.locator("#res-stats")).to_be_hidden()
    snap("check-after-reveal")
    for choice in (0, 2):
        press("#btn-next")
        tap(choice)
        expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    press("#btn-next")

    # the end: the pupil's own 1/3 → 3/3, the class's gain
    expect(phone.locator("#v-over")).to_be_visible()
    expect(phone.locator("#over-before")).to_have_text("1/3")
    expect(phone.locator("#over-after")).to_have_text("3/3")
    expect(projector.locator("#o-check")).to_be_visible()
    expect(projector.locator("#o-before")).to_have_text("33%")
    expect(projector.locator("#o-after")).to_have_text("100%")
    expect(projector.locator("#o-gain")).to_have_text("+67 points")
    expect(desk.locator("#now-part")).to_contain_text("33% → 100%")
    snap("check-over")

    # the results page: before → after and the gain, per question too
    projector.click("text=See the results")
    check = projector.locator("#knowledge-check")
    expect(check).to_contain_text("33%")
    expect(check).to_contain_text("+67")
    expect(check.locator(".check-qs li")).to_have_count(3)
    expect(projector.locator(".result-questions > li")).to_have_count(5)  # the quiz's own
    projector.screenshot(path=str(shots / "results-1280.png"), full_page=True,
                         animations="disabled")
    projector.set_viewport_size({"width": 360, "height": 740})
    projector.screenshot(path=str(shots / "results-360.png"), full_page=True, animations="disabled")
    assert not errors, errors
