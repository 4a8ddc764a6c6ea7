"""A real browser on the records pages: the province's administrator opens the campaign
dashboard, sees the communes/wards still at zero, narrows it to one, and downloads the workbook
(which holds what the page showed); a principal signs in and lands on the school's record.
Screenshots at 1280×720 and 360×740 are kept in the test's folder. Debian's Chromium, driven by
Playwright, against the real server."""
from __future__ import annotations

import re
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db
from tests.conftest import Records
from tests.records.test_queries import at
from tests.support import ADMIN_PASSWORD

from .conftest import watch_console

pytestmark = pytest.mark.browser
SIZES = {"wide": {"width": 1280, "height": 720}, "phone": {"width": 360, "height": 740}}


@pytest.fixture
def province(server, monkeypatch):
    """Records written into the running server's database: Phường Một covered (two in-person
    sessions at ONE), Xã Hai reached only remotely, Xã Ba untouched; a principal of ONE."""
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(server.instance))
    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{server.instance / 'quizapp.db'}"})
    records = Records(app)
    one_unit, two_unit = records.unit("Phường Một"), records.unit("Xã Hai", kind="xa")
    three_unit = records.unit("Xã Ba", kind="xa")
    one = records.school("ONE", one_unit)
    records.school("ONEB", one_unit, "tieu_hoc")
    two = records.school("TWO", two_unit, "tieu_hoc")
    records.school("THREE", three_unit, "thpt")
    officer = records.user("presenter", unit_id=one_unit, display_name="Đại úy Trần Văn Một")
    principal = records.user("staff", school_id=one)
    quiz = [{"type": "single", "text": "Người gọi video xưng công an là thật?", "choices": [
        "Đúng", "Sai"], "correct": [1], "time_limit": 20, "points": 1000, "explanation": "e",
        "topic": "real_police"}]
    records.session(one, officer, at(date(2025, 10, 10)), questions=quiz, class_label="8A",
                    players=[("Cú Mèo", 900, {0: ([1], True)}), ("Sóc Nâu", 0, {0: ([0], False)})])
    records.session(one, officer, at(date(2025, 10, 24)), questions=quiz, class_label="9B",
                    players=[("Hổ Con", 800, {0: ([1], True)})])
    records.session(two, officer, at(date(2025, 10, 12)), questions=quiz, in_person=False,
                    players=[("Mèo Mướp", 700, {0: ([1], True)})])
    with app.app_context():
        from quizapp.models import User

        staff_name = db.session.get(User, principal).username
        db.session.remove()
        db.engine.dispose()
    return {"staff": staff_name, "units": {"one": one_unit, "two": two_unit}}


def signed_in(browser, server, username: str, password: str, size: str, errors: list):
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(server.url + "/lang/en")
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button.btn-primary")
    expect(page).not_to_have_url(re.compile(r"/login"))
    return context, page


def fits(page) -> None:
    """Nothing runs off the side of the screen (wide tables scroll inside their box)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        page.evaluate("document.documentElement.scrollWidth")


def shoot(page, tmp_path, name: str) -> None:
    page.screenshot(path=tmp_path / f"{name}.png", full_page=True)


def table_rows(page, selector: str) -> list[list[str]]:
    return [[" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()]
            for row in page.locator(f"{selector} tbody tr").all()]


def test_the_dashboard_and_its_workbook(server, browser, province, tmp_path):
    errors: list[str] = []
    context, page = signed_in(browser, server, "admin", ADMIN_PASSWORD, "wide", errors)
    page.goto(server.url + "/records/")
    expect(page).to_have_url(re.compile(r"/records/dashboard$"))
    expect(page.locator("#zero h2")).to_contain_text("Communes/wards still at zero")
    zero = [row[0] for row in table_rows(page, "#zero-table")]
    assert zero == ["Phường Demo Ninh Bình", "Xã Ba Ninh Bình", "Xã Hai Ninh Bình"]
    expect(page.locator("#totals")).to_contain_text("1/4")
    expect(page.locator("#units-table")).to_contain_text("✓ Covered")
    shoot(page, tmp_path, "dashboard-1280x720")

    # narrow to Xã Hai: only it is listed; its one school had a session, remote only
    page.select_option("select[name=unit]", label="Xã Hai")
    page.click(".rec-filters button")
    expect(page).to_have_url(re.compile(rf"unit={province['units']['two']}"))
    assert "from=" not in page.url  # empty filters stay out of the address
    assert [row[0] for row in table_rows(page, "#units-table")] == ["Xã Hai"]
    expect(page.locator("#zero-table")).to_contain_text("1 remote session(s) only")
    expect(page.locator("#waiting")).to_contain_text("Every school of this commune/ward has had")
    expect(page.locator("#totals")).to_contain_text("0/1")

    # the whole campaign again, and its workbook holds what the page shows
    page.goto(server.url + "/records/dashboard")
    shown = table_rows(page, "#units-table")
    with page.expect_download() as info:
        page.click("a[data-export=xlsx]")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "khong-mot-minh-2025-dashboard.xlsx"
    sheet = load_workbook(saved)["Communes and wards"]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [[r[0], r[1], str(r[2]), str(r[3]), str(r[5]), str(r[6])] for r in rows] == [
        s[:6] for s in shown]
    assert [r[7] for r in rows] == [s[6].split(" ", 1)[1] for s in shown]
    context.close()

    context, phone = signed_in(browser, server, "admin", ADMIN_PASSWORD, "phone", errors)
    phone.goto(server.url + "/records/dashboard")
    expect(phone.locator("#zero")).to_be_visible()
    fits(phone)
    shoot(phone, tmp_path, "dashboard-360x740")
    context.close()
    assert not errors, errors


def test_a_principal_lands_on_the_school_record(server, browser, province, tmp_path):
    errors: list[str] = []
    for size in ("wide", "phone"):
        context, page = signed_in(browser, server, province["staff"], "pw-secret-1", size, errors)
        expect(page).to_have_url(re.compile(r"/records/schools/ONE$"))  # straight to the answer
        expect(page.locator("h1")).to_have_text("Trường ONE")
        expect(page.locator("#totals .stat-sessions")).to_contain_text(re.compile(r"^2\s*sessions"))
        expect(page.locator("#totals .stat-students")).to_contain_text(re.compile(r"^3\s*students"))
        expect(page.locator("#weakest")).to_contain_text("Người gọi video xưng công an là thật?")
        rows = table_rows(page, "#sessions-table")
        assert [r[:2] for r in rows] == [["24/10/2025", "9B"], ["10/10/2025", "8A"]]
        expect(page.locator("[data-print]")).to_be_visible()  # the script shows the button
        fits(page)
        shoot(page, tmp_path, "school-" + ("1280x720" if size == "wide" else "360x740"))
        context.close()
    assert not errors, errors
