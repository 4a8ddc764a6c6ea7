"""Scoring rules.

Speed scoring follows the classroom convention players know: a correct answer earns between half
and all of the question's points, falling linearly with the time taken. Time is measured by the
server from the moment the choices were shown; a phone cannot send its own clock.

Network latency: a fixed allowance (``LATENCY_ALLOWANCE``) is taken off every response time before
it is scored, so an answer that spent up to that long on a slow school network scores as if it
had arrived instantly; and answers that arrive up to ``GRACE`` seconds after the countdown shown on
the projector ends are still accepted (and score the minimum for their time). A fixed allowance
treats every phone alike, needs no trust in the client, and costs a fast phone nothing.
"""
from __future__ import annotations

#: Seconds of transit forgiven on every answer before speed is scored.
LATENCY_ALLOWANCE = 0.3
#: Seconds after the countdown during which an answer still in flight is accepted.
GRACE = 1.0
#: Extra points per consecutive correct answer after the first.
STREAK_STEP = 100
#: The streak bonus never exceeds this.
STREAK_CAP = 500


def speed_points(points: int, elapsed: float, time_limit: float) -> int:
    """Points for a correct answer given after ``elapsed`` seconds of a ``time_limit`` question.

    Full points for an instant answer, half for one at the end of the countdown, linear between.
    """
    if points <= 0:
        return 0
    taken = min(max(elapsed - LATENCY_ALLOWANCE, 0.0), time_limit)
    fraction = taken / time_limit if time_limit > 0 else 1.0
    return int(round(points * (1.0 - fraction / 2.0)))


def streak_bonus(streak: int) -> int:
    """Bonus for the ``streak``-th correct answer in a row (the first earns none)."""
    if streak <= 1:
        return 0
    return min((streak - 1) * STREAK_STEP, STREAK_CAP)


def answer_points(points: int, elapsed: float, time_limit: float, streak: int,
                  speed_scoring: bool) -> int:
    """All points for one correct answer: base (speed or fixed) plus the streak bonus."""
    base = speed_points(points, elapsed, time_limit) if speed_scoring else points
    return base + streak_bonus(streak) if points > 0 else 0
