"""Read, validate and import quiz files.

A quiz file is YAML with ``slug``, ``title``, ``language``, ``description``, ``questions`` and
optionally ``kind`` (``quiz``, or ``check`` for a knowledge check) and ``level`` (``tieu_hoc``,
``thcs`` or ``thpt``; none for any); each question is checked by the engine's own rules (and its
``topic``, if it names one, against quizapp/bank/topics.py), so a file that imports is a quiz
that plays.
Chat messages from the student's side are marked ``mine: true`` or sent by "Bạn" / "You".
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from ..engine.questions import Question, QuestionError
from ..extensions import db
from ..models import Quiz
from .topics import TOPICS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LANGUAGES = ("vi", "en")
LEVELS = ("tieu_hoc", "thcs", "thpt")
MINE_SENDERS = {"bạn", "you", "tôi", "me"}


class BankError(ValueError):
    """A quiz file is not valid; the message names the file and the question."""


@dataclass(frozen=True)
class QuizFile:
    slug: str
    title: str
    language: str
    kind: str
    level: str | None
    description: str
    questions: tuple[Question, ...]
    source: str
    checksum: str


def load_quiz_file(path: Path) -> QuizFile:
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise BankError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise BankError(f"{path.name}: expected a mapping at the top")
    slug = str(data.get("slug", ""))
    if not SLUG_RE.match(slug):
        raise BankError(f"{path.name}: slug must be lowercase letters, digits and hyphens")
    title = str(data.get("title", "")).strip()
    if not title:
        raise BankError(f"{path.name}: title is missing")
    language = str(data.get("language", "vi"))
    if language not in LANGUAGES:
        raise BankError(f"{path.name}: language must be one of {', '.join(LANGUAGES)}")
    kind = str(data.get("kind", "quiz"))
    if kind not in Quiz.KINDS:
        raise BankError(f"{path.name}: kind must be one of {', '.join(Quiz.KINDS)}")
    level = data.get("level")
    if level is not None and level not in LEVELS:
        raise BankError(f"{path.name}: level must be one of {', '.join(LEVELS)} (or absent)")
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        raise BankError(f"{path.name}: no questions")
    questions = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BankError(f"{path.name}: question {number} is not a mapping")
        item = dict(item)
        if item.get("chat"):
            item["chat"] = [_chat_message(m) for m in item["chat"]]
        try:
            question = Question.from_dict(item)
        except QuestionError as exc:
            raise BankError(f"{path.name}: question {number}: {exc}") from exc
        if kind == "check" and question.is_poll:
            raise BankError(f"{path.name}: question {number}: a knowledge check measures what "
                            "pupils know: a poll has no right answer to measure")
        if question.topic and question.topic not in TOPICS:
            raise BankError(f"{path.name}: question {number}: unknown topic {question.topic!r} "
                            f"(one of {', '.join(TOPICS)})")
        questions.append(question)
    return QuizFile(slug, title, language, kind, level, str(data.get("description", "")).strip(),
                    tuple(questions), path.name, hashlib.sha256(raw).hexdigest())


def _chat_message(message: object) -> dict:
    if not isinstance(message, dict):
        raise BankError("a chat message must have 'from' and 'text'")
    sender = str(message.get("from", ""))
    mine = bool(message.get("mine", sender.strip().casefold() in MINE_SENDERS))
    return {"from": sender, "text": message.get("text", ""), "mine": mine}


def import_bank(directory: Path) -> tuple[int, int]:
    """Import every ``*.yaml`` file in ``directory``; returns (created, updated).

    A quiz whose file has not changed is left alone. Every file is validated before any is
    written, so one broken file imports nothing.
    """
    files = [load_quiz_file(p) for p in sorted(directory.glob("*.y*ml"))]
    slugs = [f.slug for f in files]
    duplicated = {s for s in slugs if slugs.count(s) > 1}
    if duplicated:
        raise BankError(f"slug used by more than one file: {', '.join(sorted(duplicated))}")
    created = updated = 0
    for qf in files:
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == qf.slug))
        if quiz is None:
            quiz = Quiz(slug=qf.slug)
            db.session.add(quiz)
            created += 1
        elif quiz.checksum == qf.checksum:
            continue
        else:
            updated += 1
        quiz.title = qf.title
        quiz.language = qf.language
        quiz.kind = qf.kind
        quiz.level = qf.level
        quiz.description = qf.description
        quiz.questions = [q.to_dict() for q in qf.questions]
        quiz.source = qf.source
        quiz.checksum = qf.checksum
    db.session.commit()
    return created, updated
