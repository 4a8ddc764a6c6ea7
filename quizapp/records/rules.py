"""The rules of the records, in plain Python (no Flask, no database): what day a session belongs
to, which campaigns it counts for, what makes a commune/ward "covered", how a knowledge check's
gain is paired. The SQL in ``queries.py`` aggregates by these rules where the data is; the tests
check the two agree."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from statistics import median as _median
from typing import Hashable, Iterable, Mapping
from zoneinfo import ZoneInfo


def local_day(moment: datetime, zone: str) -> date:
    """The day of a stored moment (naive UTC) in the deployment's time zone: a session that
    starts at 23:30 in Vietnam on 30 November belongs to 30 November, not to 1 December's
    UTC morning."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).date()


def in_window(day: date, starts: date, ends: date) -> bool:
    """A campaign's window holds both its first and its last day."""
    return starts <= day <= ends


def counts(players: int) -> bool:
    """A session counts for the records only if somebody played: one with no player counts for
    nothing (not as a session, not for coverage)."""
    return players > 0


def unit_covered(sessions: Iterable[tuple[bool, int]]) -> bool:
    """A commune/ward is covered in a campaign when at least one of its schools held an in-person
    session that somebody played (``sessions``: (in person, players) of its sessions in the
    window). Remote sessions reach students but do not meet the letter's target."""
    return any(in_person and counts(players) for in_person, players in sessions)


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(_median(values)) if values else None


def accuracy(correct: int, answered: int) -> float | None:
    """Share of right answers, 0–1, rounded to 3 places; None when nobody answered."""
    return round(correct / answered, 3) if answered else None


@dataclass(frozen=True)
class CheckGain:
    """What a knowledge check measured. ``before`` and ``after`` are accuracies (0–1) over the
    *pairs* only: a player's answer to a check question counts if the same player answered the
    same question both before and after the quiz. ``answers`` is the number of pairs; ``gain``
    is after − before. ``questions`` has, per check question, (before, after, pairs)."""

    before: float | None
    after: float | None
    answers: int
    gain: float | None
    questions: tuple[tuple[float | None, float | None, int], ...]


def check_gain(before: Mapping[tuple[Hashable, int], bool],
               after: Mapping[tuple[Hashable, int], bool], questions: int) -> CheckGain:
    """Pair a knowledge check's answers. ``before``/``after`` map (player, check question
    number) to whether that answer was right; ``questions`` is how many questions the check has.

    Players who answered only one of the two times (they joined late, left early, or skipped a
    question) are left out of that question, so the gain measures the same pupils twice and
    never the arrival of late-comers."""
    pairs = before.keys() & after.keys()
    per_question = []
    for number in range(questions):
        keys = [k for k in pairs if k[1] == number]
        right_before = sum(1 for k in keys if before[k])
        right_after = sum(1 for k in keys if after[k])
        per_question.append((accuracy(right_before, len(keys)), accuracy(right_after, len(keys)),
                             len(keys)))
    total_before = sum(1 for k in pairs if before[k])
    total_after = sum(1 for k in pairs if after[k])
    acc_before = accuracy(total_before, len(pairs))
    acc_after = accuracy(total_after, len(pairs))
    gain = (round((total_after - total_before) / len(pairs), 3) if pairs else None)
    return CheckGain(acc_before, acc_after, len(pairs), gain, tuple(per_question))
