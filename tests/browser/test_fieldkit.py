"""The field kit in a classroom, in Debian's Chromium: the laptop's hotspot joined by a Wi-Fi QR
code in a two-step lobby, the printed join card (Chromium's PDF, rendered to PNG), and a
session run from the presenter's phone with no projector open. The QR codes are read back from
the screenshots and the PDF with ZXing; the hotspot's password must be in no log line, no
database row, nothing a pupil's phone receives and no URL."""
from __future__ import annotations

import io
import re
import sqlite3

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD, MODES, ServerProcess
from tests.web.test_wifi import parse_wifi

from .conftest import watch_console

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
# Screenshots with no animation half-way (the app honours reduced motion).
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "reduced_motion": "reduce"}
# The session's own hotspot, with every character the Wi-Fi QR format must escape.
SSID = 'Lớp 8A; "Wi-Fi"'
PASSWORD = 'p@ss:w;rd,"x\\9'
# The laptop's own (QUIZAPP_WIFI_*), which the session's replaces.
LAPTOP_SSID, LAPTOP_PASSWORD = "Laptop hotspot", "laptop-secret-77"


def codes(png) -> list[str]:
    """The texts of every QR code ZXing finds in an image."""
    image = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png)
    return sorted(b.text for b in zxingcpp.read_barcodes(image.convert("L")))


def login(page, url: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button.btn-primary")
    expect(page.locator("#password")).to_have_count(0)


def pdf_to_png(pdf: bytes, path) -> int:
    """Render the first page of ``pdf`` at 150 dpi to ``path``; returns the page count."""
    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=150 / 72).to_pil().save(path)
    return len(document)


@pytest.fixture(params=MODES)
def laptop(request, tmp_path):
    """The real server, as a laptop with its hotspot set in the environment."""
    proc = ServerProcess(tmp_path / "instance", mode=request.param, env={
        "QUIZAPP_WIFI_SSID": LAPTOP_SSID, "QUIZAPP_WIFI_PASSWORD": LAPTOP_PASSWORD}).start()
    yield proc
    proc.stop()


def test_hotspot_lobby_card_and_the_password_nowhere(laptop, browser, tmp_path):
    errors: list[str] = []
    context = browser.new_context(viewport=PROJECTOR, reduced_motion="reduce")
    projector = context.new_page()
    watch_console(projector, errors)
    urls: list[str] = []
    projector.on("request", lambda r: urls.append(r.url))
    login(projector, laptop.url)

    # The new-session form offers the laptop's hotspot; the presenter types another one.
    projector.goto(laptop.url + "/host/new")
    projector.select_option("#quiz", "test-quiz")
    projector.fill("#school", "DEMO")
    projector.click(".wifi-fields summary")
    expect(projector.locator(".wifi-fields")).to_contain_text(LAPTOP_SSID)
    projector.fill("#wifi_ssid", SSID)
    projector.fill("#wifi_password", "short")
    projector.click("button.wide")
    expect(projector.locator(".wifi-fields .field-error")).to_contain_text(re.compile(r"\b8\D+63\b"))
    assert "short" not in projector.content()  # a password is never drawn back into a page
    projector.fill("#wifi_password", PASSWORD)
    projector.fill("#school", "DEMO")
    projector.click("button.wide")
    projector.wait_for_url(re.compile(r".*/host/\d{6}$"))
    pin = re.search(r"/host/(\d{6})$", projector.url).group(1)

    # Step 1: the Wi-Fi code, with the network's name and how to join.
    lobby = projector.locator("#v-lobby")
    expect(lobby).to_have_attribute("data-step", "wifi")
    expect(projector.locator(".wifi-info")).to_be_visible()
    expect(projector.locator(".wifi-name")).to_contain_text(SSID)
    expect(projector.locator("#deck-steps")).to_be_visible()
    projector.wait_for_function("document.getElementById('wifi-img').naturalWidth > 0")
    projector.screenshot(path=str(tmp_path / "lobby-1-wifi.png"))
    [wifi] = codes(tmp_path / "lobby-1-wifi.png")
    assert parse_wifi(wifi) == {"T": "WPA", "S": SSID, "P": PASSWORD}
    assert PASSWORD not in projector.content()

    # A presentation remote's "next" shows step 2 (it does not start the game yet).
    projector.keyboard.press("PageDown")
    expect(lobby).to_have_attribute("data-step", "join")
    expect(projector.locator(".join-info")).to_be_visible()
    projector.screenshot(path=str(tmp_path / "lobby-2-join.png"))
    assert codes(tmp_path / "lobby-2-join.png") == [f"{laptop.url}/play/{pin}"]

    # Both side by side, chosen on the presenter's console (another device): the projector follows.
    phone_console = browser.new_context(**PHONE)
    console = phone_console.new_page()
    watch_console(console, errors)
    console.on("request", lambda r: urls.append(r.url))
    login(console, laptop.url)
    console.goto(f"{laptop.url}/host/{pin}/console?present")
    expect(console.locator("#lobby-steps")).to_be_visible()
    expect(console.locator("#lobby-steps [data-step=join]")).to_have_attribute("aria-pressed", "true")
    console.click("#lobby-steps [data-step=both]")
    expect(lobby).to_have_attribute("data-step", "both")
    projector.wait_for_timeout(300)
    projector.screenshot(path=str(tmp_path / "lobby-3-both.png"))
    found = codes(tmp_path / "lobby-3-both.png")
    assert f"{laptop.url}/play/{pin}" in found and len(found) == 2
    assert parse_wifi(next(c for c in found if c.startswith("WIFI:")))["P"] == PASSWORD
    console.evaluate("window.scrollTo(0, 0)")
    console.screenshot(path=str(tmp_path / "console-lobby-presenter-mode.png"))

    # A pupil's phone joins: nothing it receives carries the password.
    pupil_context = browser.new_context(**PHONE)
    pupil = pupil_context.new_page()
    watch_console(pupil, errors)
    received: list[str] = []
    pupil.on("response", lambda r: received.append(r.url + "\n" + _body(r)))
    pupil.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(str(f))))
    pupil.goto(f"{laptop.url}/play/{pin}")
    pupil.fill("#nick", "Sóc Nâu")
    pupil.click("#join-btn")
    expect(pupil.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#chips")).to_contain_text("Sóc Nâu")

    # The join card, printed to PDF by Chromium and rendered to PNG: one A4 page, both codes.
    card = context.new_page()
    watch_console(card, errors)
    card.goto(f"{laptop.url}/host/{pin}/card")
    expect(card.locator(".cs-steps li")).to_have_count(3)
    card.wait_for_function("[...document.images].every((i) => i.complete && i.naturalWidth > 0)")
    card.screenshot(path=str(tmp_path / "card-screen.png"), full_page=True)
    card.emulate_media(media="print")
    pdf = card.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_to_png(pdf, tmp_path / "card-print.png") == 1
    with Image.open(tmp_path / "card-print.png") as page:
        assert abs(page.width / page.height - 210 / 297) < 0.01  # A4
    printed = codes(tmp_path / "card-print.png")
    assert f"{laptop.url}/play/{pin}" in printed
    assert parse_wifi(next(c for c in printed if c.startswith("WIFI:")))["S"] == SSID

    # The laptop's own network is one click away; then none at all.
    console.click("#wifi-card summary")
    console.click("#wifi-card button[value=laptop]")
    expect(projector.locator(".wifi-name")).to_contain_text(LAPTOP_SSID)
    projector.wait_for_timeout(300)
    assert parse_wifi(next(c for c in codes(projector.screenshot()) if c.startswith("WIFI:")))[
        "P"] == LAPTOP_PASSWORD
    console.click("#wifi-card summary")
    console.click("#wifi-card button[value=none]")
    expect(lobby).to_have_attribute("data-wifi", "0")
    expect(projector.locator("#deck-steps")).to_be_hidden()

    # The session ends; then: no password in any URL, in anything the pupil's phone received, in
    # any database row or file of the instance folder, or in the server's log.
    projector.click("#btn-start")  # a player is in: no "start anyway?"
    expect(projector.locator("#v-question")).to_be_visible()
    projector.wait_for_timeout(500)  # a second press within 400 ms is ignored on purpose
    projector.once("dialog", lambda dialog: dialog.accept())
    projector.click("#btn-end")
    expect(pupil.locator("#v-over")).to_be_visible()
    laptop.stop()
    dump = _database_text(laptop.instance / "quizapp.db")
    assert pin in dump and "Sóc Nâu" in dump  # the session is there, its Wi-Fi is not
    for secret in (PASSWORD, LAPTOP_PASSWORD):
        assert not [u for u in urls if secret in u or _quoted(secret) in u]
        assert not [r for r in received if secret in r or _quoted(secret) in r]
        assert secret not in dump
        for path in laptop.instance.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
        assert secret not in laptop.log()
    assert f"Quiz server ({laptop.env['QUIZAPP_ASYNC_MODE']}) ready" in laptop.log()
    assert "Traceback" not in laptop.log()
    assert not errors, errors


def test_a_session_runs_from_the_console_with_no_projector(server, browser, tmp_path):
    """The officer's phone is the only presenter screen: the projector page is never opened, and
    the console shows the join code, each question with its choices, the countdown, the answers,
    the lesson at the reveal, the leaderboard and the podium."""
    game = server.create_game(server.token())
    errors: list[str] = []
    officer = browser.new_context(**PHONE).new_page()
    watch_console(officer, errors)
    paths: list[str] = []
    officer.on("request", lambda r: paths.append(r.url))
    login(officer, server.url)
    officer.goto(f"{server.url}/host/{game['pin']}/console")
    officer.check("#pm")  # "No projector": presenter mode
    expect(officer.locator(".now-pin")).to_contain_text(f"{game['pin'][:3]} {game['pin'][3:]}")
    expect(officer.locator(".now-qr")).to_be_visible()
    officer.wait_for_function("document.querySelector('.now-qr').naturalWidth > 0")
    assert codes(officer.screenshot()) == [game["join_url"]]
    officer.reload()  # presenter mode is remembered
    expect(officer.locator("#pm")).to_be_checked()

    pupil = browser.new_context(**PHONE).new_page()
    watch_console(pupil, errors)
    pupil.goto(game["join_url"])
    pupil.fill("#nick", "Cú Mèo")
    pupil.click("#join-btn")
    expect(pupil.locator("#v-wait")).to_be_visible()
    expect(officer.locator("#pcount")).to_have_text("1")
    officer.screenshot(path=str(tmp_path / "console-1-lobby.png"))

    officer.click("#btn-start")
    expect(officer.locator("#now-text")).to_have_text("Which one is correct?")
    expect(officer.locator("#now-choices li")).to_have_count(4)
    expect(officer.locator("#now-choices")).to_contain_text("Three")
    expect(officer.locator("#now-clock")).to_be_visible()
    expect(officer.locator("#now-sec")).not_to_have_text("")
    officer.screenshot(path=str(tmp_path / "console-2-question.png"))
    font = officer.eval_on_selector("#now-text", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert font >= 22  # to read aloud at arm's length

    pupil.locator("#q-ans button").nth(2).click()  # "Two", right; the only player: reveal
    expect(officer.locator("#now-lesson")).to_be_visible()
    expect(officer.locator("#now-expl")).to_have_text("Two is correct.")
    expect(officer.locator("#now-choices .right")).to_contain_text("Two")
    expect(officer.locator("#now-choices .right .cnt")).to_have_text("1")
    officer.screenshot(path=str(tmp_path / "console-3-reveal.png"))

    officer.click("#btn-next")
    expect(officer.locator("#now-board")).to_contain_text("Cú Mèo")
    officer.screenshot(path=str(tmp_path / "console-4-leaderboard.png"))
    officer.wait_for_timeout(500)  # a second tap within 400 ms is ignored on purpose

    officer.click("#btn-next")
    expect(officer.locator("#now-text")).to_have_text("Is this true?")
    expect(pupil.locator("#v-q")).to_be_visible()
    officer.wait_for_timeout(500)
    officer.once("dialog", lambda dialog: dialog.accept())
    officer.click("#btn-end")
    expect(officer.locator("#now-board")).to_contain_text("Cú Mèo")
    expect(officer.locator("#btn-results")).to_be_visible()
    expect(pupil.locator("#v-over")).to_be_visible()
    officer.screenshot(path=str(tmp_path / "console-5-podium.png"))
    assert not [p for p in paths if re.search(rf"/host/{game['pin']}(\?|$)", p)], \
        "the projector page was opened"

    # Its join card has the one code, larger, and no Wi-Fi.
    card = officer.context.new_page()
    card.goto(f"{server.url}/host/{game['pin']}/card")
    expect(card.locator(".cs-qr")).to_have_count(1)
    card.wait_for_function("[...document.images].every((i) => i.complete && i.naturalWidth > 0)")
    card.emulate_media(media="print")
    assert pdf_to_png(card.pdf(prefer_css_page_size=True), tmp_path / "card-print.png") == 1
    assert codes(tmp_path / "card-print.png") == [game["join_url"]]
    assert not errors, errors


def _body(response) -> str:
    try:
        return response.text()
    except Exception:  # a redirect or an aborted request has no body
        return ""


def _quoted(secret: str) -> str:
    from urllib.parse import quote, quote_plus

    return quote_plus(secret) if quote_plus(secret) != secret else quote(secret)


def _database_text(path) -> str:
    """Every value of every row of every table, as text."""
    def text(value) -> str:
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert "games" in tables or "game" in tables, tables
        return "\n".join("\t".join(map(text, row))
                         for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))
