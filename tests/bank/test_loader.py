"""The question bank: the shipped quizzes load, and broken files are refused with a clear error."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizapp.bank import BankError, load_quiz_file
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


@pytest.mark.parametrize("vi, en", [("bat-coc-truc-tuyen", "online-kidnapping-en"),
                                    ("kiem-tra-thcs", "knowledge-check-lower-secondary-en")])
def test_the_two_languages_match(vi, en):
    vi = load_quiz_file(QUESTIONS / f"{vi}.yaml")
    en = load_quiz_file(QUESTIONS / f"{en}.yaml")
    assert (vi.kind, vi.level) == (en.kind, en.level)
    assert [(q.type, q.correct, q.topic) for q in vi.questions] == \
        [(q.type, q.correct, q.topic) for q in en.questions]


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
