"""In-process rate-limit storage that is safe for a burst of greenlets.

limits' ``MemoryStorage`` starts a ``threading.Timer`` (10 ms, then it ends) on every hit when the
previous one has finished. Under gevent ``Thread.start()`` yields until the new greenlet runs, so
every hit of a burst (a class joining at once) sees no live timer and starts its own timer
greenlet, and each caller waits with its saved stack: for 1,000 joins a transient peak of
~19 MB, whose freed memory the allocators keep (the server's RSS stayed ~20 KB per player
higher). Here at most one sweep is pending at a time; the counting is limits' own.
"""
from __future__ import annotations

import threading

from limits.storage import MemoryStorage


class BurstSafeMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["quizapp-memory"]

    def __init__(self, *args, **kwargs):
        self._sweep_pending = False
        super().__init__(*args, **kwargs)

    # limits' private MemoryStorage.__schedule_expiry (name-mangled), called on every hit
    def _MemoryStorage__schedule_expiry(self) -> None:
        if self._sweep_pending:
            return
        self._sweep_pending = True  # set before start(), which may yield to other greenlets
        try:
            self.timer = threading.Timer(0.01, self._sweep)
            self.timer.start()
        except BaseException:
            self._sweep_pending = False
            raise

    def _sweep(self) -> None:
        try:
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_pending = False
