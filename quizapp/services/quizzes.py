"""Who may run, see and change which quiz.

The shared bank is every published quiz: any presenter runs it. A quiz written in the editor or
uploaded starts as its owner's draft: only its owner (and admins) see and run it until an admin
publishes it. The bank's own files (``origin == "bank"``) are changed only in their files; in the
editor they are duplicated, never edited. An admin edits any other quiz; a presenter edits their
own drafts. Sessions keep a copy of the questions they were opened with, so no edit ever changes
a session already held.
"""
from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import ColumnElement, or_, select, true

from ..extensions import db
from ..models import Quiz, User


def visible(user: User | None) -> ColumnElement[bool]:
    """The condition on ``Quiz`` for the quizzes ``user`` may see and run."""
    if user is not None and user.is_admin:
        return true()
    published = Quiz.status == "published"
    if user is None or not user.can_host:
        return published
    return or_(published, Quiz.owner_id == user.id)


def runnable(user: User | None, kind: str | None = None) -> list[Quiz]:
    """The quizzes ``user`` may open a session with, Vietnamese first, then by title."""
    query = select(Quiz).where(visible(user)).order_by(Quiz.language.desc(), Quiz.title)
    if kind is not None:
        query = query.where(Quiz.kind == kind)
    return list(db.session.scalars(query))


def find(user: User | None, slug: object) -> Quiz | None:
    """The quiz with this slug if ``user`` may see it (None otherwise, as if it were not there:
    somebody's draft is nobody else's business)."""
    if not isinstance(slug, str) or not slug or len(slug) > 80:
        return None
    return db.session.scalar(select(Quiz).where(Quiz.slug == slug, visible(user)))


def can_edit(user: User | None, quiz: Quiz) -> bool:
    if user is None or not user.can_host or quiz.origin == "bank":
        return False
    return user.is_admin or (quiz.owner_id == user.id and quiz.status == "draft")


def can_publish(user: User | None, quiz: Quiz) -> bool:
    return user is not None and user.is_admin and quiz.origin != "bank"


def free_slug(wanted: str) -> str:
    """``wanted`` made a valid slug (accents dropped, spaces to hyphens), with ``-2``, ``-3`` …
    added when it is taken."""
    base = slugify(wanted) or f"quiz-{secrets.token_hex(3)}"
    base = base[:72].strip("-") or "quiz"
    taken = set(db.session.scalars(select(Quiz.slug).where(Quiz.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def slugify(text: str) -> str:
    """"Bắt cóc trực tuyến!" → "bat-coc-truc-tuyen"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def ids_in_use(exclude_slug: str | None = None) -> set[str]:
    """The question ids of every quiz stored (but ``exclude_slug``'s)."""
    used: set[str] = set()
    query = select(Quiz.slug, Quiz.questions)
    for slug, questions in db.session.execute(query):
        if slug != exclude_slug:
            used.update(q["id"] for q in questions or () if q.get("id"))
    return used


def own_ids(questions: list[dict], slug: str) -> list[dict]:
    """``questions`` (stored dicts) with a fresh id for each one whose id another quiz already
    uses: a file brought in keeps its ids only where they name nothing else, so its questions'
    figures never merge with another quiz's (a bank quiz exported, changed and brought back in
    is a new quiz)."""
    used = ids_in_use(slug)
    out = []
    for question in questions:
        if question.get("id") in used:
            question = {**question, "id": f"{slug[:48].strip('-_') or 'q'}-{secrets.token_hex(3)}"}
        out.append(question)
    return out
