"""One check for every way a quiz comes in (a YAML file of the bank, an upload in any format, the
editor): it takes the quiz as plain data and lists *every* problem, each tied to a question and
a field, instead of stopping at the first.

Fields are named the same way whatever the source: the quiz's own (``slug``, ``title``,
``language``, ``kind``, ``level``, ``translation_of``, ``questions``) and a question's (``type``,
``text``, ``choices``, ``choices.N`` (N from 1), ``correct``, ``time_limit``, ``points``,
``explanation``, ``topic``, ``id``, ``image``, ``chat``, ``chat.N.from``, ``chat.N.text``). A
spreadsheet reader maps a question to its row and a field to its column's name when it reports
them (``formats.py``).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from ..engine.questions import (ID_RE, IMAGE_RE, MAX_TIME_LIMIT, MIN_TIME_LIMIT, Question,
                                QuestionError, QuestionType)
from .topics import TOPICS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LANGUAGES = ("vi", "en")
LEVELS = ("tieu_hoc", "thcs", "thpt")
KINDS = ("quiz", "check")
MINE_SENDERS = {"bạn", "you", "tôi", "me"}
#: Limits that keep a question readable on a phone and a quiz playable in a lesson.
MAX_QUESTIONS = 100
MAX_TEXT = 500
MAX_CHOICE = 120
MAX_EXPLANATION = 1000
MAX_CHAT = 12
MAX_TITLE = 200
MAX_POINTS = 10000


class BankError(ValueError):
    """A quiz cannot be taken in; the message says why (for a person or a log)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the question (from 1; None for the quiz itself), the field, what."""

    question: int | None
    field: str
    message: str

    def describe(self) -> str:
        where = [] if self.question is None else [f"question {self.question}"]
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class QuizInvalid(BankError):
    """Every problem found in a quiz (``problems``); nothing of it may be taken in."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(p.describe() for p in problems))


@dataclass(frozen=True)
class QuizData:
    """A valid quiz: its fields and its questions, ready to store."""

    slug: str
    title: str
    language: str
    kind: str
    level: str | None
    description: str
    questions: tuple[Question, ...]
    translation_of: str | None = None
    source: str = ""
    checksum: str = ""

    def as_dict(self) -> dict:
        """The quiz as plain data, the shape ``check_quiz`` takes (the exporters' input)."""
        data: dict[str, Any] = {"slug": self.slug, "title": self.title,
                                "language": self.language}
        if self.kind != "quiz":
            data["kind"] = self.kind
        if self.level:
            data["level"] = self.level
        if self.translation_of:
            data["translation_of"] = self.translation_of
        if self.description:
            data["description"] = self.description
        data["questions"] = [file_question(q) for q in self.questions]
        return data


def file_question(question: Question) -> dict:
    """A question as a quiz file writes it (the stored snapshot without a session's parts)."""
    data = question.to_dict()
    data.pop("part", None)
    data.pop("check", None)
    if data.get("chat"):
        # ``mine`` written only where the sender's name does not already say it
        data["chat"] = [{"from": m["from"], "text": m["text"],
                         **({} if m["mine"] == (m["from"].strip().casefold() in MINE_SENDERS)
                            else {"mine": m["mine"]})}
                        for m in data["chat"]]
    return data


@dataclass
class _Found:
    problems: list[Problem] = field(default_factory=list)

    def add(self, question: int | None, name: str, message) -> None:
        self.problems.append(Problem(question, name, str(message)))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _integer(value: Any) -> int | None:
    """An integer, from a number or a number's text ("20", "20.0"); None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def check_quiz(data: Any, source: str = "", checksum: str | None = None) -> QuizData:
    """The quiz in ``data`` (a mapping: the quiz's fields and a list of question mappings), or
    ``QuizInvalid`` with every problem found."""
    found = _Found()
    if not isinstance(data, dict):
        found.add(None, "", _l("A quiz is a set of fields (slug, title, questions…)."))
        raise QuizInvalid(found.problems, source)
    slug = _text(data.get("slug"))
    if not SLUG_RE.match(slug):
        found.add(None, "slug", _l("Use 1 to 80 lowercase letters, digits and hyphens."))
    title = _text(data.get("title"))
    if not title:
        found.add(None, "title", _l("The quiz needs a title."))
    elif len(title) > MAX_TITLE:
        found.add(None, "title", _l("At most %(n)d characters.", n=MAX_TITLE))
    language = _text(data.get("language")) or "vi"
    if language not in LANGUAGES:
        found.add(None, "language", _l("Use vi or en."))
    kind = _text(data.get("kind")) or "quiz"
    if kind not in KINDS:
        found.add(None, "kind", _l("Use quiz, or check for a knowledge check."))
    level = _text(data.get("level")) or None
    if level is not None and level not in LEVELS:
        found.add(None, "level", _l("Use tieu_hoc, thcs or thpt, or leave it empty."))
    translation_of = _text(data.get("translation_of")) or None
    if translation_of is not None and not SLUG_RE.match(translation_of):
        found.add(None, "translation_of", _l("The slug of the quiz this one translates."))
    description = _text(data.get("description"))
    items = data.get("questions")
    questions: list[Question] = []
    if not isinstance(items, list) or not items:
        found.add(None, "questions", _l("The quiz has no questions."))
        items = []
    elif len(items) > MAX_QUESTIONS:
        found.add(None, "questions", _l("At most %(n)d questions.", n=MAX_QUESTIONS))
    ids: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        question = _check_question(number, item, kind, found)
        if question is None:
            continue
        if question.id:
            if question.id in ids:
                found.add(number, "id", _l("Question %(n)d has the same id.", n=ids[question.id]))
            ids.setdefault(question.id, number)
        questions.append(question)
    if found.problems:
        raise QuizInvalid(found.problems, source)
    if checksum is None:
        checksum = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False,
                                             default=str).encode()).hexdigest()
    return QuizData(slug, title, language, kind, level, description, tuple(questions),
                    translation_of, source, checksum)


def _check_question(number: int, item: Any, kind: str, found: _Found) -> Question | None:
    """The question, or None after adding its problems."""
    if not isinstance(item, dict):
        found.add(number, "", _l("A question is a set of fields (type, text, choices…)."))
        return None
    before = len(found.problems)
    add = lambda name, message: found.add(number, name, message)  # noqa: E731
    try:
        qtype = QuestionType(_text(item.get("type")) or "single")
    except ValueError:
        add("type", _l("Use single, truefalse, multiple, poll or chat."))
        qtype = None
    text = _text(item.get("text"))
    if not text:
        add("text", _l("Empty: write the question."))
    elif len(text) > MAX_TEXT:
        add("text", _l("At most %(n)d characters.", n=MAX_TEXT))

    raw_choices = item.get("choices")
    if raw_choices is None:
        raw_choices = []
    if not isinstance(raw_choices, list):
        add("choices", _l("A list of 2 to 4 answers."))
        raw_choices = []
    choices = [_text(c) for c in raw_choices]
    while choices and not choices[-1] and len(choices) > 2:
        choices.pop()  # trailing empty columns of a spreadsheet
    for i, choice in enumerate(choices, start=1):
        if not choice:
            add(f"choices.{i}", _l("Empty."))
        elif len(choice) > MAX_CHOICE:
            add(f"choices.{i}", _l("At most %(n)d characters.", n=MAX_CHOICE))
    if not 2 <= len(choices) <= 4:
        add("choices", _l("A question has 2 to 4 answers; this one has %(n)d.", n=len(choices)))
    if qtype is QuestionType.TRUEFALSE and len(choices) != 2:
        add("choices", _l("A true/false question has exactly two answers."))

    raw_correct = item.get("correct")
    if raw_correct is None or raw_correct == "":
        raw_correct = []
    if not isinstance(raw_correct, list):
        raw_correct = [raw_correct]
    correct: list[int] = []
    for value in raw_correct:
        index = _integer(value)
        if index is None:
            add("correct", _l("“%(value)s” is not an answer's number.", value=value))
        elif not 0 <= index < max(len(choices), 1):
            add("correct", _l("There is no answer %(n)d.", n=index + 1))
        else:
            correct.append(index)
    if qtype is QuestionType.POLL:
        if correct:
            add("correct", _l("A poll has no right answer."))
        if kind == "check":
            add("type", _l("A knowledge check has no polls: a poll has no right answer to "
                           "measure."))
    elif qtype is QuestionType.MULTIPLE:
        if not correct and len(found.problems) == before:
            add("correct", _l("Mark at least one right answer."))
    elif qtype is not None and len(set(correct)) != 1 and not any(
            p.field == "correct" for p in found.problems[before:]):
        add("correct", _l("Mark exactly one right answer."))

    time_limit = _integer(item.get("time_limit", 20))
    if time_limit is None or not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        add("time_limit", _l("A whole number of seconds from %(low)d to %(high)d.",
                             low=MIN_TIME_LIMIT, high=MAX_TIME_LIMIT))
    default_points = 0 if qtype is QuestionType.POLL else 1000
    points = _integer(item.get("points", default_points))
    if item.get("points") in (None, ""):
        points = default_points
    if points is None or not 0 <= points <= MAX_POINTS:
        add("points", _l("A whole number from 0 to %(n)d.", n=MAX_POINTS))
    explanation = _text(item.get("explanation"))
    if len(explanation) > MAX_EXPLANATION:
        add("explanation", _l("At most %(n)d characters.", n=MAX_EXPLANATION))
    topic = _text(item.get("topic"))
    if topic and topic not in TOPICS:
        add("topic", _l("Unknown topic “%(topic)s”; use one of: %(topics)s.", topic=topic,
                        topics=", ".join(TOPICS)))
    qid = _text(item.get("id"))
    if qid and not ID_RE.match(qid):
        add("id", _l("Use 1 to 64 lowercase letters, digits, “-” or “_”."))
    image = _text(item.get("image"))
    if image and not IMAGE_RE.match(image):
        add("image", _l("Not a picture uploaded here."))

    chat = []
    raw_chat = item.get("chat") or []
    chat_listed = isinstance(raw_chat, list)
    if not chat_listed:
        add("chat", _l("A list of messages, each with who sends it and its text."))
        raw_chat = []
    if len(raw_chat) > MAX_CHAT:
        add("chat", _l("At most %(n)d messages.", n=MAX_CHAT))
    for i, message in enumerate(raw_chat, start=1):
        if not isinstance(message, dict):
            add(f"chat.{i}", _l("A message has who sends it and its text."))
            continue
        sender, said = _text(message.get("from")), _text(message.get("text"))
        if not sender:
            add(f"chat.{i}.from", _l("Empty: who sends this message?"))
        if not said:
            add(f"chat.{i}.text", _l("Empty."))
        elif len(said) > MAX_TEXT:
            add(f"chat.{i}.text", _l("At most %(n)d characters.", n=MAX_TEXT))
        mine = message.get("mine")
        chat.append({"from": sender, "text": said,
                     "mine": bool(mine) if mine is not None
                     else sender.casefold() in MINE_SENDERS})
    if qtype is QuestionType.CHAT and not raw_chat and chat_listed:
        add("chat", _l("A chat scenario needs its messages."))
    if chat and qtype is not QuestionType.CHAT and qtype is not None:
        add("chat", _l("Only a chat scenario has messages."))

    if len(found.problems) > before:
        return None
    try:
        return Question.from_dict({
            "type": qtype.value, "text": text, "choices": choices, "correct": sorted(set(correct)),
            "time_limit": time_limit, "points": points, "explanation": explanation,
            "topic": topic, "id": qid, "image": image, "chat": chat})
    except QuestionError as exc:  # a rule of the engine this check does not repeat
        add("", str(exc))
        return None
