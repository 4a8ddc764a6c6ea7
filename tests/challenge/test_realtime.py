"""The live game never runs a challenge: its PIN is no session for Socket.IO."""
from __future__ import annotations

from quizapp.extensions import db
from quizapp.models import Player


def test_a_challenges_pin_is_refused_by_the_live_game(app, make, ch, sockets):
    owner = make.user()
    code = ch.open(owner)
    with app.app_context():
        game = ch.game(code)
        pin, host_token = game.pin, game.host_token
    phone = sockets(pin)
    joined = phone.call("player:join", {"pin": pin, "nickname": "Cú Mèo"})
    assert joined["ok"] is False and joined["error"] == "game_not_found"
    assert phone.call("player:resume", {"pin": pin, "token": "x"})["error"] == "game_not_found"
    by_token = sockets(pin, auth={"host_token": host_token})
    assert by_token.call("host:join", {"pin": pin})["error"] == "game_not_found"
    browser = app.test_client()
    make.login(browser, owner)
    by_cookie = sockets(pin, flask_client=browser)
    assert by_cookie.call("host:join", {"pin": pin})["error"] == "game_not_found"
    assert by_cookie.call("host:start", {"pin": pin})["error"] == "game_not_found"
    with app.app_context():
        assert db.session.query(Player).count() == 0
        assert ch.game(code).phase == "challenge"


def test_a_live_session_still_plays(app, make, sockets):
    game = make.game()
    phone = sockets(game["pin"])
    joined = phone.call("player:join", {"pin": game["pin"], "nickname": "Cú Mèo"})
    assert joined["ok"] is True
    host = sockets(game["pin"], auth={"host_token": game["host_token"]})
    assert host.call("host:join", {"pin": game["pin"]})["ok"] is True
