"""Group commit for answers.

Writing each answer in its own transaction, under the game's lock, makes every player of a game
wait for every other player's commit. Instead, accepted answers are queued and written in
batches — one transaction for all the answers that arrived while the previous one committed —
and each player's acknowledgement waits only for the commit that holds its own answer. Nothing
is acknowledged before its row is committed.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import bindparam, insert, update

from ..extensions import db, socketio
from ..models import Answer as AnswerRow
from ..models import Player as PlayerRow

log = logging.getLogger(__name__)

#: Seconds between attempts when the database refuses a batch.
RETRY_DELAY = 0.5


@dataclass
class Ticket:
    """One queued answer; ``wait`` returns True once its batch is committed."""

    row: dict
    player_row_id: int
    score_delta: int
    streak: int
    done: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float) -> bool:
        return self.done.wait(timeout)


class AnswerWriter:
    """Writes a game's answers in batches, in the order they were accepted."""

    def __init__(self, app: Flask):
        self.app = app
        self._queue: list[Ticket] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()  # one batch at a time, in order
        self._running = False

    def submit(self, ticket: Ticket) -> Ticket:
        with self._lock:
            self._queue.append(ticket)
            if not self._running:
                self._running = True
                socketio.start_background_task(self._run)
        return ticket

    def _run(self) -> None:
        with self.app.app_context():
            while True:
                with self._lock:
                    if not self._queue:
                        self._running = False
                        return
                while not self._write_next():
                    socketio.sleep(RETRY_DELAY)

    def drain(self) -> None:
        """Write everything queued so far, now (before a reveal, so the reveal never shows an
        answer the database does not have). Raises if the database refuses."""
        if not self._write_next():
            raise RuntimeError("the database refused the answers")

    def _write_next(self) -> bool:
        """Write one batch; False (and the batch put back) if the database refused it."""
        with self._write_lock:
            batch = self._take()
            if not batch:
                return True
            try:
                self._commit(batch)
            except Exception:
                log.exception("writing %d answers failed; retrying", len(batch))
                with self._lock:
                    self._queue[:0] = batch
                return False
        return True

    def _take(self) -> list[Ticket]:
        with self._lock:
            batch, self._queue = self._queue, []
        return batch

    def _commit(self, batch: list[Ticket]) -> None:
        answers, players = AnswerRow.__table__, PlayerRow.__table__
        try:
            connection = db.session.connection()
            connection.execute(insert(answers), [t.row for t in batch])
            connection.execute(
                update(players).where(players.c.id == bindparam("pid"))
                .values(score=players.c.score + bindparam("delta"),
                        streak=bindparam("new_streak")),
                [{"pid": t.player_row_id, "delta": t.score_delta, "new_streak": t.streak}
                 for t in batch])
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        for ticket in batch:
            ticket.done.set()
