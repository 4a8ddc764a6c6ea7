"""The records pages (``quizapp/web/records.py``): who gets which page, the figures of a
hand-built province on each page and in its downloads, refusals of bad filters, the public page
and its picture without a nickname, and a fixed number of queries per page."""
from __future__ import annotations

import csv
import io
import json
import random
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event

from quizapp.extensions import db
from quizapp.models import Quiz
from tests.records.test_queries import at

RIGHT, WRONG = True, False
CAMPAIGN = "khong-mot-minh-2025"


# ----- reading the pages ------------------------------------------------------------------------

class Page(HTMLParser):
    """A page's tables (by id: rows of cell texts) and the text of its elements with an id."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source"})

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            return
        self._open.append((tag, attrs.get("id")))
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self._open:
            open_tag, ident = self._open.pop()
            if ident:
                self.texts[ident] = " ".join(self.texts.get(ident, "").split())
            if open_tag == tag:
                break
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, ident in self._open:
            if ident:
                self.texts[ident] = self.texts.get(ident, "") + " " + data


def page(client, path: str, status: int = 200) -> Page:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return Page(response.get_data(as_text=True))


def body_rows(table: list[list[str]]) -> list[list[str]]:
    return table[1:]


def stats(p: Page) -> list[str]:
    """The big figures of the totals, in order."""
    return re.findall(r"(\S+) ", p.texts["totals"] + " ")


def chart_data(html: str, ident: str) -> dict:
    """The figures a chart is drawn from: its JSON block (``<script type="application/json">``)."""
    found = re.findall(rf'<script type="application/json" id="{ident}-data">(.*?)</script>', html,
                       re.DOTALL)
    assert len(found) == 1, (ident, found)
    return json.loads(found[0])


def canvas(html: str, ident: str) -> str:
    """The chart's box and canvas, as the page sends them (the box hidden until drawn)."""
    found = re.search(rf'<div class="chart-box[^"]*" id="{ident}-box" hidden>\s*(<canvas[^>]*>)',
                      html)
    assert found, ident
    return found.group(1)


def inline_scripts(html: str) -> list[str]:
    """The opening tags of the page's scripts that carry no ``src``."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if " src=" not in tag]


# ----- the province -----------------------------------------------------------------------------

def question(text: str, correct: int, topic: str, **more) -> dict:
    return {"type": "single", "text": text, "choices": ["a", "b"], "correct": [correct],
            "time_limit": 20, "points": 1000, "explanation": "e", "topic": topic, **more}


Q0 = question("Is this link safe?", 0, "phishing")
Q1 = question("Who is the stranger?", 1, "grooming")
C_BEFORE = question("Do real police call on video?", 1, "real_police", part="before", check=0,
                    points=0)
C_AFTER = {**C_BEFORE, "part": "after"}


@pytest.fixture
def world(app, records, make):
    """Phường Một (covered: two in-person sessions at ONE, one with a knowledge check; its
    school ONEB had none), Xã Hai (one remote session at TWO, a team of 4), the demo unit
    (nothing); at ONE also a session after the campaign and one nobody played. One signed-in
    client per role, in English."""
    mine, other = records.unit("Phường Một"), records.unit("Xã Hai", kind="xa")
    one = records.school("ONE", mine)
    records.school("ONEB", mine, "tieu_hoc")  # no session: waiting
    two = records.school("TWO", other, "tieu_hoc")
    users = {"admin": records.user("admin"), "viewer": records.user("viewer"),
             "presenter": records.user("presenter", unit_id=mine, display_name="Officer One"),
             "stranger": records.user("presenter", unit_id=other, display_name="Officer Two"),
             "staff": records.user("staff", school_id=one),
             "other_staff": records.user("staff", school_id=two)}
    officer = users["presenter"]
    records.session(one, officer, at(date(2025, 10, 10)), questions=[Q0, Q1], players=[
        ("Cú Mèo", 1000, {0: ([0], RIGHT), 1: ([1], RIGHT)}),
        ("Sóc Nâu", 0, {0: ([1], WRONG), 1: ([1], RIGHT)}),
        ("Hổ Con", 500, {0: ([1], WRONG), 1: ([0], WRONG)})], class_label="8A")
    records.session(one, officer, at(date(2025, 10, 20)), questions=[C_BEFORE, Q0, Q1, C_AFTER],
                    players=[
        ("Mèo Mướp", 800, {0: ([0], WRONG), 1: ([0], RIGHT), 2: ([1], RIGHT), 3: ([1], RIGHT)}),
        ("Cá Vàng", 200, {0: ([1], RIGHT), 1: ([1], WRONG), 2: ([1], RIGHT), 3: ([1], RIGHT)})],
                    class_label="9B")
    records.session(two, users["stranger"], at(date(2025, 10, 11)), questions=[Q0, Q1],
                    in_person=False, players=[("Gấu Trúc", 300, {0: ([0], RIGHT)}, 4)],
                    class_label="5A")
    records.session(one, officer, at(date(2025, 12, 5)), questions=[Q0, Q1],
                    players=[("Thỏ Trắng", 100, {0: ([0], RIGHT)})], class_label="8A")
    records.session(one, officer, at(date(2025, 10, 15)), players=[])  # nobody played
    clients = {"anonymous": app.test_client()}
    for role, user_id in users.items():
        clients[role] = app.test_client()
        make.login(clients[role], user_id)
    for c in clients.values():
        c.get("/lang/en")
    clients["units"] = {"mine": mine, "other": other}
    return clients


NICKNAMES = ("Cú Mèo", "Sóc Nâu", "Hổ Con", "Mèo Mướp", "Cá Vàng", "Gấu Trúc", "Thỏ Trắng")

ROLES = ["anonymous", "admin", "viewer", "presenter", "stranger", "staff", "other_staff"]
LOGIN, OK, FORBIDDEN, GONE = 302, 200, 403, 404
MATRIX = [  # path: anonymous, admin, viewer, presenter, stranger (another unit), staff, other staff
    ("/records/dashboard", [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("/records/dashboard/export.xlsx", [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                        FORBIDDEN]),
    ("/records/dashboard/units.csv", [LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    ("/records/schools/ONE", [LOGIN, OK, OK, OK, FORBIDDEN, OK, FORBIDDEN]),
    ("/records/schools/ONE/export.xlsx", [LOGIN, OK, OK, OK, FORBIDDEN, OK, FORBIDDEN]),
    ("/records/schools/ONE/questions.csv", [LOGIN, OK, OK, OK, FORBIDDEN, OK, FORBIDDEN]),
    ("/records/schools/TWO", [LOGIN, OK, OK, FORBIDDEN, OK, FORBIDDEN, OK]),
    ("/records/schools/NOPE", [LOGIN, GONE, GONE, GONE, GONE, GONE, GONE]),
    ("/records/me", [LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("/records/me/export.xlsx", [LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("/records/me/sessions.csv", [LOGIN, OK, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN]),
    ("/public", [OK] * 7),
    ("/public/summary.png", [OK] * 7),
]


def test_who_gets_which_page(world):
    wrong = []
    for path, expected in MATRIX:
        got = [world[role].get(path).status_code for role in ROLES]
        if got != expected:
            wrong.append((path, dict(zip(ROLES, got))))
    assert not wrong, wrong


@pytest.mark.parametrize("role, target", [
    ("admin", "/records/dashboard"), ("viewer", "/records/dashboard"),
    ("presenter", "/records/me"), ("staff", "/records/schools/ONE"),
    ("other_staff", "/records/schools/TWO"), ("anonymous", "/login?next=%2Frecords%2F")])
def test_each_person_is_sent_to_their_answer(world, role, target):
    response = world[role].get("/records/")
    assert response.status_code == 302 and response.headers["Location"] == target


def test_an_account_without_a_school_is_told_why(app, make):
    client = app.test_client()
    make.login(client, make.user("staff"))
    response = client.get("/records/?lang=en")
    assert response.status_code == 403
    assert "attached their account to the school" in response.get_data(as_text=True)


def test_staff_land_on_their_records_after_signing_in(app, records, make):
    school = records.school("LAND", records.unit("Phường Ba"))
    user = records.user("staff", school_id=school)
    client = app.test_client()
    with app.app_context():
        from quizapp.models import User
        username = db.session.get(User, user).username
    response = client.post("/login", data={"username": username, "password": "pw-secret-1"})
    assert response.headers["Location"] == "/records/"
    assert client.get("/records/").headers["Location"] == "/records/schools/LAND"


def test_navigation_links_to_the_records(world):
    assert 'href="/records/"' in world["staff"].get("/records/schools/ONE").get_data(as_text=True)
    home = world["anonymous"].get("/").get_data(as_text=True)
    assert 'href="/public"' in home and 'href="/records/"' not in home


# ----- the dashboard ----------------------------------------------------------------------------

def test_the_dashboard_shows_the_campaign(world):
    p = page(world["viewer"], "/records/dashboard")
    # 3 sessions (2 in person), 3 + 2 + 4 students, 2 schools, 3 classes, 1 of 3 units,
    # 7 right of 11 answers
    assert stats(p)[:5] == ["3", "sessions", "2", "in", "person"]
    totals = p.texts["totals"]
    for figure in ("9 students reached", "2 schools reached", "3 classes reached",
                   "1 /3 communes/wards covered", "63.6% average accuracy", "11 answers"):
        assert figure in totals, (figure, totals)
    zero = body_rows(p.tables["zero-table"])
    assert [(r[0], r[1], r[2]) for r in zero] == [
        ("Phường Demo Ninh Bình", "1", "nothing yet"),
        ("Xã Hai Ninh Bình", "1", "1 remote session(s) only")]
    units = {r[0]: r for r in body_rows(p.tables["units-table"])}
    assert units["Phường Một"] == ["Phường Một", "Ninh Bình", "2", "1", "2", "5", "✓ Covered"]
    assert units["Xã Hai"][-1] == "✗ Not covered" and units["Xã Hai"][4:6] == ["1", "4"]
    # the knowledge check: 2 pairs, 50% then 100%
    assert "50.0% → then 100.0%" in p.texts["check"] and "+50.0 points" in p.texts["check"]
    # accuracy by topic, weakest first: phishing 3 of 6, grooming 4 of 5
    assert body_rows(p.tables["topics-table"]) == [
        ["Links, OTP codes and stolen accounts", "6", "50.0%"],
        ["Grooming: how strangers win trust", "5", "80.0%"]]
    html = world["viewer"].get("/records/dashboard").get_data(as_text=True)
    topics = chart_data(html, "topics")
    assert (topics["kind"], topics["topics"], topics["answers"]) == (
        "topics", ["phishing", "grooming"], [6, 5])
    assert topics["labels"] == ["Links, OTP codes and stolen accounts",
                                "Grooming: how strangers win trust"]
    assert topics["accuracy"] == [pytest.approx(0.5), pytest.approx(0.8)]
    assert topics["words"] == {"accuracy": "Right answers", "answers": "Answers"}
    assert 'aria-label="Accuracy by topic, weakest first. Weakest: Links, OTP codes and stolen ' \
           'accounts, 50.0% right; strongest: Grooming: how strangers win trust, 80.0% right."' \
           in canvas(html, "topics")


def test_the_levels_and_the_days(world):
    p = page(world["admin"], "/records/dashboard")
    # schools reached / schools of the level, sessions, students
    assert body_rows(p.tables["levels-table"]) == [["Primary", "1 / 2", "1", "4"],
                                                   ["Lower secondary", "1 / 2", "2", "5"]]
    assert p.texts["days-summary"] == (
        "Sessions: 3 · days with a session: 3 · the busiest: 10/10/2025 (1).")
    html = world["admin"].get("/records/dashboard").get_data(as_text=True)
    # one bar per day of the window (6/10 to 30/11: 56 days), with its numbers in a table
    days = chart_data(html, "days")
    assert (days["kind"], days["weekly"], len(days["days"])) == ("days", False, 56)
    assert (days["days"][0], days["days"][-1]) == ("2025-10-06", "2025-11-30")
    assert days["last"] == days["days"] and days["future_from"] is None  # the campaign is over
    busy = {d: (n, s) for d, n, s in zip(days["days"], days["sessions"], days["students"]) if n}
    assert busy == {"2025-10-10": (1, 3), "2025-10-11": (1, 4), "2025-10-20": (1, 2)}
    assert sum(days["students"]) == 9
    table = body_rows(p.tables["days-table"])
    assert [[f"{d[8:]}/{d[5:7]}/{d[:4]}", str(n), str(s)]
            for d, n, s in zip(days["days"], days["sessions"], days["students"])] == table
    assert days["words"] == {"sessions": "Sessions", "students": "Students",
                             "to_come": "Days to come"}
    tag = canvas(html, "days")
    assert 'role="img"' in tag and 'data-chart="days-data"' in tag
    assert ('aria-label="Sessions per day, 06/10/2025 – 30/11/2025. Sessions: 3 · days with a '
            'session: 3' in tag)


def test_the_days_to_come_and_a_single_day(world, monkeypatch):
    from quizapp.records import queries

    monkeypatch.setattr(queries, "today", lambda: date(2025, 10, 20))  # the campaign under way
    days = chart_data(world["admin"].get("/records/dashboard").get_data(as_text=True), "days")
    assert days["days"][days["future_from"]] == "2025-10-21" and days["future_from"] == 15
    one = world["admin"].get("/records/dashboard?from=2025-10-11&to=2025-10-11")
    days = chart_data(one.get_data(as_text=True), "days")
    assert (days["days"], days["sessions"], days["students"]) == (["2025-10-11"], [1], [4])


def test_charts_come_with_their_numbers_and_no_inline_code(world):
    """Without the script the chart's box stays hidden, its numbers under it; the library is
    sent only to pages that draw a chart; no script on the page carries code of its own."""
    chart_pages = [("admin", "/records/dashboard"), ("staff", "/records/schools/ONE")]
    for role, path in chart_pages:
        html = world[role].get(path).get_data(as_text=True)
        assert html.count('src="/static/vendor/chart.umd.js?v=') == 1, path
        assert html.index("vendor/chart.umd.js") < html.index("js/records-charts.js")
        assert html.count("<canvas") == html.count('<details class="numbers">')
        assert html.count("<canvas") == 2, path
        scripts = inline_scripts(html)
        assert scripts and all('type="application/json"' in tag for tag in scripts), scripts
    for role, path in [("admin", "/records/dashboard?level=university"),
                       ("admin", "/records/schools/ONEB"), ("presenter", "/records/me"),
                       ("anonymous", "/public"), ("admin", "/")]:
        html = world[role].get(path).get_data(as_text=True)
        assert "chart.umd.js" not in html and "records-charts.js" not in html, path
        assert "<canvas" not in html, path


def test_the_phone_page_never_loads_the_charts(client, make):
    html = client.get(f"/play/{make.game()['pin']}").get_data(as_text=True)
    assert "chart.umd.js" not in html and "records-charts.js" not in html


def test_filters_narrow_the_dashboard(world):
    unit = world["units"]["other"]
    p = page(world["admin"], f"/records/dashboard?unit={unit}")
    assert [r[0] for r in body_rows(p.tables["units-table"])] == ["Xã Hai"]
    assert [r[0] for r in body_rows(p.tables["zero-table"])] == ["Xã Hai Ninh Bình"]
    assert "Schools of Xã Hai with no session yet" in p.texts["waiting"]
    mine = world["units"]["mine"]
    p = page(world["admin"], f"/records/dashboard?unit={mine}")
    assert "Trường ONEB" in p.texts["waiting"] and "Trường ONE " not in p.texts["waiting"] + " "
    assert "Every commune/ward is covered" in p.texts["zero"]
    days = page(world["admin"], "/records/dashboard?from=2025-10-11&to=2025-10-11")
    assert stats(days)[0] == "1" and "4 students reached" in days.texts["totals"]
    primary = page(world["admin"], "/records/dashboard?level=tieu_hoc")
    assert stats(primary)[0] == "1"


def test_a_country_is_listed_a_province_at_a_time(world, records, monkeypatch):
    from quizapp.web import records as pages

    records.school("FAR", records.unit("Phường Xa", province="Hưng Yên"))
    monkeypatch.setattr(pages, "LIST_LIMIT", 3)  # four communes/wards in two provinces
    p = page(world["admin"], "/records/dashboard")
    assert "units-table" not in p.tables and "zero-table" not in p.tables
    assert body_rows(p.tables["provinces-table"]) == [
        ["Hưng Yên", "0 / 1", "1", "0", "0"], ["Ninh Bình", "1 / 3", "2", "3", "9"]]
    assert "Choose a province to list them" in p.texts["zero"]
    html = world["admin"].get("/records/dashboard").get_data(as_text=True)
    assert "Choose a province first" in html and "Xã Hai</option>" not in html
    province = re.search(r'href="/records/dashboard\?province=(\d+)">Ninh Bình', html).group(1)
    one = page(world["admin"], f"/records/dashboard?province={province}")
    assert [r[0] for r in body_rows(one.tables["units-table"])] == [
        "Phường Demo", "Phường Một", "Xã Hai"]
    assert "provinces-table" not in one.tables
    # the download holds every commune/ward whatever the page lists
    units = read_csv(world["admin"].get("/records/dashboard/units.csv"))
    assert len(units) == 1 + 4


@pytest.mark.parametrize("query, status, words", [
    ("level=university", 400, "level must be one of"),
    ("from=yesterday", 400, "from must be a date"),
    ("unit=abc", 400, "Unknown unit"),
    ("unit=99999999999999999999", 400, "Unknown unit"),
    ("province=%C2%B2", 400, "Unknown province"),
    ("from=2025-11-01&to=2025-10-01", 400, "Choose days from 06/10/2025 to 30/11/2025"),
    ("to=2026-01-01", 400, "Choose days from"),
    ("campaign=nope", 404, "No campaign has this name"),
])
def test_a_bad_filter_gets_a_message(world, query, status, words):
    response = world["admin"].get(f"/records/dashboard?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert words in Page(html).texts["problem"]
    assert 'id="units-table"' not in html  # no figures for a filter that was not understood
    download = world["admin"].get(f"/records/dashboard/export.xlsx?{query}")
    assert download.status_code == status and words in download.get_data(as_text=True)


def test_unknown_download_tables_are_not_found(world):
    assert world["admin"].get("/records/dashboard/secrets.csv").status_code == 404
    assert world["staff"].get("/records/schools/ONE/players.csv").status_code == 404


# ----- downloads match the page ----------------------------------------------------------------

def xlsx(response) -> dict[str, list[list]]:
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel shows Vietnamese
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_dashboard_workbook_is_the_page(world):
    query = "?campaign=" + CAMPAIGN
    p = page(world["admin"], "/records/dashboard" + query)
    sheets = xlsx(world["admin"].get("/records/dashboard/export.xlsx" + query))
    assert list(sheets) == ["Summary", "Communes and wards", "Still at zero", "Sessions per day",
                            "Accuracy by topic", "School levels"]
    page_units = body_rows(p.tables["units-table"])
    book_units = sheets["Communes and wards"]
    assert book_units[0][:3] == ["Commune/ward", "Province", "Schools"]
    assert len(book_units) - 1 == len(page_units)
    for shown, row in zip(page_units, book_units[1:]):
        name, province, schools, in_person, sessions, students, mark = shown
        assert row[:7] == [name, province, int(schools), int(in_person), row[4], int(sessions),
                           int(students)]
        assert row[7] == mark.split(" ", 1)[1]  # "Covered" / "Not covered", without the icon
    zero = [r[0] for r in sheets["Still at zero"][1:]]
    assert zero == [r[0].rsplit(" Ninh Bình", 1)[0] for r in body_rows(p.tables["zero-table"])]
    summary = {r[0]: r[1] for r in sheets["Summary"][1:]}
    assert (summary["Sessions"], summary["In person"], summary["Students reached"],
            summary["Communes/wards covered"], summary["Communes/wards"]) == (3, 2, 9, 1, 3)
    assert summary["Average accuracy"] == pytest.approx(0.636)
    days = sheets["Sessions per day"]
    assert len(days) == 1 + 56 and days[0] == ["Day", "Sessions", "Students"]
    busy = {row[0].date(): row[1:] for row in days[1:] if row[1]}
    assert busy == {date(2025, 10, 10): [1, 3], date(2025, 10, 11): [1, 4],
                    date(2025, 10, 20): [1, 2]}
    assert [r[0] for r in sheets["Accuracy by topic"][1:]][:1] == [
        "Links, OTP codes and stolen accounts"]


def test_the_dashboard_csv_files(world):
    units = read_csv(world["viewer"].get("/records/dashboard/units.csv"))
    assert units[0][0] == "Commune/ward" and len(units) == 4
    assert ["Phường Một", "Ninh Bình", "2", "1", "1", "2", "5", "Covered"] in units
    days = read_csv(world["viewer"].get("/records/dashboard/days.csv?from=2025-10-10&to=2025-10-12"))
    assert days == [["Day", "Sessions", "Students"], ["2025-10-10", "1", "3"],
                    ["2025-10-11", "1", "4"], ["2025-10-12", "0", "0"]]
    topics = read_csv(world["viewer"].get("/records/dashboard/topics.csv"))
    assert topics[1:] == [["Links, OTP codes and stolen accounts", "6", "50.0"],
                          ["Grooming: how strangers win trust", "5", "80.0"]]


# ----- a school's record ------------------------------------------------------------------------

def test_the_school_page(world):
    p = page(world["staff"], "/records/schools/ONE")
    # three played sessions (the one after the campaign too, not the one nobody played)
    rows = body_rows(p.tables["sessions-table"])
    assert [r[:5] for r in rows] == [
        ["05/12/2025", "8A", "Officer One", "Test quiz", "● In person"],
        ["20/10/2025", "9B", "Officer One", "Test quiz", "● In person"],
        ["10/10/2025", "8A", "Officer One", "Test quiz", "● In person"]]
    # players, average score, right answers, gain
    assert [r[5:9] for r in rows] == [["1", "100", "100.0%", "–"],
                                      ["2", "500", "75.0%", "▲ +50.0 pts"],
                                      ["3", "500", "50.0%", "–"]]
    totals = p.texts["totals"]
    for figure in ("3 sessions", "6 students reached", "2 classes reached", "433 average score",
                   "63.6% right answers", "+50.0 pts knowledge gain"):
        assert figure in totals, (figure, totals)
    # what they still get wrong: phishing's question first (3 of 6 right), then grooming's
    weakest = p.texts["weakest"]
    assert weakest.index("Is this link safe?") < weakest.index("Who is the stranger?")
    assert "50.0% right · 6 answers" in weakest and "80.0% right · 5 answers" in weakest
    html = world["staff"].get("/records/schools/ONE").get_data(as_text=True)
    assert html.count('/results"') == 3  # each session links to its results page
    # the trend: October (two sessions, 6 of 10 right, 5 pupils scoring 500 on average), no
    # session in November, December (one, 1 of 1, 100 points)
    assert body_rows(p.tables["trend-table"]) == [["10/2025", "2", "5", "500", "60.0%"],
                                                  ["12/2025", "1", "1", "100", "100.0%"]]
    trend = chart_data(html, "trend")
    assert (trend["kind"], trend["months"]) == ("trend", ["2025-10", "2025-11", "2025-12"])
    assert trend["accuracy"] == [pytest.approx(0.6), None, pytest.approx(1.0)]
    assert trend["average_score"] == [500, None, 100]
    assert (trend["sessions"], trend["students"]) == ([2, 0, 1], [5, 0, 1])
    assert trend["words"]["sessions_short"] == "{n} sess."
    assert 'aria-label="Right answers, month by month. From 60.0% in 10/2025 to 100.0% in ' \
           '12/2025."' in canvas(html, "trend")
    topics = chart_data(html, "topic")
    assert (topics["topics"], topics["answers"]) == (["phishing", "grooming"], [6, 5])
    assert topics["accuracy"] == [pytest.approx(0.5), pytest.approx(0.8)]
    assert body_rows(p.tables["topic-table"]) == [
        ["Links, OTP codes and stolen accounts", "6", "50.0%"],
        ["Grooming: how strangers win trust", "5", "80.0%"]]
    assert not any(n in html for n in NICKNAMES)


def test_every_listed_session_links_to_a_record_its_reader_may_open(world):
    for role, path in (("viewer", "/records/schools/ONE"), ("presenter", "/records/schools/ONE"),
                       ("other_staff", "/records/schools/TWO"), ("presenter", "/records/me")):
        client = world[role]
        links = re.findall(r'href="(/host/\d+/results)"', client.get(path).get_data(as_text=True))
        assert links, (role, path)
        assert [client.get(link).status_code for link in links] == [200] * len(links)


def test_the_school_downloads_are_the_page(world):
    p = page(world["staff"], "/records/schools/ONE")
    sheets = xlsx(world["staff"].get("/records/schools/ONE/export.xlsx"))
    assert list(sheets) == ["Sessions", "Questions", "Accuracy by topic", "Trend by month"]
    sessions = sheets["Sessions"]
    assert sessions[0][:4] == ["Date", "Class", "Presenter", "Quiz"]
    for shown, row in zip(body_rows(p.tables["sessions-table"]), sessions[1:]):
        assert f"{row[0]:%d/%m/%Y}" == shown[0] and row[1:4] == shown[1:4]
        assert row[5] == int(shown[5]) and f"{row[8] * 100:.1f}%" == shown[7]
    assert sessions[2][9:12] == [0.5, 1.0, 50.0]  # check before, after, gain in points
    questions = sheets["Questions"]
    assert questions[1:] == [["Is this link safe?", "Links, OTP codes and stolen accounts", 6,
                              pytest.approx(0.5)],
                             ["Who is the stranger?", "Grooming: how strangers win trust", 5,
                              pytest.approx(0.8)]]
    listed = read_csv(world["staff"].get("/records/schools/ONE/questions.csv"))
    assert listed[1] == ["Is this link safe?", "Links, OTP codes and stolen accounts", "6", "50.0"]
    sessions_csv = read_csv(world["staff"].get("/records/schools/ONE/sessions.csv"))
    assert [r[0] for r in sessions_csv[1:]] == ["2025-12-05", "2025-10-20", "2025-10-10"]


# ----- a presenter's record ---------------------------------------------------------------------

def test_the_presenter_page(world):
    p = page(world["presenter"], "/records/me")
    assert "Phường Một in the campaign" in p.texts["my-unit"]
    assert "✓ Covered" in p.texts["my-unit"]
    assert "1 of the 2 schools" in p.texts["my-unit"]
    assert [t.strip() for t in p.texts["waiting"].split("Primary") if t.strip()] == ["Trường ONEB"]
    assert len(body_rows(p.tables["sessions-table"])) == 3
    assert body_rows(p.tables["schools-table"]) == [["Trường ONE", "3", "6", "05/12/2025"]]
    html = world["presenter"].get("/records/me").get_data(as_text=True)
    assert f'href="/public?campaign={CAMPAIGN}"' in html  # to share the results
    other = page(world["stranger"], "/records/me")
    assert "✗ Not covered" in other.texts["my-unit"] and "Not yet" in other.texts["my-unit"]
    sheets = xlsx(world["presenter"].get("/records/me/export.xlsx"))
    assert [r[1] for r in sheets["Sessions"][1:]] == ["Trường ONE"] * 3


def test_schools_without_sessions_follow_the_campaign(world, app):
    # another year's campaign: nothing held yet, so both schools of the unit are waiting
    world["admin"].post("/api/v1/campaigns", json={"slug": "khong-mot-minh-2026",
                                                   "name": "Không một mình 2026",
                                                   "starts": "2026-10-05", "ends": "2026-11-29"})
    p = page(world["presenter"], "/records/me?campaign=khong-mot-minh-2026")
    assert "Trường ONE" in p.texts["waiting"] and "Trường ONEB" in p.texts["waiting"]
    assert "✗ Not covered" in p.texts["my-unit"]
    page(world["presenter"], "/records/me?campaign=nope", 404)


# ----- the public page and its picture ----------------------------------------------------------

def test_the_public_page(world):
    p = page(world["anonymous"], "/public")
    assert p.texts["figures"].split() == ["3", "sessions", "held", "2", "schools", "9",
                                          "students", "reached"]
    assert "1/3 communes/wards held an in-person session" in p.texts["coverage"]
    html = world["anonymous"].get("/public").get_data(as_text=True)
    assert f"/public/summary.png?campaign={CAMPAIGN}&amp;lang=en" in html
    assert 'property="og:image"' in html
    page(world["anonymous"], "/public?campaign=nope", 404)


def test_the_picture_is_cached_and_downloadable(world, records):
    client = world["anonymous"]
    response = client.get(f"/public/summary.png?campaign={CAMPAIGN}&lang=vi")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 630)
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]
    again = client.get(f"/public/summary.png?campaign={CAMPAIGN}&lang=vi",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    records.session(records.school("MORE", world["units"]["mine"]), records.user(),
                    at(date(2025, 11, 2)), players=[("Nai Con", 10)])
    changed = client.get(f"/public/summary.png?campaign={CAMPAIGN}&lang=vi",
                         headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != response.headers["ETag"]
    saved = client.get(f"/public/summary.png?campaign={CAMPAIGN}&download=1")
    assert saved.headers["Content-Disposition"] == f'attachment; filename="{CAMPAIGN}.png"'
    assert client.get("/public/summary.png?campaign=nope").status_code == 404


def test_no_nickname_reaches_the_public_page_or_its_picture(app, records, monkeypatch):
    """Generated sessions with generated nicknames: the public page, the figures API and every
    input of the picture hold none of them."""
    from quizapp.records import share_image

    rnd = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzđêôơư"
    units = [records.unit(f"Phường {i}") for i in range(4)]
    schools = [records.school(f"G{i}", rnd.choice(units)) for i in range(6)]
    officer = records.user(unit_id=units[0])
    nicknames = set()
    for n in range(12):
        players = []
        for _ in range(rnd.randint(1, 5)):
            nickname = "Zz" + "".join(rnd.choice(letters) for _ in range(8))
            nicknames.add(nickname)
            players.append((nickname, rnd.randint(0, 3000), {0: ([2], rnd.random() < .5)}))
        records.session(rnd.choice(schools), officer, at(date(2025, 10, 6 + n)), players=players,
                        in_person=rnd.random() < .7, class_label=rnd.choice(["6A", "7B", ""]))
    drawn = []
    monkeypatch.setattr(share_image, "_render", lambda card: drawn.append(card) or b"png")
    client = app.test_client()
    texts = [client.get("/public").get_data(as_text=True),
             client.get("/public?lang=en").get_data(as_text=True),
             client.get("/api/v1/public/summary").get_data(as_text=True)]
    assert client.get("/public/summary.png").status_code == 200
    assert len(drawn) == 1
    inputs = repr(drawn[0]) + "".join(t.text for t in share_image.layout(drawn[0]))
    for text in texts + [inputs]:
        found = [n for n in nicknames if n in text or n.lower() in text.lower()]
        assert not found, found
    assert "Trường G" not in texts[0]  # aggregates only: no school is named either


# ----- a fixed number of queries per page -------------------------------------------------------

class Queries:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def count_queries(app, client, path: str) -> int:
    with app.app_context():
        engine = db.engine
    with Queries(engine) as q:
        response = client.get(path)
    assert response.status_code == 200, path
    return q.count


PAGES = [("admin", "/records/dashboard"), ("viewer", "/records/dashboard?unit={unit}"),
         ("admin", "/records/dashboard/export.xlsx"), ("staff", "/records/schools/ONE"),
         ("staff", "/records/schools/ONE/export.xlsx"), ("presenter", "/records/schools/ONE"),
         ("presenter", "/records/me"), ("presenter", "/records/me/export.xlsx"),
         ("admin", "/records/me"), ("anonymous", "/public"),
         ("anonymous", "/public/summary.png?lang=en")]


def test_pages_issue_a_fixed_number_of_queries(world, app, records):
    """The same number of queries for ten times the units, schools and sessions: the pages
    aggregate in SQL, never a query per row."""
    pages = [(role, path.format(unit=world["units"]["mine"])) for role, path in PAGES]
    before = {(r, p): count_queries(app, world[r], p) for r, p in pages}
    mine = world["units"]["mine"]
    with app.app_context():
        one = db.session.execute(db.text("SELECT id FROM school WHERE code = 'ONE'")).scalar()
        officer = db.session.execute(db.text("SELECT id FROM user WHERE unit_id = :u"),
                                     {"u": mine}).scalar()
        questions = list(db.session.query(Quiz).filter_by(slug="test-quiz").one().questions)
    for i in range(10):
        unit = records.unit(f"Xã Mới {i}", kind="xa")
        school = records.school(f"NEW{i}", unit, "thpt")
        records.school(f"WAIT{i}", mine)
        records.session(school, officer, at(date(2025, 10, 7 + i)), questions=[Q0, Q1],
                        players=[(f"P{i}", 10, {0: ([0], RIGHT)})], in_person=i % 2 == 0)
        records.session(one, officer, at(date(2025, 11, 1 + i)), questions=questions,
                        players=[(f"Q{i}", 10, {0: ([2], RIGHT)})], class_label=f"{i}C")
    after = {(r, p): count_queries(app, world[r], p) for r, p in pages}
    assert after == before
    assert all(n <= 25 for n in before.values()), before
    print("queries per page:", {f"{r} {p}": n for (r, p), n in before.items()})


def test_teams_sharing_phones_are_told_apart(world):
    """Xã Hai's session had one team of four on one phone: every pupil counts as reached, and
    the pages and downloads say how many came in teams."""
    school = page(world["other_staff"], "/records/schools/TWO")
    assert "4 students reached" in school.texts["totals"]
    assert "4 in 1 teams sharing phones" in school.texts["totals"]
    board = page(world["admin"], "/records/dashboard?campaign=" + CAMPAIGN)
    assert "4 in 1 teams sharing phones" in board.texts["totals"]
    assert "in 1 teams" not in page(world["staff"], "/records/schools/ONE").texts["totals"]
    rows = read_csv(world["other_staff"].get("/records/schools/TWO/sessions.csv"))
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("Teams sharing phones")] == "1"
    assert row[header.index("Students in teams")] == "4"
