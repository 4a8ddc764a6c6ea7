"""Process settings for a long-running server (applied by ``wsgi.py``, not by the tests)."""
from __future__ import annotations

import gc

#: Young-generation size of Python's cyclic garbage collector, and the two older thresholds.
GC_THRESHOLD = (50_000, 20, 10)


def tune_gc(threshold: tuple[int, int, int] = GC_THRESHOLD) -> None:
    """Keep the garbage collector out of the rounds.

    Python runs a full collection each time the objects that survived two young collections
    have grown by a quarter. With a thousand phones connected (about 250,000 objects) a full
    collection takes some 0.2 s of CPU, and the objects alive during a burst of answers (each
    waiting for its commit) used to trigger one every question: most of the CPU per answer
    above the bare Flask-SocketIO server's. A young generation of 50,000 lets those objects die
    young instead. The objects made while starting up are frozen out of every collection.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*threshold)
