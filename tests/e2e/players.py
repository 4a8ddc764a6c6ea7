"""Many python-socketio players against a real server process. They connect as a browser does:
HTTP long-polling first, then the upgrade to a WebSocket (python-socketio's default transports)."""
from __future__ import annotations

import asyncio

import socketio


class Bot:
    """One phone: an asyncio Socket.IO client that remembers its token and what it received."""

    def __init__(self, url: str, pin: str):
        self.url, self.pin = url, pin
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list] = {}
        self.token = self.player_id = None
        for name in ("question:start", "question:reveal", "player:result", "game:over"):
            self.sio.on(name, self._keeper(name))

    def _keeper(self, name):
        async def keep(data):
            self.events.setdefault(name, []).append(data)
        return keep

    async def connect(self):
        await self.sio.connect(f"{self.url}?pin={self.pin}", wait_timeout=20)

    async def join(self, nickname: str) -> dict:
        ack = await self.sio.call("player:join", {"pin": self.pin, "nickname": nickname}, timeout=20)
        if ack.get("ok"):
            self.token, self.player_id = ack["token"], ack["player_id"]
        return ack

    async def resume(self) -> dict:
        return await self.sio.call("player:resume", {"pin": self.pin, "token": self.token}, timeout=20)

    async def answer(self, index: int, choice) -> dict:
        return await self.sio.call("player:answer", {"question": index, "choice": choice}, timeout=20)

    async def close(self):
        if self.sio.connected:
            await self.sio.disconnect()


async def connect_all(bots, batch: int = 50):
    for i in range(0, len(bots), batch):
        await asyncio.gather(*(b.connect() for b in bots[i:i + batch]))


async def join_all(bots, prefix: str = "Player", batch: int = 50):
    acks = []
    for i in range(0, len(bots), batch):
        acks += await asyncio.gather(*(b.join(f"{prefix} {i + j}")
                                       for j, b in enumerate(bots[i:i + batch])))
    return acks


async def host(url: str, game: dict) -> socketio.AsyncClient:
    h = socketio.AsyncClient(reconnection=False)
    await h.connect(f"{url}?pin={game['pin']}", auth={"host_token": game["host_token"]},
                    wait_timeout=20)
    ack = await h.call("host:join", {"pin": game["pin"]}, timeout=20)
    assert ack["ok"], ack
    h.state = ack["state"]
    return h


async def until(predicate, timeout: float = 30):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
