"""The question bank: the shipped quizzes load, and broken files are refused with a clear error."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from quizapp.bank import BankError, check_bank, load_quiz_file
from quizapp.bank.topics import TOPICS
from quizapp.engine import QuestionType

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"


@pytest.mark.parametrize("path", sorted(QUESTIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_quizzes_are_valid(path):
    quiz = load_quiz_file(path)
    if quiz.kind == "check":  # played twice: a few questions, each with a right answer and a topic
        assert 3 <= len(quiz.questions) <= 8
        assert all(q.explanation.strip() and q.topic and not q.is_poll for q in quiz.questions)
        return
    types = {q.type for q in quiz.questions}
    assert len(quiz.questions) >= 10
    assert {QuestionType.SINGLE, QuestionType.TRUEFALSE, QuestionType.MULTIPLE,
            QuestionType.POLL, QuestionType.CHAT} <= types
    for q in quiz.questions:
        assert q.explanation.strip(), q.text
        if q.type is QuestionType.CHAT:
            assert any(m.mine for m in q.chat) or len(q.chat) >= 2


BANK = check_bank(QUESTIONS)  # the folder checked whole: slugs, question ids, translations
VIETNAMESE = [q for q in BANK if q.language == "vi"]


@pytest.mark.parametrize("vi", VIETNAMESE, ids=lambda q: q.slug)
def test_every_vietnamese_quiz_has_its_english_version(vi):
    """The same questions in the same order: ids, types, answers, timing, topics, the chat's
    turns; and every question has an id, a topic and its explanation in both languages."""
    versions = [q for q in BANK if q.translation_of == vi.slug]
    assert [q.language for q in versions] == ["en"], vi.slug
    en = versions[0]
    assert (vi.kind, vi.level) == (en.kind, en.level)

    def shape(q):
        return (q.id, q.type, len(q.choices), q.correct, q.time_limit, q.points, q.topic,
                [m.mine for m in q.chat])

    assert [shape(q) for q in vi.questions] == [shape(q) for q in en.questions]
    for q in vi.questions + en.questions:
        assert q.id and q.topic, q.text
        # the red flag and what to do, in two to four short sentences
        sentences = [s for s in re.split(r"(?<=[.!?…])\s+", q.explanation.strip()) if s]
        assert 2 <= len(sentences) <= 4 and len(q.explanation) <= 420, q.explanation


def test_the_bank_covers_every_level():
    quizzes = [q for q in VIETNAMESE if q.kind == "quiz"]
    checks = {q.level: q for q in VIETNAMESE if q.kind == "check"}
    assert len(quizzes) >= 8
    assert sum(len(q.questions) for q in VIETNAMESE) >= 100
    assert {q.level for q in quizzes} >= {"tieu_hoc", "thcs", "thpt"}
    assert set(checks) >= {"tieu_hoc", "thcs", "thpt"}
    assert all(len(c.questions) == 5 for c in checks.values())
    topics = {question.topic for q in quizzes for question in q.questions}
    assert topics == set(TOPICS), set(TOPICS) - topics


def test_primary_quizzes_stay_off_adult_topics():
    """Ages 9–11: no sextortion, trafficking or ransom questions (beyond "tell an adult")."""
    for quiz in (q for q in VIETNAMESE if q.level == "tieu_hoc"):
        assert not {q.topic for q in quiz.questions} & {"sextortion", "job_scams"}, quiz.slug


BAD = [
    ("not: [valid", "not valid YAML"),
    ("- a list", "mapping"),
    ({"slug": "Bad Slug", "title": "t", "questions": []}, "slug"),
    ({"slug": "ok", "title": "", "questions": [{}]}, "title"),
    ({"slug": "ok", "title": "t", "language": "fr", "questions": [{}]}, "language"),
    ({"slug": "ok", "title": "t", "questions": []}, "no questions"),
    ({"slug": "ok", "title": "t", "questions": ["text"]}, "question 1"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "essay", "text": "x", "choices": ["a", "b"]}]}, "type: Use single"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "single", "text": "x", "choices": ["a", "b"], "correct": ["one"]}]}, "question 1"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "single", "text": "x", "choices": ["a", "b"], "correct": [0], "time_limit": "fast"}]}, "question 1"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "single", "text": "x", "choices": ["a", "b"], "correct": [5]}]}, "There is no answer 6"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "poll", "text": "x", "choices": ["a", "b"], "correct": [0]}]}, "poll"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "chat", "text": "x", "choices": ["a", "b"], "correct": [0]}]}, "chat"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "truefalse", "text": "x", "choices": ["a", "b", "c"], "correct": [0]}]}, "exactly two answers"),
    ({"slug": "ok", "title": "t", "kind": "test", "questions": [{}]}, "kind: Use quiz"),
    ({"slug": "ok", "title": "t", "level": "university", "questions": [{}]}, "level: Use tieu_hoc"),
    ({"slug": "ok", "title": "t", "kind": "check", "questions": [{"type": "poll", "text": "x", "choices": ["a", "b"]}]}, "a poll has no right answer"),
    ({"slug": "ok", "title": "t", "questions": [{"type": "single", "text": "x", "choices": ["a", "b"], "correct": [0], "topic": "cooking"}]}, "Unknown topic “cooking”"),
]


@pytest.mark.parametrize("content, error", BAD)
def test_broken_files_are_refused_with_the_reason(tmp_path, content, error):
    path = tmp_path / "quiz.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    with pytest.raises(BankError) as err:
        load_quiz_file(path)
    assert error in str(err.value) and "quiz.yaml" in str(err.value)
