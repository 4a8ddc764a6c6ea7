"""The central side of the field kit: ``POST /api/v1/sync/sessions`` takes a laptop's session
whole or not at all, by its UUID, from a presenter or an admin, and refuses bad input with a
clear 4xx (never a crash); ``GET /api/v1/sync/pull`` serves the laptop's data and link."""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (Answer, Game, HelpRequest, Player, Quiz, School, SessionQuestion,
                            SessionSummary, User)
from quizapp.services.accounts import create_user
from quizapp.sync import bundle, central
from quizapp.sync import client as fieldkit

from .conftest import played, token

UUID = "0b7f6d3e-58a2-4c59-9a57-0e4b6f1c2d3a"


@pytest.fixture
def payload(laptop):
    """A session played on the laptop (3 players, one help request), as the laptop sends it."""
    game_id = played(laptop)
    with laptop.app_context():
        return fieldkit.session_payload(db.session.get(Game, game_id))


@pytest.fixture
def presenter(app):
    with app.app_context():
        return create_user("officer", "pw-secret-1", role="presenter", display_name="Officer").id


def push(client_, body, headers, raw=None):
    if raw is not None:
        return client_.post("/api/v1/sync/sessions?lang=en", data=raw, headers={
            **headers, "Content-Type": "application/json"})
    return client_.post("/api/v1/sync/sessions?lang=en", json=body, headers=headers)


def stored(app, uid):
    with app.app_context():
        game = db.session.scalar(select(Game).where(Game.uuid == uid))
        if game is None:
            return None
        return {"id": game.id, "pin": game.pin, "origin": game.origin,
                "presenter": game.presenter.username, "quiz": game.quiz.slug,
                "players": sorted(p.nickname for p in game.players),
                "answers": db.session.scalar(select(func.count(Answer.id))
                                             .where(Answer.game_id == game.id)),
                "help": db.session.scalar(select(func.count(HelpRequest.id))
                                          .where(HelpRequest.game_id == game.id)),
                "summary": db.session.get(SessionSummary, game.id)}


def counts(app) -> tuple:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Game, Player, Answer, HelpRequest, SessionSummary,
                                   SessionQuestion, Quiz))


def test_a_session_is_taken_once_with_its_players_answers_and_figures(app, client, payload,
                                                                      presenter):
    headers = token(client, "officer", "pw-secret-1")
    first = push(client, payload, headers)
    assert first.status_code == 201, first.json
    body = first.json
    assert body["uuid"] == payload["uuid"] and body["duplicate"] is False
    assert body["players"] == 3 and body["school"] == "DEMO" and body["quiz"] == "test-quiz"
    row = stored(app, payload["uuid"])
    assert row["origin"] == "laptop" and row["presenter"] == "officer"
    assert row["players"] == ["An", "Bình", "Chi"]
    assert row["answers"] == 15 and row["help"] == 1
    assert row["summary"].players == 3 and row["summary"].help_requests == 1
    # the same figures as the laptop computed from the same data
    assert row["summary"].answers == payload["summary"]["answers"]
    assert row["summary"].correct_answers == payload["summary"]["correct_answers"]
    assert row["summary"].score_avg == payload["summary"]["average_score"]
    before = counts(app)

    again = push(client, payload, headers)
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert again.json["pin"] == body["pin"]
    assert counts(app) == before

    # the records show it: the session's results and the school's record
    results = client.get(f"/api/v1/games/{body['pin']}/results", headers=headers).json
    assert sorted(p["nickname"] for p in results["players"]) == ["An", "Bình", "Chi"]
    assert results["players"][0]["nickname"] == "An"  # all right: the top score
    assert not any("token" in json.dumps(p) for p in results["players"])
    record = client.get("/api/v1/schools/DEMO/records", headers=token(client)).json
    assert [s["pin"] for s in record["sessions"]] == [body["pin"]]
    assert record["sessions"][0]["players"] == 3


def test_the_payload_carries_no_tokens_and_no_help_text(payload):
    text = json.dumps(payload)
    assert "secret-token-hash" not in text and "token" not in text
    assert payload["help_requests"] == [{"player": 0, "at": payload["help_requests"][0]["at"],
                                         "handled_at": None}]
    assert set(payload["players"][0]) == {"nickname", "class_label", "members", "score",
                                          "active", "answers"}


def test_an_unknown_school_is_refused_by_its_code(app, client, laptop, presenter):
    with laptop.app_context():
        demo = db.session.query(School).filter_by(code="DEMO").one()
        db.session.add(School(code="LAPTOP-ONLY", name="Only here", unit_id=demo.unit_id))
        db.session.commit()
    game_id = played(laptop, school="LAPTOP-ONLY")
    with laptop.app_context():
        body = fieldkit.session_payload(db.session.get(Game, game_id))
    before = counts(app)
    response = push(client, body, token(client, "officer", "pw-secret-1"))
    assert response.status_code == 422
    assert response.json["error"] == "unknown_school" and response.json["field"] == "school"
    assert "“LAPTOP-ONLY”" in response.json["message"]
    assert counts(app) == before and stored(app, body["uuid"]) is None


def test_who_may_push(app, client, payload, presenter):
    with app.app_context():
        create_user("teacher", "pw-secret-1", role="staff",
                    school_id=db.session.query(School).filter_by(code="DEMO").one().id)
        create_user("reader", "pw-secret-1", role="viewer")
    assert push(client, payload, {}).status_code == 401
    assert push(client, payload, {"Authorization": "Bearer nonsense"}).status_code == 401
    for name in ("teacher", "reader"):
        response = push(client, payload, token(client, name, "pw-secret-1"))
        assert response.status_code == 403 and response.json["error"] == "forbidden"
        assert client.get("/api/v1/sync/pull",
                          headers=token(client, name, "pw-secret-1")).status_code == 403
    assert counts(app)[0] == 0
    assert push(client, payload, token(client)).status_code == 201  # an admin may
    assert stored(app, payload["uuid"])["presenter"] == "admin"


def test_the_pull_serves_published_quizzes_schools_and_a_link(app, client, presenter):
    with app.app_context():
        db.session.add(Quiz(slug="a-draft", title="Draft", questions=[], status="draft",
                            origin="editor", owner_id=presenter))
        db.session.commit()
    body = client.get("/api/v1/sync/pull", headers=token(client, "officer", "pw-secret-1")).json
    assert body["user"]["username"] == "officer"
    assert [s["code"] for s in body["schools"]] == ["DEMO"]
    assert {"province": "Ninh Bình", "name": "Phường Demo", "kind": "phuong"} in body["units"]
    assert sorted(q["slug"] for q in body["quizzes"]) == ["test-check", "test-quiz"]
    assert all(q["questions"] for q in body["quizzes"])
    assert body["bundle_key"] == bundle.bundle_key(app.config["SECRET_KEY"], presenter)
    # the link token works for the sync API only
    link = {"Authorization": "Bearer " + body["link_token"]}
    assert client.get("/api/v1/sync/pull", headers=link).status_code == 200
    assert client.get("/api/v1/quizzes", headers=link).status_code == 401
    # and dies with a password change
    with app.app_context():
        db.session.get(User, presenter).set_password("another-password")
        db.session.commit()
    assert client.get("/api/v1/sync/pull", headers=link).status_code == 401


def test_a_session_is_taken_whole_or_not_at_all(app, client, payload, presenter, monkeypatch):
    headers = token(client, "officer", "pw-secret-1")
    before = counts(app)

    def broken(game):  # fails after the game, its players and answers were written
        assert db.session.query(Answer).filter_by(game_id=game.id).count() == 15
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(central, "summarize", broken)
    response = push(client, payload, headers)
    assert response.status_code == 500 and response.json["error"] == "internal_error"
    assert counts(app) == before and stored(app, payload["uuid"]) is None
    monkeypatch.undo()
    assert push(client, payload, headers).status_code == 201
    assert stored(app, payload["uuid"])["answers"] == 15


def test_the_quiz_is_the_central_one_when_identical_else_a_draft_of_the_pusher(
        app, client, laptop, payload, presenter):
    headers = token(client, "officer", "pw-secret-1")
    assert push(client, payload, headers).status_code == 201
    assert stored(app, payload["uuid"])["quiz"] == "test-quiz"
    changed = copy.deepcopy(payload)
    changed["uuid"] = UUID
    changed["questions"][0]["text"] = "Which one is right, in the laptop's words?"
    assert push(client, changed, headers).status_code == 201
    with app.app_context():
        game = db.session.scalar(select(Game).where(Game.uuid == UUID))
        quiz = game.quiz
        assert (quiz.slug, quiz.origin, quiz.status, quiz.owner.username) == (
            "test-quiz-2", "import", "draft", "officer")
        assert quiz.questions[0]["text"] == "Which one is right, in the laptop's words?"
        assert game.questions[0]["text"] == quiz.questions[0]["text"]
    # another session of the same changed quiz plays the same draft
    third = copy.deepcopy(changed)
    third["uuid"] = UUID.replace("0b7f", "1b7f")
    assert push(client, third, headers).status_code == 201
    assert stored(app, third["uuid"])["quiz"] == "test-quiz-2"


def test_a_purged_session_sends_its_figures(app, client, laptop, presenter):
    game_id = played(laptop, players=2)
    with laptop.app_context():
        game = db.session.get(Game, game_id)
        fieldkit.purge_session(game)
        body = fieldkit.session_payload(game)
    assert body["purged"] is True and body["players"] == [] and body["kept"]["players"] == 2
    headers = token(client, "officer", "pw-secret-1")
    assert push(client, body, headers).status_code == 201
    row = stored(app, body["uuid"])
    assert row["players"] == [] and row["summary"].players == 2
    assert row["summary"].answers == 8  # 2 players x 4 questions with a right answer
    # a server stopped between the two steps of a purged session finishes it at the next push
    with app.app_context():
        game = db.session.get(Game, row["id"])
        game.purged_at = None
        db.session.get(SessionSummary, row["id"]).players = 0
        db.session.commit()
    assert push(client, body, headers).json["duplicate"] is True
    with app.app_context():
        assert db.session.get(Game, row["id"]).purged_at is not None
        assert db.session.get(SessionSummary, row["id"]).players == 2


def _set(body, path, value):
    target = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key) if isinstance(target, list) else key]
    last = keys[-1]
    if value is _DELETE:
        del target[int(last) if isinstance(target, list) else last]
    else:
        target[int(last) if isinstance(target, list) else last] = value


_DELETE = object()
BAD = [
    ("uuid", "not-a-uuid", "uuid"),
    ("uuid", _DELETE, "uuid"),
    ("school", 12, "school"),
    ("quiz", "test-quiz", "quiz"),
    ("quiz.slug", "Bad Slug!", "quiz.slug"),
    ("questions", [], "questions"),
    ("questions.0.choices", ["only one"], "questions.0.choices"),
    ("questions.0.part", "during", "questions.0.part"),
    ("questions.0.topic", "astrology", "questions.0.topic"),
    ("created_at", "yesterday", "created_at"),
    ("ended_at", "2099-01-01T00:00:00Z", "ended_at"),
    ("ended_at", "2025-01-01T00:00:00Z", "ended_at"),
    ("in_person", "yes", "in_person"),
    ("options", {"speed_scoring": 1}, "options.speed_scoring"),
    ("options", {"fireworks": True}, "options.fireworks"),
    ("class_label", "x" * 41, "class_label"),
    ("players", {"An": 1}, "players"),
    ("players.0.nickname", "", "players.0.nickname"),
    ("players.0.nickname", "n" * 41, "players.0.nickname"),
    ("players.0.members", 0, "players.0.members"),
    ("players.0.members", True, "players.0.members"),
    ("players.0.score", -5, "players.0.score"),
    ("players.0.answers.0.question", 5, "players.0.answers.0.question"),
    ("players.0.answers.1.question", 0, "players.0.answers.1.question"),
    ("players.0.answers.0.choice", [4], "players.0.answers.0.choice"),
    ("players.0.answers.0.choice", [0, 1], "players.0.answers.0.choice"),
    ("players.0.answers.0.choice", [], "players.0.answers.0.choice"),
    ("players.0.answers.2.choice", [0, 0], "players.0.answers.2.choice"),
    ("players.1.answers.0.points", 900, "players.1.answers.0.points"),  # a wrong answer
    ("players.0.answers.3.points", 10, "players.0.answers.3.points"),  # a poll
    ("players.0.answers.0.points", 99999, "players.0.answers.0.points"),
    ("players.0.answers.0.elapsed_ms", -1, "players.0.answers.0.elapsed_ms"),
    ("help_requests.0.player", 3, "help_requests.0.player"),
    ("help_requests.0.player", "An", "help_requests.0.player"),
    ("help_requests.0.at", None, "help_requests.0.at"),
    ("purged", True, "players"),
]


def test_bad_input_is_refused_by_field_and_nothing_is_written(app, client, payload, presenter):
    headers = token(client, "officer", "pw-secret-1")
    before = counts(app)
    for path, value, field in BAD:
        body = copy.deepcopy(payload)
        _set(body, path, value)
        response = push(client, body, headers)
        assert response.status_code == 400, (path, value, response.json)
        assert response.json["error"] == "bad_request", (path, value)
        assert response.json["field"] == field, (path, value, response.json)
        assert response.json["message"].startswith(field)
    assert counts(app) == before
    assert push(client, payload, headers).status_code == 201  # the untouched one is taken


NOT_SESSIONS = [b"", b"[", b"[]", b"null", b'"session"', b"\xff\xfe",
                b"[" * 100000 + b"]" * 100000, b'{"uuid": "\\ud800"}', b'{"uuid": 1e999}']


def test_what_is_not_a_session_is_a_400(client, presenter):
    headers = token(client, "officer", "pw-secret-1")
    for raw in NOT_SESSIONS:
        response = push(client, None, headers, raw=raw)
        assert response.status_code == 400, (raw[:20], response.data)
        assert response.json["error"] == "bad_request"


def test_a_nickname_with_a_lone_surrogate_is_refused(client, payload, presenter):
    raw = json.dumps(payload).replace('"An"', '"\\ud800An"').encode()
    response = push(client, None, token(client, "officer", "pw-secret-1"), raw=raw)
    assert response.status_code == 400 and response.json["field"] == "players.0.nickname"


def test_no_leaf_of_a_session_crashes_the_handler(app, client, payload, presenter):
    """Every value of the session replaced by values of other types and sizes: a clear 4xx,
    or the session (taken once), never a 500."""
    headers = token(client, "officer", "pw-secret-1")
    leaves = []

    def walk(node, path):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, (dict, list)) and value:
                walk(value, here)
            leaves.append(here)

    walk(payload, "")
    statuses = set()
    for path in leaves:
        for value in (None, -1, 10**12, 1.5, True, "", "x" * 3000, [], {}, [[]]):
            body = copy.deepcopy(payload)
            _set(body, path, value)
            response = push(client, body, headers)
            assert response.status_code in (200, 201, 400, 422), (path, value, response.json)
            assert response.is_json
            statuses.add(response.status_code)
    assert {200, 201, 400} <= statuses
    with app.app_context():
        assert db.session.scalar(select(func.count(Game.id))) <= 1
