"""Rate limits: sign-in, API tokens, PIN and token guessing, joins per connection, game size."""
from __future__ import annotations

import base64

import pytest

from tests.conftest import Factory, Socket, build_app

LOW = {"RATELIMIT_LOGIN": "3 per minute", "RATELIMIT_LOGIN_USER": "2 per minute",
       "RATELIMIT_PIN_MISSES": "3 per minute", "RATELIMIT_JOINS_PER_CONNECTION": "2 per minute", "MAX_PLAYERS": 50}


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
    make = Factory(app)
    game, unseen = make.game(), make.game()
    client = app.test_client()
    assert client.get(f"/play/{game['pin']}").status_code == 200  # right PINs cost nothing
    assert [client.get(f"/play/{n}").status_code for n in ("111111", "222222", "333333")] == [404] * 3
    # held back: any PIN it has not used is refused, right or wrong, so nothing is learnt
    assert client.get("/play/444444").status_code == 429
    assert client.get(f"/play/{unseen['pin']}").status_code == 429
    assert client.get(f"/play/?pin={unseen['pin']}").status_code == 429
    # the session its pupils already opened stays open to the address
    assert client.get(f"/play/{game['pin']}").status_code == 200
    assert client.get(f"/play/{game['pin']}/qr.svg").status_code == 200
    # another address is not affected
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.get(f"/play/{unseen['pin']}").status_code == 200


def test_pin_and_token_guessing_over_socketio_is_limited(app):
    make = Factory(app)
    game, unseen = make.game(), make.game()
    first = Socket(app, game["pin"])
    joined = first.call("player:join", {"pin": game["pin"], "nickname": "Real"})
    assert joined["ok"]
    s = Socket(app, game["pin"])
    codes = [s.call("player:join", {"pin": p, "nickname": "Guess"})["error"]
             for p in ("111111", "222222")]
    codes.append(s.call("player:resume", {"pin": game["pin"], "token": "guess"})["error"])
    assert codes == ["game_not_found", "game_not_found", "invalid_token"]
    # the address is now held back for every PIN it has not used, the right ones included
    for pin in ("333333", unseen["pin"]):
        assert s.call("player:join", {"pin": pin, "nickname": "Next"})["error"] == "rate_limited"
    assert s.call("player:resume", {"pin": unseen["pin"], "token": "x"})["error"] == "rate_limited"
    # but not for the session its pupils are in: more of them join, and a token still resumes
    assert s.call("player:join", {"pin": game["pin"], "nickname": "Late"})["ok"]
    again = Socket(app, game["pin"])
    resumed = again.call("player:resume", {"pin": game["pin"], "token": joined["token"]})
    assert resumed["ok"] and resumed["player_id"] == joined["player_id"]
    for socket in (first, s, again):
        socket.disconnect()


def test_joins_are_not_limited_by_address_but_by_connection(app):
    """A whole school shares one address: many phones join; one connection may not join over
    and over (2 a minute here)."""
    make = Factory(app)
    games = [make.game() for _ in range(3)]
    phones = [Socket(app, games[0]["pin"]) for _ in range(12)]
    acks = [p.call("player:join", {"pin": games[0]["pin"], "nickname": f"Pupil {i}"})
            for i, p in enumerate(phones)]
    assert all(a["ok"] for a in acks), acks
    hopper = Socket(app)
    codes = [hopper.call("player:join", {"pin": g["pin"], "nickname": "Hopper"}).get("error")
             for g in games]
    assert codes == [None, None, "rate_limited"]
    for socket in (*phones, hopper):
        socket.disconnect()


def test_a_game_has_a_size_limit(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, MAX_PLAYERS=2)
    game = Factory(app).game()
    acks = [Socket(app, game["pin"]).call("player:join", {"pin": game["pin"], "nickname": f"P {i}"})
            for i in range(3)]
    assert [a.get("error") for a in acks] == [None, None, "game_full"]
