"""Socket.IO handlers, default namespace.

Each handler checks the shape of what it was sent, calls the live game, and returns the ack.
Every event is acknowledged: ``{"ok": true, ...}`` or ``{"ok": false, "error", "message"}``;
nothing a client sends can raise out of a handler.
"""
from __future__ import annotations

import functools
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room, leave_room
from limits import parse

from ..engine import NicknameError, Player, Rejected, validate_class_label, validate_nickname
from ..engine.nicknames import nickname_key
from ..errors import error, message
from ..extensions import db, socketio
from ..models import Game as GameRow
from ..services import guesses
from ..services.games import can_host, help_requests, is_pin
from .live import GameMoved, LiveGame, console_room, game_room, host_room, live_games, player_room
from .packets import BAD_PAYLOAD

log = logging.getLogger(__name__)


@dataclass
class Client:
    """What this process knows about one connected socket."""

    pin: str = ""
    host_token: str = ""
    player_id: str = ""
    host_of: str = ""
    banned_from: str = ""  # a game this connection was banned from
    locale: str = ""  # the language of the page that opened it, for error messages
    # RATELIMIT_JOINS_PER_CONNECTION, counted here (a fixed window like the limiter's): the
    # count lives and dies with the connection instead of as a limiter key per socket id
    joins: int = 0
    joins_since: float = 0.0


clients: dict[str, Client] = {}


class BadInput(Exception):
    def __init__(self, code: str = "bad_request"):
        super().__init__(code)
        self.code = code


#: Messages for refusals whose code alone says too little to a person, by (code, reason).
REASONS = {
    ("members_invalid", ""): _l("Choose how many of you share this phone: 1 to 6."),
    ("not_accepting", "discussion"): _l("Talk it over first: answers open when the discussion "
                                        "time ends."),
    ("not_accepting", "reading"): _l("Read the conversation first: the answers open after it."),
}


def _refusal(exc: Rejected | BadInput) -> dict:
    """The error ack for a refusal, with the message its reason calls for."""
    text = REASONS.get((exc.code, getattr(exc, "reason", "")))
    return error(exc.code, str(text) if text is not None else None)


def _client() -> Client:
    client = clients.get(request.sid)
    if client is None:
        client = clients[request.sid] = Client()
    return client


def _pin(data: dict) -> str:
    pin = data.get("pin", _client().pin)
    if not is_pin(pin):
        raise BadInput("game_not_found")
    return pin


def _live(pin: str) -> LiveGame:
    """The live game ``pin``, named by a connection already in it (no guess)."""
    live = live_games(current_app._get_current_object()).get(pin)
    if live is None:
        raise BadInput("game_not_found")
    return live


def _may_try(pin: str) -> None:
    """Refuse a PIN this address may not try now (see services/guesses.py)."""
    if not guesses.may_try(_address(), pin):
        raise BadInput("rate_limited")


def _guessed(pin: str) -> LiveGame:
    """The live game ``pin`` typed or scanned by a phone: a PIN that finds no game is a miss for
    the address; one that does stays open to the address."""
    live = live_games(current_app._get_current_object()).get(pin)
    if live is None:
        guesses.count_miss(_address())
        raise BadInput("game_not_found")
    guesses.remember(_address(), pin)
    return live


def _proven(pin: str, proof: Callable[[LiveGame], object], refusal: str):
    """``(live game, proof)`` for a client that proves its place in game ``pin`` (a resume
    token, a host credential): the proof works from any address. Without it, a miss; and while
    the address is held back, ``rate_limited`` whether or not the game exists."""
    live = live_games(current_app._get_current_object()).get(pin)
    shown = proof(live) if live is not None else None
    if shown:
        return live, shown
    _may_try(pin)
    guesses.count_miss(_address())
    raise BadInput("game_not_found" if live is None else refusal)


def _join_within_connection(client: Client) -> bool:
    """Whether one more join fits RATELIMIT_JOINS_PER_CONNECTION on this socket (and count it)."""
    item = parse(current_app.config["RATELIMIT_JOINS_PER_CONNECTION"])
    now = time.monotonic()
    if now - client.joins_since >= item.get_expiry():
        client.joins, client.joins_since = 0, now
    client.joins += 1
    return client.joins <= item.amount


def _address() -> str:
    return request.remote_addr or "unknown"


def _acked(name: str, fn: Callable, data: object, needs_data: bool, *args) -> dict:
    """Run a handler and return its ack, with every failure turned into an error ack (and an
    unexpected one logged)."""
    try:
        if needs_data and not isinstance(data, dict):
            return error("bad_request")
        return fn(data if isinstance(data, dict) else {}, *args)
    except (Rejected, BadInput) as exc:
        db.session.rollback()
        return _refusal(exc)
    except TimeoutError:
        db.session.rollback()
        return error("try_again")
    except GameMoved:
        db.session.rollback()
        return error("game_moved")
    except NicknameError as exc:
        db.session.rollback()
        if exc.reason == "class_label":
            return error("class_label_invalid")
        if exc.reason == "abusive":
            return error(exc.code, message("nickname_abusive"))
        return error(exc.code)
    except Exception:
        db.session.rollback()
        log.exception("handler %s failed", name)
        return error("internal_error")


def event(name: str, needs_data: bool = True) -> Callable:
    """Register a handler whose return value is the ack (see ``_acked``)."""

    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def handler(data=None, *extra):
            return _acked(name, fn, data, needs_data)

        socketio.on_event(name, handler)
        return handler

    return decorator


#: Handlers that run without a Flask request context, by event name (see ``light_event``).
LIGHT_EVENTS: dict[str, Callable] = {}


def light_event(name: str) -> Callable:
    """Register a handler for an event every player sends at once (an answer): it is called
    as ``fn(data, client)`` straight from the Socket.IO server, in an app context, without the
    Flask request context Flask-SocketIO builds for each event (URL matching, the cookie
    session, teardown), which was a fifth of the server's CPU in a 1,000-player round. Such a
    handler may not use ``request``, the session, the current user or the rooms helpers."""

    def decorator(fn: Callable) -> Callable:
        LIGHT_EVENTS[name] = fn
        return fn

    return decorator


def install_light_events(app: Flask, server) -> None:
    """Put the light handlers on ``server`` (the Socket.IO server ``init_app`` just built for
    ``app``), in place of Flask-SocketIO's dispatch."""
    for name, fn in LIGHT_EVENTS.items():
        server.on(name, functools.partial(_light_dispatch, app, name, fn))


def _light_dispatch(app: Flask, name: str, fn: Callable, sid: str, data=None, *extra) -> dict:
    client = clients.get(sid) or Client()
    with app.app_context():
        g.locale = client.locale
        return _acked(name, fn, data, True, client)


@socketio.on(BAD_PAYLOAD)
def bad_payload(*args):
    return error("bad_request")


@socketio.on("connect")
def on_connect(auth=None):
    """Any client may connect; the PIN in the query string says which game it is for."""
    client = _client()
    pin = request.args.get("pin", "")
    client.pin = pin if is_pin(pin) else ""
    client.locale = str(get_locale() or "")
    if isinstance(auth, dict) and isinstance(auth.get("host_token"), str):
        client.host_token = auth["host_token"][:200]


@socketio.on("disconnect")
def on_disconnect(*args):
    clients.pop(request.sid, None)


# ----- players ----------------------------------------------------------------------------------

@event("player:join")
def player_join(data: dict) -> dict:
    """A phone joins with a nickname (and maybe a class label). In team mode the nickname is the
    team's name and ``members`` says how many pupils share the phone (1–6, else
    ``members_invalid``); without team mode ``members`` is ignored. Ack: player id, resume
    token, the cleaned nickname (and in team mode ``members``) and the current state. The
    host's lobby list is updated (coalesced)."""
    pin = _pin(data)
    _may_try(pin)
    nickname = validate_nickname(data.get("nickname"))
    class_label = validate_class_label(data.get("class_label"))
    live = _guessed(pin)
    client = _client()
    mine = live.engine.players.get(client.player_id) if client.pin == pin else None
    if mine is not None and mine.active:
        # One player per connection. The same join again (its ack was lost) is the same player.
        if nickname_key(mine.nickname) != nickname_key(nickname):
            raise BadInput("already_joined")
        return {"ok": True, "player_id": mine.id, "token": live.renew_token(mine.id),
                "nickname": mine.nickname, **_team(live, mine), "state": live.player_state(mine)}
    if client.banned_from == pin:
        raise BadInput("banned")
    device = data.get("device", "")
    if not isinstance(device, str) or len(device) > 100:
        raise BadInput("bad_request")
    # Not limited by address: a whole school joins from one (the game's size bounds it).
    if not _join_within_connection(client):
        raise BadInput("rate_limited")
    player, token = live.join(nickname, class_label, device, data.get("members"))
    _attach_player(live, player.id)
    return {"ok": True, "player_id": player.id, "token": token, "nickname": player.nickname,
            **_team(live, player), "state": live.player_state(player)}


def _team(live: LiveGame, player: Player) -> dict:
    """What a join or resume ack adds in team mode: the pupils sharing the phone."""
    return {"members": player.members} if live.engine.options.team_mode else {}


@event("player:resume")
def player_resume(data: dict) -> dict:
    """A phone that was here before (refresh, new socket, lost network) comes back with its
    token and gets its nickname, score and the current state. Works any number of times."""
    pin = _pin(data)
    token = data.get("token")
    live, player = _proven(pin, lambda live: live.player_for_token(token), "invalid_token")
    _attach_player(live, player.id)
    return {"ok": True, "player_id": player.id, "nickname": player.nickname,
            "score": player.score, **_team(live, player), "state": live.player_state(player)}


def _attach_player(live: LiveGame, player_id: str) -> None:
    client = _client()
    if client.pin and client.player_id and client.pin != live.pin:
        leave_room(game_room(client.pin))
    client.pin = live.pin
    client.player_id = player_id
    join_room(game_room(live.pin))
    # A player's own messages go to its newest connection only. Its earlier one (a lost
    # network, a reload), perhaps still open on another process for a while, leaves the room
    # (through the message queue): otherwise that process would see the room as "here" and send
    # the player's messages to the dead socket alone (see live._emit).
    room = player_room(live.pin, player_id)
    socketio.close_room(room)
    join_room(room)


@event("player:help", needs_data=False)
def player_help(data: dict) -> dict:
    """"I need help": a private request to the presenter's console (never the projector). Ack
    with the request id; pressing again while it is open changes nothing (``duplicate``)."""
    client = _client()
    if not client.player_id:
        raise BadInput("not_joined")
    live = _live(client.pin)
    if live.engine.players.get(client.player_id) is None:
        raise BadInput("not_joined")
    request_view, duplicate = live.ask_help(client.player_id)
    ack = {"ok": True, "id": request_view["id"]}
    if duplicate:
        ack["duplicate"] = True
    return ack


@light_event("player:answer")
def player_answer(data: dict, client: Client) -> dict:
    """A player answers question ``question`` with ``choice`` (an index, or a list for
    multiple select). Stored before the ack; a repeat is acked with ``duplicate: true``."""
    if not client.player_id:
        raise BadInput("not_joined")
    live = _live(client.pin)
    try:
        answer, duplicate = live.answer(client.player_id, data.get("question"),
                                        data.get("choice"))
    except Rejected as exc:
        if exc.code == "player_not_found":
            raise BadInput("not_joined") from exc
        raise
    ack = {"ok": True, "question": answer.index, "choice": answer.choice_list}
    if duplicate:
        ack["duplicate"] = True
    return ack


# ----- host -------------------------------------------------------------------------------------

def _hosted(data: dict) -> LiveGame:
    """The game this socket hosts; only its presenter (session cookie) or its host token."""
    client = _client()
    pin = data.get("pin", client.host_of or client.pin)
    if not is_pin(pin):
        raise BadInput("game_not_found")
    if client.host_of == pin:
        return _live(pin)
    live, _ = _proven(pin, _may_host, "forbidden")
    client.host_of = pin
    join_room(host_room(pin))
    return live


def _may_host(live: LiveGame) -> bool:
    client = _client()
    if client.host_token and hmac.compare_digest(client.host_token.encode("utf-8", "replace"),
                                                 live.host_token.encode()):
        return True
    row = db.session.get(GameRow, live.game_id)
    return row is not None and can_host(current_user, row)


@event("host:join", needs_data=False)
def host_join(data: dict) -> dict:
    """The projector page (or an API client) attaches to its game: ack with the full state and
    player list; from now on this socket gets the host-only updates. With ``console: true`` it
    is the presenter's private screen and also gets help requests (never send those to the
    projector)."""
    live = _hosted(data)
    state = live.host_state()
    if data.get("console") is True:
        join_room(console_room(live.pin))
        state["help"] = help_requests(db.session.get(GameRow, live.game_id))
    return {"ok": True, "state": state}


@event("host:start", needs_data=False)
def host_start(data: dict) -> dict:
    """Leave the lobby: the first question goes to everyone."""
    _hosted(data).start()
    return {"ok": True}


@event("host:next", needs_data=False)
def host_next(data: dict) -> dict:
    """Move on: reveal an open question, else leaderboard, next question or the end. With
    ``{"phase", "index"}`` (what the presenter's screen shows) nothing happens if the game has
    moved since (``"moved": false``), so a key press never skips a reveal."""
    live = _hosted(data)
    seen = None
    if "phase" in data or "index" in data:
        phase, index = data.get("phase"), data.get("index")
        if not isinstance(phase, str) or type(index) is not int:
            raise BadInput("bad_request")
        seen = (phase, index)
    moved = live.next(seen)
    return {"ok": True, "moved": moved, "phase": live.engine.phase.value,
            "index": live.engine.index}


@event("host:reveal", needs_data=False)
def host_reveal(data: dict) -> dict:
    """Close the open question now and reveal it."""
    _hosted(data).reveal()
    return {"ok": True}


@event("host:end", needs_data=False)
def host_end(data: dict) -> dict:
    """End the session: podium on the projector, rank and score on each phone."""
    _hosted(data).end()
    return {"ok": True}


@event("host:kick")
def host_kick(data: dict) -> dict:
    """Remove a player; the phone is told and may join again under another name."""
    live = _hosted(data)
    player_id = data.get("player_id")
    ban = data.get("ban", False)
    if not isinstance(ban, bool):
        raise BadInput("bad_request")
    for sid in live.kick(player_id, ban=ban):
        kicked = clients.get(sid)
        if kicked is not None and kicked.player_id == player_id:
            kicked.player_id = ""
            if ban:
                kicked.banned_from = live.pin
    return {"ok": True, "player_id": player_id, "banned": ban}


@event("host:help_done")
def host_help_done(data: dict) -> dict:
    """The presenter marks a help request as dealt with; the student's phone is told."""
    live = _hosted(data)
    return {"ok": True, "help": live.help_done(data.get("id"))}
