"""Rate limits: sign-in, API tokens, PIN and token guessing, join flooding."""
from __future__ import annotations

import base64

import pytest

from tests.conftest import Factory, Socket, build_app

LOW = {"RATELIMIT_LOGIN": "3 per minute", "RATELIMIT_LOGIN_USER": "2 per minute",
       "RATELIMIT_PIN_MISSES": "3 per minute", "RATELIMIT_JOINS": "4 per minute",
       "RATELIMIT_JOINS_PER_CONNECTION": "2 per minute", "MAX_PLAYERS": 50}


@pytest.fixture
def app(tmp_path, monkeypatch):
    return build_app(tmp_path, monkeypatch, **LOW)


def test_login_is_limited_per_address_and_per_username(app):
    client = app.test_client()
    for _ in range(2):
        assert client.post("/login", data={"username": "admin", "password": "x"}).status_code == 200
    blocked = client.post("/login", data={"username": "admin", "password": "admin-password"})
    assert blocked.status_code == 429 and "<html" in blocked.data.decode()
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.post("/login", data={"username": "someone", "password": "x"}).status_code == 200


def test_api_tokens_are_limited(app):
    client = app.test_client()
    bad = {"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()}
    statuses = [client.post("/api/v1/tokens", headers=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    body = client.post("/api/v1/tokens", headers=bad).get_json()
    assert body["error"] == "rate_limited" and body["message"]


def test_pin_guessing_on_pages_is_limited(app):
    game = Factory(app).game()
    client = app.test_client()
    assert client.get(f"/play/{game['pin']}").status_code == 200  # right PINs cost nothing
    assert [client.get(f"/play/{n}").status_code for n in ("111111", "222222", "333333")] == [404] * 3
    assert client.get("/play/444444").status_code == 429


def test_pin_and_token_guessing_over_socketio_is_limited(app):
    game = Factory(app).game()
    s = Socket(app, game["pin"])
    codes = [s.call("player:join", {"pin": p, "nickname": "Guess"})["error"]
             for p in ("111111", "222222")]
    codes.append(s.call("player:resume", {"pin": game["pin"], "token": "guess"})["error"])
    assert codes == ["game_not_found", "game_not_found", "invalid_token"]
    # the address is now held back, even for the right PIN
    assert s.call("player:join", {"pin": game["pin"], "nickname": "Real"})["error"] == "rate_limited"
    s.disconnect()


def test_nickname_flooding_is_limited(app):
    game = Factory(app).game()
    sockets = [Socket(app, game["pin"]) for _ in range(5)]
    acks = [s.call("player:join", {"pin": game["pin"], "nickname": f"Flood {i}"})
            for i, s in enumerate(sockets)]
    assert [a["ok"] for a in acks] == [True] * 4 + [False]
    assert acks[-1]["error"] == "rate_limited"
    for s in sockets:
        s.disconnect()


def test_a_game_has_a_size_limit(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, MAX_PLAYERS=2)
    game = Factory(app).game()
    acks = [Socket(app, game["pin"]).call("player:join", {"pin": game["pin"], "nickname": f"P {i}"})
            for i in range(3)]
    assert [a.get("error") for a in acks] == [None, None, "game_full"]
