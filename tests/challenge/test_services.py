"""The rules of a challenge (quizapp/services/challenges.py), without HTTP."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Answer, Game, HomeTalk, Player, Quiz, School, User, utcnow
from quizapp.services import challenges
from quizapp.services.challenges import ChallengeError

from .conftest import RIGHT


def test_a_challenge_from_a_quiz(app, ch):
    code = ch.open()
    with app.app_context():
        game = ch.game(code)
        quiz = db.session.query(Quiz).filter_by(slug="test-quiz").one()
        assert (game.mode, game.phase, game.in_person) == ("challenge", "challenge", False)
        assert re.fullmatch(r"[1-9]\d{5}", game.pin)  # the schema wants one; never used live
        assert re.fullmatch(r"[A-Za-z0-9_-]{8}", code)
        assert game.questions == quiz.questions and game.follows_id is None
        assert game.class_label == "8A" and game.options["speed_scoring"] is False
        week = utcnow() + timedelta(days=7)
        assert abs((game.closes_at - week).total_seconds()) < 120
        assert not challenges.is_closed(game)


def test_codes_differ(app, ch):
    presenter = ch.make.user()
    codes = {ch.open(presenter) for _ in range(5)}
    assert len(codes) == 5


def test_a_challenge_follows_a_finished_session_without_its_knowledge_check(app, ch):
    session = ch.finished_session(check="test-check")
    with app.app_context():
        live = db.session.query(Game).filter_by(pin=session["pin"]).one()
        assert any(q.get("part") for q in live.questions)
        user = db.session.get(User, session["presenter_id"])
        game = challenges.open_from_session(live, user)
        assert game.follows_id == live.id and game.school_id == live.school_id
        assert game.class_label == live.class_label and game.quiz_id == live.quiz_id
        assert game.questions == [q for q in live.questions if not q.get("part")]
        assert len(game.questions) == 5


def test_a_session_still_running_or_a_check_is_not_played_at_home(app, ch, make):
    running = make.game()
    with app.app_context():
        live = db.session.query(Game).filter_by(pin=running["pin"]).one()
        user = db.session.get(User, running["presenter_id"])
        with pytest.raises(ChallengeError) as running:
            challenges.open_from_session(live, user)
        assert (running.value.code, running.value.status) == ("conflict", 409)
        check = db.session.query(Quiz).filter_by(slug="test-check").one()
        with pytest.raises(ChallengeError):
            challenges.open_challenge(check, live.school, user)


NOW = datetime(2025, 11, 10, 5, 0)  # 12:00 in Vietnam


DEADLINES = [
    ("2025-11-17T20:00", datetime(2025, 11, 17, 13, 0)),  # local time, UTC+7
    ("2025-11-17 20:00", datetime(2025, 11, 17, 13, 0)),
    ("2025-11-17T13:00:00Z", datetime(2025, 11, 17, 13, 0)),
    ("2025-11-17T20:00+07:00", datetime(2025, 11, 17, 13, 0)),
    ("2025-11-17", datetime(2025, 11, 17, 16, 59)),  # a day alone: until 23:59 local
    ("2026-01-09T12:00", datetime(2026, 1, 9, 5, 0)),  # 60 days: the longest
]
REFUSED = [
    "2025-11-10T11:59",  # passed
    "2026-01-09T12:01",  # more than 60 days
    "next week", "", "2025-13-01T10:00", 20251117, None, ["2025-11-17"], "x" * 100,
]


def test_a_deadline_in_local_time(app):
    with app.app_context():
        assert [challenges.parse_deadline(text, NOW) for text, _ in DEADLINES] == [
            expected for _, expected in DEADLINES]
        for text in REFUSED:
            with pytest.raises(ChallengeError) as refused:
                challenges.parse_deadline(text, NOW)
            assert refused.value.status == 400 and refused.value.message, text


def _attempt(app, ch, code, nickname="Cú Mèo"):
    with app.app_context():
        player, token = challenges.join(ch.game(code), nickname)
        return player.id, token


def test_fixed_points_the_poll_scores_nothing_multiple_is_all_or_nothing(app, ch):
    code = ch.open()
    _, token = _attempt(app, ch, code)
    with app.app_context():
        game = ch.game(code)
        player = challenges.attempt(game, token)
        got = [challenges.answer(game, player, i, c)[0] for i, c in
               enumerate([2, 0, [0, 2, 3], 1, 1])]
        assert [r["correct"] for r in got] == [True, False, False, None, True]
        assert [r["points"] for r in got] == [1000, 0, 0, 0, 1000]  # no speed, no streak
        assert got[2]["right"] == [0, 2] and got[2]["explanation"] == "0 and 2 are even."
        assert got[3]["poll"] is True and got[3]["right"] == []
        db.session.refresh(player)
        assert player.score == 2000
        rows = db.session.query(Answer).filter_by(player_id=player.id) \
            .order_by(Answer.question_index).all()
        assert [(a.question_index, a.choice, a.correct) for a in rows] == [
            (0, [2], True), (1, [0], False), (2, [0, 2, 3], False), (3, [1], None), (4, [1], True)]
        state = challenges.state(game, player)
        assert state["finished"] and state["right"] == 2 and state["scored"] == 4


def test_answers_one_at_a_time_in_order_and_never_twice(app, ch):
    code = ch.open()
    _, token = _attempt(app, ch, code)
    with app.app_context():
        game = ch.game(code)
        player = challenges.attempt(game, token)
        with pytest.raises(ChallengeError, match="not_accepting"):
            challenges.answer(game, player, 1, 1)  # the first question comes first
        first, duplicate = challenges.answer(game, player, 0, RIGHT[0])
        again, repeated = challenges.answer(game, player, 0, RIGHT[0])
        assert (duplicate, repeated) == (False, True) and again == first
        with pytest.raises(ChallengeError, match="already_answered"):
            challenges.answer(game, player, 0, 1)
        db.session.refresh(player)
        assert player.score == 1000
        assert db.session.query(Answer).filter_by(player_id=player.id).count() == 1


def test_home_talk_is_anonymous_and_once_per_finished_attempt(app, ch):
    code = ch.open()
    _, token = _attempt(app, ch, code)
    with app.app_context():
        game = ch.game(code)
        player = challenges.attempt(game, token)
        with pytest.raises(ChallengeError, match="not_finished"):
            challenges.talk(game, player, "parent")
        for i, choice in enumerate(RIGHT):
            challenges.answer(game, player, i, choice)
        with pytest.raises(ChallengeError, match="bad_request"):
            challenges.talk(game, player, "mum")
        challenges.talk(game, player, "parent")
        with pytest.raises(ChallengeError, match="already_talked"):
            challenges.talk(game, player, "not_yet")
        rows = db.session.query(HomeTalk).all()
        assert [(r.game_id, r.answer) for r in rows] == [(game.id, "parent")]
        # nothing ties it to the attempt: no player column, and only the day
        assert "player_id" not in HomeTalk.__table__.columns
        assert rows[0].created_at.time() == datetime.min.time()
        assert challenges.state(game, player)["talked"] is True
        assert challenges.figures(game).talk == {"parent": 1, "someone": 0, "not_yet": 0}


def test_nothing_is_written_after_the_deadline(app, ch):
    code = ch.open()
    _, token = _attempt(app, ch, code)
    with app.app_context():
        game = ch.game(code)
        player = challenges.attempt(game, token)
        challenges.answer(game, player, 0, RIGHT[0])
        game.closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        with pytest.raises(ChallengeError) as late:
            challenges.answer(game, player, 1, RIGHT[1])
        assert (late.value.code, late.value.status) == ("challenge_closed", 410)
        assert "đã đóng" in late.value.message  # (the deployment's language: Vietnamese)
        with pytest.raises(ChallengeError, match="challenge_closed"):
            challenges.join(game, "Hổ Con")
        # the answer already given, sent again, is still acknowledged and changes nothing
        assert challenges.answer(game, player, 0, RIGHT[0])[1] is True
        assert challenges.state(game, player)["closed"] is True


def test_the_live_games_nickname_rules(app, ch):
    code = ch.open()
    _attempt(app, ch, code, "Cú Mèo")
    with app.app_context():
        game = ch.game(code)
        for name, error in [("cu meo", "nickname_taken"), ("CÚ  MÈO", "nickname_taken"),
                            ("x", "nickname_invalid"), ("<b>hi</b>", "nickname_invalid"),
                            (None, "nickname_invalid"), ("a" * 21, "nickname_invalid")]:
            with pytest.raises(ChallengeError) as refused:
                challenges.join(game, name)
            assert refused.value.code == error, name
        with pytest.raises(ChallengeError, match="class_label_invalid"):
            challenges.join(game, "Hổ Con", "<script>")
        player, _ = challenges.join(game, "  Hổ   Con ", "8A")
        assert player.nickname == "Hổ Con"


def test_who_may_open_and_manage(app, ch, make):
    other = make.school("OTHER")
    ids = {"presenter": make.user(), "admin": make.user("admin"),
           "staff": make.user("staff", school="DEMO"),
           "staff_other": make.user("staff", school=other), "viewer": make.user("viewer")}
    session = ch.finished_session(presenter_id=ids["presenter"])
    code = ch.open(ids["presenter"])
    with app.app_context():
        users = {k: db.session.get(User, v) for k, v in ids.items()}
        demo = db.session.query(School).filter_by(code="DEMO").one()
        live = db.session.query(Game).filter_by(pin=session["pin"]).one()
        game = ch.game(code)
        assert {k for k, u in users.items() if challenges.may_open_for(u, demo)} == {
            "presenter", "admin", "staff"}
        assert {k for k, u in users.items() if challenges.may_open_from(u, live)} == {
            "presenter", "admin", "staff"}
        assert {k for k, u in users.items() if challenges.may_manage(u, game)} == {
            "presenter", "admin", "staff"}
        assert not challenges.may_open_from(users["presenter"], game)  # not from a challenge
        other_presenter = db.session.get(User, make.user())
        assert not challenges.may_open_from(other_presenter, live)
        assert not challenges.may_manage(other_presenter, game)


def test_figures(app, ch):
    code = ch.open()
    _, done = _attempt(app, ch, code, "Cú Mèo")
    _, started = _attempt(app, ch, code, "Hổ Con")
    _attempt(app, ch, code, "Voi Con")  # joined, never answered
    with app.app_context():
        game = ch.game(code)
        first, second = challenges.attempt(game, done), challenges.attempt(game, started)
        for i, choice in enumerate(RIGHT):
            challenges.answer(game, first, i, choice)
        challenges.answer(game, second, 0, 0)
        challenges.talk(game, first, "someone")
        f = challenges.figures(game)
        assert (f.joined, f.played, f.finished) == (3, 2, 1)
        assert f.average_score == 2000.0  # (4000 + 0) / the 2 who played
        assert f.talk["someone"] == 1 and f.talked == 1
        assert db.session.query(Player).filter_by(game_id=game.id).count() == 3
