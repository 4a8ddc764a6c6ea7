"""Idle keep-alive connections of the real gevent server (``quizapp/server.py``): a connection
that waits for its next request is closed after QUIZAPP_KEEPALIVE_TIMEOUT; a WebSocket and a
phone on long-polling are not affected, however quiet."""
from __future__ import annotations

import socket
import time

import pytest
import socketio

from tests.support import ServerProcess

pytestmark = pytest.mark.e2e
IDLE = 1.0


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(tmp_path / "instance",
                         env={"QUIZAPP_KEEPALIVE_TIMEOUT": str(IDLE)}).start()
    yield proc
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()


def closed_after(server: ServerProcess, requests: int) -> float | None:
    """Send ``requests`` keep-alive requests on one connection, then wait: seconds until the
    server closed it (None if it stayed open for 4 s)."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(4)
        for _ in range(requests):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
            response = b""
            while b'"status"' not in response:
                response += sock.recv(4096)
        start = time.monotonic()
        try:
            while sock.recv(4096):
                pass
        except TimeoutError:
            return None
        return time.monotonic() - start


def test_an_idle_keepalive_connection_is_closed(server):
    waited = closed_after(server, requests=2)
    assert waited is not None and IDLE * 0.8 < waited < IDLE + 1.5, waited
    # a connection that never sends its first request line is closed too
    assert IDLE * 0.8 < closed_after(server, requests=0) < IDLE + 1.5


def test_quiet_websockets_and_polling_phones_are_not_cut(server):
    game = server.create_game(server.token())
    clients = []
    for transports in (None, ["polling"]):  # the browser's way, and long-polling only
        client = socketio.Client(reconnection=False)
        client.connect(f"{server.url}?pin={game['pin']}", transports=transports, wait_timeout=10)
        clients.append(client)
    time.sleep(IDLE * 3)  # nothing sent: longer than the keep-alive limit, shorter than a ping
    for i, client in enumerate(clients):
        assert client.connected
        assert client.call("player:join", {"pin": game["pin"], "nickname": f"Quiet {i}"},
                           timeout=10)["ok"]
    assert [c.transport() for c in clients] == ["websocket", "polling"]
    for client in clients:
        client.disconnect()
