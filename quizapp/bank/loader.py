"""The bank's folder of quiz files (``questions/``): read, check and bring in.

A quiz file is YAML with ``slug``, ``title``, ``language``, ``description``, ``questions`` and
optionally ``kind`` (``quiz``, or ``check`` for a knowledge check), ``level`` (``tieu_hoc``,
``thcs`` or ``thpt``; none for any) and ``translation_of`` (the slug of the quiz it translates).
Every quiz and question is checked by ``validate.check_quiz``, so a file that comes in is a quiz
that plays. The folder is checked whole: one bad file, two quizzes with one slug, a question id
used by two quizzes that are not translations of each other, or a translation of a quiz that is
not there, and nothing comes in.
Chat messages from the student's side are marked ``mine: true`` or sent by "Bạn" / "You".
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import yaml
from sqlalchemy import select

from ..extensions import db
from ..models import Quiz
from .validate import LANGUAGES, LEVELS, SLUG_RE, BankError, QuizData, check_quiz

#: The name the rest of the app has used for a checked quiz file.
QuizFile = QuizData

__all__ = ["BankError", "LANGUAGES", "LEVELS", "QuizFile", "SLUG_RE", "check_bank",
           "import_bank", "load_quiz_file"]


def load_quiz_file(path: Path) -> QuizData:
    """The quiz in a YAML file, or ``BankError`` naming the file and every problem."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise BankError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise BankError(f"{path.name}: expected a mapping at the top (slug, title, questions)")
    return check_quiz(data, source=path.name, checksum=hashlib.sha256(raw).hexdigest())


def check_bank(directory: Path) -> list[QuizData]:
    """Every quiz file of ``directory``, checked one by one and together; ``BankError`` lists
    every problem of every file."""
    quizzes, problems = [], []
    for path in sorted(directory.glob("*.y*ml")):
        try:
            quizzes.append(load_quiz_file(path))
        except BankError as exc:
            problems.append(str(exc))
    by_slug: dict[str, list[str]] = defaultdict(list)
    for quiz in quizzes:
        by_slug[quiz.slug].append(quiz.source)
    problems += [f"slug {slug!r} is used by {', '.join(files)}"
                 for slug, files in sorted(by_slug.items()) if len(files) > 1]
    slugs = {q.slug: q for q in quizzes}
    for quiz in quizzes:
        if quiz.translation_of is None:
            continue
        original = slugs.get(quiz.translation_of)
        if original is None:
            problems.append(f"{quiz.source}: translation_of names {quiz.translation_of!r}, "
                            "which no file has")
        elif original.language == quiz.language:
            problems.append(f"{quiz.source}: a translation is in another language than "
                            f"{original.source}")
    families: dict[str, str] = {q.slug: q.translation_of or q.slug for q in quizzes}
    owners: dict[str, tuple[str, str]] = {}
    for quiz in quizzes:
        for number, question in enumerate(quiz.questions, start=1):
            if not question.id:
                continue
            seen = owners.get(question.id)
            if seen is not None and seen[0] != families[quiz.slug]:
                problems.append(f"{quiz.source}: question {number}, id: {question.id!r} is "
                                f"also used in {seen[1]}")
            owners.setdefault(question.id, (families[quiz.slug], quiz.source))
    if problems:
        raise BankError("\n".join(problems))
    return quizzes


def import_bank(directory: Path) -> tuple[int, int]:
    """Bring in every quiz file of ``directory``; returns (created, updated).

    A quiz whose file has not changed is left alone. The folder is checked whole before
    anything is written (``check_bank``). A slug already taken by a quiz written in the editor
    or uploaded is refused: the bank's files never overwrite a person's quiz.
    """
    files = check_bank(directory)
    existing = {q.slug: q for q in db.session.scalars(
        select(Quiz).where(Quiz.slug.in_([f.slug for f in files])))}
    taken = [f"{f.source}: the slug {f.slug!r} belongs to a quiz written here; rename the file's"
             for f in files if f.slug in existing and existing[f.slug].origin != "bank"]
    if taken:
        raise BankError("\n".join(taken))
    created = updated = 0
    for qf in files:
        quiz = existing.get(qf.slug)
        if quiz is None:
            quiz = Quiz(slug=qf.slug, origin="bank", status="published")
            db.session.add(quiz)
            created += 1
        elif quiz.checksum == qf.checksum:
            continue
        else:
            updated += 1
        store(quiz, qf)
    db.session.commit()
    return created, updated


def store(quiz: Quiz, data: QuizData) -> None:
    """Write a checked quiz's fields and questions into ``quiz`` (not committed)."""
    quiz.title = data.title
    quiz.language = data.language
    quiz.kind = data.kind
    quiz.level = data.level
    quiz.description = data.description
    quiz.translation_of = data.translation_of
    quiz.questions = [q.to_dict() for q in data.questions]
    quiz.source = data.source[:255]
    quiz.checksum = data.checksum

