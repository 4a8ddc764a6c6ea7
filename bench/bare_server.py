"""The bare reference server: Flask-SocketIO with nothing but a room, a broadcast and acks.

It runs exactly like the project (gevent, monkey-patched, gevent-websocket through
``socketio.run``) and speaks the subset of the project's protocol that one round needs, with the
same payloads, so the benchmark drives both with the same bots:

- ``player:join``: join the game's room, ack ``{"ok": true, "player_id"}``;
- ``host:join``: join the host room;
- ``host:start`` / ``host:next``: broadcast the next ``question:start`` to the game and the host;
- ``player:answer``: ack ``{"ok": true, "question", "choice"}``.

No database, no rules, no reveal. ``python bench/bare_server.py --port 5099``
(``BARE_ASYNC_MODE=eventlet`` for eventlet).
"""
from __future__ import annotations

import os

MODE = os.environ.get("BARE_ASYNC_MODE", "gevent")
if MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
elif MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()

import argparse  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

QUIZ = Path(__file__).resolve().parent / "quiz" / "bench-quiz.yaml"

app = Flask(__name__)
# Same Socket.IO settings as the project (quizapp/__init__.py).
socketio = SocketIO(app, async_mode=MODE, ping_interval=10, ping_timeout=20,
                    max_http_buffer_size=64 * 1024)
questions = yaml.safe_load(QUIZ.read_text(encoding="utf-8"))["questions"]
index: dict[str, int] = {}  # pin -> index of the open question


def _pin(data) -> str:
    if isinstance(data, dict) and isinstance(data.get("pin"), str):
        return data["pin"]
    return request.args.get("pin", "")


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@socketio.on("player:join")
def player_join(data=None):
    join_room(f"game:{_pin(data)}")
    return {"ok": True, "player_id": request.sid, "nickname": (data or {}).get("nickname")}


@socketio.on("host:join")
def host_join(data=None):
    pin = _pin(data)
    join_room(f"host:{pin}")
    return {"ok": True, "state": {"pin": pin, "phase": "lobby", "index": -1,
                                  "total": len(questions)}}


def _next(data=None):
    pin = _pin(data)
    i = index.get(pin, -1) + 1
    if i >= len(questions):
        return {"ok": True, "moved": False, "phase": "over", "index": i - 1}
    index[pin] = i
    q = questions[i]
    payload = {"index": i, "total": len(questions), "type": q["type"], "text": q["text"],
               "choices": q["choices"], "time_limit": q["time_limit"], "points": q["points"],
               "time_left": q["time_limit"]}
    socketio.emit("question:start", payload, to=f"game:{pin}")
    socketio.emit("question:start", payload, to=f"host:{pin}")
    return {"ok": True, "moved": True, "phase": "question", "index": i}


socketio.on_event("host:start", _next)
socketio.on_event("host:next", _next)


@socketio.on("player:answer")
def player_answer(data=None):
    data = data if isinstance(data, dict) else {}
    choice = data.get("choice")
    return {"ok": True, "question": data.get("question"),
            "choice": choice if isinstance(choice, list) else [choice]}


def main() -> None:
    parser = argparse.ArgumentParser(description="Bare Flask-SocketIO reference server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5099)
    args = parser.parse_args()
    print(f"Bare server ({MODE}) ready on http://{args.host}:{args.port}/", flush=True)
    socketio.run(app, host=args.host, port=args.port, log_output=False)


if __name__ == "__main__":
    main()
