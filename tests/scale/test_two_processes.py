"""A player whose phone comes back on another process (failover, a new network) while its old
connection is still open on the first: its own messages follow it to the new connection."""
from __future__ import annotations

import secrets
import time

import pytest
import requests
import socketio

from tests.support import REDIS, ServerProcess, start_together

pytestmark = pytest.mark.scale


def test_a_players_result_reaches_its_newest_connection_on_another_process(tmp_path, database,
                                                                             quiz_dir):
    env = {"DATABASE_URL": database, "REDIS_URL": REDIS, "QUIZAPP_ENV": "production",
           "QUIZAPP_SECRET_KEY": secrets.token_urlsafe(48),
           "QUIZAPP_REDIS_CHANNEL": f"test-{secrets.token_hex(4)}"}
    servers = [ServerProcess(tmp_path / f"p{i}", questions=quiz_dir, env=env) for i in (1, 2)]
    clients: list[socketio.Client] = []
    try:
        start_together(servers)
        a, b = servers
        token = requests.post(a.url + "/api/v1/tokens", auth=("admin", "e2e-admin-password"),
                              timeout=10).json()["token"]
        game = requests.post(a.url + "/api/v1/games", headers={"Authorization": f"Bearer {token}"},
                             json={"quiz": "cluster", "school": "DEMO"}, timeout=10).json()
        pin = game["pin"]
        results = {"old": [], "new": []}

        def client(url, **kwargs) -> socketio.Client:
            c = socketio.Client(reconnection=False)
            clients.append(c)
            c.connect(f"{url}?pin={pin}", **kwargs)  # polling, then the upgrade
            return c

        host = client(a.url, auth={"host_token": game["host_token"]})
        assert host.call("host:join", {"pin": pin})["ok"]
        old = client(a.url)
        old.on("player:result", lambda data: results["old"].append(data))
        joined = old.call("player:join", {"pin": pin, "nickname": "Minh"})
        assert joined["ok"], joined
        assert host.call("host:start", {})["ok"]
        new = client(b.url)  # the same phone, now on the other process; the old socket lingers
        new.on("player:result", lambda data: results["new"].append(data))
        assert new.call("player:resume", {"pin": pin, "token": joined["token"]})["ok"]
        time.sleep(0.5)  # the room change travels through Redis
        assert host.call("host:reveal", {})["ok"]
        deadline = time.monotonic() + 5
        while not results["new"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(results["new"]) == 1 and results["new"][0]["index"] == 0, results
        assert results["old"] == []
        for s in servers:
            assert "Traceback" not in s.log()
    finally:
        for c in clients:
            c.disconnect()
        for s in servers:
            s.stop()
