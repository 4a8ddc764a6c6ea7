"""Several processes behind nginx, on PostgreSQL and Redis: four games at once, then one process
is killed in the middle and its games carry on through the other, losing nothing acknowledged."""
from __future__ import annotations

import asyncio
import json

import psycopg
import pytest
import redis
import requests
import socketio

from tests.support import REDIS

from .conftest import QUESTIONS

GAMES, PLAYERS = 4, 8
pytestmark = pytest.mark.scale


class Phone:
    """A player that reconnects and resumes by itself, and answers every open question."""

    def __init__(self, url, pin, n):
        self.url, self.pin, self.n = url, pin, n
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2,
                                        reconnection_delay_max=1)
        self.token = None
        self.acked: dict[int, int] = {}  # question -> choice, acknowledged
        self.sio.on("connect", self.on_connect)
        self.sio.on("question:start", self.on_question)

    async def start(self):
        await self.sio.connect(f"{self.url}?pin={self.pin}")  # polling, then the upgrade
        ack = await self.sio.call("player:join", {"pin": self.pin, "nickname": f"Phone {self.n}"})
        assert ack["ok"], ack
        self.token = ack["token"]

    async def on_connect(self):
        if self.token:  # a reconnection: resume, and answer the open question if not yet
            asyncio.ensure_future(self.resume())

    async def resume(self):
        for _ in range(40):
            try:
                ack = await self.sio.call("player:resume", {"pin": self.pin, "token": self.token},
                                          timeout=5)
            except Exception:
                await asyncio.sleep(0.25)
                continue
            if ack.get("ok"):
                state = ack["state"]
                if state["phase"] == "question" and state.get("answered") is None:
                    await self.answer(state["index"])
                return
            await asyncio.sleep(0.25)

    async def on_question(self, q):
        asyncio.ensure_future(self.answer(q["index"]))

    async def answer(self, index):
        choice = (self.n + index) % 3
        for _ in range(40):
            try:
                ack = await self.sio.call("player:answer", {"question": index, "choice": choice},
                                          timeout=5)
            except Exception:
                await asyncio.sleep(0.25)
                continue
            if ack.get("ok"):
                self.acked[index] = choice
                return
            if ack.get("error") in ("not_accepting", "already_answered"):
                return
            await asyncio.sleep(0.25)


async def presenter(url, game, done: asyncio.Event, pause: asyncio.Event):
    """Drives a game to the end; polls its state, so it carries on after a failover."""
    sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
    await sio.connect(f"{url}?pin={game['pin']}", auth={"host_token": game["host_token"]})
    started = False
    while not done.is_set():
        await asyncio.sleep(0.3)
        try:
            ack = await sio.call("host:join", {"pin": game["pin"]}, timeout=5)
        except Exception:
            continue
        if not ack.get("ok"):
            continue
        state = ack["state"]
        if state["phase"] == "lobby" and not started:
            started = (await sio.call("host:start", {}, timeout=5)).get("ok", False)
        elif state["phase"] in ("reveal", "leaderboard") and not pause.is_set():
            await sio.call("host:next", {"phase": state["phase"], "index": state["index"]}, timeout=5)
        elif state["phase"] == "over":
            done.set()
    await sio.disconnect()


class QueueWatch:
    """Counts, by event, the messages the processes send each other through Redis."""

    def __init__(self, channel: str):
        self.events: dict[str, int] = {}
        self.pubsub = redis.Redis.from_url(REDIS).pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(**{channel: self._count})
        self.thread = self.pubsub.run_in_thread(sleep_time=0.05, daemon=True)

    def _count(self, message) -> None:
        event = json.loads(message["data"]).get("event")
        self.events[event] = self.events.get(event, 0) + 1

    def stop(self) -> dict[str, int]:
        self.thread.stop()
        self.thread.join(5)
        return self.events


def test_four_games_through_nginx_survive_a_killed_process(cluster, database):
    url, servers, channel = cluster
    watch = QueueWatch(channel)
    token = requests.post(url + "/api/v1/tokens", auth=("admin", "e2e-admin-password"),
                          timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    games = []
    for _ in range(GAMES):
        response = requests.post(url + "/api/v1/games", headers=headers, timeout=10,
                                 json={"quiz": "cluster", "school": "DEMO"})
        assert response.status_code == 201, response.text
        games.append(response.json())

    async def play():
        phones = {g["pin"]: [Phone(url, g["pin"], n) for n in range(PLAYERS)] for g in games}
        for group in phones.values():
            await asyncio.gather(*(p.start() for p in group))
        done = {g["pin"]: asyncio.Event() for g in games}
        pause = asyncio.Event()
        pause.set()  # hold every game on the first reveal until the crash
        drivers = [asyncio.ensure_future(presenter(url, g, done[g["pin"]], pause)) for g in games]
        # wait until every game has revealed question 0, then kill the busier process
        async def revealed():
            while True:
                states = []
                for g in games:
                    r = await asyncio.to_thread(requests.get, f"{url}/api/v1/games/{g['pin']}",
                                                headers=headers, timeout=5)
                    assert r.status_code == 200, (r.status_code, r.text[:300])
                    states.append(r.json()["phase"])
                if all(s == "reveal" for s in states):
                    return
                await asyncio.sleep(0.2)
        await asyncio.wait_for(revealed(), 60)
        counts = [requests.get(f"http://127.0.0.1:{s.port}/healthz", timeout=5).json()["games"]
                  for s in servers]
        victim = servers[0] if counts[0] >= counts[1] else servers[1]
        assert max(counts) >= 1 and sum(counts) == GAMES, counts
        victim.proc.kill()
        victim.proc.wait()
        pause.clear()
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in done.values())), 120)
        for d in drivers:
            await d
        transports = {p.sio.transport() for group in phones.values() for p in group}
        for group in phones.values():
            for p in group:
                await p.sio.disconnect()
        return phones, max(counts), transports

    phones, moved, transports = asyncio.run(play())
    # through nginx, each phone's polling requests and its WebSocket reach the same process,
    # before the kill and after the failover
    assert transports == {"websocket"}
    queued = watch.stop()
    # Game-wide messages go through the queue; a player's own result, sent to a phone connected
    # to the same process, does not (a few may, while a phone reconnects after the kill).
    assert queued.get("question:start", 0) >= GAMES * QUESTIONS, queued
    assert queued.get("player:result", 0) <= PLAYERS, queued
    survivor = next(s for s in servers if s.proc.poll() is None)
    assert requests.get(f"http://127.0.0.1:{survivor.port}/healthz", timeout=5).json()["games"] >= moved

    with psycopg.connect(database) as conn:
        for game in games:
            phase, = conn.execute("SELECT phase FROM game WHERE pin = %s", (game["pin"],)).fetchone()
            assert phase == "over"
            rows = conn.execute(
                "SELECT p.nickname, a.question_index, a.choice FROM answer a "
                "JOIN player p ON p.id = a.player_id JOIN game g ON g.id = a.game_id "
                "WHERE g.pin = %s", (game["pin"],)).fetchall()
            stored = {(nick, index): choice for nick, index, choice in rows}
            assert len(stored) == len(rows)  # one answer per player and question
            for phone in phones[game["pin"]]:
                for index, choice in phone.acked.items():
                    assert stored[(f"Phone {phone.n}", index)] == [choice]
                assert set(phone.acked) == set(range(QUESTIONS)), (phone.n, phone.acked)
    assert "Traceback" not in survivor.log()
