"""A challenge on a pupil's phone at home, in Debian's Chromium against the real server: the
nickname, the five question types one by one with their lessons, a reload that resumes, the end
screen, the poll, the page for parents (printed: one A4 page) and the presenter's page, each
passing axe-core with no serious or critical violation. The screenshots are kept in the test's folder (``--basetemp`` to find them)."""
from __future__ import annotations

import io

import pypdfium2
import pytest
import requests
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser import a11y
from tests.browser.conftest import browser, watch_console  # noqa: F401  (the fixture)
from tests.support import ADMIN_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "reduced_motion": "reduce"}


def fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_pupil_plays_a_challenge_at_home(server, browser, tmp_path):  # noqa: F811
    made = requests.post(server.url + "/api/v1/challenges", headers=server.token(), timeout=10,
                         json={"quiz": "test-quiz", "school": "DEMO", "class_label": "8A"})
    assert made.status_code == 201, made.text
    challenge = made.json()
    axe_folder = a11y.artifacts(tmp_path)
    failures: dict[str, str] = {}

    def shot(page, name: str) -> None:
        """A screenshot of the screen, and axe on it (WCAG 2.2 A and AA): the serious and
        critical violations of every screen are listed together at the end."""
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        bad = a11y.blocking(a11y.run_axe(page, "challenge-" + name, axe_folder))
        if bad:
            failures[name] = a11y.describe(bad)

    errors: list[str] = []
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    watch_console(phone, errors)

    phone.goto(challenge["url"])
    expect(phone.locator("#v-join")).to_be_visible()
    expect(phone.locator(".ch-due")).to_be_visible()
    fits(phone)
    shot(phone, "1-join")
    phone.fill("#nick", "<b>x</b>")
    phone.click("#join-btn")
    expect(phone.locator("#join-err")).to_be_visible()  # the live game's rules, with a message
    assert [e for e in errors if "400" not in e] == []  # the browser logs the refusal itself
    errors.clear()
    phone.click("#suggest")
    assert len(phone.input_value("#nick")) >= 2
    phone.fill("#nick", "Cú Mèo")
    phone.click("#join-btn")

    # 1. single choice, right: the lesson, then Next
    expect(phone.locator("#q-text")).to_have_text("Which one is correct?")
    expect(phone.locator("#q-ans button")).to_have_count(4)
    expect(phone.locator("#me-name")).to_have_text("Cú Mèo")
    fits(phone)
    shot(phone, "2-question")
    phone.locator("#q-ans button").nth(2).click()
    expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    expect(phone.locator("#res-pts")).to_have_text("+1000")
    expect(phone.locator("#res-expl")).to_have_text("Two is correct.")
    shot(phone, "3-right")
    # a reload before Next shows the same lesson again, then goes on
    phone.reload()
    expect(phone.locator("#res-expl")).to_have_text("Two is correct.")
    phone.click("#next-btn")

    # 2. true/false, wrong: the right answer is shown
    expect(phone.locator("#q-text")).to_have_text("Is this true?")
    phone.locator("#q-ans button").nth(0).click()
    expect(phone.locator("#v-res")).to_have_class("view res res-bad")
    expect(phone.locator("#res-answer")).to_contain_text("False")
    expect(phone.locator("#res-expl")).to_have_text("It is false.")
    shot(phone, "4-wrong")
    phone.click("#next-btn")

    # 3. multiple select: two tiles, then Submit
    expect(phone.locator("#q-text")).to_have_text("Pick the even ones")
    expect(phone.locator("#q-submit")).to_be_visible()
    phone.locator("#q-ans button").nth(0).click()
    phone.locator("#q-ans button").nth(2).click()
    shot(phone, "5-multiple")
    phone.click("#q-submit")
    expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    phone.click("#next-btn")

    # 4. a poll: no right or wrong
    expect(phone.locator("#q-text")).to_have_text("What do you think?")
    phone.locator("#q-ans button").nth(1).click()
    expect(phone.locator("#v-res")).to_have_class("view res res-poll")
    expect(phone.locator("#res-pts")).to_be_hidden()
    phone.click("#next-btn")

    # 5. a chat scenario: the bubbles one by one, then the choices
    expect(phone.locator("#q-chat")).to_be_visible()
    expect(phone.locator("#q-chat .msg")).to_have_count(2, timeout=6000)
    expect(phone.locator("#q-ans")).to_be_visible()
    # markup in a message is shown as text, never run
    expect(phone.locator("#q-chat .msg").first).to_contain_text("<b>now</b>")
    fits(phone)
    shot(phone, "6-chat")
    phone.locator("#q-ans button").nth(1).click()
    expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    phone.click("#next-btn")

    # the end: the score, the poll, the parents' page, the helplines
    expect(phone.locator("#v-end")).to_be_visible()
    expect(phone.locator("#end-score")).to_have_text("3000")
    expect(phone.locator("#end-right")).to_contain_text("3")
    expect(phone.locator("#v-end a[href='tel:111']")).to_be_visible()
    fits(phone)
    shot(phone, "7-end")
    phone.click("#talk-btns [data-answer=parent]")
    expect(phone.locator("#talk-done")).to_be_visible()
    expect(phone.locator("#talk-btns")).to_be_hidden()
    shot(phone, "8-talked")
    phone.reload()  # once per attempt: the buttons do not come back
    expect(phone.locator("#v-end")).to_be_visible()
    expect(phone.locator("#talk-done")).to_be_visible()
    expect(phone.locator("#talk-btns")).to_be_hidden()

    # the helplines sheet from the bar, at any time
    phone.click("#help-btn")
    expect(phone.locator("#help-sheet a[href='tel:111']")).to_be_visible()
    shot(phone, "9-help")
    phone.click("#help-close")

    phone.click("#parents-link")
    expect(phone.locator(".pp-lessons li")).to_have_count(5)
    expect(phone.locator(".pp-lessons")).to_contain_text("Block, report, tell an adult.")
    assert "Cú Mèo" not in phone.content()
    fits(phone)
    shot(phone, "10-parents-phone")
    parents = context.new_page()
    parents.goto(challenge["url"] + "/parents")
    parents.emulate_media(media="print")
    pdf = pypdfium2.PdfDocument(parents.pdf(format="A4", print_background=True))
    pdf[0].render(scale=120 / 72).to_pil().save(tmp_path / "11-parents-print.png")
    assert len(pdf) == 1  # one page

    # the presenter's page: the QR code reads as the link; the figures so far
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    presenter = desk.new_page()
    watch_console(presenter, errors)
    presenter.goto(server.url + "/login")
    presenter.fill("#username", "admin")
    presenter.fill("#password", ADMIN_PASSWORD)
    presenter.click("button.btn-primary")
    presenter.goto(challenge["page_url"])
    expect(presenter.locator("#fig-played b")).to_have_text("1")
    expect(presenter.locator("#fig-finished b")).to_have_text("1")
    expect(presenter.locator("#talk-figs li").first).to_contain_text("1")
    presenter.wait_for_function("document.querySelector('.ch-qr').naturalWidth > 0")
    png = presenter.locator(".ch-qr").screenshot()
    read = [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]
    assert read == [challenge["url"]]
    shot(presenter, "12-presenter")
    presenter.on("dialog", lambda dialog: dialog.accept())
    presenter.click("#close-btn")
    expect(presenter.locator("#state")).to_have_class("ch-state is-closed")

    # closed: a new phone is told so, and still finds the parents' page
    late = browser.new_context(**PHONE).new_page()
    watch_console(late, errors)
    late.goto(challenge["url"])
    expect(late.locator("#v-closed")).to_be_visible()
    expect(late.locator("#v-closed a[href$='/parents']")).to_be_visible()
    shot(late, "13-closed")
    assert errors == []
    assert not failures, "\n\n".join(f"=== {k}\n{v}" for k, v in failures.items())
