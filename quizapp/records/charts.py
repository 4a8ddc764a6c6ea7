"""What the records pages' charts draw, in plain Python: the series (every day of a window, empty
days included) and the scale. The pages draw them as HTML bars (``templates/records/_charts.html``)
so that the text scales with the reader's settings, prints, and needs no script; every chart
comes with its numbers as a table."""
from __future__ import annotations

import math
from datetime import date, timedelta

#: Longer windows are drawn a week a bar: a bar a day would be thinner than a pixel on a phone.
MAX_DAY_BARS = 92


def nice_max(value: float) -> float:
    """The top of a scale holding ``value``: 1, 2, 2.5 or 5 times a power of ten (at least 1),
    so that its halves and quarters read as round numbers."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # not reached


def day_series(rows: list[dict], starts: date, ends: date, today: date | None = None) -> dict:
    """Sessions and students per day over ``starts``..``ends`` (``rows``: ``queries.per_day``),
    with the days that had none; a window longer than ``MAX_DAY_BARS`` days is summed per week
    (weeks start on Monday). Each bar has ``share`` (0–1 of the scale's top) and ``future``
    (it starts after ``today``: a campaign under way has days still to come)."""
    by_day = {date.fromisoformat(r["day"]): r for r in rows}
    weekly = (ends - starts).days + 1 > MAX_DAY_BARS
    bars: list[dict] = []
    day = starts
    while day <= ends:
        first = day
        last = min(ends, day + timedelta(days=6 - day.weekday())) if weekly else day
        sessions = students = 0
        while day <= last:
            if day in by_day:
                sessions += by_day[day]["sessions"]
                students += by_day[day]["students"]
            day += timedelta(days=1)
        bars.append({"day": first, "last": last, "sessions": sessions, "students": students,
                     "future": today is not None and first > today})
    top = nice_max(max((b["sessions"] for b in bars), default=0))
    for b in bars:
        b["share"] = b["sessions"] / top
    busiest = max(bars, key=lambda b: b["sessions"], default=None)
    return {"bars": bars, "top": top, "weekly": weekly,
            "total": sum(b["sessions"] for b in bars),
            "busiest": busiest if busiest and busiest["sessions"] else None,
            "active_days": sum(1 for b in bars if b["sessions"])}
