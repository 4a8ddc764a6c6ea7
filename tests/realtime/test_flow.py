"""A whole game over Socket.IO test clients: a host and several players."""
from __future__ import annotations

import time

from quizapp.extensions import db
from quizapp.models import Answer, Player


def join(sockets, pin, nickname, **extra):
    s = sockets(pin)
    ack = s.call("player:join", {"pin": pin, "nickname": nickname, **extra})
    assert ack["ok"], ack
    s.player_id = ack["player_id"]
    s.token = ack["token"]
    return s


def host_for(sockets, game):
    h = sockets(game["pin"], auth={"host_token": game["host_token"]})
    ack = h.call("host:join", {"pin": game["pin"]})
    assert ack["ok"], ack
    return h, ack["state"]


def wait_for(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_full_game(app, make, sockets, client):
    game = make.game()
    pin = game["pin"]
    host, state = host_for(sockets, game)
    assert state["phase"] == "lobby" and state["count"] == 0
    players = [join(sockets, pin, name, class_label="8A") for name in ("An", "Bình", "Chi")]
    lobby = wait_for(lambda: [m for m in host.received("lobby:update") if m["count"] == 3])
    assert [p["nickname"] for p in lobby[-1]["players"]] == ["An", "Bình", "Chi"]

    assert host.call("host:start")["ok"]
    for s in players + [host]:
        q = s.received("question:start")[-1]
        assert q["index"] == 0 and q["total"] == 5 and q["type"] == "single"
        assert "correct" not in q and "explanation" not in q

    # question 0 (correct: 2): An right fast, Bình right, Chi wrong; all answered -> auto reveal
    assert players[0].call("player:answer", {"question": 0, "choice": 2}) == {
        "ok": True, "question": 0, "choice": [2]}
    assert players[1].call("player:answer", {"question": 0, "choice": 2})["ok"]
    assert players[2].call("player:answer", {"question": 0, "choice": 1})["ok"]
    reveal = wait_for(lambda: players[2].received("question:reveal"))[-1]
    assert reveal["correct"] == [2] and reveal["counts"] == [0, 1, 2, 0]
    assert reveal["explanation"] == "Two is correct."
    results = [wait_for(lambda: p.received("player:result"))[-1] for p in players]
    assert [r["correct"] for r in results] == [True, True, False]
    assert results[0]["points"] >= results[1]["points"] > 0 and results[2]["points"] == 0
    assert results[0]["rank"] == 1 and results[2]["rank"] == 3

    # leaderboard after every question by default
    assert host.call("host:next")["phase"] == "leaderboard"
    top = host.received("leaderboard")[-1]["top"]
    assert [t["nickname"] for t in top][:1] == ["An"]
    assert host.call("host:next")["phase"] == "question"

    # question 1 (true/false, correct 1): only An answers, the presenter reveals
    assert players[0].call("player:answer", {"question": 1, "choice": 1})["ok"]
    assert host.call("host:reveal")["ok"]
    r1 = players[1].received("player:result")[-1]
    assert r1["answered"] is False and r1["points"] == 0 and r1["streak"] == 0
    assert players[0].received("player:result")[-1]["streak"] == 2

    host.call("host:next"), host.call("host:next")
    # question 2 multiple (0 and 2)
    assert players[0].call("player:answer", {"question": 2, "choice": [0, 2]})["ok"]
    assert players[1].call("player:answer", {"question": 2, "choice": [0]})["ok"]
    assert players[2].call("player:answer", {"question": 2, "choice": [2, 0]})["ok"]
    r = [wait_for(lambda: [x for x in p.received("player:result") if x["index"] == 2])[-1]
         for p in players]
    assert [x["correct"] for x in r] == [True, False, True]

    host.call("host:next"), host.call("host:next")
    # question 3 poll: scores nothing
    scores = [x["score"] for x in r]
    for p in players:
        assert p.call("player:answer", {"question": 3, "choice": 0})["ok"]
    r = [wait_for(lambda: [x for x in p.received("player:result") if x["index"] == 3])[-1]
         for p in players]
    assert [x["score"] for x in r] == scores and all(x["poll"] for x in r)

    assert host.call("host:end")["ok"]
    over = players[0].received("game:over")[-1]
    assert over["rank"] == 1 and over["podium"][0]["nickname"] == "An"
    assert host.received("game:over")[-1]["podium"] == over["podium"]
    join_late = sockets(pin).call("player:join", {"pin": pin, "nickname": "Late"})
    assert join_late["error"] == "game_over"

    # everything is in the database and in the results API
    with app.app_context():
        assert db.session.query(Answer).count() == 3 + 1 + 3 + 3
        stored = {p.nickname: p.score for p in db.session.query(Player)}
    assert stored["An"] == over["score"]
    make.login(client, game["presenter_id"])
    body = client.get(f"/api/v1/games/{pin}/results").get_json()
    assert [p["nickname"] for p in body["players"]] == ["An", "Chi", "Bình"] or \
        [p["nickname"] for p in body["players"]][0] == "An"
    assert {p["nickname"]: p["score"] for p in body["players"]} == stored
    assert body["questions"][0]["counts"] == [0, 1, 2, 0]
    assert body["questions"][0]["correct"] == [2]
    page = client.get(f"/host/{pin}/results")
    assert page.status_code == 200 and "Bình".encode() in page.data


def test_question_closes_when_time_is_up(app, make, sockets, tmp_path):
    make.quiz_file(tmp_path / "questions", "fast", [
        {"type": "single", "text": "quick?", "choices": ["a", "b"], "correct": [0],
         "time_limit": 5, "explanation": "a"}])
    game = make.game(quiz="fast")
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Slow")
    host.call("host:start")
    started = time.monotonic()
    reveal = wait_for(lambda: p.received("question:reveal"), timeout=9)
    took = time.monotonic() - started
    assert 5.5 < took < 8, took
    assert reveal[-1]["counts"] == [0, 0]
    late = p.call("player:answer", {"question": 0, "choice": 0})
    assert late["ok"] is False and late["error"] == "not_accepting"
    result = p.received("player:result")[-1]
    assert result["answered"] is False


def test_host_updates_are_coalesced_and_only_for_the_host(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    players = [join(sockets, game["pin"], f"Player {i}") for i in range(25)]
    wait_for(lambda: any(m["count"] == 25 for m in host.received("lobby:update")))
    assert len(host.received("lobby:update")) < 12
    assert all(not p.received("lobby:update") for p in players)
    host.call("host:start")
    for p in players[:20]:
        assert p.call("player:answer", {"question": 0, "choice": 1})["ok"]
    progress = wait_for(lambda: [m for m in host.received("question:progress")
                                 if m["answered"] == 20])
    assert len(host.received("question:progress")) < 12
    assert progress[-1]["players"] == 25
    assert all(not p.received("question:progress") for p in players)


def _keys(value) -> set:
    """Every mapping key anywhere inside ``value``."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_correct_answer_never_reaches_a_phone_before_the_reveal(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Curious")
    other = join(sockets, game["pin"], "Other")
    host.call("host:start")
    for index in range(5):
        q = p.received("question:start")[-1]
        assert q["index"] == index
        state = p.call("player:resume", {"pin": game["pin"], "token": p.token})["state"]
        before_reveal = [m for m in p.inner.get_received()] + [{"name": "ack", "args": [state]}]
        assert before_reveal, "the question reached the phone"
        for message in before_reveal:
            assert message["name"] not in ("question:reveal", "player:result")
            assert not _keys(message["args"]) & {"correct", "explanation"}, message
        if q["type"] == "chat":
            assert q["chat"][0]["text"] == "Hi, send me your photo <b>now</b>"
            assert q["reading_time"] > 0
        host.call("host:reveal")
        assert p.inner.get_received()[0]["name"] == "question:reveal"
        phase = host.call("host:next")["phase"]
        if phase == "over":
            break
        if phase == "leaderboard":
            host.call("host:next")
        p.seen.clear()
    assert other.received("game:over")


def test_late_join_plays_from_the_current_question(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    join(sockets, game["pin"], "Early")
    host.call("host:start")
    late = sockets(game["pin"])
    ack = late.call("player:join", {"pin": game["pin"], "nickname": "Late"})
    assert ack["ok"] and ack["state"]["phase"] == "question"
    assert ack["state"]["question"]["index"] == 0 and ack["state"]["answered"] is None
    assert late.call("player:answer", {"question": 0, "choice": 2})["ok"]


def test_late_join_can_be_turned_off(app, make, sockets):
    game = make.game(late_join=False)
    host, _ = host_for(sockets, game)
    join(sockets, game["pin"], "Early")
    host.call("host:start")
    ack = sockets(game["pin"]).call("player:join", {"pin": game["pin"], "nickname": "Late"})
    assert ack["error"] == "late_join_closed"


def test_resume_keeps_score_and_answer(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Phone")
    join(sockets, game["pin"], "Other")
    host.call("host:start")
    assert p.call("player:answer", {"question": 0, "choice": 2})["ok"]
    p.disconnect()
    again = sockets(game["pin"])
    ack = again.call("player:resume", {"pin": game["pin"], "token": p.token})
    assert ack["ok"] and ack["nickname"] == "Phone" and ack["state"]["answered"] == [2]
    dup = again.call("player:answer", {"question": 0, "choice": 2})
    assert dup == {"ok": True, "question": 0, "choice": [2], "duplicate": True}
    host.call("host:reveal")
    result = again.received("player:result")[-1]
    assert result["correct"] and result["score"] > 0
    assert again.call("player:resume", {"pin": game["pin"], "token": p.token})["score"] == \
        result["score"]


def test_kick(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Rude")
    ack = host.call("host:kick", {"player_id": p.player_id})
    assert ack == {"ok": True, "player_id": p.player_id, "banned": False}
    assert p.received("player:kicked") == [{"banned": False}]
    assert p.call("player:resume", {"pin": game["pin"], "token": p.token})["error"] == "invalid_token"
    assert host.call("host:kick", {"player_id": p.player_id})["error"] == "player_not_found"
    again = sockets(game["pin"]).call("player:join", {"pin": game["pin"], "nickname": "Rude"})
    assert again["ok"]


def test_resume_state_in_every_phase(app, make, sockets):
    game = make.game()
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    p = join(sockets, pin, "Again")
    join(sockets, pin, "Other")

    def state():
        return p.call("player:resume", {"pin": pin, "token": p.token})["state"]

    host.call("host:start")
    q = state()["question"]
    assert q["time_left"] <= q["time_limit"] and q["reading_left"] == 0
    p.call("player:answer", {"question": 0, "choice": 2})
    host.call("host:reveal")
    s = state()
    assert s["phase"] == "reveal" and s["result"]["correct"] and s["result"]["rank"] == 1
    assert s["reveal"]["correct"] == [2]
    host.call("host:next")
    s = state()
    assert s["phase"] == "leaderboard" and s["leaderboard"]["top"][0]["nickname"] == "Again"
    host.call("host:end")
    s = state()
    assert s["phase"] == "over" and s["rank"] == 1 and s["players"] == 2


def test_kicked_player_gets_no_more_game_messages(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Gone")
    join(sockets, game["pin"], "Stays")
    host.call("host:kick", {"player_id": p.player_id})
    p.clear()
    host.call("host:start")
    assert p.received() == []


def test_next_names_the_screen_so_a_late_press_skips_nothing(app, make, sockets):
    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Only")
    host.call("host:start")
    # the only player answers: the question closes by itself while the presenter presses next
    assert p.call("player:answer", {"question": 0, "choice": 2})["ok"]
    wait_for(lambda: host.received("question:reveal"))
    stale = host.call("host:next", {"phase": "question", "index": 0})
    assert stale == {"ok": True, "moved": False, "phase": "reveal", "index": 0}
    moved = host.call("host:next", {"phase": "reveal", "index": 0})
    assert moved["moved"] and moved["phase"] == "leaderboard"
    assert host.call("host:next", {"phase": "reveal"})["error"] == "bad_request"


def test_the_same_join_twice_on_one_connection_is_one_player(app, make, sockets):
    game = make.game()
    s = sockets(game["pin"])
    first = s.call("player:join", {"pin": game["pin"], "nickname": "Twice"})
    again = s.call("player:join", {"pin": game["pin"], "nickname": "twice"})
    assert again["ok"] and again["player_id"] == first["player_id"]
    assert s.call("player:resume", {"pin": game["pin"], "token": again["token"]})["ok"]
    assert s.call("player:resume", {"pin": game["pin"], "token": first["token"]})["error"] == "invalid_token"
    other = s.call("player:join", {"pin": game["pin"], "nickname": "Someone Else"})
    assert other["error"] == "already_joined"


def test_a_failed_write_leaves_the_game_as_it_was(app, make, sockets, monkeypatch, caplog):
    from quizapp.realtime.live import LiveGame, live_games

    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Solo")
    host.call("host:start")
    live = live_games(app).get(game["pin"])
    real = LiveGame._save_phase

    def broken(self, opened=False):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(LiveGame, "_save_phase", broken)
    p.clear()
    ack = p.call("player:answer", {"question": 0, "choice": 2})
    assert ack["ok"]  # the answer itself was stored
    wait_for(lambda: any("reveal after the last answer failed" in r.getMessage()
                         for r in caplog.records))
    assert live.engine.phase.value == "question"  # the reveal did not happen in memory either
    assert p.received("question:reveal") == []
    assert host.call("host:reveal")["error"] == "internal_error"
    assert live.engine.phase.value == "question"
    monkeypatch.setattr(LiveGame, "_save_phase", real)
    assert host.call("host:reveal")["ok"]
    assert p.received("question:reveal")[-1]["counts"] == [0, 0, 1, 0]


def test_rebuilt_game_agrees_with_the_one_in_memory(app, make, sockets):
    from quizapp.realtime.live import LiveGame, live_games
    from quizapp.models import Game as GameRow

    game = make.game()
    host, _ = host_for(sockets, game)
    a = join(sockets, game["pin"], "Answers")
    b = join(sockets, game["pin"], "Silent")
    host.call("host:start")
    a.call("player:answer", {"question": 0, "choice": 2})
    b.call("player:answer", {"question": 0, "choice": 2})
    wait_for(lambda: host.received("question:reveal"))
    host.call("host:next"), host.call("host:next")
    a.call("player:answer", {"question": 1, "choice": 1})
    host.call("host:reveal")  # b did not answer: its streak is reset
    live = live_games(app).get(game["pin"])
    with app.app_context():
        rebuilt = LiveGame.from_row(app, db.session.query(GameRow).filter_by(pin=game["pin"]).one())
    for pid, player in live.engine.players.items():
        again = rebuilt.engine.players[pid]
        assert (again.score, again.streak) == (player.score, player.streak)
        assert {i: (x.points, x.streak) for i, x in again.answers.items()} == \
            {i: (x.points, x.streak) for i, x in player.answers.items()}
    assert rebuilt.engine.phase == live.engine.phase and rebuilt.engine.index == 1
    assert rebuilt.engine.counts == live.engine.counts


def test_a_stale_copy_of_a_game_withdraws(app, make, sockets):
    """Another process took the game over (its copy changed the phase): this process's next
    change matches no row, it drops its copy and the next request rebuilds from the database."""
    from quizapp.models import Game as GameRow
    from quizapp.realtime.live import LiveGame, live_games

    game = make.game()
    host, _ = host_for(sockets, game)
    join(sockets, game["pin"], "Player")
    stale = live_games(app).get(game["pin"])
    with app.app_context():
        other = LiveGame.from_row(app, db.session.query(GameRow).filter_by(pin=game["pin"]).one())
        other.start()  # the other process starts the game
    ack = host.call("host:start")
    assert ack["error"] == "game_moved"
    assert stale.engine.phase.value == "lobby"  # the stale copy changed nothing
    with app.app_context():
        assert live_games(app).get(game["pin"]) is not stale
    state = host.call("host:join", {"pin": game["pin"]})["state"]
    assert state["phase"] == "question" and state["index"] == 0
    assert host.call("host:reveal")["ok"]
