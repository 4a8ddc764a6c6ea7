"""Every event answers with an ack; bad input gets an error ack and changes nothing."""
from __future__ import annotations

import logging

import pytest

from quizapp.errors import MESSAGES

from .test_flow import host_for, join

PLAYER_EVENTS = ["player:join", "player:resume", "player:answer"]
HOST_EVENTS = ["host:join", "host:start", "host:next", "host:reveal", "host:end", "host:kick"]
JUNK = [None, 1, "x", [], [1, 2], True, 3.5, {"pin": 123456}, {"pin": None}, {"pin": "12345a"},
        {"pin": "9" * 10000}, {"nickname": "a"}, {"question": "0", "choice": "1"},
        {"player_id": ["x"]}, {"token": {"a": 1}}, {"pin": "000000", "nickname": "\u202e\u202e"}]


def assert_error(ack, code=None):
    assert isinstance(ack, dict) and ack["ok"] is False, ack
    assert ack["error"] in MESSAGES and ack["error"] != "internal_error"
    assert isinstance(ack["message"], str) and ack["message"]
    if code:
        assert ack["error"] == code, ack


@pytest.mark.parametrize("event", PLAYER_EVENTS + HOST_EVENTS)
def test_junk_gets_an_error_ack(app, make, sockets, event, caplog):
    game = make.game()
    s = sockets(game["pin"])
    with caplog.at_level(logging.ERROR):
        for payload in JUNK:
            assert_error(s.call(event, payload))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_events_without_payload(app, make, sockets):
    game = make.game()
    s = sockets(game["pin"])
    for event in PLAYER_EVENTS + ["host:kick"]:
        assert_error(s.inner.emit(event, callback=True))
    for event in HOST_EVENTS:
        assert_error(s.inner.emit(event, callback=True), "forbidden" if event != "host:kick" else None)


def test_player_errors(app, make, sockets):
    game = make.game()
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    s = sockets(pin)
    assert_error(s.call("player:join", {"pin": "999999", "nickname": "Nobody"}), "game_not_found")
    assert_error(s.call("player:join", {"pin": pin, "nickname": "<script>"}), "nickname_invalid")
    assert_error(s.call("player:join", {"pin": pin, "nickname": "a"}), "nickname_invalid")
    assert_error(s.call("player:join", {"pin": pin, "nickname": "Ok", "class_label": "<b>"}),
                 "class_label_invalid")
    assert_error(s.call("player:answer", {"question": 0, "choice": 0}), "not_joined")
    assert_error(s.call("player:resume", {"pin": pin, "token": "nope"}), "invalid_token")
    p = join(sockets, pin, "Minh")
    assert_error(sockets(pin).call("player:join", {"pin": pin, "nickname": "minh"}), "nickname_taken")
    assert_error(sockets(pin).call("player:join", {"pin": pin, "nickname": "MÍNH"}), "nickname_taken")
    assert_error(p.call("player:answer", {"question": 0, "choice": 0}), "not_accepting")
    host.call("host:start")
    join(sockets, pin, "Other")
    for bad in [{"question": 1, "choice": 0}, {"question": -1, "choice": 0},
                {"question": 10**12, "choice": 0}]:
        assert_error(p.call("player:answer", bad), "not_accepting")
    for bad in [{"question": 0, "choice": 4}, {"question": 0, "choice": [0, 1]},
                {"question": 0}, {"question": 0, "choice": "2"}, {"question": 0, "choice": -1}]:
        assert_error(p.call("player:answer", bad), "invalid_choice")
    assert p.call("player:answer", {"question": 0, "choice": 2})["ok"]
    assert_error(p.call("player:answer", {"question": 0, "choice": 1}), "already_answered")
    assert_error(p.call("player:answer", {"question": 0, "choice": [2, 3]}), "invalid_choice")


def test_host_events_need_the_presenter(app, make, sockets, client):
    game = make.game()
    pin = game["pin"]
    stranger = sockets(pin, auth={"host_token": "wrong"})
    for event in HOST_EVENTS:
        assert_error(stranger.call(event, {"pin": pin, "player_id": "x"}), "forbidden")
    other = make.user()
    make.login(client, other)
    assert_error(sockets(pin, flask_client=client).call("host:join", {"pin": pin}), "forbidden")
    # the presenter, signed in with the session cookie
    presenter_client = app.test_client()
    make.login(presenter_client, game["presenter_id"])
    presenter = sockets(pin, flask_client=presenter_client)
    ack = presenter.call("host:join", {"pin": pin})
    assert ack["ok"] and ack["state"]["phase"] == "lobby"
    # an admin may host any game
    admin_client = app.test_client()
    admin = make.user("admin")
    make.login(admin_client, admin)
    assert sockets(pin, flask_client=admin_client).call("host:join", {"pin": pin})["ok"]


def test_host_flow_errors(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    assert_error(host.call("host:reveal"), "not_in_question")
    assert_error(host.call("host:kick", {"player_id": "nobody"}), "player_not_found")
    assert host.call("host:start")["ok"]
    assert_error(host.call("host:start"), "already_started")
    assert host.call("host:end")["ok"]
    assert_error(host.call("host:end"), "game_over")
    assert_error(host.call("host:next"), "game_over")


def test_error_messages_follow_the_language(app, make, sockets):
    game = make.game()
    vi = sockets(game["pin"]).call("player:join", {"pin": "999999", "nickname": "Ai đó"})
    assert vi["error"] == "game_not_found"
    en_client = app.test_client()
    en_client.set_cookie("lang", "en")
    en = sockets(game["pin"], flask_client=en_client).call(
        "player:join", {"pin": "999999", "nickname": "Someone"})
    assert en["message"] == "No session has this PIN. Check the number on the screen."
    assert vi["message"] != en["message"]
    # answers are handled without a request context: the language comes from the connection
    answer = {"question": 0, "choice": 0}
    vi_answer = sockets(game["pin"]).call("player:answer", answer)
    en_answer = sockets(game["pin"], flask_client=en_client).call("player:answer", answer)
    assert en_answer["message"] == "Join the session first."
    assert vi_answer["error"] == "not_joined"
    with app.test_request_context("/?lang=vi"):
        assert vi_answer["message"] == str(MESSAGES["not_joined"]) != en_answer["message"]


def test_odd_tokens_are_refused_not_crashing(app, make, sockets, caplog):
    game = make.game()
    with caplog.at_level(logging.ERROR):
        s = sockets(game["pin"], auth={"host_token": "тайна\udcff"})
        assert_error(s.call("host:join", {"pin": game["pin"]}), "forbidden")
        assert_error(s.call("player:resume", {"pin": game["pin"], "token": "x\udcff"}), "invalid_token")
        assert_error(s.call("player:join", {"pin": "١٢٣٤٥٦", "nickname": "Arabic"}), "game_not_found")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_rude_nicknames_and_class_labels_are_refused(app, make, sockets):
    game = make.game()
    s = sockets(game["pin"])
    for rude in ["f.u.c.k", "Đ.ị.t", "dm", "sh1t head"]:
        ack = s.call("player:join", {"pin": game["pin"], "nickname": rude})
        assert_error(ack, "nickname_invalid")
        assert ack["message"] != s.call("player:join", {"pin": game["pin"], "nickname": "x"})["message"]
    assert_error(s.call("player:join", {"pin": game["pin"], "nickname": "Lan", "class_label": "vcl"}),
                 "class_label_invalid")
    assert s.call("player:join", {"pin": game["pin"], "nickname": "Nguyễn Cúc"})["ok"]


def test_a_game_gone_from_under_a_joined_player_gets_a_clear_error(app, make, sockets, caplog,
                                                                  monkeypatch):
    """The answer handler runs without a request context: a game that cannot be found for a
    joined player is ``game_not_found`` (not counted as a PIN guess), never an internal error."""
    from quizapp.realtime.live import Registry

    game = make.game()
    p = join(sockets, game["pin"], "Minh")
    monkeypatch.setattr(Registry, "get", lambda self, pin: None)
    with caplog.at_level(logging.ERROR):
        assert_error(p.call("player:answer", {"question": 0, "choice": 0}), "game_not_found")
        assert_error(p.call("player:help"), "game_not_found")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
