"""The quiz editor in a real browser (Debian's Chromium, Playwright): a presenter writes a quiz
with a chat scenario (two messages, one the pupil's own) and a single-choice question with a
picture, sees a problem shown by its field and fixes it, saves, reorders by keyboard, previews
it (the bubbles one by one, the reveal), then runs it: a phone joins, answers and sees the
result; the picture shows on the phone and the projector. Screenshots at 1280×720 and 360×740 in
the test's folder."""
from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.support import ROOT

from .conftest import watch_console

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 720}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
USER, PASSWORD = "can.bo.demo", "demo-presenter-1"
TITLE = "Người lạ nhắn tin"


def presenter_account(server) -> None:
    """A presenter of the demo school's ward, made by the server's own command."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "quizapp:create_app", "users", "create", USER,
         "--role", "presenter", "--unit", "Phường Demo", "--name", "Trần Minh An",
         "--password", PASSWORD],
        cwd=ROOT, env={**server.env, "QUIZAPP_ASYNC_MODE": "threading"}, capture_output=True,
        text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def signed_in(browser, server, errors: list, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(server.url + "/lang/en")
    page.goto(server.url + "/login")
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)
    page.click("button.btn-primary")
    expect(page).not_to_have_url(re.compile(r"/login"))
    return context, page


def picture(path) -> None:
    """A screenshot-like picture of a message, as a presenter would add to a question."""
    img = Image.new("RGB", (1080, 1400), (236, 229, 221))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, 1080, 160], fill=(7, 94, 84))
    draw.rounded_rectangle([60, 260, 860, 560], 40, fill=(255, 255, 255))
    draw.rounded_rectangle([300, 640, 1020, 860], 40, fill=(220, 248, 198))
    draw.rounded_rectangle([60, 940, 900, 1240], 40, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "PNG")
    path.write_bytes(out.getvalue())


def test_write_preview_and_run_a_quiz(server, browser, tmp_path):
    presenter_account(server)
    errors: list[str] = []
    shots = tmp_path
    image = tmp_path / "message.png"
    picture(image)
    context, page = signed_in(browser, server, errors, **DESKTOP)

    # the list, then a new quiz
    page.click("header nav >> text=Quizzes")
    expect(page.locator("h1")).to_have_text("Quizzes")
    expect(page.locator("#bank-h")).to_contain_text("Shared bank")
    page.screenshot(path=shots / "list-1280.png", full_page=True)
    page.click("text=New quiz")
    expect(page.locator("#ed-saved")).to_have_text("Not saved yet")
    expect(page.locator("#qz-title")).to_be_focused()
    page.fill("#qz-title", TITLE)
    page.select_option("#qz-level", "thcs")
    expect(page.locator("#ed-name")).to_have_text(TITLE)

    # question 1: a chat scenario, two messages, the second the pupil's own
    first = page.locator("#ed-questions > li").nth(0)
    first.locator("select.ed-type").select_option("chat")
    first = page.locator("#ed-questions > li").nth(0)
    expect(first.locator(".ed-msg")).to_have_count(1)
    first.locator(".ed-msg").nth(0).locator("input[type=text]").fill("Anh Tuấn")
    first.locator(".ed-msg").nth(0).locator("textarea").fill(
        "Em gửi anh ảnh của em nhé, anh làm mẫu ảnh.")
    first.locator("text=Add a message").click()
    second_msg = first.locator(".ed-msg").nth(1)
    expect(second_msg.locator("input[type=text]")).to_have_value("Bạn")
    expect(second_msg.locator("input[role=switch]")).to_be_checked()
    expect(second_msg.locator("textarea")).to_be_focused()
    second_msg.locator("textarea").fill("Để làm gì ạ?")
    expect(first.locator(".ed-bubbles .msg.me")).to_have_text("Để làm gì ạ?")
    expect(first.locator(".ed-bubbles .msg.them")).to_have_count(1)
    first.locator(".fld[data-fld=text] textarea").fill("Em nên làm gì?")
    choices = first.locator(".ed-choice textarea")
    choices.nth(0).fill("Gửi ảnh cho anh ấy")
    choices.nth(1).fill("Không gửi, chặn và báo người lớn")
    first.locator(".fld[data-fld=explanation] textarea").fill(
        "Không bao giờ gửi ảnh cho người lạ. Chặn, báo cáo và kể với người lớn.")

    # saved without a right answer: the problem by its field, and at the top
    page.click("#ed-save")
    expect(page.locator("#ed-summary")).to_be_visible()
    expect(page.locator("#ed-summary-h")).to_contain_text("1 problem(s)")
    expect(page.locator("#ed-summary-list")).to_contain_text("Question 1 · Right answer")
    problem = first.locator("[data-fld=correct] .field-error")
    expect(problem).to_have_text("Mark exactly one right answer.")
    expect(page.locator("#ed-saved")).to_have_text("Not saved")
    expect(first.locator(".fld[data-fld=text] textarea")).to_have_value("Em nên làm gì?")
    page.screenshot(path=shots / "editor-problem-1280.png")
    page.locator("#ed-summary-list button").click()
    first.locator(".ed-choice").nth(1).locator(".ed-right input").check()
    expect(problem).to_be_hidden()
    expect(page.locator("#ed-summary")).to_be_hidden()

    # question 2: single choice, with a picture
    page.click(".ed-add-types >> text=Single choice")
    second = page.locator("#ed-questions > li").nth(1)
    expect(second.locator(".fld[data-fld=text] textarea")).to_be_focused()
    page.keyboard.type("Tin nhắn này muốn lấy gì của em?")
    second.locator(".ed-choice textarea").nth(0).fill("Mã OTP")
    second.locator(".ed-choice textarea").nth(1).fill("Lời chào")
    second.locator(".ed-choice").nth(0).locator(".ed-right input").check()
    second.locator(".fld[data-fld=topic] select").select_option("phishing")
    second.locator("input[type=file]").set_input_files(str(image))
    expect(second.locator("img.ed-img")).to_be_visible()
    expect(second.locator("img.ed-img")).to_have_attribute(
        "src", re.compile(r"^/media/[0-9a-f]{32}\.webp$"))
    page.keyboard.press("Control+s")
    expect(page.locator("#ed-saved")).to_contain_text("Saved at")
    expect(page).to_have_url(re.compile(r"/quizzes/nguoi-la-nhan-tin/edit$"))
    slug = "nguoi-la-nhan-tin"

    # reorder by keyboard: question 2 up, then back down
    up = second.locator("[data-act=up]")
    up.focus()
    page.keyboard.press("Enter")
    cards = page.locator("#ed-questions > li")
    expect(cards.nth(0).locator(".ed-q-num")).to_have_text("Question 1")
    expect(cards.nth(0).locator(".fld[data-fld=text] textarea")).to_have_value(
        "Tin nhắn này muốn lấy gì của em?")
    expect(page.locator("#ed-outline li").nth(0)).to_contain_text("Tin nhắn này")
    expect(page.locator("#ed-saved")).to_have_text("Unsaved changes")
    page.locator("#ed-questions > li").nth(0).locator("[data-act=down]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ed-outline li").nth(0)).to_contain_text("Em nên làm gì?")
    page.click("#ed-save")
    expect(page.locator("#ed-saved")).to_contain_text("Saved at")
    page.reload()
    expect(page.locator("#ed-questions > li")).to_have_count(2)
    expect(page.locator("#ed-questions > li").nth(0).locator(".ed-msg")).to_have_count(2)
    mine = cards.nth(0).locator(".ed-msg").nth(1).locator("input[role=switch]")
    expect(mine).to_be_checked()
    expect(page.locator("#ed-restore")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots / "editor-1280.png")
    page.screenshot(path=shots / "editor-1280-full.png", full_page=True)

    # the same editor on a phone
    phone_ctx, phone_editor = signed_in(browser, server, errors, **PHONE)
    phone_editor.goto(f"{server.url}/quizzes/{slug}/edit")
    expect(phone_editor.locator("#ed-questions > li")).to_have_count(2)
    phone_editor.screenshot(path=shots / "editor-360.png")
    phone_editor.screenshot(path=shots / "editor-360-full.png", full_page=True)
    assert phone_editor.evaluate("document.documentElement.scrollWidth") <= 361
    phone_editor.goto(f"{server.url}/quizzes/")
    phone_editor.screenshot(path=shots / "list-360.png", full_page=True)
    assert phone_editor.evaluate("document.documentElement.scrollWidth") <= 361
    phone_editor.goto(f"{server.url}/quizzes/{slug}/preview")
    expect(phone_editor.locator("#pv-text")).to_have_text("Em nên làm gì?")
    phone_editor.screenshot(path=shots / "preview-360.png")
    assert phone_editor.evaluate("document.documentElement.scrollWidth") <= 361
    phone_ctx.close()

    # the preview: the bubbles one by one, then the answers; a tap shows the result and lesson
    page.click("#ed-preview")
    expect(page).to_have_url(re.compile(rf"/quizzes/{slug}/preview$"))
    expect(page.locator("#pv-text")).to_have_text("Em nên làm gì?")
    expect(page.locator("#pv-hint")).to_have_text("Read the conversation…")
    expect(page.locator("#pv-ans")).to_be_hidden()
    expect(page.locator("#pv-chat .msg.them")).to_have_count(1)
    expect(page.locator("#pv-chat .msg.me")).to_have_text("Để làm gì ạ?", timeout=5000)
    expect(page.locator("#pv-ans")).to_be_visible(timeout=5000)
    page.screenshot(path=shots / "preview-1280.png", animations="disabled")
    page.keyboard.press("2")
    expect(page.locator("#pv-res")).to_be_visible()
    expect(page.locator("#pv-res-title")).to_have_text("Correct!")
    expect(page.locator("#pv-expl")).to_contain_text("Không bao giờ gửi ảnh")
    expect(page.locator("#pv-answer .ch")).to_have_text(re.compile("Không gửi, chặn"))
    expect(page.locator("#pv-score")).to_have_text("1000")
    page.screenshot(path=shots / "preview-reveal-1280.png", animations="disabled")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#pv-text")).to_have_text("Tin nhắn này muốn lấy gì của em?")
    expect(page.locator("#pv-img")).to_be_visible()
    page.screenshot(path=shots / "preview-picture-1280.png", animations="disabled")
    page.click("#pv-reveal")
    expect(page.locator("#pv-res-title")).to_have_text("No answer chosen")
    expect(page.locator("#pv-answer")).to_contain_text("Mã OTP")

    # run it now: the new session with this quiz chosen, a phone joins and answers
    page.click("#pv-run")
    expect(page).to_have_url(re.compile(rf"/host/new\?quiz={slug}$"))
    expect(page.locator("#quiz")).to_have_value(slug)
    expect(page.locator("#school")).to_have_value(re.compile(r"^DEMO"))
    page.fill("#class_label", "8A")
    page.click("text=Open the lobby")
    expect(page).to_have_url(re.compile(r"/host/\d{6}$"))
    pin = page.url.rsplit("/", 1)[1]
    expect(page.locator("#v-lobby")).to_be_visible()
    pupil_ctx = browser.new_context(**PHONE)
    phone = pupil_ctx.new_page()
    watch_console(phone, errors)
    phone.goto(server.url + "/lang/en")
    phone.goto(f"{server.url}/play/{pin}")
    phone.fill("#nick", "Cú Mèo")
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(page.locator("#count")).to_have_text("1")
    page.click("#btn-start")
    expect(phone.locator("#q-text")).to_have_text("Em nên làm gì?")
    expect(phone.locator("#q-chat .msg.me")).to_have_text("Để làm gì ạ?", timeout=6000)
    expect(page.locator("#q-chat .msg")).to_have_count(2)
    phone.locator("#q-ans button").nth(1).click(timeout=6000)
    expect(phone.locator("#v-res")).to_have_class("view res res-ok")
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    expect(phone.locator("#res-expl")).to_contain_text("Không bao giờ gửi ảnh")
    expect(page.locator("#v-reveal")).to_be_visible()
    phone.screenshot(path=shots / "phone-result-360.png", animations="disabled")

    # the picture, on the phone and the projector, for the question that has one
    assert phone.locator("img.q-img").count() == 0
    page.wait_for_timeout(450)
    page.keyboard.press("Space")  # the leaderboard
    page.wait_for_timeout(450)
    page.keyboard.press("Space")  # question 2
    expect(phone.locator("#q-text")).to_have_text("Tin nhắn này muốn lấy gì của em?")
    expect(phone.locator("img.q-img")).to_be_visible()
    expect(phone.locator("img.q-img")).to_have_attribute("alt", "Tin nhắn này muốn lấy gì của em?")
    assert phone.locator("img.q-img").evaluate("i => i.complete && i.naturalWidth > 0")
    expect(page.locator("img.q-img")).to_be_visible()
    assert page.locator("img.q-img").evaluate("i => i.complete && i.naturalWidth > 0")
    phone.screenshot(path=shots / "phone-picture-360.png", animations="disabled")
    page.screenshot(path=shots / "projector-picture-1280.png", animations="disabled")
    phone.locator("#q-ans button").nth(0).click()
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    pupil_ctx.close()
    context.close()
    # the save with a problem was answered 422 on purpose (Chromium logs it); nothing else
    assert [e for e in errors if "status of 422" not in e] == [], errors
    assert len(errors) == 1
