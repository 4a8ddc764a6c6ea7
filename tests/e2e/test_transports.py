"""How a browser connects, against the real server in both async modes.

A browser's Socket.IO client opens Engine.IO over HTTP long-polling, then upgrades: it opens a
WebSocket with the same session id, sends the probe ``2probe``, gets ``3probe``, and sends ``5``;
the server releases the poll it holds with a no-op (``6``) and from then on everything travels
over the WebSocket. Here that path is taken by hand, frame by frame, and with python-socketio's
client (whose default transports go the same way); long-polling alone, as behind a proxy that
blocks WebSockets, still plays a question; and an undecodable packet gets an error ack on
either transport.
"""
from __future__ import annotations

import json
import threading
import time

import pytest
import requests
import simple_websocket
import socketio

from tests.support import MODES, ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("server", MODES, indirect=True)]


#: A Socket.IO EVENT packet with ack id 9 whose payload is nested too deep for the decoder.
TOO_DEEP = '9["player:answer",' + "[" * 3000 + "]" * 3000 + "]"


class Polling:
    """An Engine.IO session over HTTP long-polling, as a browser opens it."""

    def __init__(self, server: ServerProcess, pin: str):
        self.http = requests.Session()
        self.base = f"{server.url}/socket.io/?EIO=4&pin={pin}&transport=polling"
        opened = self.http.get(self.base, timeout=5)
        assert opened.status_code == 200 and opened.text.startswith("0"), opened.text
        self.handshake = json.loads(opened.text[1:])
        self.sid = self.handshake["sid"]
        self.url = f"{self.base}&sid={self.sid}"

    def send(self, *packets: str) -> requests.Response:
        return self.http.post(self.url, data="\x1e".join(packets), timeout=5)

    def poll(self, timeout: float = 15) -> list[str]:
        response = self.http.get(self.url, timeout=timeout)
        assert response.status_code == 200, response.text
        return response.text.split("\x1e")


class WebSocket:
    """The WebSocket a browser opens to upgrade an Engine.IO session; answers pings."""

    def __init__(self, server: ServerProcess, pin: str, sid: str):
        self.ws = simple_websocket.Client.connect(
            server.url.replace("http", "ws")
            + f"/socket.io/?EIO=4&pin={pin}&transport=websocket&sid={sid}")

    def send(self, packet: str) -> None:
        self.ws.send(packet)

    def next(self, starts: str, timeout: float = 10) -> str:
        """The next packet that starts with ``starts`` (others, pings included, are passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            packet = self.ws.receive(timeout=0.2)
            if packet == "2":
                self.ws.send("3")
            elif packet is not None and packet.startswith(starts):
                return packet
        raise AssertionError(f"no packet starting with {starts!r} in {timeout} s")

    def close(self) -> None:
        self.ws.close()


def ack_of(packet: str, ack_id: int) -> dict:
    """The ack in a Socket.IO ACK packet (inside an Engine.IO MESSAGE)."""
    prefix = f"43{ack_id}"
    assert packet.startswith(prefix), packet
    return json.loads(packet[len(prefix):])[0]


def host(server: ServerProcess, game: dict) -> socketio.Client:
    """The projector's connection, the browser's way (python-socketio's default transports)."""
    client = socketio.Client(reconnection=False)
    client.connect(f"{server.url}?pin={game['pin']}", auth={"host_token": game["host_token"]},
                   wait_timeout=10)
    assert client.call("host:join", {"pin": game["pin"]}, timeout=10)["ok"]
    return client


def test_a_browser_connection_upgrades_from_polling_to_websocket(server):
    game = server.create_game(server.token())
    pin = game["pin"]
    polling = Polling(server, pin)
    assert polling.handshake["upgrades"] == ["websocket"]
    assert polling.send("40").text == "OK"  # the default namespace
    assert polling.poll()[0].startswith("40{")

    # the browser keeps a poll open while it probes the WebSocket
    held: dict = {}
    waiting = threading.Thread(target=lambda: held.update(packets=polling.poll()))
    waiting.start()
    time.sleep(0.3)
    ws = WebSocket(server, pin, polling.sid)
    ws.send("2probe")
    assert ws.next("3") == "3probe"
    waiting.join(10)
    assert held["packets"] == ["6"]  # the held poll is released with a no-op
    ws.send("5")  # upgrade: from now on, the WebSocket only

    ws.send('420["player:join",{"pin":"%s","nickname":"Ana"}]' % pin)
    joined = ack_of(ws.next("430"), 0)
    assert joined["ok"] and joined["nickname"] == "Ana"
    ws.send("42" + TOO_DEEP)
    refused = ack_of(ws.next("439"), 9)
    assert refused["ok"] is False and refused["error"] == "bad_request" and refused["message"]

    presenter = host(server, game)
    assert presenter.transport() == "websocket"
    assert presenter.call("host:start", {}, timeout=10)["ok"]
    question = json.loads(ws.next('42["question:start"')[2:])[1]
    assert question["index"] == 0 and "correct" not in question
    ws.send('421["player:answer",{"question":0,"choice":2}]')
    assert ack_of(ws.next("431"), 1)["ok"]

    # polling is over for this session: a request on it is refused
    late = polling.http.get(polling.url, timeout=5)
    assert late.status_code == 400
    presenter.disconnect()
    ws.close()


def test_python_socketio_clients_end_on_websocket_and_polling_alone_still_plays(server):
    """Behind a proxy that blocks WebSockets, a phone stays on long-polling and still plays."""
    game = server.create_game(server.token())
    pin = game["pin"]
    browser_like = socketio.Client(reconnection=False)
    browser_like.connect(f"{server.url}?pin={pin}", wait_timeout=10)
    polling_only = socketio.Client(reconnection=False)
    polling_only.connect(f"{server.url}?pin={pin}", transports=["polling"], wait_timeout=10)
    questions: list[dict] = []
    polling_only.on("question:start", questions.append)
    for client, name in ((browser_like, "Bình"), (polling_only, "Chi")):
        assert client.call("player:join", {"pin": pin, "nickname": name}, timeout=10)["ok"]
    presenter = host(server, game)
    assert presenter.call("host:start", {}, timeout=10)["ok"]
    deadline = time.monotonic() + 10
    while not questions and time.monotonic() < deadline:
        time.sleep(0.05)
    assert questions and questions[0]["index"] == 0
    for client in (browser_like, polling_only):
        ack = client.call("player:answer", {"question": 0, "choice": 2}, timeout=10)
        assert ack["ok"], ack
    assert browser_like.transport() == "websocket"
    assert polling_only.transport() == "polling"
    for client in (browser_like, polling_only, presenter):
        client.disconnect()


def test_an_undecodable_packet_over_polling_gets_an_error_ack(server):
    game = server.create_game(server.token())
    polling = Polling(server, game["pin"])
    polling.send("40")
    assert polling.poll()[0].startswith("40{")
    sent = polling.send("42" + TOO_DEEP, '421["player:answer",{"question":0,"choice":0}]')
    assert sent.text == "OK"
    packets = []
    deadline = time.monotonic() + 10
    while len(packets) < 2 and time.monotonic() < deadline:
        packets += [p for p in polling.poll() if p.startswith("43")]
    acks = {p[2]: json.loads(p[3:])[0] for p in packets}
    assert acks["9"]["error"] == "bad_request" and acks["9"]["message"]
    assert acks["1"]["error"] == "not_joined"  # the session goes on after the bad packet
