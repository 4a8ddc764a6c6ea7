"""Help requests reach only the presenter's console; bans keep a phone out of one game."""
from __future__ import annotations

from quizapp.extensions import db
from quizapp.models import HelpRequest

from .test_flow import host_for, join


def console_for(sockets, game):
    c = sockets(game["pin"], auth={"host_token": game["host_token"]})
    ack = c.call("host:join", {"pin": game["pin"], "console": True})
    assert ack["ok"], ack
    return c, ack["state"]


def test_help_request_goes_to_the_console_only(app, make, sockets):
    game = make.game()
    projector, _ = host_for(sockets, game)
    console, state = console_for(sockets, game)
    assert state["help"] == []
    student = join(sockets, game["pin"], "Worried", class_label="7B")
    classmate = join(sockets, game["pin"], "Classmate")
    projector.clear(), classmate.clear()

    ack = student.call("player:help")
    assert ack["ok"] and isinstance(ack["id"], int)
    again = student.call("player:help", {})
    assert again == {"ok": True, "id": ack["id"], "duplicate": True}

    request = console.received("help:request")
    assert len(request) == 1
    assert request[0]["nickname"] == "Worried" and request[0]["class_label"] == "7B"
    assert request[0]["handled"] is False
    assert projector.received("help:request") == [] and classmate.received() == []
    assert not [m for m in projector.received() if "Worried" in str(m)]

    # a console that reloads gets the open requests back
    _, reloaded = console_for(sockets, game)
    assert [h["id"] for h in reloaded["help"]] == [ack["id"]]

    done = console.call("host:help_done", {"id": ack["id"]})
    assert done["ok"] and done["help"]["handled"] is True
    assert student.received("help:handled") == [{"id": ack["id"]}]
    assert console.received("help:update")[-1]["handled"] is True
    with app.app_context():
        stored = db.session.query(HelpRequest).one()
        assert stored.handled_at is not None and stored.player.nickname == "Worried"
    # after it is handled, a new press is a new request
    assert student.call("player:help")["id"] != ack["id"]


def test_help_needs_a_player_and_done_needs_the_presenter(app, make, sockets):
    game = make.game()
    stranger = sockets(game["pin"])
    assert stranger.call("player:help")["error"] == "not_joined"
    student = join(sockets, game["pin"], "Asks")
    request_id = student.call("player:help")["id"]
    assert student.call("host:help_done", {"id": request_id, "pin": game["pin"]})["error"] == "forbidden"
    console, _ = console_for(sockets, game)
    for bad in [{"id": "1"}, {"id": None}, {"id": 10**9}, {}]:
        assert console.call("host:help_done", bad)["error"] == "help_not_found"
    other = make.game()
    other_console, _ = console_for(sockets, other)
    assert other_console.call("host:help_done", {"id": request_id})["error"] == "help_not_found"


def test_help_requests_are_kept_on_the_results_page(app, make, sockets, client):
    game = make.game()
    student = join(sockets, game["pin"], "Needs Help")
    student.call("player:help")
    make.login(client, game["presenter_id"])
    page = client.get(f"/host/{game['pin']}/results").data.decode()
    assert "Needs Help" in page and 'id="help-requests"' in page


def test_kick_then_rejoin_under_another_name_but_not_when_banned(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    phone = sockets(game["pin"])
    first = phone.call("player:join", {"pin": game["pin"], "nickname": "Rude", "device": "phone-1"})
    host.call("host:kick", {"player_id": first["player_id"]})
    second = phone.call("player:join", {"pin": game["pin"], "nickname": "Polite", "device": "phone-1"})
    assert second["ok"]
    phone.clear()
    assert host.call("host:kick", {"player_id": second["player_id"], "ban": True})["banned"] is True
    assert phone.received("player:kicked") == [{"banned": True}]
    # banned: not on this connection, nor on a new one from the same phone, under any name
    assert phone.call("player:join", {"pin": game["pin"], "nickname": "Other"})["error"] == "banned"
    fresh = sockets(game["pin"])
    assert fresh.call("player:join", {"pin": game["pin"], "nickname": "Sneaky",
                                      "device": "phone-1"})["error"] == "banned"
    # other phones still join; and the ban is for this game only
    assert sockets(game["pin"]).call("player:join", {"pin": game["pin"], "nickname": "Fine",
                                                     "device": "phone-2"})["ok"]
    other = make.game()
    assert sockets(other["pin"]).call("player:join", {"pin": other["pin"], "nickname": "Rude",
                                                      "device": "phone-1"})["ok"]
    assert host.call("host:kick", {"player_id": "x", "ban": "yes"})["error"] == "bad_request"
