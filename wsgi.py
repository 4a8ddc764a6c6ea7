"""Run the server: ``python wsgi.py [--host H] [--port P]``.

The async mode is chosen before anything else is imported, because gevent and eventlet must patch
the standard library first. gevent is the default; eventlet is for the embedded SQLite set-up only
(psycopg 3 blocks eventlet's hub).
"""
from __future__ import annotations

import argparse
import os
import socket
import sys

MODE = os.environ.get("QUIZAPP_ASYNC_MODE", "gevent")
if MODE == "gevent":
    import gevent
    from gevent import monkey

    # gevent records, for every greenlet, the stack and greenlet that spawned it (a debugging
    # aid, gevent.util.GreenletTree): ~4.5 KB per connected player. Off unless asked for with
    # GEVENT_TRACK_GREENLET_TREE=1.
    if "GEVENT_TRACK_GREENLET_TREE" not in os.environ:
        gevent.config.track_greenlet_tree = False
    monkey.patch_all()
elif MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()

from quizapp import create_app  # noqa: E402
from quizapp.extensions import socketio  # noqa: E402
from quizapp.services.setup import bootstrap  # noqa: E402
from quizapp.server import serve_gevent, tune_gc  # noqa: E402

app = create_app()


def lan_address() -> str:
    """The machine's address on the local network, which phones on the same Wi-Fi can reach.

    Connecting a UDP socket sends nothing; it only asks the kernel which interface it would use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))
        address = probe.getsockname()[0]
    except OSError:
        address = "127.0.0.1"
    finally:
        probe.close()
    return address


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the quiz server.")
    parser.add_argument("--host", default=app.config["HOST"])
    parser.add_argument("--port", type=int, default=app.config["PORT"])
    args = parser.parse_args(argv)

    bootstrap(app)
    if not app.config["PUBLIC_URL"]:
        host = lan_address() if args.host in ("0.0.0.0", "::", "") else args.host
        app.config["DETECTED_URL"] = f"http://{host}:{args.port}"
    url = app.config["PUBLIC_URL"] or app.config["DETECTED_URL"]
    tune_gc()
    print(f"Quiz server ({MODE}) ready. Open {url}/ on this network "
          f"(presenter sign-in: {url}/login).", flush=True)
    if MODE == "gevent":
        serve_gevent(app, args.host, args.port)
    else:
        socketio.run(app, host=args.host, port=args.port, log_output=False,
                     allow_unsafe_werkzeug=MODE == "threading")


if __name__ == "__main__":
    sys.exit(main())
