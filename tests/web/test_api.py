"""The JSON API: tokens, quizzes, sessions, results, schools; errors are JSON with the right status."""
from __future__ import annotations

import base64

import pytest


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture
def token(client):
    response = client.post("/api/v1/tokens", headers=basic("admin", "admin-password"))
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "games": 0}


@pytest.mark.parametrize("headers", [{}, basic("admin", "wrong"), basic("nobody", "x"),
                                     {"Authorization": "Basic !!!"}, {"Authorization": "Bearer x"}])
def test_token_refused(client, headers):
    response = client.post("/api/v1/tokens", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_quizzes(client, token):
    body = client.get("/api/v1/quizzes", headers=token).get_json()
    assert {"slug": "test-quiz", "title": "Test quiz", "language": "en", "questions": 5,
            "kind": "quiz", "level": None, "status": "published", "origin": "bank",
            "translation_of": None} in body["quizzes"]


def test_create_game_and_read_it(client, token):
    response = client.post("/api/v1/games", headers=token,
                           json={"quiz": "test-quiz", "school": "demo", "class_label": "9B",
                                 "options": {"speed_scoring": False, "leaderboard_every": 0}})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"pin", "join_url", "host_url", "host_token", "qr_url"}
    assert len(body["pin"]) == 6 and body["pin"] in body["join_url"] and body["pin"] in body["host_url"]
    state = client.get(f"/api/v1/games/{body['pin']}", headers=token).get_json()
    assert state["phase"] == "lobby" and state["class_label"] == "9B" and state["total"] == 5
    assert state["options"] == {"speed_scoring": False, "leaderboard_every": 0, "late_join": True}
    qr = client.get(body["qr_url"].replace("http://localhost", ""))
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    results = client.get(f"/api/v1/games/{body['pin']}/results", headers=token).get_json()
    assert results["players"] == [] and len(results["questions"]) == 5
    assert results["questions"][0]["counts"] == [0, 0, 0, 0]


@pytest.mark.parametrize("body, status", [
    (None, 400), ([], 400), ({"quiz": "test-quiz"}, 400), ({"school": "DEMO"}, 400),
    ({"quiz": 1, "school": "DEMO"}, 400), ({"quiz": "nope", "school": "DEMO"}, 404),
    ({"quiz": "test-quiz", "school": "NOPE"}, 404),
    ({"quiz": "test-quiz", "school": "DEMO", "options": {"speed_scoring": "yes"}}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "options": {"leaderboard_every": -1}}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "options": {"leaderboard_every": True}}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "options": {"typo": 1}}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "options": []}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "class_label": "x" * 41}, 400),
    ({"quiz": "test-quiz", "school": "DEMO", "in_person": "no"}, 400),
])
def test_create_game_bad_input(client, token, body, status):
    response = client.post("/api/v1/games", headers=token, json=body) if body is not None else \
        client.post("/api/v1/games", headers=token, data="{not json", content_type="application/json")
    assert response.status_code == status
    error = response.get_json()
    assert set(error) == {"error", "message"} and error["message"]


def test_errors_are_json(client, token):
    for method, path, status in [("get", "/api/v1/nothing", 404), ("delete", "/api/v1/quizzes", 405),
                                 ("get", "/api/v1/games/123456", 404), ("get", "/api/v1/games/abc", 404),
                                 ("get", "/api/v1/games/123456/results", 404)]:
        response = getattr(client, method)(path, headers=token)
        assert response.status_code == status and response.is_json, path
        assert response.get_json()["error"]


def test_api_needs_a_token(client):
    for path in ["/api/v1/quizzes", "/api/v1/schools", "/api/v1/games/123456"]:
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    assert client.post("/api/v1/games", json={}).status_code == 401


def test_access_by_role(app, client, make):
    other_school = make.school("OTHER")
    presenter = make.user("presenter")
    stranger = make.user("presenter")
    staff = make.user("staff", school="DEMO")
    staff_elsewhere = make.user("staff", school=other_school)
    game = make.game(presenter_id=presenter)

    def bearer(user_id):
        with app.app_context():
            from quizapp.extensions import db
            from quizapp.models import User
            from quizapp.services.accounts import issue_api_token

            return {"Authorization": "Bearer " + issue_api_token(db.session.get(User, user_id))}

    expectations = {presenter: 200, stranger: 403, staff: 200, staff_elsewhere: 403}
    for user, status in expectations.items():
        headers = bearer(user)
        assert client.get(f"/api/v1/games/{game['pin']}/results", headers=headers).status_code == status
        assert client.get(f"/api/v1/games/{game['pin']}", headers=headers).status_code == status
    assert client.post("/api/v1/games", headers=bearer(staff),
                       json={"quiz": "test-quiz", "school": "DEMO"}).status_code == 403
    schools = client.get("/api/v1/schools", headers=bearer(staff_elsewhere)).get_json()["schools"]
    assert [s["code"] for s in schools] == ["OTHER"]
    assert client.get("/api/v1/schools/DEMO/records", headers=bearer(staff_elsewhere)).status_code == 403
    records = client.get("/api/v1/schools/DEMO/records", headers=bearer(staff)).get_json()
    assert records["sessions"] == []  # a session nobody played counts for nothing
    # a presenter who never held a session at the school, nor belongs to its unit
    assert client.get("/api/v1/schools/DEMO/records", headers=bearer(stranger)).status_code == 403
    # the host token is shown only to those who may host
    assert "host_token" in client.get(f"/api/v1/games/{game['pin']}", headers=bearer(presenter)).get_json()
    assert "host_token" not in client.get(f"/api/v1/games/{game['pin']}", headers=bearer(staff)).get_json()


def test_a_sessions_links_are_all_on_the_public_address(app, client, token, monkeypatch):
    """Behind a proxy the request's own host may not be the address people use: the join, host
    and QR links all take QUIZAPP_PUBLIC_URL."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://quiz.example.vn/")
    body = client.post("/api/v1/games", headers=token,
                       json={"quiz": "test-quiz", "school": "DEMO"}).get_json()
    pin = body["pin"]
    assert body["join_url"] == f"https://quiz.example.vn/play/{pin}"
    assert body["host_url"] == f"https://quiz.example.vn/host/{pin}"
    assert body["qr_url"] == f"https://quiz.example.vn/play/{pin}/qr.svg"
