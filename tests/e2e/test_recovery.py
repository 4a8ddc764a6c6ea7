"""Crash recovery and concurrency against real server processes."""
from __future__ import annotations

import asyncio

import pytest
import requests

from tests.support import ServerProcess, quiz_folder

from .players import Bot, connect_all, host, join_all, until

pytestmark = pytest.mark.e2e


@pytest.fixture
def quiz_dir(tmp_path):
    return quiz_folder(tmp_path / "questions", "long", [f"Question {i}" for i in range(3)],
                       time_limit=90, choices=("a", "b", "c", "d"))


def stored_answers(server, headers, pin):
    body = requests.get(f"{server.url}/api/v1/games/{pin}/results", headers=headers, timeout=10).json()
    return body, sum(q["answered"] for q in body["questions"])


def test_sigkill_mid_question_loses_nothing_acknowledged(tmp_path, quiz_dir):
    players, half = 100, 50
    server = ServerProcess(tmp_path / "instance", questions=quiz_dir).start()
    headers = server.token()
    game = server.create_game(headers, quiz="long")

    async def scenario():
        loop = asyncio.get_running_loop()
        bots = [Bot(server.url, game["pin"]) for _ in range(players)]
        await connect_all(bots)
        assert all(a["ok"] for a in await join_all(bots))
        h = await host(server.url, game)
        assert (await h.call("host:start", {}))["ok"]
        await until(lambda: all(b.events.get("question:start") for b in bots))
        # question 0 (correct: 0): the first half answers and is acknowledged
        acks = await asyncio.gather(*(b.answer(0, i % 2) for i, b in enumerate(bots[:half])))
        assert all(a["ok"] for a in acks), acks

        server.proc.kill()  # SIGKILL in the middle of question 0, every phone still connected
        await loop.run_in_executor(None, server.proc.wait)
        for b in bots + [h]:
            await (b.close() if isinstance(b, Bot) else h.disconnect())
        await loop.run_in_executor(None, server.start)

        again = [Bot(server.url, game["pin"]) for _ in range(players)]
        for new, old in zip(again, bots):
            new.token, new.player_id = old.token, old.player_id
        await connect_all(again)
        resumed = await asyncio.gather(*(b.resume() for b in again))
        assert all(r["ok"] for r in resumed), [r for r in resumed if not r["ok"]][:3]
        assert all(r["state"]["phase"] == "question" and r["state"]["index"] == 0 for r in resumed)
        # every acknowledged answer survived, with its points; resending it counts nothing twice
        assert [r["state"]["answered"] for r in resumed[:half]] == [[i % 2] for i in range(half)]
        assert all(r["score"] > 0 for r in resumed[:half:2])  # right answers kept their points
        assert all(r["state"]["answered"] is None for r in resumed[half:])
        repeat = await asyncio.gather(*(b.answer(0, i % 2) for i, b in enumerate(again[:half])))
        assert all(a.get("duplicate") for a in repeat), repeat[:3]
        changed = await asyncio.gather(*(b.answer(0, 3) for b in again[:5]))
        assert all(a["error"] == "already_answered" for a in changed)
        h = await host(server.url, game)
        assert h.state["phase"] == "question" and h.state["answered"] == half
        # the rest answer now; with everyone answered the question closes by itself
        rest = await asyncio.gather(*(b.answer(0, 2) for b in again[half:]))
        assert all(a["ok"] and not a.get("duplicate") for a in rest)
        await until(lambda: all(b.events.get("player:result") for b in again))
        results = [b.events["player:result"][-1] for b in again]
        for b in again + [h]:
            await (b.close() if isinstance(b, Bot) else h.disconnect())
        return resumed, results

    try:
        resumed, results = asyncio.run(scenario())
        body, answered = stored_answers(server, headers, game["pin"])
        assert answered == players
        assert body["questions"][0]["counts"] == [25, 25, 50, 0]
        scores = {p["player_id"]: p["score"] for p in body["players"]}
        for r, result in zip(resumed, results):
            assert scores[r["player_id"]] == result["score"] >= r["score"]
        assert "Traceback" not in server.log()
    finally:
        server.stop()


def test_five_hundred_players_answer_at_once_and_each_counts_once(tmp_path, quiz_dir):
    players = 500
    server = ServerProcess(tmp_path / "instance", questions=quiz_dir).start()
    try:
        headers = server.token()
        game = server.create_game(headers, quiz="long")

        async def play():
            bots = [Bot(server.url, game["pin"]) for _ in range(players)]
            await connect_all(bots, batch=100)
            joined = await join_all(bots, batch=100)
            assert all(a["ok"] for a in joined), [a for a in joined if not a["ok"]][:3]
            h = await host(server.url, game)
            assert (await h.call("host:start", {}))["ok"]
            await until(lambda: all(b.events.get("question:start") for b in bots), timeout=60)
            # every player sends its answer twice at the same moment
            acks = await asyncio.gather(*(b.answer(0, i % 4) for i, b in enumerate(bots)),
                                        *(b.answer(0, i % 4) for i, b in enumerate(bots)))
            await until(lambda: all(b.events.get("player:result") for b in bots), timeout=60)
            reveal = bots[0].events["question:reveal"][-1]
            for b in bots + [h]:
                await (b.close() if isinstance(b, Bot) else h.disconnect())
            return acks, reveal

        acks, reveal = asyncio.run(play())
        assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
        assert sum(1 for a in acks if a.get("duplicate")) == players
        assert reveal["counts"] == [125, 125, 125, 125]
        body, answered = stored_answers(server, headers, game["pin"])
        assert answered == players and body["questions"][0]["counts"] == [125] * 4
        assert "Traceback" not in server.log()
    finally:
        server.stop()
