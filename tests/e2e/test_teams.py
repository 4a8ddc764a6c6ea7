"""Teams sharing phones against a real server process: six Socket.IO clients join as teams of
one to six pupils, try to answer during the discussion (refused), answer once it is over, and
the results and the school's record count every pupil."""
from __future__ import annotations

import asyncio
import time

import pytest
import requests
import socketio

from tests.support import ServerProcess, quiz_folder

pytestmark = pytest.mark.e2e

TEAMS = [("Đội Sao Biển", 1), ("Đội Cá Heo", 2), ("Đội Hải Đăng", 3), ("Đội Cầu Vồng", 4),
         ("Đội Tên Lửa", 5), ("Đội Cánh Diều", 6)]
DISCUSSION = 10
QUESTIONS = 2


@pytest.fixture
def team_server(tmp_path):
    questions = quiz_folder(tmp_path / "questions", "teams", ["First?", "Second?"],
                            time_limit=10)
    proc = ServerProcess(tmp_path / "instance", questions=questions).start()
    yield proc
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()


async def play(url: str, game: dict) -> dict:
    pin = game["pin"]
    early: list[dict] = []
    acks: list[tuple[int, float, dict]] = []
    starts: list[dict] = []
    finals: dict[str, dict] = {}
    done = asyncio.Event()

    host = socketio.AsyncClient(reconnection=False)

    @host.on("question:reveal")
    async def on_reveal(data):
        ack = await host.call("host:next", {})
        if ack.get("phase") == "leaderboard":
            await host.call("host:next", {})

    @host.on("game:over")
    async def on_over(data):
        finals["host"] = data
        done.set()

    await host.connect(f"{url}?pin={pin}", auth={"host_token": game["host_token"]})
    assert (await host.call("host:join", {"pin": pin}))["ok"]

    phones = []
    for i, (name, members) in enumerate(TEAMS):
        phone = socketio.AsyncClient(reconnection=False)

        def bind(phone=phone, i=i, name=name):
            @phone.on("question:start")
            async def on_question(q):
                received = time.monotonic()
                starts.append(q)
                # straight away: the discussion is on, the server refuses
                early.append(await phone.call("player:answer",
                                              {"question": q["index"], "choice": i % 3}))
                await asyncio.sleep(q["discussion"] + 0.2 + 0.1 * i)
                ack = await phone.call("player:answer", {"question": q["index"], "choice": i % 3})
                acks.append((q["index"], time.monotonic() - received, ack))

            @phone.on("game:over")
            async def on_over(data):
                finals[name] = data

        bind()
        await phone.connect(f"{url}?pin={pin}")
        ack = await phone.call("player:join", {"pin": pin, "nickname": name, "members": members})
        assert ack["ok"] and ack["members"] == members, ack
        phones.append(phone)
    extra = socketio.AsyncClient(reconnection=False)  # a seventh phone, with seven pupils
    await extra.connect(f"{url}?pin={pin}")
    bad = await extra.call("player:join", {"pin": pin, "nickname": "Đội Thừa", "members": 7})
    await extra.disconnect()
    lobby = await host.call("host:join", {"pin": pin})
    assert (await host.call("host:start", {}))["ok"]
    await asyncio.wait_for(done.wait(), timeout=90)
    for _ in range(100):  # each phone's own game:over follows the host's
        if len(finals) == len(TEAMS) + 1:
            break
        await asyncio.sleep(0.05)
    for c in phones + [host]:
        await c.disconnect()
    return {"early": early, "acks": acks, "starts": starts, "finals": finals, "bad": bad,
            "lobby": lobby["state"]}


def test_six_teams_play_with_a_discussion(team_server):
    server = team_server
    headers = server.token()
    game = server.create_game(headers, quiz="teams", options={
        "team_mode": True, "discussion": DISCUSSION, "time_factor": 1.5})
    outcome = asyncio.run(play(server.url, game))

    assert outcome["lobby"]["count"] == 6 and outcome["lobby"]["pupils"] == 21
    assert sorted((p["nickname"], p["members"]) for p in outcome["lobby"]["players"]) == \
        sorted(TEAMS)
    assert outcome["bad"]["ok"] is False and outcome["bad"]["error"] == "members_invalid"
    starts = outcome["starts"]
    assert len(starts) == 6 * QUESTIONS
    assert all(q["discussion"] == DISCUSSION and q["time_limit"] == 15 for q in starts)
    assert len(outcome["early"]) == 6 * QUESTIONS
    assert all(a["error"] == "not_accepting" for a in outcome["early"]), outcome["early"]
    assert len(outcome["acks"]) == 6 * QUESTIONS
    assert all(ack["ok"] for _, _, ack in outcome["acks"]), outcome["acks"]
    assert all(waited >= DISCUSSION for _, waited, _ in outcome["acks"])
    over = outcome["finals"]["host"]
    assert over["players"] == 6 and over["pupils"] == 21

    body = requests.get(f"{server.url}/api/v1/games/{game['pin']}/results", headers=headers,
                        timeout=10).json()
    assert body["team_mode"] is True and body["pupils"] == 21
    assert {p["nickname"]: p["members"] for p in body["players"]} == dict(TEAMS)
    # the right answer of question i is choice i: teams 0 and 3 (choice 0) got the first
    scores = {p["nickname"]: p["score"] for p in body["players"]}
    assert scores["Đội Sao Biển"] > 0 and scores["Đội Cầu Vồng"] > 0
    assert scores["Đội Hải Đăng"] == 0 and scores["Đội Cánh Diều"] == 0
    for name, _ in TEAMS:
        assert outcome["finals"][name]["score"] == scores[name]

    # the school's record counts the pupils, not the phones
    deadline = time.monotonic() + 10
    while True:
        record = requests.get(f"{server.url}/api/v1/schools/DEMO/records", headers=headers,
                              timeout=10).json()
        if record["participants"] == 21 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert record["participants"] == 21
