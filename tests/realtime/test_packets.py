"""How the server reads packets (``quizapp/realtime/packets.py``): Socket.IO packets never raise,
and Engine.IO keeps the decoding its WebSocket upgrade relies on. If python-socketio or
python-engineio change how they decode, these fail first."""
from __future__ import annotations

import pytest
from engineio import packet as eio_packet
from socketio import packet

from quizapp.extensions import socketio
from quizapp.realtime.packets import BAD_PAYLOAD, EngineIOJSON, SocketIOPacket


def test_the_server_uses_these_decoders(app):
    assert socketio.server.packet_class is SocketIOPacket
    assert eio_packet.Packet.json is EngineIOJSON
    # Engine.IO's packets are not decoded by the forgiving Socket.IO decoder
    assert eio_packet.Packet.json is not SocketIOPacket.json


@pytest.mark.parametrize("encoded, kind, data", [
    ("2probe", eio_packet.PING, "probe"),  # the client's upgrade probe
    ("3probe", eio_packet.PONG, "probe"),
    ("5", eio_packet.UPGRADE, ""),
    ("4" + "[" * 5000, eio_packet.MESSAGE, "[" * 5000),  # nested too deep: kept as text
    ('42["player:join",{}]', eio_packet.MESSAGE, '2["player:join",{}]'),
])
def test_engineio_packets_read_text_that_is_not_json_as_text(app, encoded, kind, data):
    pkt = eio_packet.Packet(encoded_packet=encoded)
    assert (pkt.packet_type, pkt.data) == (kind, data)


@pytest.mark.parametrize("encoded, kind, ack_id, data", [
    ('21["player:answer",{"question":0}]', packet.EVENT, 1, ["player:answer", {"question": 0}]),
    ("0", packet.CONNECT, None, None),
    ('0{"host_token":"x"}', packet.CONNECT, None, {"host_token": "x"}),
    ("1", packet.DISCONNECT, None, None),
    ("37[1]", packet.ACK, 7, [1]),
])
def test_readable_socketio_packets_are_read_as_python_socketio_reads_them(encoded, kind, ack_id,
                                                                           data):
    ours, theirs = SocketIOPacket(encoded_packet=encoded), packet.Packet(encoded_packet=encoded)
    assert (ours.packet_type, ours.id, ours.data) == (kind, ack_id, data)
    assert (theirs.packet_type, theirs.id, theirs.data) == (kind, ack_id, data)


@pytest.mark.parametrize("encoded, ack_id", [
    ("21" + "[" * 3000 + "]" * 3000, 1),  # RecursionError in the stock decoder
    ('23["player:answer",{"question":' + "9" * 5000 + "}]", 3),  # ValueError: int too long
    ("2" + "1" * 101 + "[]", None),  # ValueError: id field is too long
    ("21{}", 1), ("21[]", 1), ("21[7]", 1), ("2", None),  # not an event: no name
    ("", None), ("z", None), ("9[]", None),
    ('51-2["x",{"_placeholder":true,"num":0}]', 2),  # binary: not taken from clients
    ('42["x"]', 2),  # CONNECT_ERROR comes from servers only
    (b"\x00\x01", None),  # a binary Engine.IO message on its own
])
def test_unreadable_socketio_packets_become_bad_payload_with_their_ack_id(encoded, ack_id):
    pkt = SocketIOPacket(encoded_packet=encoded)
    assert (pkt.packet_type, pkt.id, pkt.data) == (packet.EVENT, ack_id, [BAD_PAYLOAD])
    assert pkt.attachment_count == 0


def test_the_stock_decoder_still_raises_where_ours_does_not():
    """What ``SocketIOPacket`` is for: if python-socketio stops raising here, it may go."""
    with pytest.raises(RecursionError):
        packet.Packet(encoded_packet="21" + "[" * 3000 + "]" * 3000)
    with pytest.raises(ValueError):
        packet.Packet(encoded_packet="2" + "1" * 101 + "[]")
