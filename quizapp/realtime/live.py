"""Live games: the engine of each running session, bound to its storage and its rooms.

A ``LiveGame`` lives in the process that hosts the game. It asks the engine what the rules say,
writes what the engine accepts to the database before anyone is told, and broadcasts the result:
- everyone in the game (room ``game:<pin>``): ``question:start``, ``question:reveal``,
  ``leaderboard``, ``game:over``;
- each player alone (room ``player:<pin>:<id>``): ``player:result``, its ``game:over``,
  ``player:kicked``, ``help:handled``;
- the presenter's screens (room ``host:<pin>``): coalesced ``lobby:update`` and
  ``question:progress``, at most one of each per ``HOST_UPDATE_INTERVAL``;
- the presenter's private console only (room ``console:<pin>``, never the projector):
  ``help:request``, ``help:update``.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import deque
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import func, select, update

from ..engine import Answer, Game, Phase, Player, Question, Rejected, Standing
from ..extensions import db, socketio
from ..models import Answer as AnswerRow
from ..models import Ban, HelpRequest
from ..models import Game as GameRow
from ..models import Player as PlayerRow
from ..models import utcnow
from ..records import summaries
from ..records.rules import check_gain
from ..services.games import GameOptions, help_view
from .writer import AnswerWriter, Ticket

log = logging.getLogger(__name__)

PODIUM_SIZE = 3
LEADERBOARD_SIZE = 5
#: Seconds an answer's acknowledgement waits for its commit before the phone is told to retry.
ANSWER_COMMIT_TIMEOUT = 10.0
#: The lobby list sent to the projector is capped; the count is always exact.
LOBBY_LIST_LIMIT = 300
#: Seconds from the last answer to the reveal it triggers: the acknowledgements of the last
#: batch of answers go out first, instead of queueing behind the reveal's fan-out.
REVEAL_SETTLE = 0.1
#: Messages sent in a row before the sender lets other connections' work in (a reveal to
#: 2,000 phones would otherwise hold the process for its whole fan-out).
SEND_SLICE = 100


class GameMoved(Exception):
    """Another process changed the game since this one last did: this copy is stale."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def game_room(pin: str) -> str:
    return f"game:{pin}"


def host_room(pin: str) -> str:
    return f"host:{pin}"


PLAYER_ROOM = "player:"


def player_room(pin: str, player_id: str) -> str:
    return f"{PLAYER_ROOM}{pin}:{player_id}"


def console_room(pin: str) -> str:
    """The presenter's private screens (never the projector): help requests go here."""
    return f"console:{pin}"


class LiveGame:
    """One running session. State changes happen under ``lock``; messages they produce go to
    an outbox that is sent, in order, after the lock is released."""

    def __init__(self, app: Flask, row: GameRow, engine: Game):
        self.app = app
        self.pin = row.pin
        self.game_id = row.id
        self.host_token = row.host_token
        self.version = row.version
        self.engine = engine
        self.lock = threading.RLock()
        self.clock = time.monotonic
        self._tokens: dict[str, str] = {}  # token hash -> player id
        self._row_ids: dict[str, int] = {}  # player public id -> database id
        self._devices: dict[str, str] = {}  # player id -> hash of its phone's random key
        self._bans: set[str] = set()  # device hashes banned from this game
        self._outbox: deque[tuple[str, dict, str]] = deque()
        self._writer = AnswerWriter(app)
        self._unwritten: dict[tuple[str, int], Ticket] = {}  # answers not yet committed
        self._send_lock = threading.Lock()
        self._lobby_dirty = False
        self._progress_dirty = False
        self._host_flush_pending = False
        self._interval = app.config["HOST_UPDATE_INTERVAL"]

    # ----- building -------------------------------------------------------------------------

    @classmethod
    def from_row(cls, app: Flask, row: GameRow) -> "LiveGame":
        """Build the live game from the database: players, answers, phase and clock."""
        questions = [Question.from_dict(q) for q in row.questions]
        engine = Game(questions, GameOptions.from_stored(row.options).engine_options())
        live = cls(app, row, engine)
        players = db.session.scalars(select(PlayerRow).where(PlayerRow.game_id == row.id)
                                     .order_by(PlayerRow.joined)).all()
        by_row_id = {}
        for p in players:
            player = Player(p.public_id, p.nickname, p.class_label, p.score, p.streak, p.active,
                            p.joined, members=max(1, p.members or 1))
            by_row_id[p.id] = player
            live._tokens[p.token_hash] = p.public_id
            live._row_ids[p.public_id] = p.id
        for a in db.session.scalars(select(AnswerRow).where(AnswerRow.game_id == row.id)):
            player = by_row_id.get(a.player_id)
            if player is not None:
                player.answers[a.question_index] = Answer(
                    player.id, a.question_index, frozenset(a.choice), a.correct, a.points,
                    a.elapsed_ms / 1000, a.streak)
        for player in by_row_id.values():
            engine.restore_player(player)
        live._bans = set(db.session.scalars(select(Ban.device_hash).where(Ban.game_id == row.id)))
        phase = Phase(row.phase)
        if phase is Phase.QUESTION:
            opened = row.question_opened_at or utcnow()
            age = max((utcnow() - opened).total_seconds(), 0.0)
            engine.restore_phase(phase, row.current_index, live.clock() - age)
            live._schedule_close()
        else:
            engine.restore_phase(phase, row.current_index)
        return live

    # ----- players --------------------------------------------------------------------------

    def join(self, nickname: str, class_label: str, device: str = "",
             members: object = None) -> tuple[Player, str]:
        """Admit a new player; returns the player and its secret resume token. ``device`` is
        the phone page's random key, used only to keep a banned phone out of this game.
        ``members``: in team mode, the pupils sharing the phone (``Game.members_for``)."""
        device_hash = hash_token(device) if device else ""
        with self.lock:
            if device_hash and device_hash in self._bans:
                raise Rejected("banned")
            self.engine.check_join(nickname)
            pupils = self.engine.members_for(members)
            if self.engine.active_count >= self.app.config["MAX_PLAYERS"]:
                raise Rejected("game_full")
            token = secrets.token_urlsafe(24)
            token_hash = hash_token(token)
            public_id = secrets.token_urlsafe(9)
            row = PlayerRow(public_id=public_id, game_id=self.game_id, nickname=nickname,
                            class_label=class_label, token_hash=token_hash,
                            joined=len(self.engine.players) + 1, members=pupils)
            db.session.add(row)
            db.session.flush()
            row_id = row.id
            db.session.commit()
            player = self.engine.add_player(public_id, nickname, class_label, pupils)
            self._tokens[token_hash] = player.id
            self._row_ids[player.id] = row_id
            if device_hash:
                self._devices[player.id] = device_hash
            self._host_changed(lobby=True)
            return player, token

    def renew_token(self, player_id: str) -> str:
        """A fresh resume token for a player who asked to join again on the same connection
        (its first acknowledgement was lost); the old token stops working."""
        with self.lock:
            token = secrets.token_urlsafe(24)
            row = db.session.get(PlayerRow, self._row_ids[player_id])
            old = row.token_hash
            row.token_hash = hash_token(token)
            db.session.commit()
            self._tokens.pop(old, None)
            self._tokens[hash_token(token)] = player_id
            return token

    def player_for_token(self, token: object) -> Player | None:
        if not isinstance(token, str) or not 0 < len(token) <= 200:
            return None
        player_id = self._tokens.get(hash_token(token))
        player = self.engine.players.get(player_id) if player_id else None
        return player if player is not None and player.active else None

    def kick(self, player_id: object, ban: bool = False) -> list[str]:
        """Remove a player; returns the connections it had, which are taken out of the game.
        Banned, the same phone cannot join this game again under any name."""
        with self.lock:
            player = self.engine.players.get(player_id) if isinstance(player_id, str) else None
            if player is None or not player.active:
                raise Rejected("player_not_found")
            row = db.session.get(PlayerRow, self._row_ids[player_id])
            row.active = False
            device_hash = self._devices.get(player_id)
            if ban and device_hash and device_hash not in self._bans:
                db.session.add(Ban(game_id=self.game_id, device_hash=device_hash))
            db.session.commit()
            if ban and device_hash:
                self._bans.add(device_hash)
            self.engine.remove_player(player_id)
            summaries.refresh_later(self.app, self.game_id)  # a removed player leaves the counts
            room = player_room(self.pin, player_id)
            sids = [sid for sid, _ in socketio.server.manager.get_participants("/", room)]
            self._post("player:kicked", {"banned": ban}, room)
            self._host_changed(lobby=True)
            if self.engine.phase is Phase.QUESTION and self.engine.all_answered():
                self._reveal()
        self._send()
        for sid in sids:
            socketio.server.leave_room(sid, game_room(self.pin))
            socketio.server.leave_room(sid, room)
        return sids

    # ----- help requests ------------------------------------------------------------------

    def ask_help(self, player_id: str) -> tuple[dict, bool]:
        """A student asks for help. The presenter's console is told at once, privately; a request
        still open is not repeated. Returns the request and whether it was already open."""
        with self.lock:
            row_id = self._row_ids[player_id]
            open_request = db.session.scalar(select(HelpRequest).where(
                HelpRequest.player_id == row_id, HelpRequest.handled_at.is_(None)))
            if open_request is not None:
                return help_view(open_request), True
            request_row = HelpRequest(game_id=self.game_id, player_id=row_id)
            db.session.add(request_row)
            db.session.commit()
            view = help_view(request_row)
            self._post("help:request", view, console_room(self.pin))
        self._send()
        return view, False

    def help_done(self, request_id: object) -> dict:
        """The presenter has dealt with a request: the console marks it, the student is told."""
        with self.lock:
            valid = type(request_id) is int and 0 < request_id < 2**63
            row = db.session.get(HelpRequest, request_id) if valid else None
            if row is None or row.game_id != self.game_id:
                raise Rejected("help_not_found")
            if row.handled_at is None:
                row.handled_at = utcnow()
                db.session.commit()
            view = help_view(row)
            self._post("help:update", view, console_room(self.pin))
            self._post("help:handled", {"id": row.id}, player_room(self.pin, view["player_id"]))
        self._send()
        return view

    # ----- answers --------------------------------------------------------------------------

    def answer(self, player_id: str, index: object, choice: object) -> tuple[Answer, bool]:
        """Judge and store an answer; returns it and whether it was a repeat.

        The engine records it at once (so the next answer sees it), and the writer commits it
        with the others that arrive meanwhile; this returns only once that commit is done, so
        an acknowledged answer is always in the database. A repeat waits for the same commit.
        Raises ``TimeoutError`` if the database does not take it in time (the answer stays
        queued: the phone's retry is then a repeat that waits again).
        """
        with self.lock:
            result = self.engine.evaluate(player_id, index, choice, self.clock())
            key = (player_id, result.index)
            duplicate = self.engine.is_duplicate(result)
            if duplicate:
                ticket = self._unwritten.get(key)
            else:
                self.engine.record(result)
                ticket = self._writer.submit(Ticket(
                    row={"game_id": self.game_id, "player_id": self._row_ids[player_id],
                         "question_index": result.index, "choice": result.choice_list,
                         "correct": result.correct, "points": result.points,
                         "elapsed_ms": int(result.elapsed * 1000), "streak": result.streak,
                         "created_at": utcnow()},
                    player_row_id=self._row_ids[player_id], score_delta=result.points,
                    streak=result.streak))
                self._unwritten[key] = ticket
                self._host_changed()
        if ticket is not None:
            if not ticket.wait(ANSWER_COMMIT_TIMEOUT):
                raise TimeoutError("answer not committed in time")
            self._unwritten.pop(key, None)
        if not duplicate and self.engine.all_answered():
            socketio.start_background_task(self._close_question, result.index,
                                           self.engine.opened_at, REVEAL_SETTLE, True)
        return result, duplicate

    # ----- presenter ------------------------------------------------------------------------

    def start(self) -> None:
        with self.lock, self._atomic():
            self.engine.start(self.clock())
            self._opened()
        self._send()

    def next(self, seen: tuple[str, int] | None = None) -> bool:
        """Move on from what the presenter saw. ``seen`` is the (phase, index) the presenter's
        screen showed; if the game has moved since (the question closed by itself), nothing
        happens, so a key press never skips a reveal. Returns whether the game moved."""
        with self.lock:
            e = self.engine
            if seen is not None and seen != (e.phase.value, e.index):
                return False
            with self._atomic():
                if e.phase is Phase.QUESTION:
                    self._reveal()
                else:
                    e.next(self.clock())
                    if e.phase is Phase.QUESTION:
                        self._opened()
                    elif e.phase is Phase.LEADERBOARD:
                        self._save_phase()
                        board = self.leaderboard()
                        self._post("leaderboard", board, game_room(self.pin))
                        self._post("leaderboard", board, host_room(self.pin))
                    elif e.phase is Phase.OVER:
                        self._finish()
        self._send()
        return True

    def reveal(self) -> None:
        with self.lock:
            if self.engine.phase is not Phase.QUESTION:
                raise Rejected("not_in_question")
            with self._atomic():
                self._reveal()
        self._send()

    def end(self) -> None:
        with self.lock, self._atomic():
            if self.engine.phase is Phase.QUESTION:
                self._reveal()
            self.engine.end(self.clock())
            self._finish()
        self._send()

    # ----- transitions (lock held) ----------------------------------------------------------

    @contextmanager
    def _atomic(self):
        """Undo the engine's change, and drop the messages it produced, if storing it fails: the
        game in memory never runs ahead of the database."""
        snapshot = self.engine.snapshot()
        queued = len(self._outbox)
        try:
            yield
        except Exception:
            db.session.rollback()
            self.engine.restore(snapshot)
            while len(self._outbox) > queued:
                self._outbox.pop()
            raise

    def _opened(self) -> None:
        self._save_phase(opened=True)
        payload = self.engine.question_view()
        # the countdown that runs once answers open (none without a timer)
        payload["time_left"] = payload["time_limit"] if self.engine.timed else None
        self._post("question:start", payload, game_room(self.pin))
        self._post("question:start", payload, host_room(self.pin))
        self._host_changed()
        self._schedule_close()

    def _schedule_close(self, delay: float | None = None) -> None:
        index, opened_at = self.engine.index, self.engine.opened_at
        if delay is None:
            closes = self.engine.closes_at()
            if closes is None:  # no timer: the presenter reveals it, or the last answer does
                return
            delay = max(0.0, closes - self.clock())
        socketio.start_background_task(self._close_question, index, opened_at, delay, False)

    def _close_question(self, index: int, opened_at: float, delay: float,
                        all_answered: bool) -> None:
        """Reveal question ``index`` (opened at ``opened_at``) after ``delay`` seconds if it is
        still open: because time is up, or (``all_answered``) because everyone has answered and
        still has. A failed timer tries again a second later; the other case leaves it to the
        timer."""
        socketio.sleep(delay)
        with self.app.app_context():
            with self.lock:
                e = self.engine
                if not (e.phase is Phase.QUESTION and e.index == index and e.opened_at == opened_at
                        and (e.all_answered() or not all_answered)):
                    return
                try:
                    with self._atomic():
                        self._reveal()
                except GameMoved:
                    return  # another process has the game now, and its own timer
                except Exception:
                    if all_answered:
                        log.exception("reveal after the last answer failed in game %s", self.pin)
                    else:
                        log.exception("closing question %s of game %s failed; retrying", index,
                                      self.pin)
                        self._schedule_close(delay=1.0)
            self._send()

    def _reveal(self) -> None:
        self._writer.drain()  # every answer the reveal counts is in the database first
        self.engine.reveal(self.clock())
        self._save_phase()
        reveal = self.reveal_payload()
        self._post("question:reveal", reveal, game_room(self.pin))
        self._post("question:reveal", reveal, host_room(self.pin))
        ranks = self.engine.ranks()
        for player in self.engine.active_players:
            self._post("player:result", self.result_for(player, ranks),
                       player_room(self.pin, player.id))

    def result_for(self, player: Player, ranks: dict[str, int] | None = None) -> dict:
        """A player's outcome of the current question, as ``player:result`` carries it."""
        return self.engine.result_view(player, ranks if ranks is not None else self.engine.ranks())

    def _finish(self) -> None:
        self._save_phase()
        podium = self.podium()
        standings = self.engine.standings()
        for s in standings:
            mine = {"podium": podium, "score": s.player.score, "rank": s.rank,
                    "players": len(standings)}
            if self.engine.has_check:
                mine["check"] = self.engine.check_tally(s.player)
            self._post("game:over", mine, player_room(self.pin, s.player.id))
        over = {"podium": podium, "players": len(standings)}
        if self.engine.options.team_mode:
            over["pupils"] = self.engine.pupil_count
        if self.engine.has_check:
            over["check"] = self.check_view()
        self._post("game:over", over, host_room(self.pin))
        live_games(self.app).forget_later(self.pin)

    def _save_phase(self, opened: bool = False) -> None:
        """Store the phase; on a reveal also the streaks it reset, so a rebuilt game agrees.

        The write names the version this process last stored: if another process has taken
        the game over since, it matches nothing, and this copy withdraws (``GameMoved``)."""
        e = self.engine
        now = utcnow()
        values = {"phase": e.phase.value, "current_index": e.index, "version": self.version + 1}
        if opened:
            values["question_opened_at"] = now
            values["started_at"] = func.coalesce(GameRow.started_at, now)
        if e.phase is Phase.OVER:
            values["ended_at"] = now
        moved = db.session.execute(
            update(GameRow).where(GameRow.id == self.game_id, GameRow.version == self.version)
            .values(**values).execution_options(synchronize_session=False)).rowcount == 0
        if moved:
            db.session.rollback()
            live_games(self.app).forget(self.pin, self)
            raise GameMoved(self.pin)
        if e.phase is Phase.REVEAL and not e.question.keeps_streaks:
            silent = [self._row_ids[p.id] for p in e.players.values()
                      if e.index not in p.answers and p.id in self._row_ids]
            if silent:
                db.session.execute(update(PlayerRow).where(PlayerRow.id.in_(silent))
                                   .values(streak=0))
        db.session.commit()
        self.version += 1
        if e.phase in (Phase.REVEAL, Phase.OVER):
            summaries.refresh_later(self.app, self.game_id)  # the records follow the game

    # ----- sending ------------------------------------------------------------------------

    def _post(self, event: str, payload: dict, room: str) -> None:
        self._outbox.append((event, payload, room))

    def _send(self) -> None:
        """Send what the state changes produced, in the order they happened."""
        with self._send_lock:
            sent = 0
            while self._outbox:
                event, payload, room = self._outbox.popleft()
                _emit(event, payload, room)
                sent += 1
                if sent % SEND_SLICE == 0:
                    socketio.sleep(0)

    # ----- views of the state ---------------------------------------------------------------

    def reveal_payload(self) -> dict:
        return self.engine.reveal_view()

    def leaderboard(self) -> dict:
        return {
            "index": self.engine.index,
            "total": self.engine.total,
            "top": [self._standing(s) for s in self.engine.top(LEADERBOARD_SIZE)],
            "players": self.engine.active_count,
            **self.engine.part_view(self.engine.index),
        }

    def check_view(self) -> dict:
        """The class's knowledge check so far: accuracy before and after, paired over the pupils
        who answered a question both times (``records.rules.check_gain``), and how many pairs
        and pupils that is."""
        before, after = self.engine.check_answers()
        gain = check_gain(before, after, self.engine.check_size)
        return {"questions": self.engine.check_size, "before": gain.before, "after": gain.after,
                "gain": gain.gain, "answers": gain.answers,
                "players": len({player for player, _ in before.keys() & after.keys()})}

    def podium(self) -> list[dict]:
        return [self._standing(s) for s in self.engine.top(PODIUM_SIZE)]

    def _standing(self, standing: Standing) -> dict:
        """A row of a leaderboard or the podium; in team mode with the team's ``members``."""
        row = {"nickname": standing.player.nickname, "score": standing.player.score,
               "rank": standing.rank}
        if self.engine.options.team_mode:
            row["members"] = standing.player.members
        return row

    def _question_view(self) -> dict | None:
        e = self.engine
        if e.question is None or e.phase is not Phase.QUESTION:
            return None
        view = e.question_view()
        now = self.clock()
        shown, opens = e.choices_shown_at(), e.answers_open_at()
        # time_left is the countdown once answers open, as in question:start (None: no timer)
        left = e.time_left(now)
        view["time_left"] = None if left is None else round(left, 2)
        view["reading_left"] = round(max(0.0, shown - now), 2)
        if e.options.discussion:
            view["discussion_left"] = round(max(0.0, opens - max(now, shown)), 2)
        return view

    def player_state(self, player: Player) -> dict:
        """What a (re)joining phone needs to draw the current screen."""
        e = self.engine
        state = {"phase": e.phase.value, "index": e.index, "total": e.total,
                 "score": player.score, "question": self._question_view()}
        if e.options.team_mode:
            state.update(team_mode=True, members=player.members)
        if e.phase is Phase.QUESTION:
            mine = player.answers.get(e.index)
            state["answered"] = mine.choice_list if mine else None
        elif e.phase in (Phase.REVEAL, Phase.LEADERBOARD) and e.index >= 0:
            state["result"] = self.result_for(player)
            state["reveal"] = self.reveal_payload()
            if e.phase is Phase.LEADERBOARD:
                state["leaderboard"] = self.leaderboard()
        elif e.phase is Phase.OVER:
            ranks = e.ranks()
            state.update(podium=self.podium(), rank=ranks.get(player.id), players=len(ranks))
        if e.has_check:  # its size; at the end, the player's own before and after
            state["check"] = (e.check_tally(player) if e.phase is Phase.OVER
                              else {"questions": e.check_size})
        return state

    def host_state(self) -> dict:
        """What the projector needs to draw the current screen after a (re)load."""
        e = self.engine
        state = {"pin": self.pin, "phase": e.phase.value, "index": e.index, "total": e.total,
                 "question": self._question_view(), **self._lobby_payload(),
                 "answered": e.answered_count()}
        if e.options.team_mode:
            state["team_mode"] = True
        if e.phase is Phase.REVEAL:
            state["reveal"] = self.reveal_payload()
        elif e.phase is Phase.LEADERBOARD:
            state["reveal"] = self.reveal_payload()
            state["leaderboard"] = self.leaderboard()
        elif e.phase is Phase.OVER:
            state["podium"] = self.podium()
        if e.has_check:
            state["check"] = self.check_view()
        return state

    def _lobby_payload(self) -> dict:
        """The lobby list; in team mode each team with its ``members``, and ``pupils`` (all the
        teams' members)."""
        players = self.engine.active_players
        listed = players[-LOBBY_LIST_LIMIT:]
        if not self.engine.options.team_mode:
            return {"players": [{"player_id": p.id, "nickname": p.nickname} for p in listed],
                    "count": len(players)}
        return {"players": [{"player_id": p.id, "nickname": p.nickname, "members": p.members}
                            for p in listed],
                "count": len(players), "pupils": self.engine.pupil_count}

    # ----- coalesced host updates -----------------------------------------------------------

    def _host_changed(self, lobby: bool = False) -> None:
        """Note a change for the presenter's screens; sent at most once per interval."""
        self._lobby_dirty |= lobby
        self._progress_dirty = True
        if not self._host_flush_pending:
            self._host_flush_pending = True
            socketio.start_background_task(self._flush_host)

    def _flush_host(self) -> None:
        socketio.sleep(self._interval)
        with self.lock:
            self._host_flush_pending = False
            lobby = self._lobby_payload() if self._lobby_dirty else None
            progress = None
            if self._progress_dirty and self.engine.phase is Phase.QUESTION:
                progress = {"index": self.engine.index, "answered": self.engine.answered_count(),
                            "players": self.engine.active_count}
            self._lobby_dirty = self._progress_dirty = False
        if lobby is not None:
            socketio.emit("lobby:update", lobby, to=host_room(self.pin))
        if progress is not None:
            socketio.emit("question:progress", progress, to=host_room(self.pin))


def _emit(event: str, payload: dict, room: str) -> None:
    """Send one message. With several processes, a message goes through the message queue to
    reach phones connected to another process; but a player's own message (``player:result``,
    one per player per question) whose phone is connected here is sent straight to it, which
    keeps the queue's traffic to a few messages per question instead of one per player."""
    here = room.startswith(PLAYER_ROOM) and any(
        True for _ in socketio.server.manager.get_participants("/", room))
    socketio.emit(event, payload, to=room, ignore_queue=here)


class Registry:
    """The live games hosted by this process, by PIN. A game missing here is rebuilt from the
    database on first use (after a restart, or when routed here from another process); an
    ended game is forgotten a while after its end and rebuilt if anyone asks again."""

    FORGET_AFTER = 300.0

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._games: dict[str, LiveGame] = {}
        self._lock = threading.Lock()

    def get(self, pin: str) -> LiveGame | None:
        live = self._games.get(pin)
        if live is not None:
            return live
        row = db.session.scalar(select(GameRow).where(GameRow.pin == pin))
        if row is None or row.mode == "challenge":  # played at home (web/challenge.py), never live
            return None
        with self._lock:
            live = self._games.get(pin)
            if live is None:
                live = LiveGame.from_row(self.app, row)
                if live.engine.phase is not Phase.OVER:
                    self._games[pin] = live
        return live

    def forget(self, pin: str, live: LiveGame) -> None:
        """Drop ``live`` (a stale copy): the next request rebuilds the game from the database."""
        with self._lock:
            if self._games.get(pin) is live:
                del self._games[pin]

    def forget_later(self, pin: str) -> None:
        def forget():
            socketio.sleep(self.FORGET_AFTER)
            self._games.pop(pin, None)

        socketio.start_background_task(forget)

    def __len__(self) -> int:
        return len(self._games)


def live_games(app: Flask) -> Registry:
    """This app's registry of live games."""
    registry = app.extensions.get("live_games")
    if registry is None:
        registry = app.extensions["live_games"] = Registry(app)
    return registry
