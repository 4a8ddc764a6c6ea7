"""Engine.IO pings under gevent without a sleeping greenlet per connection.

python-engineio sends each socket's ping from a background task that sleeps ``ping_interval``
(``Socket.schedule_ping`` → ``_send_ping``): a greenlet per connected socket, alive almost all
the time, with its saved C stack, its Python data-stack chunk and its objects (~8 KB each).
Here a libev timer waits instead, and a greenlet exists only for the moment the ping is sent.
Same behaviour: the next ping is scheduled when the client's pong arrives, and is sent
``ping_interval`` seconds later unless the socket is closing.
"""
from __future__ import annotations

import time

import gevent
from engineio import packet
from engineio import socket as eio_socket


#: python-engineio's own method, as imported (the test that watches it for changes reads it here,
#: since ``install`` replaces it on the class for the whole process).
LIBRARY_SCHEDULE_PING = eio_socket.Socket.schedule_ping


def _schedule_ping(self) -> None:
    # engineio.socket.Socket.schedule_ping: only after the previous ping cycle completed
    if self.last_ping:
        self.last_ping = None
        timer = gevent.get_hub().loop.timer(self.server.ping_interval)
        timer.start(_ping_due, self, timer)  # an active watcher keeps itself alive


def _ping_due(sock, timer) -> None:
    timer.close()
    if not sock.closing and not sock.closed:
        gevent.spawn(_send_ping, sock)  # not in the hub: send() may close the socket


def _send_ping(sock) -> None:
    if not sock.closing and not sock.closed:
        sock.last_ping = time.time()
        sock.send(packet.Packet(packet.PING))


def install() -> None:
    """Use timer-driven pings (gevent only: the timer is gevent's loop's)."""
    if hasattr(eio_socket.Socket, "_send_ping"):
        eio_socket.Socket.schedule_ping = _schedule_ping
