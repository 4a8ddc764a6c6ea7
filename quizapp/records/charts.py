"""What the records pages' charts draw, in plain Python: the series (every day of a window, empty
days included; every month of a school's record, empty months included) and the figures each
chart is handed as JSON. The page draws them with Chart.js (``static/js/records-charts.js``)
and keeps every chart's numbers in a table beside it, so that they read without the script, in
print, and with a screen reader.

Figures stay raw (ISO days, ``2025-10`` months, shares 0–1): the script writes them in the
page's language, the tables through the same template filters as the rest of the page."""
from __future__ import annotations

from datetime import date, timedelta

#: Longer windows are drawn a week a bar: a bar a day would be thinner than a pixel on a phone.
MAX_DAY_BARS = 92


def day_series(rows: list[dict], starts: date, ends: date, today: date | None = None) -> dict:
    """Sessions and students per day over ``starts``..``ends`` (``rows``: ``queries.per_day``),
    with the days that had none; a window longer than ``MAX_DAY_BARS`` days is summed per week
    (weeks start on Monday). Each bar has ``future`` (it starts after ``today``: a campaign
    under way has days still to come)."""
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
    busiest = max(bars, key=lambda b: b["sessions"], default=None)
    return {"bars": bars, "weekly": weekly,
            "total": sum(b["sessions"] for b in bars),
            "busiest": busiest if busiest and busiest["sessions"] else None,
            "active_days": sum(1 for b in bars if b["sessions"])}


def days_chart(series: dict) -> dict:
    """Sessions per day (or week) for the chart: a bar for every day of the window, the days
    still to come marked."""
    bars = series["bars"]
    future = next((i for i, b in enumerate(bars) if b["future"]), None)
    return {"kind": "days", "weekly": series["weekly"],
            "days": [b["day"].isoformat() for b in bars],
            "last": [b["last"].isoformat() for b in bars],
            "sessions": [b["sessions"] for b in bars],
            "students": [b["students"] for b in bars],
            "future_from": future}


def topics_chart(topics: list[dict]) -> dict:
    """Accuracy by topic for the chart, in the order given (``queries.accuracy_by_topic``:
    weakest first)."""
    return {"kind": "topics",
            "topics": [t["topic"] for t in topics],
            "labels": [str(t["label"]) for t in topics],
            "accuracy": [t["accuracy"] for t in topics],
            "answers": [t["answers"] for t in topics]}


def _months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def trend_chart(months: list[dict]) -> dict:
    """A school's trend for the chart (``queries.per_month``): every month from its first
    session to its last, a month without a session having no accuracy and no score, so that the
    bars stand at their real distance in time."""
    by_month = {m["month"]: m for m in months}
    span = _months(months[0]["month"], months[-1]["month"]) if months else []
    empty = {"sessions": 0, "students": 0, "accuracy": None, "average_score": None}
    rows = [by_month.get(m, empty) for m in span]
    return {"kind": "trend", "months": span,
            "accuracy": [r["accuracy"] for r in rows],
            "average_score": [r["average_score"] for r in rows],
            "sessions": [r["sessions"] for r in rows],
            "students": [r["students"] for r in rows]}


def dashboard_charts(data: dict) -> dict:
    """The campaign dashboard's charts, from the figures it shows
    (``web.records.dashboard_data``)."""
    return {"days": days_chart(data["days"]), "topics": topics_chart(data["topics"])}


def school_charts(record: dict) -> dict:
    """A school record's charts, from the figures it shows (``web.records.school_data``)."""
    return {"trend": trend_chart(record["trend"]), "topics": topics_chart(record["topics"])}
