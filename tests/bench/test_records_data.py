"""The records benchmark's data set (bench/records_data.py), generated at its tiny scale on SQLite:
every session's figures agree with its questions (and, for the sessions kept in full, with their
players and answers, recomputed here without ``summarize()``), the set has what the records pages
must cope with, the same seed gives the same rows, and the coverage query agrees with the rule
counted by hand over the generated sessions."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from bench.records_data import SCALES, WINDOW, generate, make_app
from quizapp.extensions import db
from quizapp.models import (Answer, Game, HelpRequest, Player, School, SessionQuestion,
                            SessionSummary, Unit, User)
from quizapp.records import queries, rules
from quizapp.records.summaries import ensure_all

TINY = SCALES["tiny"]


def _generate(path):
    url = f"sqlite:///{path}"
    info = generate(url, "tiny", seed=7, echo=lambda *a: None)
    return url, info


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    url, info = _generate(tmp_path_factory.mktemp("records") / "tiny.db")
    app = make_app(url)
    yield app, info
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_sizes_asked_for(dataset):
    _, info = dataset
    tables = info["tables"]
    assert tables["province"]["rows"] == TINY.provinces
    assert tables["unit"]["rows"] == TINY.units
    assert tables["school"]["rows"] == TINY.schools
    assert tables["game"]["rows"] == tables["session_summary"]["rows"] == TINY.sessions
    assert info["full_sessions"] >= TINY.full
    assert tables["answer"]["rows"] > 0 and tables["player"]["rows"] > 0


def test_every_summary_agrees_with_its_session(dataset):
    app, _ = dataset
    with app.app_context():
        zone = app.config["TIMEZONE"]
        assert ensure_all() == 0  # every session has its figures
        schools = {s.id: s for s in db.session.scalars(select(School))}
        units = {u.id: u for u in db.session.scalars(select(Unit))}
        per_game = defaultdict(list)
        for q in db.session.scalars(select(SessionQuestion)):
            per_game[q.game_id].append(q)
        for game in db.session.scalars(select(Game)):
            s = db.session.get(SessionSummary, game.id)
            school = schools[game.school_id]
            assert (s.school_id, s.unit_id, s.province_id, s.level) == (
                school.id, school.unit_id, units[school.unit_id].province_id, school.level)
            assert (s.presenter_id, s.quiz_id, s.in_person) == (
                game.presenter_id, game.quiz_id, game.in_person)
            assert s.day == rules.local_day(game.started_at, zone)
            rows = sorted(per_game[game.id], key=lambda q: q.position)
            kept = [i for i, q in enumerate(game.questions) if q.get("type") != "poll"]
            assert [q.position for q in rows] == kept
            assert all(q.day == s.day for q in rows)
            main = [q for q in rows if q.part == ""]
            assert all(q.topic for q in main)
            assert s.answers == sum(q.answered for q in main)
            assert s.correct_answers == sum(q.correct for q in main)
            stats = {st["position"]: st for st in s.detail["questions"]}
            for q in rows:
                assert (stats[q.position]["answered"], stats[q.position]["correct"]) == (
                    q.answered, q.correct)
                assert 0 <= q.correct <= q.answered <= s.players
            assert (s.score_avg is None) == (s.players == 0)
            assert s.students >= s.players
            checked = any(q.get("part") == "before" for q in game.questions)
            assert (s.check_pairs > 0) <= checked


def test_full_sessions_match_their_players_and_answers(dataset):
    """Recomputed here from the rows, by the rules the summaries state."""
    app, _ = dataset
    with app.app_context():
        full = db.session.scalars(select(Game).where(
            Game.id.in_(select(Player.game_id)))).all()
        assert len(full) >= TINY.full
        for game in full:
            s = db.session.get(SessionSummary, game.id)
            active = {p.id: p for p in db.session.scalars(select(Player).where(
                Player.game_id == game.id)) if p.active}
            answers = [a for a in db.session.scalars(select(Answer).where(
                Answer.game_id == game.id)) if a.player_id in active]
            assert s.players == len(active)
            assert s.students == sum(p.members for p in active.values())
            scores = [p.score for p in active.values()]
            assert s.score_median == rules.median(scores)
            assert s.score_avg == (round(sum(scores) / len(scores), 1) if scores else None)
            for p in active.values():
                assert p.score == sum(a.points for a in answers if a.player_id == p.id)
            questions = game.questions
            main = [a for a in answers if not questions[a.question_index].get("part")
                    and questions[a.question_index].get("type") != "poll"]
            assert s.answers == len(main)
            assert s.correct_answers == sum(1 for a in main if a.correct)
            for q in db.session.scalars(select(SessionQuestion).where(
                    SessionQuestion.game_id == game.id)):
                mine = [a for a in answers if a.question_index == q.position]
                assert (q.answered, q.correct) == (len(mine), sum(1 for a in mine if a.correct))
            before = {(a.player_id, questions[a.question_index]["check"]): a.correct
                      for a in answers if questions[a.question_index].get("part") == "before"}
            after = {(a.player_id, questions[a.question_index]["check"]): a.correct
                     for a in answers if questions[a.question_index].get("part") == "after"}
            if before:
                gain = rules.check_gain(before, after,
                                        sum(1 for q in questions if q.get("part") == "before"))
                assert (s.check_before, s.check_after, s.check_pairs) == (
                    gain.before, gain.after, gain.answers)
            assert s.help_requests == len(db.session.scalars(select(HelpRequest).where(
                HelpRequest.game_id == game.id)).all())


def test_what_the_records_pages_must_cope_with(dataset):
    app, info = dataset
    with app.app_context():
        summaries = db.session.scalars(select(SessionSummary)).all()
        inside = [s for s in summaries if WINDOW[0] <= s.day <= WINDOW[1]]
        assert len(summaries) > len(inside) > len(summaries) / 2  # some outside the campaign
        assert sum(s.in_person for s in inside) > len(inside) / 2
        assert any(s.players == 0 for s in summaries) or len(summaries) < 500
        units = db.session.scalars(select(Unit.id)).all()
        held = {s.unit_id for s in inside if s.players}
        assert set(units) - held  # units with no session at all
        presenters = defaultdict(int)
        for u in db.session.scalars(select(User).where(User.role == "presenter")):
            presenters[u.unit_id] += 1
        assert set(presenters) == set(units) and set(presenters.values()) <= {1, 2}
        kinds = {k for (k,) in db.session.execute(select(Unit.kind))}
        assert kinds <= set(Unit.KINDS) and "xa" in kinds
        assert {s.level for s in db.session.scalars(select(School))} <= set(School.LEVELS)
    picks = info["picks"]
    assert picks["busy_school_sessions"] > 1 and picks["empty_school"] and picks["presenter"]


def test_the_same_seed_gives_the_same_rows(dataset, tmp_path):
    app, _ = dataset
    url, _ = _generate(tmp_path / "again.db")
    again = make_app(url)

    def digest(app):
        with app.app_context():
            h = hashlib.sha256()
            for s in db.session.scalars(select(SessionSummary).order_by(SessionSummary.game_id)):
                h.update(repr((s.game_id, s.school_id, s.day, s.started_at, s.players,
                               s.students, s.score_avg, s.answers, s.correct_answers,
                               s.check_pairs, s.detail)).encode())
            for g in db.session.scalars(select(Game).order_by(Game.id)):
                h.update(repr((g.id, g.pin, g.school_id, g.presenter_id, g.questions,
                               g.options)).encode())
            db.session.remove()
            return h.hexdigest()

    try:
        assert digest(app) == digest(again)
    finally:
        with again.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("level", [None, "thcs"])
def test_coverage_agrees_with_the_rule_on_the_data_set(dataset, level):
    """quizapp/records/queries.coverage against rules.unit_covered and counts made here, over
    every unit, one level, and one unit's scope (a presenter's)."""
    app, _ = dataset
    window = queries.Filters(WINDOW[0], WINDOW[1], level=level)
    with app.app_context():
        summaries = [s for s in db.session.scalars(select(SessionSummary))
                     if window.starts <= s.day <= window.ends and (not level or s.level == level)]
        schools = db.session.scalars(select(School)).all()
        expected = {}
        for unit in db.session.scalars(select(Unit)):
            mine = [s for s in summaries if s.unit_id == unit.id and s.players > 0]
            expected[unit.id] = {
                "schools": sum(1 for s in schools if s.unit_id == unit.id
                               and (not level or s.level == level)),
                "sessions": len(mine), "students": sum(s.students for s in mine),
                "schools_reached": len({s.school_id for s in mine}),
                "schools_in_person": len({s.school_id for s in mine if s.in_person}),
                "covered": rules.unit_covered((s.in_person, s.players) for s in summaries
                                              if s.unit_id == unit.id)}
        result = queries.coverage(window)
        got = {u["unit_id"]: {k: u[k] for k in expected[u["unit_id"]]} for u in result["units"]}
        assert got == expected
        assert any(not u["covered"] for u in got.values())
        assert all(type(u[k]) is int for u in result["units"] for k in
                   ("sessions", "students", "schools_reached", "schools_in_person"))
        unit_id = max(expected, key=lambda u: expected[u]["sessions"])
        alone = queries.coverage(window, units=Unit.id == unit_id)
        assert [u["unit_id"] for u in alone["units"]] == [unit_id]
        assert {k: alone["units"][0][k] for k in expected[unit_id]} == expected[unit_id]
        assert alone["totals"]["sessions"] == expected[unit_id]["sessions"]
        db.session.remove()


def test_a_dashboard_on_the_data_set(dataset):
    """The whole dashboard runs on the generated set and adds up."""
    app, _ = dataset
    window = queries.Filters(WINDOW[0], WINDOW[1])
    with app.app_context():
        board = queries.dashboard(window)
        inside = [s for s in db.session.scalars(select(SessionSummary))
                  if window.starts <= s.day <= window.ends and s.players > 0]
        assert board["totals"]["sessions"] == len(inside) == sum(
            d["sessions"] for d in board["per_day"])
        assert board["totals"]["students"] == sum(s.students for s in inside)
        assert board["units_at_zero"] and board["topics"]
        assert date.fromisoformat(board["per_day"][0]["day"]) >= WINDOW[0]
        db.session.remove()
