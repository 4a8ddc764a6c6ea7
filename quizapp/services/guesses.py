"""PIN and token guessing: the one thing limited per network address.

A school's Wi-Fi, and a mobile carrier, put hundreds of phones behind one public address, so
nothing a pupil legitimately does is limited by address: loading the join page, joining an open
game (bounded by the game's size and by each connection's join limit instead), coming back with a
resume token. What is limited is guessing:

- A *miss* is a PIN that finds no game, a resume token that finds no player, or a host that may
  not host the game it names. ``RATELIMIT_PIN_MISSES`` misses in the window (30 a minute) and the
  address is *held back*.
- A held-back address may not try a PIN it has not already used successfully: it gets
  ``rate_limited`` whether that PIN is right or wrong, so the limit tells a guesser nothing.
- The PINs an address has used successfully (its pupils joined, or loaded the join page) stay
  open to it for ``KNOWN_FOR``: one pupil's typos never lock the rest of the school out of their
  own session. A valid resume token or host credential is proof enough on any address.

Counts live in the rate limiter's storage (Redis with ``REDIS_URL``), so every process of a
deployment counts together.
"""
from __future__ import annotations

from flask import current_app
from limits import parse

from ..extensions import limiter

#: How long an address may keep using a PIN it joined or opened successfully (a session's day).
KNOWN_FOR = 12 * 3600


def _item():
    return parse(current_app.config["RATELIMIT_PIN_MISSES"])


def _prefix() -> str:
    return current_app.config["RATELIMIT_KEY_PREFIX"]


def _known_key(address: str, pin: str) -> str:
    return f"{_prefix()}/pin-known/{address}/{pin}"


def held_back(address: str) -> bool:
    """Whether ``address`` has missed too often in the window."""
    return not limiter.limiter.test(_item(), _prefix(), "pin-misses", address)


def count_miss(address: str) -> None:
    """A wrong PIN, an unknown token or a refused host from ``address``."""
    limiter.limiter.hit(_item(), _prefix(), "pin-misses", address)


def remember(address: str, pin: str) -> None:
    """``address`` used ``pin`` successfully: it stays open to the address when held back."""
    limiter.limiter.storage.incr(_known_key(address, pin), KNOWN_FOR)


def may_try(address: str, pin: str) -> bool:
    """Whether ``address`` may look ``pin`` up: it is not held back, or it used ``pin``
    successfully before."""
    return not held_back(address) or limiter.limiter.storage.get(_known_key(address, pin)) > 0
