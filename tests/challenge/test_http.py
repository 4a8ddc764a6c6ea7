"""The pupil's JSON (``/c/<code>/...``) and pages, the presenter's pages and the API."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Answer, Game, HomeTalk, Player, Quiz, SessionSummary, utcnow
from quizapp.records.summaries import summarize
from tests.conftest import build_app

from .conftest import RIGHT, Challenges


def _error(response, status: int, code: str | None = None) -> dict:
    """A refusal: the status, and JSON ``{"ok": false, "error", "message"}``."""
    assert response.status_code == status, (response.status_code, response.data[:300])
    assert response.is_json, response.data[:300]
    body = response.get_json()
    assert body["ok"] is False and body["message"] and isinstance(body["error"], str)
    if code:
        assert body["error"] == code, body
    return body


def test_a_pupil_plays_to_the_end(app, client, ch):
    code = ch.open()
    page = client.get(f"/c/{code}")
    assert page.status_code == 200 and b"Test quiz" in page.data and b"challenge.js" in page.data
    joined = ch.join(client, code, "Cú Mèo", class_label="8A")
    assert joined.status_code == 201
    body = joined.get_json()
    token, state = body["token"], body["state"]
    assert body["nickname"] == "Cú Mèo" and state["index"] == 0 and state["total"] == 5
    assert "correct" not in state["question"] and "explanation" not in state["question"]
    for i, choice in enumerate(RIGHT):
        response = ch.answer(client, code, token, i, choice)
        assert response.status_code == 200, response.data
        result = response.get_json()["result"]
        assert result["index"] == i and result["explanation"]
    state = client.get(f"/c/{code}/state?token={token}").get_json()
    assert state["finished"] and state["score"] == 4000 and state["right"] == 4
    assert state["question"] is None and state["last"]["index"] == 4
    with app.app_context():
        game = ch.game(code)
        rows = db.session.query(Answer).filter_by(game_id=game.id) \
            .order_by(Answer.question_index).all()
        assert [(a.question_index, a.choice, a.correct) for a in rows] == [
            (0, [2], True), (1, [1], True), (2, [0, 2], True), (3, [0], None), (4, [1], True)]
        player = db.session.query(Player).filter_by(game_id=game.id).one()
        assert (player.nickname, player.class_label, player.score) == ("Cú Mèo", "8A", 4000)


def test_the_chat_scenario_comes_with_its_messages_one_question_at_a_time(client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    for i, choice in enumerate(RIGHT[:4]):
        state = ch.answer(client, code, token, i, choice).get_json()["state"]
    chat = state["question"]
    assert chat["type"] == "chat" and chat["index"] == 4
    assert [m["from"] for m in chat["chat"]] == ["Stranger", "You"]
    assert "time_limit" not in chat  # no clock at home


def test_a_wrong_answer_shows_the_right_one_and_scores_nothing(client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    result = ch.answer(client, code, token, 0, 0).get_json()["result"]
    assert result == {"index": 0, "correct": False, "poll": False, "points": 0, "choice": [0],
                      "right": [2], "choices": ["Zero", "One", "Two", "Three"],
                      "type": "single", "explanation": "Two is correct."}


def test_the_same_answer_twice_changes_nothing(app, client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    first = ch.answer(client, code, token, 0, 2)
    again = ch.answer(client, code, token, 0, 2)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["result"] == first.get_json()["result"]
    assert again.get_json()["state"]["score"] == 1000
    _error(ch.answer(client, code, token, 0, 1), 409, "already_answered")
    _error(ch.answer(client, code, token, 2, [0, 2]), 409, "not_accepting")  # 1 comes first
    with app.app_context():
        assert db.session.query(Answer).count() == 1
        assert db.session.query(Player).one().score == 1000


def test_a_reload_resumes_with_the_last_lesson(app, ch):
    code = ch.open()
    phone = app.test_client()
    token = ch.join(phone, code).get_json()["token"]
    ch.answer(phone, code, token, 0, 0)
    # a new page load (another client: no cookie carries the attempt, only the token)
    state = app.test_client().get(f"/c/{code}/state?token={token}").get_json()
    assert state["ok"] and state["index"] == 1 and state["answered"] == 1
    assert state["last"]["index"] == 0 and state["last"]["right"] == [2]
    assert state["nickname"] == "Cú Mèo" and state["talked"] is False
    _error(app.test_client().get(f"/c/{code}/state?token=not-the-token"), 401, "invalid_token")


def test_after_the_deadline_answers_are_refused_with_a_message(app, client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    ch.answer(client, code, token, 0, 2)
    ch.close_in_the_past(code)
    late = _error(ch.answer(client, code, token, 1, 1), 410, "challenge_closed")
    assert "đã đóng" in late["message"]  # a pupil's page speaks Vietnamese unless told
    _error(ch.join(client, code, "Hổ Con"), 410, "challenge_closed")
    state = client.get(f"/c/{code}/state?token={token}").get_json()
    assert state["ok"] and state["closed"] is True and state["score"] == 1000
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert '"closed": true' in page
    assert client.get(f"/c/{code}/parents").status_code == 200  # the parents' page stays
    with app.app_context():
        assert db.session.query(Answer).count() == 1


def test_vietnamese_by_default(client, ch):
    code = ch.open()
    vietnamese = _error(ch.join(client, code, "x"), 400, "nickname_invalid")["message"]
    client.get("/lang/en")
    english = _error(ch.join(client, code, "x"), 400, "nickname_invalid")["message"]
    assert english == "Use 2 to 20 letters or digits for your nickname."
    assert vietnamese != english
    client.get("/lang/vi")
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert 'lang="en">English</a>' in page  # the language switch, on the pupil's page too


def test_home_talk_once_per_attempt_and_anonymous(app, client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    _error(client.post(f"/c/{code}/talk", json={"token": token, "answer": "parent"}), 409,
           "not_finished")
    for i, choice in enumerate(RIGHT):
        ch.answer(client, code, token, i, choice)
    told = client.post(f"/c/{code}/talk", json={"token": token, "answer": "parent"})
    assert told.status_code == 201 and told.get_json() == {"ok": True}
    _error(client.post(f"/c/{code}/talk", json={"token": token, "answer": "someone"}), 409,
           "already_talked")
    assert client.get(f"/c/{code}/state?token={token}").get_json()["talked"] is True
    with app.app_context():
        row = db.session.query(HomeTalk).one()
        assert row.answer == "parent"
        assert set(HomeTalk.__table__.columns.keys()) == {"id", "game_id", "answer", "created_at"}


BAD_BODIES = [
    "not json", "[]", '"text"', "null", "123", json.dumps([{"token": "x"}]), "{",
    "[" * 3000 + "]" * 3000,  # deeper than the parser goes
]


def test_bodies_that_are_not_an_object(client, ch):
    code = ch.open()
    for path in ("join", "answer", "talk"):
        for raw in BAD_BODIES:
            _error(client.post(f"/c/{code}/{path}", data=raw, content_type="application/json"),
                   400, "bad_request")


def test_a_body_too_large(client, ch):
    code = ch.open()
    huge = json.dumps({"nickname": "x" * 20000})
    _error(client.post(f"/c/{code}/join", data=huge, content_type="application/json"), 413)


BAD_ANSWERS = [  # (question, choice, status, error)
    ("0", 2, 400, "bad_request"), (0.0, 2, 400, "bad_request"), (True, 2, 400, "bad_request"),
    (None, 2, 400, "bad_request"), ([0], 2, 400, "bad_request"), (-1, 2, 409, "not_accepting"),
    (5, 2, 409, "not_accepting"), (2**70, 2, 409, "not_accepting"),
    (0, "2", 400, "invalid_choice"), (0, None, 400, "invalid_choice"),
    (0, [], 400, "invalid_choice"), (0, [2, 2], 400, "invalid_choice"),
    (0, 4, 400, "invalid_choice"), (0, -1, 400, "invalid_choice"),
    (0, [1, 2], 400, "invalid_choice"),  # two choices to a single-choice question
    (0, 2.0, 400, "invalid_choice"), (0, {"a": 1}, 400, "invalid_choice"),
    (0, [True], 400, "invalid_choice"),
]


def test_bad_answers(app, client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    for question, choice, status, error in BAD_ANSWERS:
        _error(ch.answer(client, code, token, question, choice), status, error)
    body = client.post(f"/c/{code}/answer", json={"token": token, "question": 0}).get_json()
    assert body["error"] == "invalid_choice"  # no choice at all
    with app.app_context():
        assert db.session.query(Answer).count() == 0
        assert db.session.query(Player).one().score == 0


def test_bad_tokens(client, ch):
    code = ch.open()
    ch.join(client, code)
    for token in (None, "", 5, ["x"], {"t": 1}, "x" * 201, "wrong-token"):
        _error(client.post(f"/c/{code}/answer",
                           json={"token": token, "question": 0, "choice": 2}), 401,
               "invalid_token")
        _error(client.post(f"/c/{code}/talk", json={"token": token, "answer": "parent"}), 401,
               "invalid_token")
    _error(client.post(f"/c/{code}/answer", json={"question": 0, "choice": 2}), 401,
           "invalid_token")


def test_bad_state_requests(client, ch):
    code = ch.open()
    _error(client.get(f"/c/{code}/state"), 401, "invalid_token")
    _error(client.get(f"/c/{code}/state?token="), 401, "invalid_token")


def test_bad_talk_answers(app, client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    for i, choice in enumerate(RIGHT):
        ch.answer(client, code, token, i, choice)
    for answer in (None, "", "PARENT", 1, ["parent"], "parents", {"parent": 1}):
        _error(client.post(f"/c/{code}/talk", json={"token": token, "answer": answer}), 400,
               "bad_request")
    with app.app_context():
        assert db.session.query(HomeTalk).count() == 0


BAD_NICKNAMES = [  # (nickname, class_label, status, error)
    ("x", "", 400, "nickname_invalid"), ("", "", 400, "nickname_invalid"),
    (None, "", 400, "nickname_invalid"), (123, "", 400, "nickname_invalid"),
    ("<img src=x>", "", 400, "nickname_invalid"), ("a" * 21, "", 400, "nickname_invalid"),
    ("\u3164\u3164", "", 400, "nickname_invalid"),  # letters that draw nothing
    ("Hổ Con", "<b>8A</b>", 400, "class_label_invalid"),
    ("Hổ Con", 8, 400, "class_label_invalid"), ("Hổ Con", "x" * 21, 400, "class_label_invalid"),
    ("cu meo", "", 409, "nickname_taken"), ("CÚ MÈO", "8A", 409, "nickname_taken"),
]


def test_nickname_rules(app, client, ch):
    code = ch.open()
    assert ch.join(client, code, "Cú Mèo").status_code == 201
    for nickname, class_label, status, error in BAD_NICKNAMES:
        _error(client.post(f"/c/{code}/join", json={"nickname": nickname,
                                                    "class_label": class_label}), status, error)
    with app.app_context():
        assert db.session.query(Player).count() == 1


def test_an_abusive_nickname_is_refused_kindly(client, ch):
    code = ch.open()
    body = _error(ch.join(client, code, "đồ ngu"), 400, "nickname_invalid")
    client.get("/lang/en")
    body = _error(ch.join(client, code, "đồ ngu"), 400, "nickname_invalid")
    assert "kind nickname" in body["message"]


def test_an_unknown_code(client):
    _error(client.post("/c/nope1234/join", json={"nickname": "Cú Mèo"}), 404,
           "challenge_not_found")
    _error(client.get("/c/nope1234/state?token=x"), 404, "challenge_not_found")
    assert client.get("/c/nope1234").status_code == 404
    assert client.get("/c/nope1234/parents").status_code == 404
    assert client.get("/c/<script>/qr.svg").status_code == 404


def test_a_live_sessions_pin_is_not_a_challenge(client, make):
    game = make.game()
    assert client.get(f"/c/{game['pin']}").status_code == 404


def test_guessing_codes_is_held_back(app, client, ch):
    code = ch.open()
    ch.join(client, code)  # this address knows this challenge
    statuses = [client.get(f"/c/guess{i:04d}/state?token=x").status_code for i in range(32)]
    assert statuses[:30] == [404] * 30 and statuses[30:] == [429, 429]
    _error(client.post("/c/guess9999/join", json={"nickname": "Ai"}), 429, "rate_limited")
    # the challenge it already opened stays open to it
    assert ch.join(client, code, "Hổ Con").status_code == 201


def test_joining_is_rate_limited(client, ch):
    code = ch.open()
    statuses = [ch.join(client, code, f"Pupil {i}").status_code for i in range(21)]
    assert statuses[:20] == [201] * 20
    _error(ch.join(client, code, "Pupil 99"), 429, "rate_limited")


def test_the_pupils_json_needs_no_csrf_token_but_the_presenters_form_does(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, WTF_CSRF_ENABLED=True)
    from tests.conftest import Factory

    make = Factory(app)
    ch = Challenges(app, make)
    owner = make.user()
    code = ch.open(owner)
    client = app.test_client()
    joined = ch.join(client, code)
    assert joined.status_code == 201
    token = joined.get_json()["token"]
    assert ch.answer(client, code, token, 0, 2).status_code == 200
    presenter = app.test_client()
    page = presenter.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    with app.app_context():
        from quizapp.models import User

        username = db.session.get(User, owner).username
    assert presenter.post("/login", data={"username": username, "password": "pw-secret-1",
                                          "csrf_token": csrf}).status_code == 302
    assert presenter.post(f"/host/challenges/{code}/close").status_code == 400  # no token
    with app.app_context():
        assert ch.game(code).closes_at > utcnow()
        db.session.remove()
        db.engine.dispose()


# ----- the presenter's pages -------------------------------------------------------------------

def test_play_it_at_home_from_a_finished_session(app, make, ch):
    owner = make.user()
    session = ch.finished_session(presenter_id=owner)
    browser = app.test_client()
    make.login(browser, owner)
    results = browser.get(f"/host/{session['pin']}/results").get_data(as_text=True)
    assert f"/host/challenges/new?from={session['pin']}" in results
    sessions = browser.get("/host/").get_data(as_text=True)
    assert f"/host/challenges/new?from={session['pin']}" in sessions
    form = browser.get(f"/host/challenges/new?from={session['pin']}")
    assert form.status_code == 200 and b'type="datetime-local"' in form.data
    opened = browser.post("/host/challenges/new", data={
        "from": session["pin"], "class_label": "8A", "closes_at": _local_in(days=3)})
    assert opened.status_code == 302, opened.data
    code = opened.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        game = ch.game(code)
        live = db.session.query(Game).filter_by(pin=session["pin"]).one()
        assert game.follows_id == live.id and game.school_id == live.school_id
        assert game.mode == "challenge" and game.presenter_id == owner
        assert timedelta(days=2, hours=23) < game.closes_at - utcnow() < timedelta(days=3, hours=1)
    page = browser.get(f"/host/challenges/{code}").get_data(as_text=True)
    assert f"/c/{code}/qr.svg" in page and f"/c/{code}" in page
    assert "Zalo" in page or "zalo" in page.lower()
    qr = browser.get(f"/c/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert browser.get(f"/host/challenges/{code}/card").status_code == 200
    sessions = browser.get("/host/").get_data(as_text=True)
    assert f"/host/challenges/{code}" in sessions
    # a session still running is not played at home yet
    running = make.game(presenter_id=owner)
    refused = browser.post("/host/challenges/new", data={
        "from": running["pin"], "closes_at": _local_in(days=3)})
    assert refused.status_code == 400
    assert f"/host/challenges/new?from={running['pin']}" not in \
        browser.get(f"/host/{running['pin']}/results").get_data(as_text=True)


def _local_in(days: int) -> str:
    from zoneinfo import ZoneInfo

    when = utcnow().replace(tzinfo=__import__("datetime").timezone.utc) + timedelta(days=days)
    return when.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%dT%H:%M")


def test_a_challenge_from_a_quiz_and_closing_it_early(app, make, ch):
    owner = make.user()
    browser = app.test_client()
    make.login(browser, owner)
    assert browser.get("/host/challenges/new").status_code == 200
    opened = browser.post("/host/challenges/new", data={
        "quiz": "test-quiz", "school": "DEMO", "class_label": "9B", "closes_at": _local_in(7)})
    assert opened.status_code == 302, opened.data
    code = opened.headers["Location"].rsplit("/", 1)[1]
    pupil = app.test_client()
    token = ch.join(pupil, code).get_json()["token"]
    for i, choice in enumerate(RIGHT):
        ch.answer(pupil, code, token, i, choice)
    pupil.post(f"/c/{code}/talk", json={"token": token, "answer": "not_yet"})
    page = browser.get(f"/host/challenges/{code}").get_data(as_text=True)
    assert 'id="fig-played"><b>1</b>' in page and 'id="fig-finished"><b>1</b>' in page
    assert 'id="fig-score"><b>4000</b>' in page
    closed = browser.post(f"/host/challenges/{code}/close")
    assert closed.status_code == 303
    _error(ch.join(pupil, code, "Hổ Con"), 410, "challenge_closed")
    with app.app_context():
        summary = db.session.get(SessionSummary, ch.game(code).id)
        assert summary.mode == "challenge" and summary.in_person is False
        assert summary.players == 1 and summary.correct_answers == 4


@pytest.mark.parametrize("body, status", [
    ({"quiz": "test-quiz", "school": "DEMO", "closes_at": "yesterday"}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "closes_at": "2020-01-01T10:00"}, 400),
    ({"quiz": "test-quiz", "school": "NOPE"}, 404),
    ({"quiz": "no-such-quiz", "school": "DEMO"}, 404),
    ({"quiz": "test-check", "school": "DEMO"}, 400),
    ({"quiz": "test-quiz"}, 400),
    ({"quiz": "test-quiz", "game": "123456", "school": "DEMO"}, 400),
    ({"school": "DEMO"}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "class_label": "x" * 41}, 400),
    ({"quiz": "test-quiz", "school": 5}, 400),
    ({"game": "999999"}, 404),
    ({"game": None}, 404),
])
def test_the_api_refuses_bad_requests(app, make, body, status):
    owner = make.user()
    api = app.test_client()
    make.login(api, owner)
    response = api.post("/api/v1/challenges", json=body)
    assert response.status_code == status, response.data
    assert set(response.get_json()) == {"error", "message"}
    with app.app_context():
        assert db.session.query(Game).filter_by(mode="challenge").count() == 0


def test_the_api_opens_and_reads_a_challenge(app, make, ch):
    owner = make.user()
    session = ch.finished_session(presenter_id=owner)
    api = app.test_client()
    make.login(api, owner)
    made = api.post("/api/v1/challenges", json={"game": session["pin"],
                                                "closes_at": "2099-01-01T00:00"})
    assert made.status_code == 400  # too far away
    made = api.post("/api/v1/challenges", json={"game": session["pin"]})
    assert made.status_code == 201, made.data
    body = made.get_json()
    assert {"code", "url", "qr_url", "closes_at"} <= set(body)
    assert body["url"].endswith(f"/c/{body['code']}") and body["closes_at"].endswith("Z")
    assert body["qr_url"].endswith(f"/c/{body['code']}/qr.svg")
    pupil = app.test_client()
    token = ch.join(pupil, body["code"]).get_json()["token"]
    for i, choice in enumerate(RIGHT):
        ch.answer(pupil, body["code"], token, i, choice)
    pupil.post(f"/c/{body['code']}/talk", json={"token": token, "answer": "parent"})
    got = api.get(f"/api/v1/challenges/{body['code']}/results")
    assert got.status_code == 200
    results = got.get_json()
    assert results["mode"] == "challenge" and results["follows"] == session["pin"]
    assert results["players"][0]["nickname"] == "Cú Mèo" and results["players"][0]["score"] == 4000
    assert results["home_talk"] == {"parent": 1, "someone": 0, "not_yet": 0}
    assert (results["played"], results["finished"], results["closed"]) == (1, 1, False)
    assert app.test_client().get(f"/api/v1/challenges/{body['code']}/results").status_code == 401
    assert api.get("/api/v1/challenges/nope1234/results").status_code == 404
    # a running session cannot be followed yet
    running = make.game(presenter_id=owner)
    assert api.post("/api/v1/challenges", json={"game": running["pin"]}).status_code == 409


def test_a_draft_quiz_of_another_presenter_is_not_usable(app, make):
    author, other = make.user(), make.user()
    with app.app_context():
        quiz = db.session.query(Quiz).filter_by(slug="test-quiz").one()
        db.session.add(Quiz(slug="secret-draft", title="Draft", questions=quiz.questions,
                            status="draft", owner_id=author, origin="editor"))
        db.session.commit()
    api = app.test_client()
    make.login(api, other)
    refused = api.post("/api/v1/challenges", json={"quiz": "secret-draft", "school": "DEMO"})
    assert refused.status_code == 404
    form = api.post("/host/challenges/new", data={"quiz": "secret-draft", "school": "DEMO",
                                                  "closes_at": _local_in(7)})
    assert form.status_code == 400 and b"secret-draft" not in api.get(
        "/host/challenges/new").data
    mine = app.test_client()
    make.login(mine, author)
    assert mine.post("/api/v1/challenges", json={"quiz": "secret-draft",
                                                 "school": "DEMO"}).status_code == 201


def test_staff_open_challenges_for_their_school_only(app, make, ch):
    other = make.school("OTHER")
    staff = make.user("staff", school="DEMO")
    browser = app.test_client()
    make.login(browser, staff)
    assert browser.post("/api/v1/challenges",
                        json={"quiz": "test-quiz", "school": other}).status_code == 403
    made = browser.post("/api/v1/challenges", json={"quiz": "test-quiz", "school": "DEMO"})
    assert made.status_code == 201
    assert browser.get(f"/host/challenges/{made.get_json()['code']}").status_code == 200
    # the form: their school is fixed, whatever is typed
    assert b'class="ch-fixed" id="school"' in browser.get("/host/challenges/new").data
    opened = browser.post("/host/challenges/new", data={"quiz": "test-quiz", "school": other,
                                                        "closes_at": _local_in(7)})
    assert opened.status_code == 302
    with app.app_context():
        code = opened.headers["Location"].rsplit("/", 1)[1]
        assert ch.game(code).school.code == "DEMO"
    # a session at their school may be followed; one elsewhere may not
    here = ch.finished_session()
    there = ch.finished_session(school=other)
    assert browser.post("/api/v1/challenges", json={"game": here["pin"]}).status_code == 201
    assert browser.post("/api/v1/challenges", json={"game": there["pin"]}).status_code == 403
    assert browser.get(f"/host/challenges/new?from={there['pin']}").status_code == 403


MATRIX = [  # (path, status per role: anonymous, owner, other presenter, staff here, staff
            # elsewhere, viewer, admin)
    ("/host/challenges/new", [302, 200, 200, 200, 200, 403, 200]),
    ("/host/challenges/{code}", [302, 200, 403, 200, 403, 403, 200]),
    ("/host/challenges/{code}/card", [302, 200, 403, 200, 403, 403, 200]),
    ("/api/v1/challenges/{code}/results", [401, 200, 403, 200, 403, 200, 200]),
    ("/c/{code}", [200] * 7),
    ("/c/{code}/parents", [200] * 7),
]


def test_who_sees_what(app, make, ch):
    other = make.school("OTHER")
    roles = {"owner": make.user(), "other": make.user(), "staff": make.user("staff", school="DEMO"),
             "staff_other": make.user("staff", school=other), "viewer": make.user("viewer"),
             "admin": make.user("admin")}
    code = ch.open(roles["owner"])
    clients = [app.test_client()]
    for user_id in roles.values():
        clients.append(app.test_client())
        make.login(clients[-1], user_id)
    wrong = []
    for path, expected in MATRIX:
        got = [c.get(path.format(code=code)).status_code for c in clients]
        if got != expected:
            wrong.append((path, got))
    assert not wrong, wrong
    closes = [c.post(f"/host/challenges/{code}/close").status_code for c in clients]
    assert closes == [302, 303, 403, 303, 403, 403, 303]


def test_the_parents_page_has_the_lessons_and_the_helplines_and_no_pupil(app, client, ch):
    code = ch.open()
    token = ch.join(client, code, "Cú Mèo").get_json()["token"]
    ch.answer(client, code, token, 0, 2)
    page = client.get(f"/c/{code}/parents?lang=en").get_data(as_text=True)
    for lesson in ("Two is correct.", "It is false.", "0 and 2 are even.",
                   "Block, report, tell an adult."):
        assert lesson in page
    assert 'href="tel:111"' in page and 'href="tel:113"' in page
    assert "3 không, 3 phải" in page and "Demo" in page  # the school's commune/ward police
    assert "Cú Mèo" not in page and "1000" not in page


def test_the_summary_counts_the_challenge_apart(app, client, ch):
    code = ch.open()
    token = ch.join(client, code).get_json()["token"]
    ch.answer(client, code, token, 0, 2)
    with app.app_context():
        game = ch.game(code)
        game.in_person = True  # even so: a challenge is never held in person
        db.session.commit()
        summary = summarize(game)
        assert (summary.mode, summary.in_person, summary.players) == ("challenge", False, 1)


def test_a_challenges_pin_opens_no_live_page(app, make, ch):
    """A challenge is opened by its link: its PIN finds no live game on the pupils' side (the
    unguessable link is never found through the six-digit PIN), and its presenter's live
    screens lead to its own page."""
    presenter = make.user()
    code = ch.open(presenter)
    with app.app_context():
        pin = ch.game(code).pin
    assert app.test_client().get(f"/play/{pin}").status_code == 404
    assert app.test_client().get(f"/play/?pin={pin}").status_code == 404
    officer = app.test_client()
    make.login(officer, presenter)
    for screen in (f"/host/{pin}", f"/host/{pin}/console"):
        response = officer.get(screen)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/host/challenges/{code}"), screen
