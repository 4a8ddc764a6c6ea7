"""A session's figures (``quizapp/records/summaries.py``) against hand-computed ones, and the
live game keeping them current."""
from __future__ import annotations

from datetime import date, datetime

from quizapp.extensions import db
from quizapp.models import Game, SessionQuestion, SessionSummary
from quizapp.records.summaries import ensure_all, question_key, summarize
from quizapp.services.records import purge_older_than

from ..realtime.test_flow import host_for, join, wait_for

# test-quiz: 0 single (right: 2), 1 true/false (right: 1), 2 multiple (right: 0 and 2),
# 3 poll, 4 chat scenario
RIGHT, WRONG = True, False


def figures(app, game_id):
    with app.app_context():
        s = db.session.get(SessionSummary, game_id)
        rows = db.session.query(SessionQuestion).filter_by(game_id=game_id) \
            .order_by(SessionQuestion.position).all()
        return s, [(r.position, r.answered, r.correct, r.part) for r in rows]


def test_a_session_with_no_players(app, records):
    unit = records.unit("Phường A")
    game = records.session(records.school("A1", unit), records.user(unit_id=unit),
                           datetime(2025, 10, 10, 2, 0))
    s, rows = figures(app, game)
    assert (s.players, s.students, s.answers, s.correct_answers) == (0, 0, 0, 0)
    assert s.score_avg is None and s.score_median is None
    assert [r[1] for r in rows] == [0, 0, 0, 0]  # the poll has no row


def test_a_played_session(app, records):
    unit = records.unit("Phường A")
    school = records.school("A1", unit, level="thpt")
    presenter = records.user(unit_id=unit)
    game = records.session(school, presenter, datetime(2025, 11, 30, 16, 45), players=[
        ("An", 3000, {0: ([2], RIGHT), 1: ([1], RIGHT), 2: ([0, 2], RIGHT), 3: ([0], None)}),
        ("Bình", 1200, {0: ([2], RIGHT), 1: ([0], WRONG), 3: ([1], None)}, 4),  # a team of 4
        ("Chi", 0, {0: ([1], WRONG)}),
    ], in_person=False, class_label="10A2")
    s, rows = figures(app, game)
    assert s.day == date(2025, 11, 30)  # 23:45 in Vietnam
    assert (s.players, s.students) == (3, 6)
    assert s.score_avg == 1400.0 and s.score_median == 1200.0
    # main questions with a right answer: 0, 1, 2 and the chat (4); the poll is apart
    assert (s.answers, s.correct_answers) == (6, 4)
    assert rows == [(0, 3, 2, ""), (1, 2, 1, ""), (2, 1, 1, ""), (4, 0, 0, "")]
    assert s.detail["questions"][0]["counts"] == [0, 1, 2, 0]
    assert s.detail["questions"][3]["counts"] == [1, 1, 0]  # the poll's spread is kept
    assert (s.level, s.class_label, s.in_person, s.unit_id) == ("thpt", "10A2", False, unit)
    assert s.check_pairs == 0 and s.check_before is None and "check" not in s.detail


def test_the_knowledge_check_is_paired_and_kept_apart(app, records):
    unit = records.unit("Xã B", kind="xa")
    check = {"type": "truefalse", "choices": ["Đúng", "Sai"], "correct": [1],
             "time_limit": 20, "points": 0, "explanation": "e", "topic": "real_police"}
    main = {"type": "single", "text": "Main", "choices": ["a", "b"], "correct": [0],
            "time_limit": 20, "points": 1000, "explanation": "e", "topic": "phishing"}
    questions = [{**check, "text": "C1", "part": "before", "check": 0},
                 {**check, "text": "C2", "part": "before", "check": 1},
                 main,
                 {**check, "text": "C1", "part": "after", "check": 0},
                 {**check, "text": "C2", "part": "after", "check": 1}]
    game = records.session(records.school("B1", unit), records.user(unit_id=unit),
                           datetime(2025, 10, 20, 3, 0), questions=questions, players=[
        ("An", 1000, {0: ([0], WRONG), 1: ([0], WRONG), 2: ([0], RIGHT),
                      3: ([1], RIGHT), 4: ([1], RIGHT)}),
        ("Bình", 0, {0: ([1], RIGHT), 2: ([1], WRONG), 3: ([1], RIGHT)}),  # skipped C2 before
        ("Chi", 0, {3: ([0], WRONG)}),  # came late: no pair
    ])
    s, rows = figures(app, game)
    # pairs: An C1, An C2, Bình C1 -> before 1/3, after 3/3
    assert (s.check_before, s.check_after, s.check_pairs) == (0.333, 1.0, 3)
    assert s.detail["check"]["gain"] == 0.667
    assert [(q["text"], q["before"], q["after"], q["answers"])
            for q in s.detail["check"]["questions"]] == [("C1", 0.5, 1.0, 2), ("C2", 0.0, 1.0, 1)]
    assert (s.answers, s.correct_answers) == (2, 1)  # only the main question
    assert [r[3] for r in rows] == ["before", "before", "", "after", "after"]
    with app.app_context():
        keys = db.session.query(SessionQuestion.key).filter_by(game_id=game).all()
    assert keys[0] == keys[3] and keys[0] != keys[1]  # the same question, before and after


def test_question_keys_ignore_case_and_spacing_but_prefer_an_id():
    assert question_key({"text": "Công an  thật?"}) == question_key({"text": "công an thật?"})
    assert question_key({"text": "x", "id": "q-17"}) == "q-17"


def test_a_purge_keeps_the_figures(app, records):
    unit = records.unit("Phường C")
    game = records.session(records.school("C1", unit), records.user(unit_id=unit),
                           datetime(2020, 1, 1, 3, 0), players=[
        ("An", 1000, {0: ([2], RIGHT)}), ("Bình", 500, {0: ([1], WRONG)})])
    before, rows_before = figures(app, game)
    with app.app_context():
        assert purge_older_than(365)["sessions"] == 1
        summarize(db.session.get(Game, game))  # a later refresh changes nothing
    after, rows_after = figures(app, game)
    assert (after.players, after.answers, after.correct_answers) == (2, 2, 1)
    assert after.score_avg == before.score_avg and rows_after == rows_before


def test_sessions_without_figures_get_them(app, records):
    unit = records.unit("Phường D")
    game = records.session(records.school("D1", unit), records.user(unit_id=unit),
                           datetime(2025, 10, 7, 3, 0), players=[("An", 10, {0: ([2], RIGHT)})])
    with app.app_context():
        db.session.query(SessionQuestion).delete()
        db.session.query(SessionSummary).delete()
        db.session.commit()
        assert ensure_all() == 1 and ensure_all() == 0
    s, _ = figures(app, game)
    assert (s.players, s.correct_answers) == (1, 1)


def test_the_live_game_keeps_the_figures_current(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    players = [join(sockets, game["pin"], name) for name in ("An", "Bình")]
    assert host.call("host:start")["ok"]
    players[0].call("player:answer", {"question": 0, "choice": 2})
    players[1].call("player:answer", {"question": 0, "choice": 0})

    def summary():
        with app.app_context():
            db.session.expire_all()
            row = db.session.query(SessionSummary).join(Game).filter(Game.pin == game["pin"]).first()
            return row and (row.players, row.answers, row.correct_answers)

    assert wait_for(lambda: summary() == (2, 2, 1))  # after the reveal
    assert host.call("host:kick", {"player_id": players[1].player_id})["ok"]
    assert wait_for(lambda: summary() == (1, 1, 1))  # a removed player leaves the counts
    assert host.call("host:end")["ok"]
    with app.app_context():
        wait_for(lambda: db.session.query(SessionSummary.ended_at).join(Game)
                 .filter(Game.pin == game["pin"]).scalar() is not None or db.session.expire_all())


def test_teams_and_their_pupils_are_kept_apart(app, records):
    """Players sharing a phone (members > 1) are teams: each pupil counts as reached, and the
    summary says how many teams and pupils in teams there were."""
    game_id = records.session(records.school("TEAMS", records.unit("Phường Đội")), records.user(),
                              datetime(2025, 10, 10, 2), players=[
                                  ("Đội Sao", 100, {}, 3), ("Đội Mây", 50, {}, 4),
                                  ("Lan", 10, {}, 1)])
    with app.app_context():
        summary = db.session.get(SessionSummary, game_id)
        assert (summary.players, summary.students) == (3, 8)
        assert (summary.teams, summary.team_students, summary.mode) == (2, 7, "live")
