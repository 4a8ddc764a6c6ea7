"""Quiz files in and out: every format gives back the quiz it was written from, Kahoot's template
is read, and a bad file is refused with every problem by row and column, never a traceback."""
from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from quizapp.bank import check_quiz, load_quiz_file
from quizapp.bank.formats import (FORMATS, MAX_FILE_BYTES, MAX_ROWS, QuizFileError, read_quiz,
                                  write_quiz)
from quizapp.bank.topics import TOPICS
from quizapp.bank.validate import LEVELS

BANK = sorted((Path(__file__).resolve().parents[2] / "questions").glob("*.yaml"))
HEADER = ["Question", "Type", "Answer 1", "Answer 2", "Answer 3", "Answer 4",
          "Correct answer(s)", "Time limit (sec)", "Points", "Explanation", "Topic", "Chat",
          "Image", "ID"]


def round_trip(quiz, fmt):
    body, mimetype, filename = write_quiz(quiz, fmt)
    assert filename == f"{quiz.slug}.{fmt}" and mimetype
    return read_quiz(filename, body)


def same(back, quiz):
    assert back.as_dict() == quiz.as_dict()
    assert back.questions == quiz.questions  # every field, chat sides included


# ----- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", BANK, ids=lambda p: p.stem)
def test_every_bank_quiz_comes_back_the_same(path, fmt):
    quiz = load_quiz_file(path)
    same(round_trip(quiz, fmt).quiz, quiz)
    # and from the plain data the exporters take
    body, _mimetype, name = write_quiz(quiz.as_dict(), fmt)
    same(read_quiz(name, body).quiz, quiz)


SAFE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Cn"))
TRICKY = st.sampled_from([",", ";", '"', "'", "\n", "\t", ":", ">", "<", "\\", "=", "+", "-",
                          "@", "#", " ", "  ", "“", "…", "đ", "ặ", "🙂", "\u2028", "\ufeff",
                          "1,3", "=1+1", "0012", "TRUE", "- ", "> "])


def texts(max_size: int = 30):
    return (st.lists(st.one_of(SAFE, TRICKY), min_size=1, max_size=max_size)
            .map(lambda parts: "".join(parts).strip()).filter(bool))


slugs = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,30}\Z")
senders = st.one_of(st.sampled_from(["Bạn", "You", "tôi", "ME", "Người lạ", "A: B", ">x", "<y",
                                     "\\z", "a\\:b", "x\ny"]), texts(12))


@st.composite
def questions(draw, kind: str = "quiz") -> dict:
    qtype = draw(st.sampled_from(["single", "truefalse", "multiple", "chat"]
                                 + ([] if kind == "check" else ["poll"])))
    n = 2 if qtype == "truefalse" else draw(st.integers(2, 4))
    item = {"type": qtype, "text": draw(texts(60)),
            "choices": draw(st.lists(texts(20), min_size=n, max_size=n)),
            "time_limit": draw(st.integers(5, 120)), "points": draw(st.integers(0, 10000)),
            "explanation": draw(st.one_of(st.just(""), texts(60)))}
    if qtype == "multiple":
        item["correct"] = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1)))
    elif qtype != "poll":
        item["correct"] = [draw(st.integers(0, n - 1))]
    if draw(st.booleans()):
        item["topic"] = draw(st.sampled_from(list(TOPICS)))
    if draw(st.booleans()):
        item["id"] = draw(st.from_regex(r"\A[a-z0-9][a-z0-9_-]{0,20}\Z"))
    if draw(st.booleans()):
        item["image"] = draw(st.from_regex(r"\A[a-f0-9]{32}\.(webp|png|jpg)\Z"))
    if qtype == "chat":
        item["chat"] = draw(st.lists(st.fixed_dictionaries(
            {"from": senders, "text": texts(40)},
            optional={"mine": st.booleans()}), min_size=1, max_size=12))
    return item


@st.composite
def quizzes(draw) -> dict:
    kind = draw(st.sampled_from(["quiz", "check"]))
    items = draw(st.lists(questions(kind), min_size=1, max_size=6))
    ids = set()
    for item in items:
        if "id" in item and item["id"] in ids:
            del item["id"]
        ids.add(item.get("id"))
    return {"slug": draw(slugs), "title": draw(texts(40)), "language": draw(st.sampled_from(
        ["vi", "en"])), "kind": kind, "level": draw(st.sampled_from([None, *LEVELS])),
        "translation_of": draw(st.one_of(st.none(), slugs)),
        "description": draw(st.one_of(st.just(""), texts(60))), "questions": items}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quizzes())
def test_any_valid_quiz_comes_back_the_same_in_every_format(data):
    quiz = check_quiz(data)
    for fmt in FORMATS:
        result = round_trip(quiz, fmt)
        same(result.quiz, quiz)
        assert result.format == fmt and not result.kahoot and not result.notes


def test_chat_sides_are_said_in_the_cell_and_read_as_a_teacher_writes_them():
    quiz = check_quiz({"slug": "c", "title": "C", "questions": [{
        "type": "chat", "text": "?", "choices": ["a", "b"], "correct": [0], "chat": [
            {"from": "Người lạ", "text": "Chào em\n  hai dòng"},
            {"from": "Bạn", "text": "Dạ", "mine": True},
            {"from": "Bạn", "text": "not the pupil", "mine": False},
            {"from": "Em", "text": "me", "mine": True},
            {"from": "A: B", "text": "colon"}]}]})
    body = write_quiz(quiz, "csv")[0].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body.split("\r\n\r\n", 1)[1])))
    assert rows[0] == HEADER
    chat = rows[1][HEADER.index("Chat")]
    assert chat.split("\n") == ["Người lạ: Chào em", "    hai dòng", "> Bạn: Dạ",
                                "< Bạn: not the pupil", "> Em: me", "A\\: B: colon"]
    same(read_quiz("c.csv", body.encode()).quiz, quiz)
    # as a teacher types it: "Bạn" is the pupil's, ">" marks any other sender's
    typed = "\r\n".join(["Slug,c", "Title,C", "", ",".join(HEADER),
                         'q,chat,a,b,,,1,20,1000,,,"Người lạ: Hi\n> Em: Dạ\nBạn:Ok\n< You: x"'])
    messages = read_quiz("c.csv", typed.encode()).quiz.questions[0].chat
    assert [(m.sender, m.text, m.mine) for m in messages] == [
        ("Người lạ", "Hi", False), ("Em", "Dạ", True), ("Bạn", "Ok", True), ("You", "x", False)]


def test_the_spreadsheet_layout_is_friendly_to_excel():
    quiz = check_quiz({"slug": "x", "title": "X", "questions": [
        {"type": "multiple", "text": "=1+1", "choices": ["0012", "TRUE", "@a"],
         "correct": [0, 2]},
        {"type": "single", "text": "q", "choices": ["a", "b"], "correct": [1]}]})
    body = write_quiz(quiz, "xlsx")[0]
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert sheet.title == "Quiz"
    assert [sheet.cell(row=r, column=1).value for r in range(1, 8)] == [
        "Slug", "Title", "Language", "Kind", "Level", "Translation of", "Description"]
    assert [c.value for c in sheet[9]] == HEADER
    assert sheet[9][0].font.bold and sheet.freeze_panes == "A10"
    assert sheet.column_dimensions["A"].width > 20
    text, right = sheet["A10"], sheet.cell(row=10, column=7)
    assert (text.value, text.data_type) == ("=1+1", "s")  # text, never a formula
    assert right.value == "1,3" and sheet.cell(row=11, column=7).value == 2
    assert sheet.cell(row=10, column=3).value == "0012"
    assert sheet.data_validations.dataValidation  # drop-downs for the type and the topic
    csv_text = write_quiz(quiz, "csv")[0]
    assert csv_text.startswith(codecs.BOM_UTF8)  # Excel reads it as UTF-8


# ----- problems by row and column ---------------------------------------------------------------


def table(*rows, meta=(("Slug", "my-quiz"), ("Title", "My quiz"))) -> list[list]:
    return [list(m) for m in meta] + [[]] + [HEADER] + [list(r) for r in rows]


def as_csv(rows: list[list], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list], also=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                sheet.cell(row=r, column=c, value=value)
    if also:
        also(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(name: str, data: bytes) -> list[tuple]:
    with pytest.raises(QuizFileError) as caught:
        read_quiz(name, data)
    error = caught.value
    assert all(set(p.as_dict()) == {"row", "field", "message"} for p in error.rows)
    return [(p.row, p.field, p.message) for p in error.rows]


def q(text="Q?", kind="single", answers=("a", "b", "c", ""), correct="1", limit="20",
      points="1000", explanation="", topic="", chat="", image="", qid=""):
    return [text, kind, *answers, correct, limit, points, explanation, topic, chat, image, qid]


BAD_ROWS = table(
    q(),
    q(answers=("a", "b", "", "d")),
    q(kind="essay"),
    q(correct="5"),
    q(limit="500"),
    q(kind="chat", chat="Người lạ: Chào\nno colon here"),
    q(kind="chat", chat="Người lạ:   "),
    q(text="", answers=("", "", "", "")),  # an empty row: skipped
    q(topic="cooking"),
    q(text="", correct="A, C", kind="multiple"),
    meta=(("Slug", "my-quiz"), ("Title", ""), ("Language", "fr")),
)
BAD_EXPECTED = [
    (2, "Title", "The quiz needs a title."),
    (3, "Language", "Use vi or en."),
    (7, "Answer 3", "Empty."),
    (8, "Type", "Use single, truefalse, multiple, poll or chat."),
    (9, "Correct answer(s)", "There is no answer 5."),
    (10, "Time limit (sec)", "A whole number of seconds from 5 to 120."),
    (11, "Chat", "Line 2: write who sends the message, a colon, then its text "
                 "(“Người lạ: Chào em”)."),
    (12, "Chat", "Message 1: Empty."),
    (14, "Topic", "Unknown topic “cooking”; use one of: " + ", ".join(TOPICS) + "."),
    (15, "Question", "Empty: write the question."),
]


@pytest.mark.parametrize("fmt", ["csv", "csv-semicolon", "xlsx"])
def test_every_problem_is_named_by_its_row_and_column(fmt):
    data = (as_xlsx(BAD_ROWS) if fmt == "xlsx"
            else as_csv(BAD_ROWS, ";" if fmt == "csv-semicolon" else ","))
    found = problems(f"quiz.{fmt.split('-')[0]}", data)
    assert found == BAD_EXPECTED
    with pytest.raises(QuizFileError) as caught:
        read_quiz("quiz.csv", as_csv(BAD_ROWS))
    assert caught.value.rows[2].describe() == "row 7, Answer 3: Empty."
    assert caught.value.message == "The file has 10 problems; nothing was imported."


def test_cells_a_spreadsheet_changed_are_named():
    from datetime import datetime

    rows = table(q(), q(), q(), q())

    def damage(sheet):
        sheet["A6"] = "=CONCAT(\"a\",\"b\")"
        sheet["G7"] = datetime(2025, 3, 1)
        sheet.merge_cells("C8:D8")
        sheet["B2"] = "=UPPER(\"x\")"

    found = problems("quiz.xlsx", as_xlsx(rows, damage))
    assert [(r, f) for r, f, _m in found] == [(2, "Title"), (6, "Question"),
                                               (7, "Correct answer(s)"), (8, "Answer 1")]
    messages = [m for _r, _f, m in found]
    assert messages[1].startswith("A formula") and messages[2].startswith("A date")
    assert messages[3].startswith("Merged cells")


def test_yaml_and_json_name_the_question_and_its_field():
    data = {"slug": "x", "title": "", "questions": [
        {"text": "ok", "choices": ["a", "b"], "correct": [0]},
        {"text": "bad", "choices": ["a", "", "c"], "correct": [7]}]}
    expected = [(0, "title", "The quiz needs a title."), (2, "choices.2", "Empty."),
                (2, "correct", "There is no answer 8.")]
    assert problems("x.yaml", yaml.safe_dump(data).encode()) == expected
    assert problems("x.json", json.dumps(data).encode()) == expected


def test_a_file_without_slug_or_with_a_bad_one_is_named_after_the_file():
    rows = table(q(), meta=(("Title", "T"),))
    assert read_quiz("Bắt cóc trực tuyến.csv", as_csv(rows)).quiz.slug == "bat-coc-truc-tuyen"
    data = {"slug": "Not A Slug!", "title": "t", "questions": [
        {"text": "x", "choices": ["a", "b"], "correct": [0]}]}
    assert read_quiz("a.json", json.dumps(data).encode()).quiz.slug == "not-a-slug"


# ----- Kahoot's template ------------------------------------------------------------------------

KAHOOT_HEADER = ["", "Question - max 120 characters", "Answer 1 - max 75 characters",
                 "Answer 2 - max 75 characters", "Answer 3 - max 75 characters",
                 "Answer 4 - max 75 characters",
                 "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
                 "Correct answer(s) - choose at least one"]


def kahoot(rows: list[list], title: str | None = "An toàn trên mạng") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet["B2"] = "Quiz template"
    sheet.merge_cells("B2:H2")
    sheet["B3"] = ("Add questions, at least two answer alternatives, time limit and choose "
                   "correct answers (at least one). Have fun creating your awesome quiz!")
    sheet.merge_cells("B3:H4")
    if title is not None:
        sheet["B6"], sheet["C6"] = "Title", title
    for c, text in enumerate(KAHOOT_HEADER, start=1):
        sheet.cell(row=8, column=c, value=text or None)
    for r, row in enumerate(rows, start=9):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    for n in range(len(rows) + 1, 21):  # the template's numbered empty rows
        sheet.cell(row=8 + n, column=1, value=n)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_kahoots_template_is_read():
    data = kahoot([
        [1, "Which are red flags?", "Asks for secrets", "Says hello", "Sends money offers",
         "Likes your post", 240, "1,3"],
        [2, "Real police call on video?", "True", "False", None, None, 20, 2],
        [3, "Mật khẩu nên thế nào?", "Ngắn", "Dài và khó đoán", "Ngày sinh", None, 30, 2],
        [4, "A decimal comma ate the comma", "a", "b", "c", "d", 10, 1.3],
        [5, "Excel made True a boolean", True, False, None, None, 5, "1"],
    ])
    result = read_quiz("kahoot.xlsx", data)
    quiz = result.quiz
    assert result.kahoot and result.format == "xlsx"
    assert (quiz.title, quiz.slug, quiz.language, quiz.kind) == (
        "An toàn trên mạng", "kahoot", "vi", "quiz")
    assert [(x.type.value, sorted(x.correct), x.time_limit) for x in quiz.questions] == [
        ("multiple", [0, 2], 120), ("single", [1], 20), ("single", [1], 30),
        ("multiple", [0, 2], 10), ("single", [0], 5)]
    assert quiz.questions[1].choices == ("True", "False")
    assert quiz.questions[4].choices == ("True", "False")
    assert quiz.questions[2].choices == ("Ngắn", "Dài và khó đoán", "Ngày sinh")
    assert all(x.explanation == "" and x.points == 1000 for x in quiz.questions)
    assert result.notes == ("Row 9: a time limit of 240 s was brought down to 120 s.",)


def test_a_kahoot_without_a_title_is_named_after_its_file():
    quiz = read_quiz("An toàn mạng.xlsx", kahoot([[1, "Q", "a", "b", None, None, 20, 1]],
                                                 title=None)).quiz
    assert (quiz.title, quiz.slug) == ("An toàn mạng", "an-toan-mang")


def test_a_kahoot_csv_is_read_too():
    rows = [["Kahoot quiz"], [], KAHOOT_HEADER, ["1", "Q", "a", "b", "", "", "240", "2"]]
    quiz = read_quiz("k.csv", as_csv(rows)).quiz
    assert (quiz.questions[0].time_limit, quiz.questions[0].correct) == (120, frozenset({1}))


def test_a_kahoots_problems_are_named_by_its_rows_and_columns():
    data = kahoot([
        [1, "Q", "a", None, "c", None, 20, 1],
        [2, "Q", "a", "b", None, None, 20, 5],
        [3, None, "a", "b", None, None, 20, None],
        [4, "Q", "a", "b", None, None, 3, "1"],
    ])
    assert problems("k.xlsx", data) == [
        (9, "Answer 2", "Empty."),
        (10, "Correct answer(s)", "There is no answer 5."),
        (11, "Question", "Empty: write the question."),
        (11, "Correct answer(s)", "Mark exactly one right answer."),
        (12, "Time limit (sec)", "A whole number of seconds from 5 to 120."),
    ]


# ----- files that are not quizzes ---------------------------------------------------------------


def zipped(**files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


BOMB = b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n".encode()
    for i in range(8))

NOT_QUIZZES = [
    ("quiz.csv", b"", "The file is empty."),
    ("quiz.csv", b"x" * (MAX_FILE_BYTES + 1), "The file is larger than 2 MB."),
    ("quiz.pdf", b"%PDF-1.4", "Upload a quiz file: .yaml, .json, .csv or Excel .xlsx."),
    ("quiz.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel file (.xls)"),
    ("quiz.ods", b"PK\x03\x04", "Save the spreadsheet as Excel Workbook (.xlsx)"),
    ("quiz.xlsx", b"Question,Answer 1", "not a readable Excel workbook"),
    ("quiz.xlsx", zipped(**{"hello.txt": "hi"}), "not a readable Excel workbook"),
    ("quiz.xlsx", zipped(**{"xl/workbook.xml": "<broken"}), "not a readable Excel workbook"),
    ("quiz.xlsx", zipped(**{"big.xml": b"\0" * (13 * 2**20)}), "too large once unpacked"),
    ("quiz.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "not readable text"),
    ("quiz.csv", b"just a sentence\nand another", "No header row"),
    ("quiz.csv", "Question,Answer 1,Answer 2\n".encode() + b"q,a,b\n" * MAX_ROWS,
     "more than 1000 rows"),
    ("quiz.yaml", b"slug: x\ntitle: a: b\n", "Not valid YAML (line 2, column 9): mapping values"),
    ("quiz.yaml", b"caf\xe9: 1", "not UTF-8"),
    ("quiz.yaml", BOMB, "more than a quiz can"),
    ("quiz.yaml", b"a: &a [*a]", "nested too deeply"),
    ("quiz.json", b'{"slug": }', "Not valid JSON (line 1, column 10)"),
    ("quiz.json", b"[" * 200_000, "Not valid JSON"),
    ("quiz.json", b'{"slug": "x", "title": "t", "questions": [{"points": 1' + b"0" * 5000
     + b"}]}", "Not valid JSON"),
]


@pytest.mark.parametrize("name, data, message", NOT_QUIZZES,
                         ids=[f"{n}-{i}" for i, (n, _d, _m) in enumerate(NOT_QUIZZES)])
def test_a_file_that_is_no_quiz_gets_a_clear_problem(name, data, message):
    found = problems(name, data)
    assert len(found) == 1 and found[0][:2] == (0, "file")
    assert message in found[0][2]


def test_a_spreadsheet_past_its_rows_is_refused_in_xlsx_too():
    rows = table(*[q()] * (MAX_ROWS + 5))
    assert "more than 1000 rows" in problems("quiz.xlsx", as_xlsx(rows))[0][2]


def with_sheet_xml(data: bytes, change) -> bytes:
    """An .xlsx with its first sheet's XML changed as no spreadsheet program would let a
    person do (openpyxl itself would take minutes to write it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def test_a_workbook_that_would_take_long_to_open_is_refused_at_once():
    rows = table(q())

    def merge(sheet):
        sheet.merge_cells("A1:B2")

    huge = with_sheet_xml(as_xlsx(rows, merge), lambda xml: xml.replace(
        b'ref="A1:B2"', b'ref="A1:XFD1048576"'))
    assert "merged cells over a large area" in problems("quiz.xlsx", huge)[0][2]

    def far(sheet):
        sheet["XFD1048576"] = "far away"

    assert "more than 1000 rows" in problems("quiz.xlsx", as_xlsx(rows, far))[0][2]


def test_a_quiz_of_too_many_questions_is_said_once():
    found = problems("quiz.csv", as_csv(table(*[q()] * 150)))
    assert found == [(0, "Question", "At most 100 questions.")]


def test_encodings_excel_writes_are_read():
    quiz = check_quiz({"slug": "v", "title": "Đúng hay sai", "language": "vi", "questions": [
        {"type": "truefalse", "text": "Câu hỏi: mật khẩu?", "choices": ["Đúng", "Sai"],
         "correct": [1]}]})
    text = write_quiz(quiz, "csv")[0].decode("utf-8-sig")
    # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    rows = list(csv.reader(io.StringIO(text)))
    tabbed = as_csv(rows, "\t").decode()
    same(read_quiz("v.txt", codecs.BOM_UTF16_LE + tabbed.encode("utf-16-le")).quiz, quiz)
    # plain "CSV" on a Vietnamese Windows: cp1258, whose accents may be combining marks
    legacy = b""
    for char in text:
        try:
            legacy += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
        spellings = [unicodedata.normalize("NFC", base + mark) + "".join(m for m in marks
                                                                         if m != mark)
                     for mark in marks] + [base + "".join(marks)]
        for spelling in spellings:  # a letter with one accent and the other combining, or
            try:                     # the bare letter and its accents combining
                legacy += spelling.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(f"{char!r} has no cp1258 spelling")
    result = read_quiz("v.csv", legacy)
    same(result.quiz, quiz)
    assert "cp1258" in result.notes[0]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["q.csv", "q.yaml", "q.json", "q.xlsx", "q"]))
def test_any_bytes_are_a_quiz_or_its_problems(data, name):
    try:
        result = read_quiz(name, data)
    except QuizFileError as exc:
        assert exc.rows and all(p.message for p in exc.rows)
    else:
        assert result.quiz.questions


GOOD_XLSX = write_quiz(check_quiz({"slug": "g", "title": "G", "questions": [
    {"type": "chat", "text": "q", "choices": ["a", "b"], "correct": [0],
     "chat": [{"from": "X", "text": "hi"}]}]}), "xlsx")[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(GOOD_XLSX) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_a_damaged_workbook_is_a_quiz_or_its_problems(changes):
    data = bytearray(GOOD_XLSX)
    for place, value in changes:
        data[place] = value
    try:
        read_quiz("g.xlsx", bytes(data))
    except QuizFileError as exc:
        assert exc.rows
