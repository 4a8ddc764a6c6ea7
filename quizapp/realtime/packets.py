"""How the server reads packets: python-socketio's and python-engineio's decoders, made to
refuse what they cannot read instead of raising.

Replaces:

- ``socketio.packet.Packet``, given to the Socket.IO server as its ``serializer``
  (``SocketIOPacket``). python-socketio's decoder raises on a payload nested about a thousand
  deep (``RecursionError``), an integer of over 100 digits, an ack id that is too long or a
  header that is not one (``ValueError``), and its server raises on an event whose payload is not
  a list; each of those reached the log as a traceback and the sender heard nothing. Here such a
  packet becomes the event ``bad_payload``, keeping its ack id when it has one, so the sender
  gets an error ack (and a packet with no id is dropped quietly).
- the ``json`` module of ``engineio.packet.Packet`` (``EngineIOJSON``, set by ``install``):
  Engine.IO's decoder takes a ``ValueError`` from ``json.loads`` to mean "plain text", but not a
  ``RecursionError``.

Socket.IO and Engine.IO must not share one decoder (the ``json`` option of ``SocketIO`` sets
both). Engine.IO relies on ``json.loads`` raising for text that is not JSON — the ``probe`` of
every WebSocket upgrade above all: when Engine.IO was handed the forgiving Socket.IO decoder,
the probe was not recognised, every upgrade failed and every browser stayed on long-polling.
"""
from __future__ import annotations

import json

from engineio import packet as eio_packet
from socketio import packet

#: The event an unreadable packet becomes (the realtime handlers answer it with an error ack).
BAD_PAYLOAD = "bad_payload"

#: Packet types a client may send; the rest (binary events, connect errors) are not read.
FROM_CLIENTS = (packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK)


class PayloadJSON:
    """``json`` whose ``loads`` turns an undecodable Socket.IO payload into ``[BAD_PAYLOAD]``."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text, *args, **kwargs):
        try:
            return json.loads(text, *args, **kwargs)
        except (ValueError, RecursionError):
            return [BAD_PAYLOAD]


class SocketIOPacket(packet.Packet):
    """python-socketio's packet, whose decoding never raises: what cannot be read is the event
    ``bad_payload`` (with the packet's ack id, if that much could be read)."""

    json = PayloadJSON

    def __init__(self, *args, encoded_packet=None, **kwargs):
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)
        if encoded_packet is not None and len(encoded_packet) == 0:
            self._unreadable()  # an empty packet (Engine.IO's "4"): the base skips decoding

    def decode(self, encoded_packet) -> int:
        try:
            attachments = super().decode(encoded_packet)
        except (ValueError, TypeError, IndexError):
            self.id = None  # the header itself is unreadable: nobody to answer
            return self._unreadable()
        if self.packet_type == packet.EVENT:
            data = self.data
            if isinstance(data, list) and data and isinstance(data[0], str):
                return attachments
            return self._unreadable()
        if self.packet_type in FROM_CLIENTS:
            return attachments
        return self._unreadable()

    def _unreadable(self) -> int:
        self.packet_type = packet.EVENT
        self.data = [BAD_PAYLOAD]
        return 0  # no binary attachments are waited for


class EngineIOJSON:
    """``json`` for Engine.IO packets: ``ValueError`` for whatever is not JSON, a payload
    nested too deep included."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text, *args, **kwargs):
        try:
            return json.loads(text, *args, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deep") from exc


def install() -> None:
    """Engine.IO's packets decode with ``EngineIOJSON`` (the Socket.IO server is given
    ``SocketIOPacket`` as its serializer)."""
    eio_packet.Packet.json = EngineIOJSON
