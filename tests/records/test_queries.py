"""The records' aggregates (``quizapp/records/queries.py``) against hand-computed figures, and
against the plain-Python rules on generated sessions."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.extensions import db
from quizapp.models import School, SessionSummary
from quizapp.records import queries, rules
from quizapp.records.queries import Filters

WINDOW = Filters(date(2025, 10, 6), date(2025, 11, 30))
RIGHT, WRONG = True, False


def at(day: date, hour_vn: int = 9) -> datetime:
    """A moment (naive UTC) on ``day`` at ``hour_vn`` o'clock in Vietnam (UTC+7)."""
    return datetime(day.year, day.month, day.day, hour_vn) - timedelta(hours=7)


@pytest.fixture
def province(records):
    """Three units: A covered in person, B reached only remotely, C untouched; sessions before,
    inside and after the 2025 window, one at 23:30 on its last day, one nobody played."""
    ids = {"A": records.unit("Phường A"), "B": records.unit("Xã B", kind="xa"),
           "C": records.unit("Phường C")}
    schools = {"A1": records.school("A1", ids["A"]), "A2": records.school("A2", ids["A"], "thpt"),
               "B1": records.school("B1", ids["B"], "tieu_hoc"), "C1": records.school("C1", ids["C"])}
    officer = records.user(unit_id=ids["A"])
    s = records.session
    s(schools["A1"], officer, at(date(2025, 10, 6), 0), players=[   # 00:00 on the first day
        ("An", 2000, {0: ([2], RIGHT), 1: ([1], RIGHT)}), ("Bình", 0, {0: ([1], WRONG)})])
    s(schools["A1"], officer, at(date(2025, 11, 30), 23), players=[  # 23:00 on the last day
        ("Chi", 1000, {0: ([2], RIGHT)}, 3)], class_label="9B")
    s(schools["A2"], officer, at(date(2025, 10, 20)), players=[])  # nobody played
    s(schools["A2"], officer, at(date(2025, 12, 1), 0), players=[("Dũng", 0)])  # after
    s(schools["B1"], officer, at(date(2025, 11, 2)), in_person=False, players=[
        ("Em", 500, {0: ([2], RIGHT)}), ("Giang", 500, {0: ([0], WRONG)})])
    s(schools["C1"], officer, at(date(2025, 10, 5), 23), players=[("Hà", 1)])  # the day before
    return ids, schools, officer


def test_coverage_of_a_campaign(app, province):
    ids, _, _ = province
    with app.app_context():
        result = queries.coverage(WINDOW)
    by_unit = {u["unit"]: u for u in result["units"]}
    assert {k: by_unit["Phường A"][k] for k in
            ("schools", "schools_in_person", "schools_reached", "sessions", "students",
             "covered")} == {"schools": 2, "schools_in_person": 1, "schools_reached": 1,
                             "sessions": 2, "students": 5, "covered": True}
    assert (by_unit["Xã B"]["covered"], by_unit["Xã B"]["sessions"],
            by_unit["Xã B"]["students"], by_unit["Xã B"]["schools_in_person"]) == (False, 1, 2, 0)
    assert (by_unit["Phường C"]["covered"], by_unit["Phường C"]["sessions"]) == (False, 0)
    # the app's demo unit is there too, untouched
    assert result["totals"] == {"units": 4, "units_covered": 1, "schools_reached": 2,
                                "sessions": 3, "students": 7}


def test_a_units_coverage_alone(app, province):
    ids, _, _ = province
    from quizapp.models import Unit

    with app.app_context():
        result = queries.coverage(WINDOW, units=Unit.id == ids["B"])
    assert [u["unit"] for u in result["units"]] == ["Xã B"]
    assert result["totals"]["units"] == 1 and result["totals"]["units_covered"] == 0


def test_the_public_figures(app, province):
    with app.app_context():
        assert queries.public_summary(WINDOW) == {"sessions": 3, "schools": 2, "students": 7,
                                                  "units": 4, "units_covered": 1}
        # another year's window counts the sessions of its own days only
        assert queries.public_summary(Filters(date(2025, 12, 1), date(2025, 12, 31)))[
            "sessions"] == 1


def test_a_schools_record(app, province):
    _, schools, _ = province
    with app.app_context():
        record = queries.school_record(db.session.get(School, schools["A1"]))
    assert [s["date"] for s in record["sessions"]] == ["2025-11-30", "2025-10-06"]
    assert record["participants"] == 5 and record["totals"]["sessions"] == 2
    assert record["totals"]["classes"] == 2  # 8A and 9B
    # (2000 + 0 + 1000) / 3 players
    assert record["totals"]["average_score"] == 1000.0
    assert record["totals"]["accuracy"] == 0.75  # 3 right of 4
    assert record["trend"] == [
        {"month": "2025-10", "sessions": 1, "students": 2, "average_score": 1000.0,
         "accuracy": 0.667},
        {"month": "2025-11", "sessions": 1, "students": 3, "average_score": 1000.0,
         "accuracy": 1.0}]
    assert record["questions"][0] == {"question": "Which one is correct?", "answers": 3,
                                      "accuracy": 0.667}
    assert record["weakest"] == []  # no question has five answers yet


def test_the_dashboard(app, province):
    ids, _, _ = province
    with app.app_context():
        board = queries.dashboard(WINDOW)
        only_a = queries.dashboard(Filters(WINDOW.starts, WINDOW.ends, unit_id=ids["A"]))
        primary = queries.dashboard(Filters(WINDOW.starts, WINDOW.ends, level="tieu_hoc"))
    assert [u["unit"] for u in board["units_at_zero"]] == ["Phường C", "Phường Demo", "Xã B"]
    assert board["per_day"] == [{"day": "2025-10-06", "sessions": 1, "students": 2},
                                {"day": "2025-11-02", "sessions": 1, "students": 2},
                                {"day": "2025-11-30", "sessions": 1, "students": 3}]
    assert board["totals"]["sessions"] == 3 and board["totals"]["sessions_in_person"] == 2
    assert only_a["totals"]["sessions"] == 2 and [u["unit"] for u in only_a["units"]] == ["Phường A"]
    assert primary["totals"]["students"] == 2 and primary["levels"] == [
        {"level": "tieu_hoc", "sessions": 1, "students": 2}]


def test_a_presenters_record(app, records, province):
    ids, _, officer = province
    from quizapp.models import User

    with app.app_context():
        record = queries.presenter_record(db.session.get(User, officer), WINDOW)
    assert record["totals"]["sessions"] == 5  # every played session, in any window
    assert [s["code"] for s in record["schools"]] == ["A2", "A1", "B1", "C1"]
    assert record["unit"]["unit"] == "Phường A" and record["unit"]["covered"] is True


@pytest.fixture
def three_units(records):
    units = [records.unit(f"U{i}") for i in range(3)]
    return units, [records.school(f"S{i}", u) for i, u in enumerate(units)], records.user()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(st.tuples(st.integers(0, 2), st.booleans(), st.integers(0, 3),
                                   st.integers(-3, 60)), max_size=12))
def test_sql_coverage_follows_the_rules(app, records, three_units, sessions):
    """Whatever the sessions, SQL's coverage equals ``rules.unit_covered`` on each unit's
    sessions in the window, and counts only the sessions somebody played."""
    units, schools, officer = three_units
    with app.app_context():
        db.session.query(SessionSummary).delete()  # each example starts from no figures
        db.session.commit()
    expected: dict[int, list] = {u: [] for u in units}
    for unit_index, in_person, players, offset in sessions:
        day = WINDOW.starts + timedelta(days=offset)
        records.session(schools[unit_index], officer, at(day),
                        players=[(f"P{n}", 0) for n in range(players)], in_person=in_person)
        if rules.in_window(day, WINDOW.starts, WINDOW.ends):
            expected[units[unit_index]].append((in_person, players))
    with app.app_context():
        result = queries.coverage(WINDOW)
    got = {u["unit_id"]: u for u in result["units"] if u["unit_id"] in expected}
    for unit, held in expected.items():
        assert got[unit]["covered"] == rules.unit_covered(held)
        assert got[unit]["sessions"] == sum(1 for _, p in held if rules.counts(p))
        assert got[unit]["students"] == sum(p for _, p in held)


@pytest.fixture
def topic_world(records):
    """Two units; three schools (lower secondary in each unit, upper secondary in the second)."""
    units = [records.unit(f"V{i}") for i in range(2)]
    schools = [records.school("V0S", units[0]), records.school("V1S", units[1]),
               records.school("V1T", units[1], "thpt")]
    return units, schools, records.user()


TOPIC_QUESTIONS = [
    {"type": "single", "text": f"Q{n}", "choices": ["a", "b"], "correct": [0], "time_limit": 20,
     "points": 1000, "explanation": "e", "topic": topic}
    for n, topic in enumerate(["phishing", "grooming", "phishing", ""])]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(-2, 60),
                                   st.lists(st.booleans(), min_size=4, max_size=4)),
                         max_size=10),
       level=st.sampled_from([None, "thcs", "thpt"]))
def test_the_topic_sums_kept_ahead_equal_the_questions(app, records, topic_world, sessions, level):
    """Accuracy by topic read from ``TopicDay`` equals the sum of the sessions' questions, for
    any sessions, window and level (and a unit's window reads the questions themselves)."""
    units, schools, officer = topic_world
    with app.app_context():
        db.session.query(SessionSummary).delete()  # each example starts from no figures
        db.session.commit()
        from quizapp.records.summaries import roll_up_topics
        roll_up_topics()
        db.session.commit()
    for school_index, players, offset, rights in sessions:
        school = schools[school_index]
        records.session(school, officer, at(WINDOW.starts + timedelta(days=offset)),
                        questions=TOPIC_QUESTIONS, players=[
                            (f"P{n}", 0, {i: ([0 if right else 1], right)
                                          for i, right in enumerate(rights)})
                            for n in range(players)])
    with app.app_context():
        window = Filters(WINDOW.starts, WINDOW.ends, level=level)
        assert queries.topics_in_window(window) == queries.accuracy_by_topic(window.sessions())
        one_unit = Filters(WINDOW.starts, WINDOW.ends, unit_id=units[0])
        assert queries.topics_in_window(one_unit) == queries.accuracy_by_topic(
            one_unit.sessions())


def test_a_session_that_changes_leaves_the_topic_sums_right(app, records):
    """A session summed again (more answers, a player removed, its school now another level)
    moves its figures in the sums, never counts them twice."""
    from quizapp.models import Game, Player
    from quizapp.records.summaries import summarize

    unit = records.unit("Phường T")
    school = records.school("TS1", unit, "thcs")
    game_id = records.session(school, records.user(), at(date(2025, 10, 8)),
                              questions=TOPIC_QUESTIONS,
                              players=[("An", 0, {0: ([0], True)}), ("Bình", 0, {0: ([1], False)})])
    window = Filters(WINDOW.starts, WINDOW.ends)
    with app.app_context():
        assert queries.topics_in_window(window)[0]["answers"] == 2
        db.session.query(Player).filter_by(game_id=game_id, nickname="Bình").update({"active": False})
        db.session.get(School, school).level = "thpt"
        db.session.commit()
        summarize(db.session.get(Game, game_id))
        assert queries.topics_in_window(window) == queries.accuracy_by_topic(window.sessions())
        assert queries.topics_in_window(Filters(WINDOW.starts, WINDOW.ends, level="thcs")) == []
        assert [t["answers"] for t in queries.topics_in_window(
            Filters(WINDOW.starts, WINDOW.ends, level="thpt"))] == [1]


CHECKED_QUESTIONS = (
    [{**q, "part": "before", "check": k} for k, q in enumerate(TOPIC_QUESTIONS[:2])]
    + TOPIC_QUESTIONS[2:3]
    + [{**q, "part": "after", "check": k} for k, q in enumerate(TOPIC_QUESTIONS[:2])])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sessions=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(-2, 60),
                                   st.booleans(), st.sampled_from(["", "8A", "9B"]),
                                   st.lists(st.booleans(), min_size=5, max_size=5),
                                   st.booleans()),
                         max_size=10),
       level=st.sampled_from([None, "thcs", "thpt"]))
def test_the_dashboards_figures_in_two_statements_equal_the_separate_ones(
        app, records, topic_world, sessions, level):
    """``window_figures`` (one pass per day and level, one for what is reached) gives exactly
    ``totals``, ``per_day``, ``per_level`` and ``check_totals``, whatever the sessions."""
    units, schools, officer = topic_world
    with app.app_context():
        db.session.query(SessionSummary).delete()
        db.session.commit()
    for school_index, players, offset, in_person, label, rights, checked in sessions:
        questions = CHECKED_QUESTIONS if checked else TOPIC_QUESTIONS
        records.session(schools[school_index], officer, at(WINDOW.starts + timedelta(days=offset)),
                        questions=questions, in_person=in_person, class_label=label, players=[
                            (f"P{n}", 100 * n + offset, {
                                i: ([0 if rights[(i + n) % 5] else 1], rights[(i + n) % 5])
                                for i in range(len(questions))})
                            for n in range(players)])
    with app.app_context():
        where = Filters(WINDOW.starts, WINDOW.ends, level=level).sessions()
        figures = queries.window_figures(where)
        assert figures["totals"] == queries.totals(where)
        assert figures["per_day"] == queries.per_day(where)
        assert figures["levels"] == queries.per_level(where)
        assert figures["check"] == queries.check_totals(where)
