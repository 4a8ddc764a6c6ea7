"""Challenges in the records: counted apart from the sessions held with a presenter (in person
or remote), and never toward a commune/ward's coverage."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Campaign, Game, HomeTalk, School, SessionSummary, User
from quizapp.records import exports, queries
from quizapp.records.queries import Filters
from quizapp.records.summaries import summarize

WINDOW = Filters(date(2025, 10, 6), date(2025, 11, 30))
RIGHT, WRONG = True, False


def at(day: date, hour_vn: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour_vn) - timedelta(hours=7)


def make_challenge(app, records, school_id, presenter_id, started, players, talk=()) -> int:
    """A challenge played at home: a session row turned into one (mode, phase, code, never in
    person) with its figures summed again, and the answers to "did you talk about it?"."""
    game_id = records.session(school_id, presenter_id, started, players=players, in_person=True,
                              ended=False)
    with app.app_context():
        game = db.session.get(Game, game_id)
        game.mode, game.phase, game.code = "challenge", "challenge", f"c{game_id:07d}"
        game.closes_at = started + timedelta(days=7)
        db.session.add_all(HomeTalk(game_id=game_id, answer=a) for a in talk)
        db.session.commit()
        summarize(game)
    return game_id


@pytest.fixture
def province(app, records):
    """Unit A: an in-person session at A1 and a challenge after it. Unit B: a challenge at B1
    only (played at home by three pupils). Unit C: nothing."""
    ids = {"A": records.unit("Phường A"), "B": records.unit("Xã B", kind="xa"),
           "C": records.unit("Phường C")}
    schools = {"A1": records.school("A1", ids["A"]), "B1": records.school("B1", ids["B"]),
               "C1": records.school("C1", ids["C"])}
    officer = records.user(unit_id=ids["A"])
    records.session(schools["A1"], officer, at(date(2025, 10, 10)), players=[
        ("An", 1000, {0: ([2], RIGHT)}), ("Bình", 0, {0: ([1], WRONG)})])
    make_challenge(app, records, schools["A1"], officer, at(date(2025, 10, 11)), players=[
        ("An", 2000, {0: ([2], RIGHT), 1: ([1], RIGHT)})], talk=["parent"])
    make_challenge(app, records, schools["B1"], officer, at(date(2025, 10, 12)), players=[
        ("Chi", 1000, {0: ([2], RIGHT), 1: ([0], WRONG)}), ("Dũng", 0, {0: ([0], WRONG)}),
        ("Em", 1000, {0: ([2], RIGHT)})], talk=["parent", "someone", "not_yet", "not_yet"])
    return ids, schools, officer


def test_a_challenge_is_summed_as_self_paced_and_never_in_person(app, province):
    with app.app_context():
        rows = db.session.query(SessionSummary).order_by(SessionSummary.day).all()
        assert [(r.mode, r.in_person) for r in rows] == [
            ("live", True), ("challenge", False), ("challenge", False)]


def test_a_challenge_never_covers_a_unit(app, province):
    with app.app_context():
        result = queries.coverage(WINDOW)
    by_unit = {u["unit"]: u for u in result["units"]}
    assert by_unit["Xã B"]["covered"] is False
    assert (by_unit["Xã B"]["sessions"], by_unit["Xã B"]["students"],
            by_unit["Xã B"]["schools_reached"]) == (0, 0, 0)
    assert (by_unit["Phường A"]["sessions"], by_unit["Phường A"]["students"]) == (1, 2)
    assert result["totals"]["units_covered"] == 1 and result["totals"]["sessions"] == 1
    with app.app_context():
        # B1 is still waiting for a session: a challenge is not one held there
        waiting = queries.schools_without_sessions(WINDOW, province[0]["B"])
        assert [s["code"] for s in waiting] == ["B1"]


def test_the_dashboard_counts_the_challenges_apart(app, province):
    with app.app_context():
        board = queries.dashboard(WINDOW)
    assert board["totals"]["sessions"] == 1 and board["totals"]["students"] == 2
    assert board["totals"]["accuracy"] == 0.5
    assert board["self_paced"] == {
        "sessions": 2, "students": 4, "average_score": 1000.0, "answers": 6,
        "accuracy": 0.667, "home_talk": {"parent": 2, "someone": 1, "not_yet": 2}, "talked": 5}
    assert [d["sessions"] for d in board["per_day"]] == [1]


def test_the_public_figures_leave_the_challenges_out(app, province):
    with app.app_context():
        assert queries.public_summary(WINDOW) == {"sessions": 1, "schools": 1, "students": 2,
                                                  "units": 4, "units_covered": 1}


def test_a_schools_record(app, province):
    _, schools, _ = province
    with app.app_context():
        record = queries.school_record(db.session.get(School, schools["B1"]))
    assert record["totals"]["sessions"] == 0 and record["participants"] == 0
    assert [s["mode"] for s in record["sessions"]] == ["challenge"]
    assert record["self_paced"]["students"] == 3 and record["self_paced"]["accuracy"] == 0.5
    # what the pupils answered at home counts for each question
    assert {q["question"]: q["answers"] for q in record["questions"]} == {
        "Which one is correct?": 3, "Is this true?": 1}
    with app.app_context():
        a1 = queries.school_record(db.session.get(School, schools["A1"]))
    assert a1["totals"]["sessions"] == 1 and a1["participants"] == 2
    assert [s["mode"] for s in a1["sessions"]] == ["challenge", "live"]
    assert a1["self_paced"]["sessions"] == 1 and a1["self_paced"]["home_talk"]["parent"] == 1


def test_a_presenters_record(app, province):
    _, _, officer = province
    with app.app_context():
        record = queries.presenter_record(db.session.get(User, officer), WINDOW)
    assert record["totals"]["sessions"] == 1 and record["totals"]["students"] == 2
    assert [s["code"] for s in record["schools"]] == ["A1"]  # no visit to B1
    assert record["self_paced"]["sessions"] == 2 and record["self_paced"]["students"] == 4
    assert record["unit"]["covered"] is True and record["unit"]["sessions"] == 1


def test_downloads_name_how_each_session_was_held(app, province):
    _, schools, _ = province
    with app.app_context():
        record = queries.school_record(db.session.get(School, schools["A1"]))
        with app.test_request_context("/?lang=en"):
            csv = exports.csv_bytes(exports.sessions_table(record["sessions"])).decode("utf-8-sig")
    lines = csv.splitlines()
    assert "In person, remote or at home" in lines[0]
    assert "At home (self-paced)" in lines[1] and "In person" in lines[2]


def test_the_pages_show_the_self_paced_figures_apart(app, make, province):
    _, schools, officer = province
    with app.app_context():
        db.session.add(Campaign(slug="c2025", name="Campaign 2025", starts=WINDOW.starts,
                                ends=WINDOW.ends))
        db.session.commit()
    admin = app.test_client()
    make.login(admin, make.user("admin"))
    admin.get("/lang/en")
    board = admin.get("/records/dashboard?campaign=c2025").get_data(as_text=True)
    assert 'id="at-home"' in board and "pupils reached at home" in board
    school = admin.get("/records/schools/B1").get_data(as_text=True)
    assert 'id="at-home"' in school and "mode-home" in school
    public = app.test_client().get("/public?campaign=c2025&lang=en").get_data(as_text=True)
    assert "And 4 pupils played a challenge at home" in public
    mine = app.test_client()
    make.login(mine, officer, password="pw-secret-1")
    page = mine.get("/records/me?campaign=c2025&lang=en").get_data(as_text=True)
    assert 'id="at-home"' in page and page.count("mode-home") == 2
