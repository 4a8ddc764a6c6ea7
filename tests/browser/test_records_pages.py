"""A real browser on the records pages: the province's administrator opens the campaign
dashboard, sees the communes/wards still at zero, narrows it to one, and downloads the workbook
(which holds what the page showed); a principal signs in and lands on the school's record. The
charts are drawn by Chart.js (a bar a day, a bar a topic, a bar a month, with their values on
hover or tap), still for whoever asks for less motion, and print at their printed size; without
JavaScript no empty box is left and their tables print in their place. Screenshots at
1280×720 and 360×740 are kept in the test's folder. Debian's Chromium, driven by Playwright,
against the real server."""
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
        "topic": "real_police"},
            {"type": "single", "text": "Có nên đi gặp người quen trên mạng một mình?", "choices": [
                "Có", "Không"], "correct": [1], "time_limit": 20, "points": 1000,
             "explanation": "e", "topic": "online_kidnapping"}]
    records.session(one, officer, at(date(2025, 10, 10)), questions=quiz, class_label="8A",
                    players=[("Cú Mèo", 900, {0: ([1], True), 1: ([1], True)}),
                             ("Sóc Nâu", 0, {0: ([0], False), 1: ([0], False)})])
    records.session(one, officer, at(date(2025, 10, 24)), questions=quiz, class_label="9B",
                    players=[("Hổ Con", 800, {0: ([1], True), 1: ([0], False)})])
    records.session(one, officer, at(date(2025, 12, 3)), questions=quiz, class_label="8A",
                    players=[("Cú Mèo", 1900, {0: ([1], True), 1: ([1], True)})])
    records.session(two, officer, at(date(2025, 10, 12)), questions=quiz, in_person=False,
                    players=[("Mèo Mướp", 700, {0: ([1], True)})])
    with app.app_context():
        from quizapp.models import User

        staff_name = db.session.get(User, principal).username
        db.session.remove()
        db.engine.dispose()
    return {"staff": staff_name, "units": {"one": one_unit, "two": two_unit}}


def signed_in(browser, server, username: str, password: str, size: str, errors: list,
              **options):
    context = browser.new_context(viewport=SIZES[size], accept_downloads=True, **options)
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
    page.mouse.move(0, 0)  # no tooltip, and every chart at rest
    page.wait_for_function("() => typeof Chart === 'undefined' || Object.values(Chart.instances)"
                           ".every((c) => !Chart.animator.running(c))")
    page.screenshot(path=tmp_path / f"{name}.png", full_page=True)


# What Chart.js made of a canvas: its bars and labels, whether it still moves, and its pixels
# (how many are inked at all, how many in the colour of the bars).
CHART_STATE = """(id) => {
  const canvas = document.getElementById(id);
  const chart = Chart.getChart(canvas);
  if (!chart) return null;
  const values = chart.data.datasets[chart.data.datasets.length - 1].data;
  const meta = chart.getDatasetMeta(chart.data.datasets.length - 1);
  const hex = getComputedStyle(document.documentElement)
    .getPropertyValue(chart.data.datasets.length > 1 ? "--b" : "--teal").trim();
  const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0, bars = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 0) inked++;
    if (px[i + 3] === 255 && rgb.every((v, k) => Math.abs(px[i + k] - v) < 6)) bars++;
  }
  const box = canvas.getBoundingClientRect();
  const card = canvas.closest(".card").getBoundingClientRect();
  return {labels: chart.data.labels.length, values: values.length,
          drawn: meta.data.filter((bar) => Math.abs(bar.base - (bar.horizontal ? bar.x : bar.y))
            >= 1).length,
          moving: Chart.animator.running(chart), animation: chart.options.animation !== false,
          inked, bars, inside: box.left >= card.left && box.right <= card.right + 0.5,
          width: box.width, height: box.height};
}"""


def chart(page, ident: str) -> dict:
    """The chart drawn into ``#<ident>-chart``, once it has stopped moving."""
    page.wait_for_function("(id) => { const c = Chart.getChart(document.getElementById(id));"
                           " return c && !Chart.animator.running(c); }", arg=f"{ident}-chart")
    return page.evaluate(CHART_STATE, f"{ident}-chart")


def hover_bar(page, ident: str, index: int, tap: bool = False) -> list[str]:
    """Points at a bar of the chart (or taps it): the tooltip's title and lines."""
    page.locator(f"#{ident}-chart").scroll_into_view_if_needed()
    x, y = page.evaluate("""([id, index]) => {
      const canvas = document.getElementById(id), chart = Chart.getChart(canvas);
      const bar = chart.getDatasetMeta(chart.data.datasets.length - 1).data[index];
      const {x, y} = bar.getCenterPoint(), box = canvas.getBoundingClientRect();
      return [box.left + x, box.top + y];
    }""", [f"{ident}-chart", index])
    page.touchscreen.tap(x, y) if tap else page.mouse.move(x, y)
    page.wait_for_function("(id) => Chart.getChart(document.getElementById(id))"
                           ".tooltip.getActiveElements().length > 0", arg=f"{ident}-chart")
    return page.evaluate("""(id) => {
      const tip = Chart.getChart(document.getElementById(id)).tooltip;
      return [...tip.title, ...tip.body.flatMap((b) => [...b.before, ...b.lines, ...b.after])];
    }""", f"{ident}-chart")


def drawn_with_numbers_folded(page, ident: str) -> None:
    expect(page.locator(f"#{ident}-box")).to_be_visible()
    expect(page.locator(f"#{ident}-chart")).to_have_attribute("role", "img")
    expect(page.locator(f"#{ident}-table")).to_be_hidden()  # under "The numbers", folded


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
    # a bar for each of the campaign's 56 days, three of them with a session; the topics
    # weakest first
    days = chart(page, "days")
    assert (days["labels"], days["values"], days["drawn"]) == (56, 56, 3), days
    assert days["animation"] and days["inside"] and days["bars"] > 100, days
    topics = chart(page, "topics")
    assert (topics["labels"], topics["values"], topics["drawn"]) == (2, 2, 2), topics
    assert topics["bars"] > 100 and topics["inside"], topics
    drawn_with_numbers_folded(page, "days")
    drawn_with_numbers_folded(page, "topics")
    assert hover_bar(page, "days", 4) == ["Fri, 10/10/2025", "Sessions: 1", "Students: 2"]
    assert hover_bar(page, "topics", 0) == [
        "Online kidnapping: fake police, secrets, going alone", "Right answers: 33.3%",
        "Answers: 3"]
    page.locator("#days summary").click()  # the numbers, unfolded
    expect(page.locator("#days-table")).to_be_visible()
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

    context, phone = signed_in(browser, server, "admin", ADMIN_PASSWORD, "phone", errors,
                               reduced_motion="reduce", has_touch=True)
    phone.goto(server.url + "/records/dashboard")
    expect(phone.locator("#zero")).to_be_visible()
    days, topics = chart(phone, "days"), chart(phone, "topics")
    assert not days["animation"] and not topics["animation"]  # no motion asked for
    assert days["drawn"] == 3 and days["inside"] and days["width"] < 360, days
    assert topics["drawn"] == 2 and topics["inside"] and topics["bars"] > 100, topics
    assert hover_bar(phone, "topics", 1, tap=True) == [
        "What real police do and never do", "Right answers: 75.0%", "Answers: 4"]
    fits(phone)
    shoot(phone, tmp_path, "dashboard-360x740")
    # a single day: one bar
    phone.goto(server.url + "/records/dashboard?from=2025-10-10&to=2025-10-10")
    assert chart(phone, "days")["labels"] == 1 and chart(phone, "days")["drawn"] == 1
    context.close()
    assert not errors, errors


def test_a_principal_lands_on_the_school_record(server, browser, province, tmp_path):
    errors: list[str] = []
    for size in ("wide", "phone"):
        context, page = signed_in(browser, server, province["staff"], "pw-secret-1", size, errors)
        expect(page).to_have_url(re.compile(r"/records/schools/ONE$"))  # straight to the answer
        expect(page.locator("h1")).to_have_text("Trường ONE")
        expect(page.locator("#totals .stat-sessions")).to_contain_text(re.compile(r"^3\s*sessions"))
        expect(page.locator("#totals .stat-students")).to_contain_text(re.compile(r"^4\s*students"))
        expect(page.locator("#weakest")).to_contain_text("Người gọi video xưng công an là thật?")
        rows = table_rows(page, "#sessions-table")
        assert [r[:2] for r in rows] == [["03/12/2025", "8A"], ["24/10/2025", "9B"],
                                         ["10/10/2025", "8A"]]
        expect(page.locator("[data-print]")).to_be_visible()  # the script shows the button
        # October, November (no session: no bar) and December; two topics
        trend = chart(page, "trend")
        assert (trend["labels"], trend["values"], trend["drawn"]) == (3, 3, 2), trend
        assert trend["bars"] > 100 and trend["inside"], trend
        assert chart(page, "topic")["drawn"] == 2
        drawn_with_numbers_folded(page, "trend")
        assert hover_bar(page, "trend", 0) == ["10/2025", "Right answers: 50.0%",
                                               "Average score: 567", "Sessions: 2",
                                               "Students: 3"]
        fits(page)
        shoot(page, tmp_path, "school-" + ("1280x720" if size == "wide" else "360x740"))
        context.close()
    assert not errors, errors


def test_the_charts_in_vietnamese_in_print_and_without_javascript(server, browser, province,
                                                                  tmp_path):
    errors: list[str] = []
    context, page = signed_in(browser, server, province["staff"], "pw-secret-1", "wide", errors)
    page.goto(server.url + "/lang/vi")
    page.goto(server.url + "/records/schools/ONE")
    assert page.evaluate("document.documentElement.lang") == "vi"
    tip = hover_bar(page, "trend", 2)
    assert tip[0] == "12/2025" and tip[1].endswith(": 100,0%"), tip  # Vietnamese numbers
    # printed: each chart drawn again at its printed size (two a row) in its card, its table
    # left out; then back to the screen's
    screen = {ident: chart(page, ident) for ident in ("trend", "topic")}
    page.evaluate("""() => {
      const state = CHART_STATE;
      window.printed = {};
      matchMedia("print").addEventListener("change", (e) => {
        if (!e.matches) return;
        for (const id of ["trend", "topic"]) {
          const table = document.getElementById(id + "-table");
          printed[id] = {...state(id + "-chart"), table: table.checkVisibility()};
        }
      });
    }""".replace("CHART_STATE", CHART_STATE))
    page.pdf(path=tmp_path / "school.pdf")
    printed = page.evaluate("printed")
    assert set(printed) == {"trend", "topic"}, printed
    for ident, shown in printed.items():
        assert shown["inside"] and 200 < shown["width"] < screen[ident]["width"], shown
        assert shown["bars"] > 100 and not shown["table"], shown
    assert {ident: chart(page, ident)["width"] for ident in screen} == {
        ident: state["width"] for ident, state in screen.items()}
    context.close()

    # no JavaScript: no empty box where a chart would be, the numbers a tap away; printed, the
    # numbers in the charts' place
    context, page = signed_in(browser, server, "admin", ADMIN_PASSWORD, "phone", errors,
                              java_script_enabled=False)
    page.goto(server.url + "/records/dashboard")
    for ident in ("days", "topics"):
        expect(page.locator(f"#{ident}-box")).to_be_hidden()
        expect(page.locator(f"#{ident}-table")).to_be_hidden()
    fits(page)
    shoot(page, tmp_path, "dashboard-no-script-360x740")
    page.emulate_media(media="print")
    for ident in ("days", "topics"):
        expect(page.locator(f"#{ident}-table")).to_be_visible()
    assert len(table_rows(page, "#days-table")) == 56
    page.emulate_media(media="screen")
    page.locator("#topics summary").click()
    expect(page.locator("#topics-table")).to_be_visible()
    context.close()
    assert not errors, errors
