"""A session with a knowledge check, over Socket.IO test clients: the check before the quiz
(no answer shown anywhere, no points, no leaderboard), the quiz, the check again with the
answers, the end with each pupil's before and after and the class's gain; the API and the
new-session form that set it up."""
from __future__ import annotations

import json

import pytest

from quizapp.extensions import db
from quizapp.models import Answer, Game, Player, Quiz, School
from quizapp.services.games import check_suggestions, suggested_check

from .test_flow import host_for, join, wait_for

CHECK_LESSONS = ("Right is right.", "It is true.", "C it is.")
BEFORE, MAIN, AFTER = range(0, 3), range(3, 8), range(8, 11)  # test-check around test-quiz


def result_of(player, index):
    return wait_for(lambda: [r for r in player.received("player:result")
                             if r["index"] == index])[-1]


def play(host, players, index, choices):
    """Answer question ``index`` (``choices``: a choice per player, None for no answer); the
    presenter reveals if someone is silent. Returns each player's result."""
    for p, choice in zip(players, choices):
        if choice is not None:
            assert p.call("player:answer", {"question": index, "choice": choice})["ok"]
    if None in choices:
        assert host.call("host:reveal")["ok"]
    return [result_of(p, index) for p in players]


def test_a_session_with_a_knowledge_check(app, make, sockets, client):
    game = make.game(check="test-check")
    pin = game["pin"]
    host, state = host_for(sockets, game)
    assert state["check"]["questions"] == 3
    an, binh, chi = players = [join(sockets, pin, name) for name in ("An", "Bình", "Chi")]

    # before: no answer, no explanation, no right or wrong, no points, no leaderboard
    assert host.call("host:start")["ok"]
    q = an.received("question:start")[-1]
    assert (q["index"], q["total"], q["part"], q["check"], q["part_index"], q["part_total"]) == \
        (0, 11, "before", 0, 0, 3)
    results = play(host, players, 0, [1, 0, 1])
    reveal = an.received("question:reveal")[-1]
    assert "correct" not in reveal and "explanation" not in reveal
    assert reveal["answered"] == 3 and reveal["part"] == "before"
    assert [(r["correct"], r["points"], r["answered"]) for r in results] == [(None, 0, True)] * 3
    assert host.call("host:next")["phase"] == "question"  # straight on: no leaderboard
    play(host, players, 1, [0, 0, None])
    assert chi.received("player:result")[-1]["answered"] is False
    assert host.call("host:next")["phase"] == "question"
    state = chi.call("player:resume", {"pin": pin, "token": chi.token})["state"]
    assert state["question"]["part"] == "before" and state["check"] == {"questions": 3}
    play(host, players, 2, [2, 0, 2])
    state = an.call("player:resume", {"pin": pin, "token": an.token})["state"]
    assert state["result"]["correct"] is None and "correct" not in state["reveal"]
    for p in players:
        for message in p.received():
            text = json.dumps(message, ensure_ascii=False)
            assert not any(lesson in text for lesson in CHECK_LESSONS), message
            if isinstance(message, dict) and "correct" in message:
                assert message["correct"] is None, message  # player:result only
    assert [p.received("player:result")[-1]["score"] for p in players] == [0, 0, 0]
    assert host.call("host:next")["phase"] == "question"

    # the quiz, as always: points, streaks from zero, leaderboards
    q = an.received("question:start")[-1]
    assert (q["index"], q["part"], q["part_index"], q["part_total"]) == (3, "main", 0, 5)
    assert "check" not in q
    first = play(host, players, 3, [2, 2, 1])
    assert first[0]["correct"] is True and first[0]["points"] > 0 and first[0]["streak"] == 1
    assert host.call("host:next")["phase"] == "leaderboard"
    board = host.received("leaderboard")[-1]
    assert board["part"] == "main" and board["part_index"] == 0
    for index in MAIN[1:]:
        host.call("host:next")  # the question
        assert host.call("host:reveal")["ok"]
        phase = host.call("host:next")["phase"]
        assert phase == ("leaderboard" if index < MAIN[-1] else "question")
    scores = {p.player_id: p.received("player:result")[-1]["score"] for p in players}

    # after: the same questions, now with the answers
    q = an.received("question:start")[-1]
    assert (q["index"], q["part"], q["check"]) == (8, "after", 0)
    results = play(host, players, 8, [1, 1, 1])
    reveal = an.received("question:reveal")[-1]
    assert reveal["correct"] == [1] and reveal["explanation"] == "Right is right."
    assert [r["correct"] for r in results] == [True, True, True]
    assert host.call("host:next")["phase"] == "question"
    play(host, players, 9, [0, 0, None])
    host.call("host:next")
    results = play(host, players, 10, [2, 1, None])
    assert [r["correct"] for r in results[:2]] == [True, False]
    assert {p.player_id: r["score"] for p, r in zip(players, results)} == scores
    assert host.call("host:next")["phase"] == "over"

    # the end: each pupil's before and after, and the class's gain (paired)
    assert an.received("game:over")[-1]["check"] == {"before": 3, "after": 3, "questions": 3}
    assert binh.received("game:over")[-1]["check"] == {"before": 1, "after": 2, "questions": 3}
    assert chi.received("game:over")[-1]["check"] == {"before": 2, "after": 1, "questions": 3}
    gain = host.received("game:over")[-1]["check"]
    # pairs: An 3, Bình 3, Chi 1 (check 0 only): 5 right before, 6 after, of 7
    assert gain == {"questions": 3, "before": 0.714, "after": 0.857, "gain": 0.143, "answers": 7,
                    "players": 3}
    assert host.call("host:join", {"pin": pin})["state"]["check"] == gain

    # the records: every answer stored, check answers with no points; results with the check
    with app.app_context():
        rows = db.session.query(Answer).filter(Answer.question_index.in_([*BEFORE, *AFTER]))
        assert rows.count() == 8 + 7 and all(a.points == 0 for a in rows)
        for player in db.session.query(Player):
            main_points = sum(a.points for a in player.answers if a.question_index in MAIN)
            assert player.score == main_points
    make.login(client, game["presenter_id"])
    body = client.get(f"/api/v1/games/{pin}/results").get_json()
    assert body["check"] == {
        "quiz": "test-check", "title": "Test check", "players": 3,
        "before": {"accuracy": 0.714, "answers": 7}, "after": {"accuracy": 0.857, "answers": 7},
        "gain": 0.143,
        "questions": [{"text": "Check one: which is right?", "before": 0.667, "after": 1.0,
                       "answers": 3},
                      {"text": "Check two: true or false?", "before": 1.0, "after": 1.0,
                       "answers": 2},
                      {"text": "Check three: pick C", "before": 0.5, "after": 0.5,
                       "answers": 2}]}
    assert [q.get("part") for q in body["questions"]] == ["before"] * 3 + [None] * 5 + ["after"] * 3
    page = client.get(f"/host/{pin}/results").get_data(as_text=True)
    assert "Test check" in page and "71%" in page and "86%" in page and "+14" in page


def test_a_session_without_a_check_has_none(app, make, sockets, client):
    game = make.game()
    host, state = host_for(sockets, game)
    p = join(sockets, game["pin"], "Solo")
    assert "check" not in state
    host.call("host:start")
    q = p.received("question:start")[-1]
    assert not {"part", "check", "part_index", "part_total"} & set(q)
    host.call("host:end")
    assert "check" not in p.received("game:over")[-1]
    make.login(client, game["presenter_id"])
    assert "check" not in client.get(f"/api/v1/games/{game['pin']}/results").get_json()


def test_a_rebuilt_game_keeps_its_check(app, make, sockets):
    from quizapp.models import Game as GameRow
    from quizapp.realtime.live import LiveGame, live_games

    game = make.game(check="test-check")
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Player")
    host.call("host:start")
    p.call("player:answer", {"question": 0, "choice": 1})
    wait_for(lambda: host.received("question:reveal"))
    live = live_games(app).get(game["pin"])
    with app.app_context():
        rebuilt = LiveGame.from_row(app, db.session.query(GameRow).filter_by(pin=game["pin"]).one())
    assert rebuilt.engine.check_size == 3 and rebuilt.engine.part(0) == "before"
    assert rebuilt.reveal_payload() == live.reveal_payload()
    assert "correct" not in rebuilt.reveal_payload()
    assert rebuilt.check_view() == live.check_view()


def test_the_snapshot_is_the_check_the_quiz_the_check(app, make):
    game = make.game(check="test-check")
    with app.app_context():
        row = db.session.query(Game).filter_by(pin=game["pin"]).one()
        check = db.session.query(Quiz).filter_by(slug="test-check").one()
        quiz = db.session.query(Quiz).filter_by(slug="test-quiz").one()
        assert row.options["check"] == "test-check"
        assert [(q.get("part"), q.get("check")) for q in row.questions] == \
            [("before", k) for k in range(3)] + [(None, None)] * 5 \
            + [("after", k) for k in range(3)]
        assert [q["text"] for q in row.questions] == \
            [q["text"] for q in check.questions + quiz.questions + check.questions]
        assert row.questions[3:8] == quiz.questions  # the quiz's own questions, untouched


@pytest.mark.parametrize("check, status, words", [
    ("test-check", 201, None),
    (None, 201, None),
    ("nope", 400, "nope"),
    ("test-quiz", 400, "not a knowledge check"),
    ("", 400, "knowledge check"),
    (3, 400, "knowledge check"),
    (["test-check"], 400, "knowledge check"),
    ("x" * 500, 400, "knowledge check"),
])
def test_the_api_checks_the_check(app, make, client, check, status, words):
    make.login(client, make.user())
    client.get("/lang/en")  # the words below are the English ones
    response = client.post("/api/v1/games", json={"quiz": "test-quiz", "school": "DEMO",
                                                  "options": {"check": check}})
    body = response.get_json()
    assert response.status_code == status, body
    if status == 400:
        assert body["error"] == "bad_request" and words in body["message"]
        with app.app_context():
            assert db.session.query(Game).count() == 0
    else:
        state = client.get(f"/api/v1/games/{body['pin']}").get_json()
        assert state["options"].get("check") == check
        assert state["total"] == (11 if check else 5)


def test_the_form_offers_the_checks(app, make, client):
    make.login(client, make.user())
    page = client.get("/host/new").get_data(as_text=True)
    assert 'value="test-check"' in page and 'name="check"' in page
    assert '<option value="test-quiz"' in page.split('name="check"')[0]  # a quiz, not a check
    refused = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                             "check": "test-quiz", "leaderboard_every": "1"})
    assert refused.status_code == 200 and b"field-error" in refused.data
    with app.app_context():
        assert db.session.query(Game).count() == 0
    opened = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                            "check": "test-check", "leaderboard_every": "1"})
    assert opened.status_code == 302
    without = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                             "leaderboard_every": "1"})
    assert without.status_code == 302
    with app.app_context():
        games = db.session.query(Game).order_by(Game.id).all()
        assert [g.options.get("check") for g in games] == ["test-check", None]
        assert [len(g.questions) for g in games] == [11, 5]


def test_the_check_suggested_follows_the_schools_level(app):
    def check(slug, level, language):
        return Quiz(slug=slug, title=slug, language=language, kind="check", level=level,
                    questions=[])

    checks = [check("vi-thcs", "thcs", "vi"), check("en-thcs", "thcs", "en"),
              check("vi-any", None, "vi"), check("vi-thpt", "thpt", "vi")]
    slug = lambda *a: getattr(suggested_check(*a), "slug", None)  # noqa: E731
    assert slug(checks, "thcs", "vi") == "vi-thcs"
    assert slug(checks, "thcs", "en") == "en-thcs"
    assert slug(checks, "thpt", "vi") == "vi-thpt"
    assert slug(checks, "tieu_hoc", "vi") == "vi-any"  # none for primary: one for any level
    assert slug(checks, "lien_cap", "vi") == "vi-any"
    assert slug(checks, "", "en") is None
    assert slug(checks, "thpt", "en") is None
    with app.app_context():
        demo = db.session.query(School).filter_by(code="DEMO").one()
        demo.level = "thcs"
        data = check_suggestions(checks, db.session.query(Quiz).all(), [demo])
    assert data["schools"] == {"DEMO": "thcs"}
    assert data["quizzes"]["test-quiz"] == "en"
    assert data["suggest"]["thcs|en"] == "en-thcs" and data["suggest"]["tieu_hoc|en"] == ""


def test_a_purged_session_keeps_its_check(app, make, sockets, client):
    """After the retention period the pupils' answers are gone; the check's figures stay."""
    from quizapp.services.records import purge_older_than

    game = make.game(check="test-check", leaderboard_every=0)
    host, _ = host_for(sockets, game)
    players = [join(sockets, game["pin"], name) for name in ("An", "Bình")]
    host.call("host:start")
    # right answers: 1, 0, 2 (before and after); An is always right, Bình wrong before and
    # right after on the first two, and skips the third before
    answers = {0: [1, 0], 1: [0, 1], 2: [2, None], 8: [1, 1], 9: [0, 0], 10: [2, 1]}
    for index in range(11):
        play(host, players, index, answers.get(index, [None, None]))
        assert host.call("host:next")["ok"]
    assert host.received("game:over")
    make.login(client, game["presenter_id"])
    before = client.get(f"/api/v1/games/{game['pin']}/results").get_json()["check"]
    # pairs: An 3 (3 right before, 3 after), Bình 2 (0 right before, 2 after)
    assert (before["before"], before["after"], before["gain"]) == (
        {"accuracy": 0.6, "answers": 5}, {"accuracy": 1.0, "answers": 5}, 0.4)
    with app.app_context():
        assert purge_older_than(0)["sessions"] == 1
    after = client.get(f"/api/v1/games/{game['pin']}/results").get_json()["check"]
    assert after == {**before, "players": None}
    page = client.get(f"/host/{game['pin']}/results").get_data(as_text=True)
    assert "60%" in page and "100%" in page and "+40" in page
