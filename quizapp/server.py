"""The long-running server process (``wsgi.py``): its garbage-collector settings and, under
gevent, its web server. The tests' in-process apps use neither."""
from __future__ import annotations

import gc

from flask import Flask

#: Young-generation size of Python's cyclic garbage collector, and the two older thresholds.
GC_THRESHOLD = (10_000, 10, 100)


def tune_gc(threshold: tuple[int, int, int] = GC_THRESHOLD) -> None:
    """Keep the garbage collector out of the rounds.

    By default Python considers a full collection after every ten collections of the middle
    generation, and runs it when the long-lived objects have grown by a quarter. With a
    thousand phones connected a full collection took some 0.2 s of CPU, and the objects alive
    during a burst of answers (each waiting for its commit) triggered one every question: most
    of the CPU per answer above the bare Flask-SocketIO server's. Here the young generation is
    larger (objects of a burst die before they are promoted; 10,000 keeps the garbage waiting
    for collection to about 1 KB per player) and a full collection is considered ten times
    less often. The objects made while starting up are frozen out of every collection.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*threshold)


#: Read buffer of each connection. pywsgi's default (io.DEFAULT_BUFFER_SIZE, 8 KB) stays
#: allocated for the life of a WebSocket, about 3.5 KB of it resident per connected phone;
#: requests and Socket.IO frames are far smaller.
READ_BUFFER = 1024


def handler_class(idle: float):
    """gevent-websocket's request handler as this server uses it: a smaller read buffer per
    connection, no Nagle delay, and a time limit on idle keep-alive connections."""
    import socket

    from geventwebsocket.handler import WebSocketHandler

    class Handler(WebSocketHandler):
        def __init__(self, sock, address, server, rfile=None):
            if rfile is None:
                rfile = sock.makefile("rb", READ_BUFFER)
            try:
                # pywsgi writes a response's headers and body separately: with Nagle's algorithm
                # the body waited for the client's delayed ACK, 40 ms on every keep-alive request
                # (a page's assets, every long-polling exchange).
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not a TCP socket
                pass
            super().__init__(sock, address, server, rfile)

        def read_requestline(self):
            # A phone's browser keeps the connections it loaded the page with open for minutes
            # (four, besides its WebSocket, about 19 KB of server memory each). pywsgi waits for
            # the next request line forever; here for ``idle`` seconds, then it closes the
            # connection (a timeout is a socket error to it). Only this wait is limited: a held
            # poll or an upgraded WebSocket never reads a request line.
            self.socket.settimeout(idle)
            try:
                return super().read_requestline()
            finally:
                self.socket.settimeout(None)

    return Handler


def serve_gevent(app: Flask, host: str, port: int) -> None:
    """Serve ``app`` as ``socketio.run`` does under gevent (pywsgi with gevent-websocket's
    handler, no access log), with the handler of ``handler_class``."""
    from gevent import pywsgi

    from .extensions import socketio

    handler = handler_class(app.config["KEEPALIVE_TIMEOUT"])
    socketio.wsgi_server = pywsgi.WSGIServer((host, port), app, handler_class=handler, log=None)
    socketio.wsgi_server.serve_forever()
