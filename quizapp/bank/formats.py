"""Quizzes as files, in and out: YAML, JSON, CSV and Excel (.xlsx), and Kahoot's quiz spreadsheet
template.

``read_quiz(filename, data)`` reads any of them and checks the quiz with ``check_quiz``; a file
that cannot be taken in raises ``QuizFileError`` listing every problem as ``{"row", "field",
"message"}``. In a spreadsheet ``row`` is the row as Excel numbers it and ``field`` the column's
name ("row 7, Answer 3: Empty."); in YAML and JSON ``row`` is the question's number and
``field`` the quiz file's field (``choices.3``). Problems of the quiz itself are row 0, or in a
spreadsheet the row of the cell that holds the field. ``write_quiz(data, fmt)`` writes a quiz
(the plain data of ``QuizData.as_dict()``, or a ``QuizData``) in any of the four formats, so that
reading the file back gives the same quiz.

The spreadsheet layout (CSV and XLSX alike): the quiz's fields as "label, value" rows at the
top (``Slug``, ``Title``, ``Language``, ``Kind``, ``Level``, ``Translation of``,
``Description``), an empty row, then a header row and one question a row under it:

``Question``, ``Type``, ``Answer 1`` … ``Answer 4``, ``Correct answer(s)`` (answers' numbers from
1, or letters A–D: ``2``, ``1,3``), ``Time limit (sec)``, ``Points``, ``Explanation``, ``Topic``,
``Chat``, ``Image``, ``ID``.

A chat scenario's messages are the lines of its ``Chat`` cell, each ``Who: text``; the pupil's
own bubbles start with ``>`` (a sender named "Bạn" or "You" is the pupil's too; ``<`` in front
says a message is not the pupil's whatever its sender). A line that starts with spaces goes on
with the message above (a line break in it); a ``:`` or ``\\`` in a sender's name is written
``\\:`` or ``\\\\``.

Kahoot's template is told apart by its header row (``Question``, ``Answer 1`` … ``Answer 4``,
``Time limit``, ``Correct answer(s)``, each perhaps followed by Kahoot's hints such as "- max 120
characters"; anywhere in the first 20 rows) without a ``Type`` column. Its questions become
``single`` or ``multiple`` by the number of right answers (two-answer true/false ones stay
``single``), time limits above 120 s (Kahoot allows 240) are brought down to 120 s, there is no
explanation, and the quiz is in Vietnamese and named by a ``Title`` cell above the header, else
by the file's name.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

import yaml
from flask_babel import gettext as _
from flask_babel import ngettext

from ..engine.questions import MAX_TIME_LIMIT
from .topics import TOPICS
from .validate import (KINDS, LANGUAGES, LEVELS, MAX_QUESTIONS, MINE_SENDERS, SLUG_RE, BankError,
                       QuizData, QuizInvalid, check_quiz, file_question)

FORMATS = ("yaml", "json", "csv", "xlsx")
MIMETYPES = {
    "yaml": "application/yaml",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The largest file read (a quiz of 100 questions is some 100 KB in any format).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: An .xlsx is a zip: the most its parts may unpack to (a zip bomb is refused before opening).
MAX_UNPACKED_BYTES = 12 * 1024 * 1024
#: Cells merged at most in a workbook (openpyxl makes an object of each).
MAX_MERGED_CELLS = 20_000
#: Rows and columns of a spreadsheet read at most.
MAX_ROWS = 1000
MAX_COLUMNS = 40
#: Values in a YAML or JSON file at most, and how deep they nest (YAML aliases can make a small
#: file stand for an enormous one).
MAX_NODES = 60_000
MAX_DEPTH = 12
#: Where the header row of a spreadsheet may be.
HEADER_ROWS = 20


# ----- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in a file: the row (a spreadsheet's row, a YAML or JSON file's question
    number, 0 for the whole file), the column or field, and what."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}

    def describe(self) -> str:
        where = [_("row %(n)d", n=self.row)] if self.row else []
        if self.field and self.field != "file":
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class QuizFileError(BankError):
    """The file cannot be taken in; ``rows`` lists every problem (nothing of it is kept)."""

    def __init__(self, rows: list[RowProblem], message: str | None = None):
        self.rows = rows
        if message is None:
            if len(rows) == 1 and not rows[0].row:
                message = rows[0].message
            else:
                message = ngettext("The file has %(num)d problem; nothing was imported.",
                                   "The file has %(num)d problems; nothing was imported.",
                                   len(rows))
        self.message = message
        super().__init__(message)


def _whole(message: str) -> QuizFileError:
    """A problem with the whole file (row 0, field ``file``)."""
    return QuizFileError([RowProblem(0, "file", message)])


@dataclass(frozen=True)
class ReadResult:
    """A file read and checked: the quiz, the format it came in (``yaml``, ``json``, ``csv``,
    ``xlsx``), whether it was Kahoot's template, and notes on what was changed on the way."""

    quiz: QuizData
    format: str
    kahoot: bool = False
    notes: tuple[str, ...] = ()


# ----- the spreadsheet layout -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the quiz file's field
    label: str  # the header as written
    names: tuple[str, ...]  # what a header cell may start with (lower case)
    width: int  # in an .xlsx, in characters


COLUMNS = (
    Column("text", "Question", ("question",), 48),
    Column("type", "Type", ("type",), 11),
    *(Column(f"choices.{n}", f"Answer {n}", (f"answer {n}",), 24) for n in range(1, 5)),
    Column("correct", "Correct answer(s)", ("correct answer", "correct"), 12),
    Column("time_limit", "Time limit (sec)", ("time limit",), 10),
    Column("points", "Points", ("points",), 8),
    Column("explanation", "Explanation", ("explanation",), 48),
    Column("topic", "Topic", ("topic",), 18),
    Column("chat", "Chat", ("chat",), 48),
    Column("image", "Image", ("image",), 16),
    Column("id", "ID", ("id",), 22),
)
LABELS = {c.key: c.label for c in COLUMNS}
#: The quiz's own fields, above the table.
META = (
    Column("slug", "Slug", ("slug",), 0),
    Column("title", "Title", ("title", "quiz title"), 0),
    Column("language", "Language", ("language",), 0),
    Column("kind", "Kind", ("kind",), 0),
    Column("level", "Level", ("level",), 0),
    Column("translation_of", "Translation of", ("translation of",), 0),
    Column("description", "Description", ("description",), 0),
)
META_LABELS = {c.key: c.label for c in META}
#: A row holds a question when one of these is filled in.
CONTENT = ("text", "choices.1", "choices.2", "choices.3", "choices.4", "explanation", "chat")
#: A header row has at least these.
REQUIRED = ("text", "choices.1", "choices.2")
LETTERS = "ABCD"


def _words(value: Any) -> str:
    """A header or label cell as compared: lower case, "_" as a space, spaces made one."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.replace("_", " ").casefold().split())


def _names(text: str, column: Column) -> bool:
    """Whether a header cell's text names ``column``: its name, perhaps followed by a hint that
    does not go on with a letter or digit ("Question - max 120 characters")."""
    return any(text == name or (text.startswith(name) and not text[len(name)].isalnum())
               for name in column.names)


def _column_of(text: str, columns=COLUMNS) -> Column | None:
    return next((c for c in columns if _names(text, c)), None) if text else None


# ----- reading ----------------------------------------------------------------------------------


def read_quiz(filename: str, data: bytes) -> ReadResult:
    """The quiz in a file of any format, checked; ``QuizFileError`` lists every problem."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise _whole(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise _whole(_("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20))
    data = bytes(data)
    filename = re.split(r"[\\/]", filename or "")[-1]  # a browser may send "C:\fakepath\…"
    fmt = _format_of(filename, data)
    stem = PurePath(filename).stem
    checksum = hashlib.sha256(data).hexdigest()
    source = filename[:255]
    if fmt in ("yaml", "json"):
        plain = _read_yaml(data) if fmt == "yaml" else _read_json(data)
        quiz = _check_plain(plain, stem, source, checksum)
        return ReadResult(quiz, fmt)
    notes: list[str] = []
    if fmt == "xlsx":
        rows, merged = _xlsx_rows(data)
        sheet = _read_sheet(rows, merged)
    else:
        text, note = _decode(data)
        if note:
            notes.append(note)
        sheet = _csv_sheet(text)
    quiz = sheet.check(stem, source, checksum)
    return ReadResult(quiz, fmt, sheet.kahoot, tuple(notes + sheet.notes))


def _format_of(filename: str, data: bytes) -> str:
    name = (filename or "").lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise _whole(_("This is an old Excel file (.xls). Save it as Excel Workbook (.xlsx) and "
                       "upload it again."))
    if name.endswith(".ods"):
        raise _whole(_("Save the spreadsheet as Excel Workbook (.xlsx) or CSV UTF-8 and upload "
                       "it again."))
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    if not name or "." not in PurePath(name).name:  # no extension: by its first character
        head = data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1]
        return "json" if head in (b"{", b"[") else "yaml"
    raise _whole(_("Upload a quiz file: .yaml, .json, .csv or Excel .xlsx."))


def _decode(data: bytes) -> tuple[str, str]:
    """A text file's text and a note on its encoding: UTF-8 (with or without a BOM), UTF-16
    with a BOM (Excel's "Unicode text"), else Windows' Vietnamese code page (cp1258), which is
    what Excel's plain "CSV" writes on a Vietnamese Windows."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError:
            raise _whole(_("The file is not readable text.")) from None
    try:
        text, note = data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        try:
            text = unicodedata.normalize("NFC", data.decode("cp1258"))
        except UnicodeDecodeError:
            raise _whole(_("The file is not UTF-8 text. In Excel choose “Save as” → “CSV UTF-8 "
                           "(Comma delimited)”, or upload the .xlsx file.")) from None
        note = _("The file is not UTF-8: it was read as Windows Vietnamese (cp1258). Check the "
                 "accents.")
    if "\x00" in text:
        raise _whole(_("The file is not readable text."))
    return text, note


# ----- YAML and JSON ----------------------------------------------------------------------------


def _read_yaml(data: bytes) -> Any:
    text, _note = _decode_strict(data)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark, problem = exc.problem_mark, exc.problem or exc.context or ""
        if mark is None:
            raise _whole(_("Not valid YAML: %(problem)s", problem=problem)) from None
        raise _whole(_("Not valid YAML (line %(line)d, column %(column)d): %(problem)s",
                       line=mark.line + 1, column=mark.column + 1, problem=problem)) from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError):
        raise _whole(_("Not valid YAML.")) from None


def _read_json(data: bytes) -> Any:
    text, _note = _decode_strict(data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _whole(_("Not valid JSON (line %(line)d, column %(column)d): %(problem)s",
                       line=exc.lineno, column=exc.colno, problem=exc.msg)) from None
    except (RecursionError, ValueError):
        raise _whole(_("Not valid JSON.")) from None


def _decode_strict(data: bytes) -> tuple[str, str]:
    """YAML and JSON are UTF-8 (or UTF-16 with a BOM): no guessing."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _whole(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise _whole(_("The file is not readable text."))
    return text, ""


def _measure(value: Any) -> None:
    """Refuse data too large or too deep to check (an alias bomb, a self-referring list)."""
    stack = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise _whole(_("The file holds more than a quiz can."))
        if depth > MAX_DEPTH:
            raise _whole(_("The file's values are nested too deeply for a quiz."))
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for pair in item.items() for v in pair)
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend((v, depth + 1) for v in item)


def _check_plain(plain: Any, stem: str, source: str, checksum: str) -> QuizData:
    _measure(plain)
    if isinstance(plain, dict):
        plain = dict(plain)
        plain["slug"] = _slug(plain.get("slug"), stem)
    try:
        return check_quiz(plain, source=source, checksum=checksum)
    except QuizInvalid as exc:
        raise QuizFileError([RowProblem(p.question or 0, p.field or "", p.message)
                             for p in exc.problems]) from None


def _slug(value: Any, stem: str) -> str:
    """The file's slug if it is one; else one made of it or of the file's name (an upload is
    stored under a free slug anyway)."""
    from ..services.quizzes import slugify

    text = value.strip() if isinstance(value, str) else ""
    if SLUG_RE.match(text):
        return text
    made = slugify(text) or slugify(stem) or "quiz"
    return made[:80].strip("-") or "quiz"


# ----- spreadsheets: cells ----------------------------------------------------------------------


class _Bad:
    """A cell that cannot be read as a value: a formula, a date, an error."""

    def __init__(self, message: str):
        self.message = message


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list]], list[tuple[int, int, int, int]]]:
    """The first sheet's rows (row number, values) and its merged ranges (rows and columns of
    their corners)."""
    unreadable = _("This file is not a readable Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise _whole(_("The workbook is too large once unpacked."))
            # openpyxl makes an object of every cell of a merged range: refuse a huge one first
            merged_cells = sum(_merged_area(archive.read(info)) for info in archive.infolist()
                               if info.filename.startswith("xl/worksheets/"))
    except QuizFileError:
        raise
    except Exception:  # a damaged zip: a bad archive, a compression zipfile lacks, an OS error…
        raise _whole(unreadable) from None
    if merged_cells > MAX_MERGED_CELLS:
        raise _whole(_("The sheet has merged cells over a large area: unmerge them."))
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and parts it ignores
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except Exception:  # openpyxl and its XML parser raise many kinds for a damaged file
        raise _whole(unreadable) from None
    try:
        if not book.worksheets:
            raise _whole(_("The workbook has no sheet."))
        sheet = book.worksheets[0]
        last_row = min(sheet.max_row or 0, MAX_ROWS)
        last_col = min(sheet.max_column or 0, MAX_COLUMNS)
        rows = []
        for number, cells in enumerate(sheet.iter_rows(min_row=1, max_row=last_row,
                                                       max_col=last_col), start=1):
            rows.append((number, [_xlsx_value(cell) for cell in cells]))
        if (sheet.max_row or 0) > MAX_ROWS:
            # the cells there are (iter_rows would make one for every empty place)
            cells = getattr(sheet, "_cells", {})
            if any(row > MAX_ROWS and not _blank(cell.value)
                   for (row, _col), cell in cells.items()):
                raise _whole(_("The sheet has more than %(n)d rows.", n=MAX_ROWS))
        merged = [(r.min_row, r.min_col, r.max_row, r.max_col)
                  for r in sheet.merged_cells.ranges]
    finally:
        book.close()
    return rows, merged


_MERGE = re.compile(rb'<(?:[\w-]+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d{1,7})'
                    rb'(?::([A-Za-z]{1,3})(\d{1,7}))?"')


def _merged_area(xml: bytes) -> int:
    """How many cells the merged ranges of a sheet's XML cover."""
    from openpyxl.utils import column_index_from_string

    total = 0
    for match in _MERGE.finditer(xml):
        left, top, right, bottom = match.groups()
        right, bottom = right or left, bottom or top
        try:
            width = abs(column_index_from_string(right.decode().upper())
                        - column_index_from_string(left.decode().upper())) + 1
        except ValueError:
            continue  # openpyxl refuses such a reference itself
        total += width * (abs(int(bottom) - int(top)) + 1)
    return total


def _xlsx_value(cell) -> Any:
    value = cell.value
    if cell.data_type == "f" or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        return _Bad(_("A formula: type the value itself."))
    if cell.data_type == "e":
        return _Bad(_("An error value (%(value)s): type the value itself.", value=value))
    if isinstance(value, (datetime, date, time, timedelta)):
        return _Bad(_("A date or time: the spreadsheet changed what was typed. Format the "
                      "column as text and type it again."))
    return value


def _csv_sheet(text: str) -> "_Sheet":
    """The CSV's table, with the delimiter (comma, semicolon or tab, as Excel writes them in
    different countries) that gives a header row."""
    failure: QuizFileError | None = None
    for delimiter in (",", ";", "\t"):
        rows = []
        try:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            for number, cells in enumerate(reader, start=1):
                if number > MAX_ROWS:
                    if any(not _blank(c) for c in cells) or any(
                            any(not _blank(c) for c in more) for more in reader):
                        raise _whole(_("The file has more than %(n)d rows.", n=MAX_ROWS))
                    break
                rows.append((number, cells[:MAX_COLUMNS]))
        except csv.Error as exc:
            failure = failure or _whole(_("The CSV file cannot be read: %(error)s",
                                          error=str(exc)))
            continue
        try:
            return _read_sheet(rows, [])
        except QuizFileError as exc:
            failure = failure or exc
            if not getattr(exc, "no_header", False):
                raise
    raise failure


# ----- spreadsheets: the table ------------------------------------------------------------------


@dataclass
class _Sheet:
    """A spreadsheet read into a quiz's plain data, with where each value came from."""

    kahoot: bool
    data: dict
    header_row: int
    columns: dict[str, int]  # field -> column index
    meta_rows: dict[str, int]  # quiz field -> its row
    question_rows: list[int]
    choice_counts: list[int]
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: cells a problem already speaks for (the rest of a merged range)
    covered: set[tuple[int, str]] = field(default_factory=set)

    def check(self, stem: str, source: str, checksum: str) -> QuizData:
        data = dict(self.data)
        if self.kahoot and not str(data.get("title") or "").strip():
            data["title"] = stem.strip() or "Kahoot"
        data["slug"] = _slug(data.get("slug"), stem)
        problems = list(self.problems)
        try:
            quiz = check_quiz(data, source=source, checksum=checksum)
        except QuizInvalid as exc:
            taken = {(p.row, p.field) for p in problems} | self.covered
            for problem in exc.problems:
                row, name, message = self._where(problem)
                if (row, name) not in taken:
                    problems.append(RowProblem(row, name, message))
            quiz = None
        if problems:
            order = {label: i for i, label in enumerate([*META_LABELS.values(),
                                                         *LABELS.values()])}
            problems.sort(key=lambda p: (p.row, order.get(p.field, 99)))
            raise QuizFileError(problems)
        return quiz

    def _where(self, problem) -> tuple[int, str, str]:
        """A problem of ``check_quiz`` as a spreadsheet says it: row, column, message."""
        name, message = problem.field, problem.message
        if problem.question is None:
            if name in META_LABELS:
                return self.meta_rows.get(name, 0), META_LABELS[name], message
            if name == "questions":
                return 0, LABELS["text"], message
            return 0, "file", message
        row = self.question_rows[problem.question - 1]
        if name.startswith("chat"):
            parts = name.split(".")
            if len(parts) > 1:
                message = _("Message %(n)s: %(problem)s", n=parts[1], problem=message)
            return row, LABELS["chat"], message
        if name == "choices":
            count = self.choice_counts[problem.question - 1]
            key = "choices.2" if count < 2 else "choices.3" if count > 2 else "choices.1"
            return row, LABELS[key], message
        return row, LABELS.get(name, LABELS["text"]), message


def _find_header(rows) -> tuple[int, dict[str, int]] | None:
    for index, (_number, cells) in enumerate(rows[:HEADER_ROWS]):
        found: dict[str, int] = {}
        for col, cell in enumerate(cells):
            column = _column_of(_words(cell) if not isinstance(cell, _Bad) else "")
            if column is not None and column.key not in found:
                found[column.key] = col
        if all(key in found for key in REQUIRED):
            return index, found
    return None


def _read_sheet(rows: list[tuple[int, list]], merged) -> _Sheet:
    header = _find_header(rows)
    if header is None:
        error = _whole(_("No header row: the first %(n)d rows have no row with the columns "
                         "Question, Answer 1, Answer 2 … Start from the example spreadsheet.",
                         n=HEADER_ROWS))
        error.no_header = True  # another CSV delimiter may find it
        raise error
    index, columns = header
    header_row = rows[index][0]
    problems: list[RowProblem] = []
    # two columns with one name: the second is ignored, which would lose what it holds
    for col, cell in enumerate(rows[index][1]):
        column = _column_of(_words(cell) if isinstance(cell, str) else "")
        if column is not None and columns[column.key] != col:
            problems.append(RowProblem(header_row, column.label,
                                       _("Two columns have this name.")))
    data: dict[str, Any] = {}
    meta_rows: dict[str, int] = {}
    for number, cells in rows[:index]:
        _read_meta(number, cells, data, meta_rows, problems)
    kahoot = "type" not in columns and "slug" not in meta_rows
    if kahoot:
        data.setdefault("language", "vi")

    sheet = _Sheet(kahoot, data, header_row, columns, meta_rows, [], [], problems)
    by_col = {col: key for key, col in columns.items()}
    for top, left, bottom, right in merged:
        if bottom < header_row:
            continue  # a banner above the table
        keys = [by_col[c - 1] for c in range(left, right + 1) if c - 1 in by_col]
        if keys:
            top = max(top, header_row)
            problems.append(RowProblem(top, LABELS[keys[0]],
                                       _("Merged cells: unmerge them, one value a cell.")))
            sheet.covered.update((row, LABELS[key]) for key in keys
                                 for row in range(top, min(bottom, top + MAX_ROWS) + 1))

    questions = []
    for number, cells in rows[index + 1:]:
        values = {key: cells[col] if col < len(cells) else None for key, col in columns.items()}
        if all(_blank(values.get(key)) for key in CONTENT):
            continue  # no question here, perhaps a row of settings copied down
        questions.append(_read_row(number, values, sheet))
    data["questions"] = questions
    if len(questions) > MAX_QUESTIONS:  # said once, not for every row past the limit
        del questions[MAX_QUESTIONS + 1:]
    return sheet


def _read_meta(number: int, cells: list, data: dict, meta_rows: dict, problems: list) -> None:
    """A "label, value" row above the table ("Title | My quiz", or "Title: My quiz")."""
    filled = [(i, c) for i, c in enumerate(cells) if not _blank(c)]
    if not filled:
        return
    col, label = filled[0]
    if not isinstance(label, str):
        return
    text = _words(label)
    inline = None
    if ":" in label:
        head, _sep, rest = label.partition(":")
        if _column_of(_words(head), META) is not None and rest.strip():
            text, inline = _words(head), rest.strip()
    column = _column_of(text, META)
    if column is None or (column.key in meta_rows):
        return
    if inline is not None:
        value = inline
    else:
        value = next((c for i, c in filled[1:]), None)
        if value is None and text not in column.names:
            return  # a sentence that begins with "Title", not a title
    if isinstance(value, _Bad):
        problems.append(RowProblem(number, column.label, value.message))
        value = None
    meta_rows[column.key] = number
    if not _blank(value):
        value = _cell_text(value)
        data[column.key] = value.lower() if column.key in ("language", "kind", "level") else value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _read_row(number: int, values: dict[str, Any], sheet: _Sheet) -> dict:
    """One question row as the plain data ``check_quiz`` takes."""
    for key, value in values.items():
        if isinstance(value, _Bad):
            sheet.problems.append(RowProblem(number, LABELS[key], value.message))
            values[key] = None
    sheet.question_rows.append(number)
    item: dict[str, Any] = {"text": _cell_text(values.get("text"))}
    last = max(int(k.split(".")[1]) for k in values if k.startswith("choices."))
    choices = [_cell_text(values.get(f"choices.{n}")) for n in range(1, last + 1)]
    item["choices"] = choices
    count = len(choices)
    while count > 2 and not choices[count - 1].strip():
        count -= 1
    sheet.choice_counts.append(count)
    item["correct"] = _correct(values.get("correct"))
    if "type" in values:
        kind = re.sub(r"[\s/_-]+", "", _words(_cell_text(values.get("type"))))
        item["type"] = {"tf": "truefalse"}.get(kind, kind)
    else:  # Kahoot's template: by the number of right answers
        right = {c for c in item["correct"] if isinstance(c, int)}
        item["type"] = "multiple" if len(right) > 1 else "single"
    seconds = values.get("time_limit")
    limit = _whole_number(seconds)
    if sheet.kahoot and limit is not None and limit > MAX_TIME_LIMIT:
        sheet.notes.append(_("Row %(row)d: a time limit of %(old)d s was brought down to "
                             "%(new)d s.", row=number, old=limit, new=MAX_TIME_LIMIT))
        seconds = MAX_TIME_LIMIT
    if not _blank(seconds):
        item["time_limit"] = seconds
    if not _blank(values.get("points")):
        item["points"] = values["points"]
    for key in ("explanation", "image", "id"):
        if key in values:
            item[key] = _cell_text(values[key])
    if not _blank(values.get("topic")):
        item["topic"] = _cell_text(values["topic"]).strip().lower()
    if not _blank(values.get("chat")):
        item["chat"] = _read_chat(number, _cell_text(values["chat"]), sheet)
    return item


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0+)?\s*", value):
        return int(float(value))
    return None


_SEPARATORS = re.compile(r"(?:[\s,;/+&.]|\band\b|\bvà\b)+", re.IGNORECASE)


def _correct(value: Any) -> list:
    """The right answers' 0-based numbers from a cell: ``2``, ``1,3``, ``1;3``, ``A, C``
    (Excel in a country that writes decimals with a comma turns "1,3" into 1.3, read alike).
    Anything else is passed on as it is, for ``check_quiz`` to name."""
    if _blank(value):
        return []
    if isinstance(value, bool):
        return [_cell_text(value)]
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            value = repr(value)
        else:
            return [int(value) - 1]
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        return [int(float(text)) - 1]
    picked: list = []
    for token in (t for t in _SEPARATORS.split(text) if t):
        if re.fullmatch(r"[0-9]+", token):
            picked.append(int(token) - 1)
        elif len(token) == 1 and token.upper() in LETTERS:
            picked.append(LETTERS.index(token.upper()))
        else:
            picked.append(token)
    return picked


def _read_chat(number: int, text: str, sheet: _Sheet) -> list[dict]:
    """A ``Chat`` cell's messages (see the module's description)."""
    messages: list[dict] = []
    for line_number, line in enumerate(text.split("\n"), start=1):
        if line[:1] in (" ", "\t"):
            if messages:
                rest = line[2:] if line.startswith("  ") else line[1:]
                messages[-1]["text"] += "\n" + rest
                continue
            if not line.strip():
                continue
            line = line.lstrip()
        if not line.strip():
            continue
        mine = None
        if line[:1] in (">", "<"):
            mine = line[0] == ">"
            line = line[1:].lstrip(" ")
        sender, said = _split_sender(line)
        if said is None:
            sheet.problems.append(RowProblem(
                number, LABELS["chat"],
                _("Line %(n)d: write who sends the message, a colon, then its text "
                  "(“Người lạ: Chào em”).", n=line_number)))
            continue
        message = {"from": sender, "text": said.lstrip(" ")}
        if mine is not None:
            message["mine"] = mine
        messages.append(message)
    return messages


def _split_sender(line: str) -> tuple[str, str | None]:
    """``Who: text`` → (who, text); a ``\\`` in the name keeps the next character as it is."""
    sender = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            following = line[i + 1]
            sender.append({"n": "\n", "r": "\r", "t": "\t"}.get(following, following))
            i += 2
            continue
        if char == ":":
            return "".join(sender), line[i + 1:]
        sender.append(char)
        i += 1
    return "".join(sender), None


# ----- writing ----------------------------------------------------------------------------------


def quiz_dict(quiz: QuizData) -> dict:
    """A checked quiz as plain data, like ``QuizData.as_dict()`` but with every chat message's
    side (``mine``) said, so no file turns a message into the pupil's by its sender's name."""
    data = quiz.as_dict()
    for item, question in zip(data["questions"], quiz.questions):
        if question.chat:
            item["chat"] = [{"from": m.sender, "text": m.text, "mine": m.mine}
                            for m in question.chat]
    return data


def stored_dict(quiz) -> dict:
    """A stored ``Quiz`` row as plain data for ``write_quiz`` (its questions as a file writes
    them, every chat message's side said)."""
    from ..engine.questions import Question

    data: dict[str, Any] = {"slug": quiz.slug, "title": quiz.title,
                            "language": quiz.language or "vi"}
    if (quiz.kind or "quiz") != "quiz":
        data["kind"] = quiz.kind
    if quiz.level:
        data["level"] = quiz.level
    if quiz.translation_of:
        data["translation_of"] = quiz.translation_of
    if quiz.description:
        data["description"] = quiz.description
    questions = []
    for stored in quiz.questions or []:
        question = Question.from_dict(stored)
        item = file_question(question)
        if question.chat:
            item["chat"] = [{"from": m.sender, "text": m.text, "mine": m.mine}
                            for m in question.chat]
        questions.append(item)
    data["questions"] = questions
    return data


def write_quiz(quiz: dict | QuizData, fmt: str) -> tuple[bytes, str, str]:
    """The quiz as a file: (its bytes, its media type, a file name)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    data = quiz_dict(quiz) if isinstance(quiz, QuizData) else quiz
    slug = str(data.get("slug") or "quiz")
    if fmt == "yaml":
        body = yaml.dump(_ordered(data, for_yaml=True), Dumper=_Dumper, allow_unicode=True,
                         sort_keys=False, width=100).encode("utf-8")
    elif fmt == "json":
        body = (json.dumps(_ordered(data, for_yaml=False), ensure_ascii=False, indent=2)
                + "\n").encode("utf-8")
    elif fmt == "csv":
        body = _write_csv(data)
    else:
        body = _write_xlsx(data)
    return body, MIMETYPES[fmt], f"{slug}.{fmt}"


class _Dumper(yaml.SafeDumper):
    """Lists of plain values on one line (``choices: [a, b]``), as the bank's files write them."""


def _list(dumper: yaml.SafeDumper, items: list):
    flow = all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_Dumper.add_representer(list, _list)

QUESTION_ORDER = ("id", "type", "text", "chat", "choices", "correct", "time_limit", "points",
                  "explanation", "topic", "image")
QUIZ_ORDER = ("slug", "title", "language", "kind", "level", "translation_of", "description")


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _ordered(data: dict, for_yaml: bool) -> dict:
    """The quiz's fields in the order a person reads them; whole numbers without ".0"; a chat
    message's side said when its sender's name would say otherwise (YAML) or always (JSON)."""
    out = {k: data[k] for k in QUIZ_ORDER if data.get(k) not in (None, "")}
    out.update({k: v for k, v in data.items() if k not in QUIZ_ORDER and k != "questions"})
    questions = []
    for item in data.get("questions") or []:
        q = {k: item[k] for k in QUESTION_ORDER if k in item and item[k] not in (None, "")}
        q.update({k: v for k, v in item.items() if k not in q and k not in QUESTION_ORDER})
        for key in ("time_limit", "points"):
            if key in q:
                q[key] = _number(q[key])
        if "correct" in q:
            q["correct"] = list(q["correct"])
        if item.get("chat"):
            q["chat"] = [_message(m, for_yaml) for m in item["chat"]]
        questions.append(q)
    out["questions"] = questions
    return out


def _message(message: dict, for_yaml: bool) -> dict:
    out = {"from": message.get("from", ""), "text": message.get("text", "")}
    mine = message.get("mine")
    if mine is None:
        return out
    default = str(out["from"]).strip().casefold() in MINE_SENDERS
    if not for_yaml or bool(mine) != default or mine:
        out["mine"] = bool(mine)
    return out


def _chat_cell(messages: list[dict]) -> str:
    lines = []
    for message in messages:
        sender = str(message.get("from", ""))
        mine = message.get("mine")
        default = sender.strip().casefold() in MINE_SENDERS
        if mine is None:
            mine = default
        if mine:
            mark = "> "
        elif default or sender.startswith((">", "<")):
            mark = "< "
        else:
            mark = ""
        escaped = (sender.replace("\\", "\\\\").replace(":", "\\:").replace("\n", "\\n")
                   .replace("\r", "\\r").replace("\t", "\\t"))
        if escaped[:1] in (" ", "\t"):
            escaped = "\\" + escaped
        first, *more = str(message.get("text", "")).split("\n")
        lines.append(f"{mark}{escaped}: {first}")
        lines.extend(f"  {line}" for line in more)
    return "\n".join(lines)


def _meta_rows(data: dict) -> list[list[Any]]:
    values = {"language": data.get("language") or "vi", "kind": data.get("kind") or "quiz"}
    return [[column.label, data.get(column.key) or values.get(column.key) or ""]
            for column in META]


def _question_cells(item: dict, typed: bool) -> list[Any]:
    """A question's row: text as text; numbers as numbers in an .xlsx (``typed``)."""
    choices = list(item.get("choices") or [])
    correct = [int(i) for i in item.get("correct") or []]
    if typed and len(correct) == 1:
        right: Any = correct[0] + 1
    else:
        right = ",".join(str(i + 1) for i in correct)
    qtype = item.get("type") or "single"
    points = item.get("points", 0 if qtype == "poll" else 1000)
    cells = {
        "text": item.get("text", ""),
        "type": qtype,
        **{f"choices.{n}": choices[n - 1] if n <= len(choices) else "" for n in range(1, 5)},
        "correct": right,
        "time_limit": _number(item.get("time_limit", 20)),
        "points": _number(points),
        "explanation": item.get("explanation", ""),
        "topic": item.get("topic", ""),
        "chat": _chat_cell(item.get("chat") or []),
        "image": item.get("image", ""),
        "id": item.get("id", ""),
    }
    row = [cells[c.key] for c in COLUMNS]
    return row if typed else [_cell_text(v) for v in row]


def _write_csv(data: dict) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_meta_rows(data))
    writer.writerow([])
    writer.writerow([c.label for c in COLUMNS])
    for item in data.get("questions") or []:
        writer.writerow(_question_cells(item, typed=False))
    # with a BOM, so that Excel shows the Vietnamese letters right
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _write_xlsx(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "Quiz"
    label_font = Font(bold=True, color="0B2D5B")
    label_fill = PatternFill("solid", fgColor="E6F0FA")
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="0F8B8D")
    wrap = Alignment(wrap_text=True, vertical="top")

    def put(row: int, col: int, value: Any):
        cell = sheet.cell(row=row, column=col)
        if isinstance(value, str):
            cell.value = _XML_ILLEGAL.sub("", value)
            cell.data_type = "s"  # text as text, even "=1+1"
        else:
            cell.value = value
        return cell

    meta = _meta_rows(data)
    for row, (label, value) in enumerate(meta, start=1):
        put(row, 1, label).font = label_font
        sheet.cell(row=row, column=1).fill = label_fill
        put(row, 2, value).alignment = Alignment(vertical="top")
    header_row = len(meta) + 2
    for col, column in enumerate(COLUMNS, start=1):
        cell = put(header_row, col, column.label)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    sheet.row_dimensions[header_row].height = 30
    questions = data.get("questions") or []
    for row, item in enumerate(questions, start=header_row + 1):
        for col, value in enumerate(_question_cells(item, typed=True), start=1):
            if value != "":
                put(row, col, value).alignment = wrap
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)

    last = header_row + max(len(questions), 1) + 200  # room to add questions
    places = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    lists = {"type": ["single", "truefalse", "multiple", "poll", "chat"], "topic": list(TOPICS)}
    for key, allowed in lists.items():
        check = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"',
                               allow_blank=True)
        check.add(f"{places[key]}{header_row + 1}:{places[key]}{last}")
        sheet.add_data_validation(check)
    meta_lists = {"language": LANGUAGES, "kind": KINDS, "level": LEVELS}
    for row, column in enumerate(META, start=1):
        if column.key in meta_lists:
            check = DataValidation(type="list", formula1='"' + ",".join(meta_lists[column.key])
                                   + '"', allow_blank=True)
            check.add(f"B{row}")
            sheet.add_data_validation(check)

    helper = book.create_sheet(_("Help")[:31].translate({ord(c): None for c in "[]:*?/\\"})
                               or "Help")
    helper.column_dimensions["A"].width = 22
    helper.column_dimensions["B"].width = 100
    for row, (label, text) in enumerate(_help_lines(), start=1):
        helper.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = helper.cell(row=row, column=2, value=_XML_ILLEGAL.sub("", text))
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _help_lines() -> list[tuple[str, str]]:
    """The second sheet: what each column holds (the first sheet is the one read)."""
    return [
        (_("This sheet"), _("Only the first sheet is read; this one explains it.")),
        ("Slug", _("The quiz's short name in addresses: lowercase letters, digits and hyphens. "
                   "An imported quiz gets another if it is taken.")),
        ("Language", "vi, en"),
        ("Kind", _("quiz, or check for a knowledge check (played before and after a quiz).")),
        ("Level", _("tieu_hoc, thcs or thpt; empty for any level.")),
        ("Question", _("The question's text.")),
        ("Type", _("single, truefalse, multiple, poll or chat.")),
        ("Answer 1 … 4", _("2 to 4 answers (a true/false question: exactly 2).")),
        ("Correct answer(s)", _("The right answers' numbers: 2, or 1,3 for several (multiple). "
                                "Empty for a poll.")),
        ("Time limit (sec)", _("5 to 120 seconds.")),
        ("Points", _("Up to 10000; 1000 is usual, 0 for a poll.")),
        ("Topic", _("What it teaches: %(topics)s.", topics=", ".join(TOPICS))),
        ("Chat", _("A chat scenario's messages, one a line: “Who: text”. Start the pupil's own "
                   "messages with “>” (“> Bạn: Dạ”).")),
        ("Image", _("A picture uploaded in the editor (its file name); leave it as it is.")),
        ("ID", _("The question's stable name across versions and translations; may be empty.")),
    ]


# ----- the example spreadsheet ------------------------------------------------------------------

#: The example offered on the import page (questions of the bank's online-kidnapping quiz).
EXAMPLE = {
    "slug": "vi-du-bat-coc-truc-tuyen",
    "title": "Ví dụ: bắt cóc trực tuyến",
    "language": "vi",
    "level": "thcs",
    "description": "Một bộ câu hỏi mẫu: mỗi dòng một câu hỏi.",
    "questions": [
        {"type": "truefalse",
         "text": "Người gọi video đọc đúng họ tên, ngày sinh, trường lớp của em. Vậy chắc chắn "
                 "đó là công an thật.",
         "choices": ["Đúng", "Sai"], "correct": [1], "time_limit": 20, "points": 1000,
         "explanation": "Sai. Kẻ gian cố tình đọc thông tin cá nhân của em để em tin và sợ. "
                        "Biết thông tin của em không chứng minh họ là công an: hãy tắt máy và "
                        "báo bố mẹ.",
         "topic": "real_police"},
        {"type": "chat", "text": "Em nên làm gì?",
         "chat": [
             {"from": "Cán bộ điều tra",
              "text": "Tôi là cán bộ công an. Em đang liên quan đến một vụ rửa tiền."},
             {"from": "Bạn", "text": "Dạ… nhưng em không làm gì sai ạ.", "mine": True},
             {"from": "Cán bộ điều tra",
              "text": "Vụ án đang điều tra bí mật. Không được kể với bố mẹ, không được tắt máy."},
         ],
         "choices": ["Giữ máy, làm đúng theo yêu cầu", "Gửi ảnh căn cước để chứng minh",
                     "Tắt máy, kể ngay với bố mẹ", "Hỏi tên cán bộ rồi nói chuyện tiếp"],
         "correct": [2], "time_limit": 40, "points": 2000,
         "explanation": "Công an thật không làm việc qua video call và không bao giờ bắt em giấu "
                        "bố mẹ. Hãy tắt máy, kể ngay với bố mẹ.",
         "topic": "online_kidnapping"},
        {"type": "multiple",
         "text": "Công an thật KHÔNG BAO GIỜ làm những việc nào? (Chọn tất cả đáp án đúng)",
         "choices": ["Gửi giấy mời lên trụ sở làm việc",
                     "Bắt chuyển tiền để “chứng minh trong sạch”",
                     "Lấy lời khai qua cuộc gọi video", "Dặn giữ bí mật, kể cả với bố mẹ"],
         "correct": [1, 2, 3], "time_limit": 40, "points": 1000,
         "explanation": "Công an mời làm việc bằng giấy mời hoặc giấy triệu tập. Họ không làm "
                        "việc qua video call, không đòi tiền, không bắt em giữ bí mật.",
         "topic": "real_police"},
        {"type": "single",
         "text": "“Cán bộ” trên video call bảo em đi thuê phòng nghỉ một mình và cắt liên lạc "
                 "với gia đình. Chuyện gì đang xảy ra?",
         "choices": ["Quy trình bảo vệ nhân chứng", "Kẻ gian cô lập em để đòi tiền chuộc",
                     "Công an cần em giúp điều tra"],
         "correct": [1], "time_limit": 25, "points": 1000,
         "explanation": "Kẻ gian cô lập em rồi gọi cho gia đình đòi tiền chuộc. Đừng đi đâu một "
                        "mình theo lệnh qua mạng; gọi ngay cho bố mẹ hoặc 113.",
         "topic": "online_kidnapping"},
        {"type": "poll",
         "text": "Nếu nhận một cuộc gọi đáng sợ và bị dặn giữ bí mật, em có kể với bố mẹ "
                 "không?",
         "choices": ["Có, kể ngay", "Có, nhưng sợ bị mắng", "Chỉ kể với bạn thân",
                     "Không, em tự xử lý"],
         "correct": [], "time_limit": 30, "points": 0,
         "explanation": "Không có đáp án đúng sai, hãy cùng trao đổi: điều gì làm em ngại kể?",
         "topic": "getting_help"},
    ],
}


# ----- taking a file in -------------------------------------------------------------------------


def store_new(quiz: QuizData, owner_id: int | None, status: str = "draft") -> "Quiz":  # noqa: F821
    """Store a quiz read from a file as a new quiz (origin ``import``) under a free slug: the
    file's own, or one made of its name. Committed."""
    from sqlalchemy.exc import IntegrityError

    from ..extensions import db
    from ..models import Quiz
    from ..services.quizzes import free_slug, own_ids
    from .loader import store

    for attempt in range(3):  # another upload may take the same free slug at the same moment
        row = Quiz(slug=free_slug(quiz.slug), origin="import", status=status, owner_id=owner_id)
        store(row, quiz)
        row.questions = own_ids(row.questions, row.slug)
        db.session.add(row)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
        else:
            return row
    raise AssertionError("unreachable")
