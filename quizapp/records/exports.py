"""The records pages' tables as files a spreadsheet opens cleanly: CSV (UTF-8 with a byte-order
mark, so Excel shows Vietnamese, comma-separated, CRLF) and XLSX (openpyxl: one sheet per table,
real numbers, dates and percentages, a bold frozen header row).

Each file holds what its page shows: the builders below take the same data the page renders
(``queries``), so a figure in a download is the figure on the screen.

Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` at the start: a class
label or a question typed by someone) is written as text: quoted with ``'`` in CSV, stored as a
string cell in XLSX.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..services.org import LEVEL_LABELS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Kinds of column: how a value is written.
TEXT, INT, DECIMAL, PERCENT, DAY = "text", "int", "decimal", "percent", "day"
#: A column whose kind each row names (``row["kind"]``): a table of labelled figures.
PER_ROW = "per_row"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], Any]
    kind: str = TEXT


@dataclass
class Table:
    """A table of a page: ``name`` is its file/sheet name (ASCII), ``title`` its sheet title."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)

    def cells(self) -> Iterable[list[tuple[Any, str]]]:
        """Each row's (value, kind) per column."""
        for row in self.rows:
            yield [(column.value(row), row.get("kind", TEXT) if column.kind == PER_ROW
                    else column.kind) for column in self.columns]


def _text_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == PERCENT:
        return f"{value * 100:.1f}"
    if kind == DAY:
        return value.isoformat()
    if kind == DECIMAL:
        return f"{value:.1f}"
    if isinstance(value, str):
        return _text_cell(value)
    return value


def csv_bytes(table: Table) -> bytes:
    """The table as CSV: a header row, then a row per row; percentages as 0–100 with one
    decimal (the header says "%"), days as ISO dates (2025-10-06)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_text_cell(c.header) for c in table.columns])
    for cells in table.cells():
        writer.writerow([_csv_value(value, kind) for value, kind in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NUMBER_FORMATS = {INT: "#,##0", DECIMAL: "#,##0.0", PERCENT: "0.0%", DAY: "DD/MM/YYYY"}


def _sheet_title(title: str, used: set[str]) -> str:
    base = SHEET_NAME_BAD.sub("-", title).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def xlsx_bytes(tables: list[Table]) -> bytes:
    """The tables as a workbook, a sheet each, headers in bold on a frozen first row with
    filters, columns wide enough to read."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    header_fill = PatternFill("solid", fgColor="E6F0FA")
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        widths = [len(c.header) for c in table.columns]
        for col, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=col, value=column.header)
            cell.data_type = "s"
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for r, cells in enumerate(table.cells(), start=2):
            for col, (value, kind) in enumerate(cells, start=1):
                cell = sheet.cell(row=r, column=col, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                    widths[col - 1] = max(widths[col - 1], len(value))
                elif value is not None and kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[kind]
                    widths[col - 1] = max(widths[col - 1], 10)
        for col, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = min(60, max(8, width + 2))
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_name(*parts: str) -> str:
    """A download's name from its parts, in ASCII letters, digits and hyphens only (Vietnamese
    letters lose their marks: "Đồng Hỷ" → "Dong-Hy")."""
    def plain(part: str) -> str:
        part = unicodedata.normalize("NFKD", part.replace("Đ", "D").replace("đ", "d"))
        part = "".join(c for c in part if not unicodedata.combining(c))
        return re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-") or "x"

    return "-".join(plain(p) for p in parts)


# ----- what each page exports --------------------------------------------------------------------

def _pick(key: str) -> Callable[[dict], Any]:
    return lambda row: row.get(key)


def _level(row: dict) -> str:
    level = row.get("level") or ""
    return str(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level


def _check(key: str) -> Callable[[dict], Any]:
    return lambda row: (row.get("check") or {}).get(key)


def _day(row: dict) -> date:
    return date.fromisoformat(row["date"])


def _mode(row: dict) -> str:
    """How a session was held: in person, remote, or at home at the pupils' own pace (a
    challenge)."""
    if row.get("mode") == "challenge":
        return _("At home (self-paced)")
    return _("In person") if row["in_person"] else _("Remote")


def summary_table(title: str, lines: list[tuple[str, Any, str]]) -> Table:
    """A two-column table of labelled figures (label, value, kind)."""
    return Table("summary", title, [Column(_("Figure"), _pick("label")),
                                    Column(_("Value"), _pick("value"), PER_ROW)],
                 [{"label": label, "value": value, "kind": kind} for label, value, kind in lines])


def units_table(units: list[dict], name: str = "units", title: str | None = None) -> Table:
    return Table(name, title or _("Communes and wards"), [
        Column(_("Commune/ward"), _pick("unit")),
        Column(_("Province"), _pick("province")),
        Column(_("Schools"), _pick("schools"), INT),
        Column(_("Schools with an in-person session"), _pick("schools_in_person"), INT),
        Column(_("Schools reached"), _pick("schools_reached"), INT),
        Column(_("Sessions"), _pick("sessions"), INT),
        Column(_("Students"), _pick("students"), INT),
        Column(_("Covered"), lambda u: _("Covered") if u["covered"] else _("Not covered")),
    ], units)


def days_table(series: dict) -> Table:
    return Table("days", _("Sessions per week") if series["weekly"] else _("Sessions per day"), [
        Column(_("Week from") if series["weekly"] else _("Day"), _pick("day"), DAY),
        Column(_("Sessions"), _pick("sessions"), INT),
        Column(_("Students"), _pick("students"), INT),
    ], series["bars"])


def topics_table(topics: list[dict]) -> Table:
    return Table("topics", _("Accuracy by topic"), [
        Column(_("Topic"), _pick("label")),
        Column(_("Answers"), _pick("answers"), INT),
        Column(_("Accuracy (%)"), _pick("accuracy"), PERCENT),
    ], topics)


def levels_table(levels: list[dict]) -> Table:
    return Table("levels", _("School levels"), [
        Column(_("School level"), _level),
        Column(_("Schools"), _pick("schools"), INT),
        Column(_("Schools reached"), _pick("reached"), INT),
        Column(_("Sessions"), _pick("sessions"), INT),
        Column(_("Students"), _pick("students"), INT),
    ], levels)


def sessions_table(sessions: list[dict], with_school: bool = False) -> Table:
    columns = [Column(_("Date"), _day, DAY)]
    if with_school:
        columns += [Column(_("School"), _pick("school_name")),
                    Column(_("School code"), _pick("school"))]
    columns += [
        Column(_("Class"), _pick("class_label")),
        Column(_("Presenter"), _pick("presenter")),
        Column(_("Quiz"), _pick("quiz_title")),
        Column(_("In person, remote or at home"), _mode),
        Column(_("Players"), _pick("players"), INT),
        Column(_("Students"), _pick("students"), INT),
        Column(_("Average score"), _pick("average_score"), DECIMAL),
        Column(_("Accuracy (%)"), _pick("accuracy"), PERCENT),
        Column(_("Check before (%)"), _check("before"), PERCENT),
        Column(_("Check after (%)"), _check("after"), PERCENT),
        Column(_("Gain (points of %)"), lambda r: _gain_points(r.get("check"))),
        Column(_("PIN"), _pick("pin")),
        Column(_("Teams sharing phones"), _pick("teams"), INT),
        Column(_("Students in teams"), _pick("team_students"), INT),
    ]
    return Table("sessions", _("Sessions"), columns, sessions)


def _gain_points(check: dict | None) -> float | None:
    """A gain as percentage points (after − before, 0.12 → 12.0): a gain is not a share of
    anything, so it is written as the difference a reader compares with the two columns."""
    if not check or check.get("gain") is None:
        return None
    return round(check["gain"] * 100, 1)


def questions_table(questions: list[dict]) -> Table:
    return Table("questions", _("Questions"), [
        Column(_("Question"), _pick("question")),
        Column(_("Topic"), _pick("topic_label")),
        Column(_("Answers"), _pick("answers"), INT),
        Column(_("Accuracy (%)"), _pick("accuracy"), PERCENT),
    ], questions)


def trend_table(months: list[dict]) -> Table:
    return Table("trend", _("Trend by month"), [
        Column(_("Month"), _pick("month")),
        Column(_("Sessions"), _pick("sessions"), INT),
        Column(_("Students"), _pick("students"), INT),
        Column(_("Average score"), _pick("average_score"), DECIMAL),
        Column(_("Accuracy (%)"), _pick("accuracy"), PERCENT),
    ], months)


def schools_visited_table(schools: list[dict]) -> Table:
    return Table("schools", _("Schools visited"), [
        Column(_("School"), _pick("name")),
        Column(_("School code"), _pick("code")),
        Column(_("Sessions"), _pick("sessions"), INT),
        Column(_("Students"), _pick("students"), INT),
        Column(_("Last session"), lambda s: date.fromisoformat(s["last"]), DAY),
    ], schools)
