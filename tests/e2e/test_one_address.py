"""A whole school behind one public address, with the server's default settings: 2,000 phones
from 127.0.0.1 join one game, while wrong PINs from that address are held back after 30 a minute
without locking the school out of its own session. Another address is not affected."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest
import requests
import socketio

from tests.support import ServerProcess

from .players import Bot

pytestmark = pytest.mark.e2e
PHONES = 2000
MISSES = 30  # RATELIMIT_PIN_MISSES by default: 30 per minute


async def join_in_waves(bots: list[Bot], first: int, wave: int = 100) -> list[dict]:
    """Phones connect (polling, then the upgrade) and join, ``wave`` at a time."""
    acks = []
    for i in range(0, len(bots), wave):
        group = bots[i:i + wave]
        await asyncio.gather(*(b.connect() for b in group))
        acks += await asyncio.gather(*(b.join(f"Pupil {first + i + j}")
                                       for j, b in enumerate(group)))
    return acks


async def guess(url: str, pins: list[str], address: str = "127.0.0.1") -> list[str]:
    """One phone from ``address`` tries each PIN; the error code of each try."""
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0)))
    sio = socketio.AsyncClient(reconnection=False, http_session=http)
    try:
        await sio.connect(f"{url}?pin={pins[0]}", wait_timeout=20)
        codes = []
        for pin in pins:
            ack = await sio.call("player:join", {"pin": pin, "nickname": "Guesser"}, timeout=20)
            codes.append(ack.get("error", "ok"))
        return codes
    finally:
        await sio.disconnect()
        await http.close()


def test_two_thousand_phones_join_from_one_address_and_guessing_stays_limited(tmp_path):
    server = ServerProcess(tmp_path / "instance").start()  # default limits
    try:
        headers = server.token()
        game, elsewhere = server.create_game(headers), server.create_game(headers)
        wrong = [f"{n:06d}" for n in range(100000, 100000 + MISSES + 1)
                 if f"{n:06d}" not in (game["pin"], elsewhere["pin"])][:MISSES + 1]

        async def school():
            bots = [Bot(server.url, game["pin"]) for _ in range(PHONES)]
            half = PHONES // 2
            try:
                acks = await join_in_waves(bots[:half], 0)
                # a pupil at the same address types PINs at random: the 31st miss is refused, and
                # so is any PIN the address has not used, even a real one
                tries = await guess(server.url, [*wrong, elsewhere["pin"]])
                # the rest of the school still joins its own session
                acks += await join_in_waves(bots[half:], half)
                # another school (another address) is not held back
                other = await guess(server.url, [elsewhere["pin"]], address="127.0.0.2")
                transports = {b.sio.transport() for b in bots}
                return acks, tries, other, transports
            finally:
                await asyncio.gather(*(b.close() for b in bots))

        acks, tries, other, transports = asyncio.run(school())
        refused = [a for a in acks if not a.get("ok")]
        assert not refused, refused[:5]
        assert transports == {"websocket"}
        assert tries == ["game_not_found"] * MISSES + ["rate_limited", "rate_limited"]
        assert other == ["ok"]
        state = requests.get(f"{server.url}/api/v1/games/{game['pin']}", headers=headers,
                             timeout=10).json()
        assert state["players"] == PHONES
        assert "Traceback" not in server.log()
    finally:
        server.stop()
