"""The server process's garbage-collector settings (``wsgi.py`` applies them at start)."""
import json
import subprocess
import sys

from quizapp.server import GC_THRESHOLD


def test_tune_gc_freezes_startup_objects_and_widens_the_young_generation():
    code = ("import gc, json; from quizapp.server import tune_gc; import quizapp; tune_gc(); "
            "print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    threshold, frozen = json.loads(out)
    assert tuple(threshold) == GC_THRESHOLD and GC_THRESHOLD[0] >= 10_000
    assert frozen > 1000


def test_the_engineio_ping_cycle_replaced_under_gevent_is_the_one_it_mirrors():
    """``quizapp/realtime/pings.py`` replaces python-engineio's ``Socket.schedule_ping`` (a
    sleeping task per socket) with a timer. If an engineio release changes that method, the
    replacement must be looked at again: this fails until it is."""
    import inspect

    from engineio import socket as eio_socket

    from quizapp.realtime import pings

    schedule = inspect.getsource(pings.LIBRARY_SCHEDULE_PING)
    send = inspect.getsource(eio_socket.Socket._send_ping)
    assert "if self.last_ping:" in schedule and "self.last_ping = None" in schedule
    assert "start_background_task(self._send_ping)" in schedule
    assert "sleep(self.server.ping_interval)" in send
    assert "self.last_ping = time.time()" in send and "packet.PING" in send


def test_the_servers_connections_send_without_nagles_delay():
    """A response's headers and body go out in two writes: with Nagle's algorithm on, the body
    waited 40 ms for the client's delayed ACK on every keep-alive request."""
    import socket
    from types import SimpleNamespace

    from quizapp.server import handler_class

    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, address = listener.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            handler_class(15)(accepted, address, SimpleNamespace())
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
