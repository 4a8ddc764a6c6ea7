"""What the records pages add to the queries: the schools of a commune/ward still waiting for a
session, schools reached per level, the filters' pickers, and the charts' series
(``quizapp/records/queries.py``, ``quizapp/records/charts.py``)."""
from __future__ import annotations

from datetime import date

import pytest

from quizapp.records import charts, queries
from quizapp.records.queries import Filters
from tests.records.test_queries import at

WINDOW = Filters(date(2025, 10, 6), date(2025, 11, 30))


@pytest.fixture
def unit(records):
    """A ward of five schools: one held an in-person session in the window, one a remote one,
    one only before the window, one a session nobody played, one nothing at all."""
    ward = records.unit("Phường Bích Đào")
    ids = {code: records.school(code, ward, level) for code, level in (
        ("IN", "thcs"), ("REMOTE", "tieu_hoc"), ("BEFORE", "thcs"), ("EMPTY", "thpt"),
        ("NONE", "tieu_hoc"))}
    officer = records.user(unit_id=ward)
    records.session(ids["IN"], officer, at(date(2025, 10, 8)), players=[("An", 10)])
    records.session(ids["REMOTE"], officer, at(date(2025, 11, 30), 23), in_person=False,
                    players=[("Bình", 10)])
    records.session(ids["BEFORE"], officer, at(date(2025, 10, 5), 23), players=[("Chi", 10)])
    records.session(ids["EMPTY"], officer, at(date(2025, 10, 9)), players=[])
    other = records.unit("Xã Khác", kind="xa")
    records.school("ELSEWHERE", other)
    return ward, other


def test_schools_without_a_session_in_the_window(app, unit):
    ward, other = unit
    with app.app_context():
        waiting = queries.schools_without_sessions(WINDOW, ward)
        # a remote session is a session: the school is not waiting (the unit's coverage is
        # another matter); a session before the window or nobody played does not count
        assert [s["code"] for s in waiting] == ["BEFORE", "EMPTY", "NONE"]
        assert waiting[0] == {"code": "BEFORE", "name": "Trường BEFORE", "level": "thcs"}
        primary = Filters(WINDOW.starts, WINDOW.ends, level="tieu_hoc")
        assert [s["code"] for s in queries.schools_without_sessions(primary, ward)] == ["NONE"]
        # the window before: only BEFORE held one
        october5 = Filters(date(2025, 10, 5), date(2025, 10, 5))
        assert [s["code"] for s in queries.schools_without_sessions(october5, ward)] == [
            "EMPTY", "IN", "NONE", "REMOTE"]
        assert [s["code"] for s in queries.schools_without_sessions(WINDOW, other)] == [
            "ELSEWHERE"]


def test_schools_reached_by_level(app, unit):
    ward = unit[0]
    with app.app_context():
        mine = queries.schools_by_level(Filters(WINDOW.starts, WINDOW.ends, unit_id=ward))
        assert mine == [{"level": "tieu_hoc", "schools": 2, "reached": 1},
                        {"level": "thcs", "schools": 2, "reached": 1},
                        {"level": "thpt", "schools": 1, "reached": 0}]
        everywhere = {r["level"]: r for r in queries.schools_by_level(WINDOW)}
        # the demo school (thcs) and ELSEWHERE (thcs, the fixture's default) count too
        assert everywhere["thcs"] == {"level": "thcs", "schools": 4, "reached": 1}
        only = queries.schools_by_level(Filters(WINDOW.starts, WINDOW.ends, level="thpt"))
        assert only == [{"level": "thpt", "schools": 1, "reached": 0}]


def test_the_pickers(app, unit, records):
    records.unit("Phường Xa", province="Hưng Yên")
    with app.app_context():
        provinces = queries.provinces()
        assert [p["name"] for p in provinces] == ["Hưng Yên", "Ninh Bình"]
        ninh_binh = provinces[1]["id"]
        names = [u["name"] for u in queries.units(ninh_binh)]
        assert "Phường Xa" not in names and {"Phường Bích Đào", "Xã Khác"} <= set(names)
        assert len(queries.units()) == len(names) + 1


def test_every_day_of_the_window_has_a_bar():
    rows = [{"day": "2025-10-07", "sessions": 4, "students": 120},
            {"day": "2025-10-09", "sessions": 1, "students": 30}]
    series = charts.day_series(rows, date(2025, 10, 6), date(2025, 10, 10), date(2025, 10, 8))
    assert [(b["day"].day, b["sessions"], b["students"], b["future"]) for b in series["bars"]] == [
        (6, 0, 0, False), (7, 4, 120, False), (8, 0, 0, False), (9, 1, 30, True),
        (10, 0, 0, True)]
    assert (series["total"], series["active_days"], series["busiest"]["day"]) == (
        5, 2, date(2025, 10, 7))
    empty = charts.day_series([], date(2025, 10, 6), date(2025, 10, 6))
    assert empty["busiest"] is None and len(empty["bars"]) == 1
    # what the chart is handed: every day, the days still to come from the fourth on
    assert charts.days_chart(series) == {
        "kind": "days", "weekly": False,
        "days": ["2025-10-06", "2025-10-07", "2025-10-08", "2025-10-09", "2025-10-10"],
        "last": ["2025-10-06", "2025-10-07", "2025-10-08", "2025-10-09", "2025-10-10"],
        "sessions": [0, 4, 0, 1, 0], "students": [0, 120, 0, 30, 0], "future_from": 3}
    assert charts.days_chart(empty)["future_from"] is None


def test_a_long_window_is_drawn_a_week_a_bar():
    rows = [{"day": "2025-01-01", "sessions": 2, "students": 10},  # a Wednesday
            {"day": "2025-01-05", "sessions": 3, "students": 20},  # the Sunday after
            {"day": "2025-01-06", "sessions": 1, "students": 5}]   # the next Monday
    series = charts.day_series(rows, date(2025, 1, 1), date(2025, 12, 31))
    assert series["weekly"] and len(series["bars"]) == 53
    first, second = series["bars"][:2]
    assert (first["day"], first["last"], first["sessions"], first["students"]) == (
        date(2025, 1, 1), date(2025, 1, 5), 5, 30)
    assert (second["day"], second["sessions"]) == (date(2025, 1, 6), 1)
    assert series["bars"][-1]["last"] == date(2025, 12, 31)
    assert sum(b["sessions"] for b in series["bars"]) == 6
    chart = charts.days_chart(series)
    assert chart["weekly"] and len(chart["days"]) == len(chart["last"]) == 53
    assert (chart["days"][:2], chart["last"][:2]) == (["2025-01-01", "2025-01-06"],
                                                      ["2025-01-05", "2025-01-12"])
    assert chart["sessions"][:3] == [5, 1, 0] and chart["students"][:2] == [30, 5]


def test_a_school_trend_keeps_the_months_without_a_session():
    months = [{"month": "2024-11", "sessions": 2, "students": 60, "average_score": 612.5,
               "accuracy": 0.5},
              {"month": "2025-02", "sessions": 1, "students": 25, "average_score": None,
               "accuracy": None}]  # a session with no answer
    chart = charts.trend_chart(months)
    assert chart == {"kind": "trend", "months": ["2024-11", "2024-12", "2025-01", "2025-02"],
                     "accuracy": [0.5, None, None, None],
                     "average_score": [612.5, None, None, None],
                     "sessions": [2, 0, 0, 1], "students": [60, 0, 0, 25]}
    assert charts.trend_chart(months[:1])["months"] == ["2024-11"]
    assert charts.trend_chart([])["months"] == []


def test_topics_are_charted_in_the_order_given():
    topics = [{"topic": "phishing", "label": "Links", "answers": 6, "accuracy": 0.5},
              {"topic": "grooming", "label": "Grooming", "answers": 5, "accuracy": 0.8}]
    assert charts.topics_chart(topics) == {"kind": "topics", "topics": ["phishing", "grooming"],
                                           "labels": ["Links", "Grooming"],
                                           "accuracy": [0.5, 0.8], "answers": [6, 5]}
    assert charts.topics_chart([])["labels"] == []
