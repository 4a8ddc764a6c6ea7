"""A real browser in the admin area: an admin imports a province's schools, sees a bad file's
rows listed, creates a presenter for a commune; the presenter finds a school of another unit by
typing its name without accents on a phone. Screenshots at 1280×720 and 360×740 in tmp_path."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD

from .conftest import watch_console

pytestmark = pytest.mark.browser
ORG = Path(__file__).parent.parent / "data" / "org"
DESKTOP = {"viewport": {"width": 1280, "height": 720}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def signed_in(browser, server, username: str, password: str, errors: list, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(server.url + "/lang/en")
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button.btn-primary")
    expect(page).not_to_have_url(re.compile(r"/login"))
    return context, page


def test_admin_imports_a_province_and_creates_a_presenter(server, browser, tmp_path):
    errors: list[str] = []
    context, page = signed_in(browser, server, "admin", ADMIN_PASSWORD, errors, **DESKTOP)

    page.click("header nav >> text=Administration")
    expect(page.locator("h1")).to_have_text("Administration")
    page.click(".admin-nav >> text=Import")
    download = page.locator("a[href$='template.csv']")
    expect(download).to_be_visible()
    page.set_input_files("#file", str(ORG / "province.csv"))
    page.click("text=Check and import")
    result = page.locator(".import-result.ok")
    expect(result).to_contain_text("Imported")
    expect(result.locator(".stat", has_text="schools added")).to_contain_text("7")
    page.screenshot(path=tmp_path / "import-done-1280.png", full_page=True)

    # a bad file: every bad row listed, with its row and column
    page.set_input_files("#file", str(ORG / "bad.csv"))
    page.click("text=Check and import")
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(6)
    expect(problems.nth(0)).to_contain_text("3")
    expect(problems.nth(0)).to_contain_text("unit_kind")
    expect(page.locator(".import-result.bad h2")).to_contain_text("nothing was imported")
    page.screenshot(path=tmp_path / "import-bad-1280.png", full_page=True)

    # the schools list finds a school without accents
    page.click(".admin-nav >> text=Schools")
    page.fill("input[name=q]", "luong van tuy")
    page.click(".filters button")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("Trường THPT Chuyên Lương Văn Tụy")

    # a presenter for Xã Gia Viễn, from the units list
    page.click(".admin-nav >> text=Units")
    row = page.locator("tr", has_text="Xã Gia Viễn")
    expect(row.locator("td.num")).to_have_text("2")
    row.locator("text=Add a presenter").click()
    expect(page.locator("#unit")).to_have_value("Ninh Bình / Xã Gia Viễn")
    page.fill("#username", "can.bo.gv")
    page.fill("#display_name", "Nguyễn Văn Bình")
    page.select_option("#role", "staff")  # only the field the role needs is shown
    expect(page.locator("#unit")).to_be_hidden()
    expect(page.locator("#school")).to_be_visible()
    page.select_option("#role", "presenter")
    expect(page.locator("#school")).to_be_hidden()
    page.fill("#password", "short")
    page.click("text=Create the account")
    expect(page.locator(".field-error")).to_contain_text("At least 8 characters")
    page.fill("#password", "gia-vien-2025")
    page.click("text=Create the account")
    expect(page.locator(".notice")).to_contain_text("can.bo.gv")
    user_row = page.locator("tr", has_text="can.bo.gv")
    expect(user_row).to_contain_text("Xã Gia Viễn")
    expect(user_row).to_contain_text("Active")
    page.screenshot(path=tmp_path / "accounts-1280.png", full_page=True)

    # the same pages on a phone
    phone_ctx, phone = signed_in(browser, server, "admin", ADMIN_PASSWORD, errors, **PHONE)
    phone.goto(server.url + "/admin/import")
    phone.set_input_files("#file", str(ORG / "bad.csv"))
    phone.click("text=Check and import")
    expect(phone.locator("table.problems tbody tr")).to_have_count(6)
    phone.screenshot(path=tmp_path / "import-bad-360.png", full_page=True)
    phone.goto(server.url + "/admin/users")
    phone.screenshot(path=tmp_path / "accounts-360.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    phone_ctx.close()

    # the new presenter, on a phone: their unit's schools first, any other by name
    officer_ctx, officer = signed_in(browser, server, "can.bo.gv", "gia-vien-2025", errors, **PHONE)
    officer.goto(server.url + "/host/new")
    officer.click("#school")
    listbox = officer.locator("#school-results")
    expect(listbox).to_be_visible()
    expect(listbox.locator("[role=option]")).to_have_count(2)  # Xã Gia Viễn's two schools
    expect(listbox).to_contain_text("Your unit")
    officer.fill("#school", "luong van tuy")
    option = listbox.locator("[role=option]", has_text="Lương Văn Tụy")
    expect(option).to_be_visible()
    officer.screenshot(path=tmp_path / "school-search-360.png")
    option.click()
    expect(officer.locator("#school")).to_have_value(re.compile(r"^NB-THPT-001 — "))
    expect(officer.locator(".school-chosen")).to_contain_text("Phường Hoa Lư")
    officer.fill("#class_label", "10A1")
    officer.click("text=Open the lobby")
    expect(officer).to_have_url(re.compile(r"/host/\d{6}$"))
    officer_ctx.close()
    context.close()
    assert not errors, errors
