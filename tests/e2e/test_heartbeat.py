"""The Engine.IO heartbeat of the real gevent server (pings run from timers there, see
``quizapp/realtime/pings.py``): a phone that answers stays connected, a silent one is dropped."""
from __future__ import annotations

import json
import time

import simple_websocket

from tests.support import ServerProcess


def open_socket(server: ServerProcess) -> simple_websocket.Client:
    """A raw Engine.IO WebSocket, connected to the default Socket.IO namespace."""
    ws = simple_websocket.Client.connect(
        server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket")
    opened = ws.receive(timeout=5)
    assert opened.startswith("0"), opened
    ws.send("40")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        # simple-websocket's client holds back frames that came with the handshake until the
        # next one arrives, so a ping may come before the namespace's answer
        message = ws.receive(timeout=5)
        if message == "2":
            ws.send("3")
        elif message and message.startswith("40"):
            return ws
    raise AssertionError("the server did not answer the namespace connect")


def test_pings_keep_answering_phones_and_drop_silent_ones(tmp_path):
    server = ServerProcess(tmp_path / "instance", env={"QUIZAPP_PING_INTERVAL": "1",
                                                       "QUIZAPP_PING_TIMEOUT": "1"}).start()
    try:
        handshake = simple_websocket.Client.connect(
            server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket")
        settings = json.loads(handshake.receive(timeout=5)[1:])
        handshake.close()
        assert settings["pingInterval"] == 1000 and settings["pingTimeout"] == 1000

        answering, silent = open_socket(server), open_socket(server)
        pings, silent_pings, silent_closed_after = 0, 0, None
        start = time.monotonic()
        while time.monotonic() - start < 7:
            message = answering.receive(timeout=0.05)
            if message == "2":
                pings += 1
                answering.send("3")
            if silent_closed_after is None:
                try:
                    if silent.receive(timeout=0.05) == "2":
                        silent_pings += 1
                except simple_websocket.ConnectionClosed:
                    silent_closed_after = time.monotonic() - start
        assert pings >= 5, pings  # a ping about every second, each after the previous pong
        assert answering.connected
        assert silent_pings == 1  # no pong, so no second ping
        assert silent_closed_after is not None and silent_closed_after < 6, silent_closed_after
        answering.close()
        assert "Traceback" not in server.log()
    finally:
        server.stop()
