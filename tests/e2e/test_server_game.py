"""A whole quiz against a real server process: 30 players and a host, each connecting as a browser
does (long-polling, then the upgrade to a WebSocket)."""
from __future__ import annotations

import asyncio

import pytest
import requests
import socketio

from tests.support import MODES

PLAYERS = 30
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("server", MODES, indirect=True)]


def pick(player: int, question: dict):
    """A deterministic answer: each player spreads over the options."""
    n = len(question["choices"])
    if question.get("multiple"):
        return sorted({player % n, (player + 2) % n})
    return player % n


async def play_game(url: str, game: dict) -> dict:
    pin = game["pin"]
    sent: dict[int, dict[int, object]] = {i: {} for i in range(PLAYERS)}
    acks: list[dict] = []
    results: dict[int, list[dict]] = {i: [] for i in range(PLAYERS)}
    finals: dict[int, dict] = {}
    done = asyncio.Event()
    reveals: list[dict] = []

    host = socketio.AsyncClient(reconnection=False)

    @host.on("question:reveal")
    async def on_reveal(data):
        reveals.append(data)
        ack = await host.call("host:next", {})
        assert ack["ok"], ack
        if ack["phase"] == "leaderboard":
            assert (await host.call("host:next", {}))["ok"]

    @host.on("game:over")
    async def on_over(data):
        done.set()

    await host.connect(f"{url}?pin={pin}", auth={"host_token": game["host_token"]})
    state = await host.call("host:join", {"pin": pin})
    assert state["ok"] and state["state"]["phase"] == "lobby"

    clients = []
    for i in range(PLAYERS):
        c = socketio.AsyncClient(reconnection=False)

        def bind(i=i, c=c):
            @c.on("question:start")
            async def on_question(q):
                await asyncio.sleep(q.get("reading_time", 0) + 0.05 * (i % 7))
                choice = pick(i, q)
                ack = await c.call("player:answer", {"question": q["index"], "choice": choice})
                acks.append(ack)
                if ack.get("ok"):
                    sent[i][q["index"]] = choice

            @c.on("player:result")
            async def on_result(r):
                results[i].append(r)

            @c.on("game:over")
            async def on_over(data):
                finals[i] = data

        bind()
        await c.connect(f"{url}?pin={pin}")
        ack = await c.call("player:join", {"pin": pin, "nickname": f"Người chơi {i}"})
        assert ack["ok"], ack
        c.player_id = ack["player_id"]
        clients.append(c)

    assert (await host.call("host:start", {}))["ok"]
    await asyncio.wait_for(done.wait(), timeout=120)
    await asyncio.sleep(0.5)
    transports = [c.transport() for c in clients + [host]]
    for c in clients + [host]:
        await c.disconnect()
    return {"sent": sent, "acks": acks, "results": results, "finals": finals, "reveals": reveals,
            "ids": [c.player_id for c in clients], "transports": transports}


def test_thirty_players_play_a_whole_quiz(server):
    headers = server.token()
    game = server.create_game(headers)
    outcome = asyncio.run(play_game(server.url, game))

    assert all(a["ok"] for a in outcome["acks"]), [a for a in outcome["acks"] if not a["ok"]]
    assert outcome["transports"] == ["websocket"] * (PLAYERS + 1)  # every upgrade succeeded
    assert len(outcome["acks"]) == PLAYERS * 5
    assert len(outcome["reveals"]) == 5 and len(outcome["finals"]) == PLAYERS

    body = requests.get(f"{server.url}/api/v1/games/{game['pin']}/results", headers=headers,
                        timeout=10).json()
    assert len(body["players"]) == PLAYERS
    by_id = {p["player_id"]: p for p in body["players"]}
    for i, player_id in enumerate(outcome["ids"]):
        stored = by_id[player_id]
        assert stored["score"] == sum(r["points"] for r in outcome["results"][i])
        assert stored["score"] == outcome["finals"][i]["score"]
        assert stored["rank"] == outcome["finals"][i]["rank"]
    scores = [p["score"] for p in body["players"]]
    assert scores == sorted(scores, reverse=True) and max(scores) > 0
    for q in body["questions"]:
        expected = [0] * len(q["choices"])
        for choices in outcome["sent"].values():
            picked = choices[q["index"]]
            for c in picked if isinstance(picked, list) else [picked]:
                expected[c] += 1
        assert q["counts"] == expected, q
        assert q["answered"] == PLAYERS
    # the reveal each phone saw agrees with the record
    assert [r["counts"] for r in outcome["reveals"]] == [q["counts"] for q in body["questions"]]
    phase = requests.get(f"{server.url}/api/v1/games/{game['pin']}", headers=headers, timeout=10)
    assert phase.json()["phase"] == "over"
