"""Questions as the engine sees them: immutable, validated, with a public view."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class QuestionType(str, Enum):
    SINGLE = "single"
    TRUEFALSE = "truefalse"
    MULTIPLE = "multiple"
    POLL = "poll"
    CHAT = "chat"


#: Seconds a phone needs to show one chat message before the next appears.
CHAT_SECONDS_PER_MESSAGE = 1.6
MIN_TIME_LIMIT = 5
MAX_TIME_LIMIT = 120


class QuestionError(ValueError):
    """A question breaks a rule of its type."""


@dataclass(frozen=True)
class ChatMessage:
    sender: str
    text: str
    mine: bool = False


@dataclass(frozen=True)
class Question:
    type: QuestionType
    text: str
    choices: tuple[str, ...]
    correct: frozenset[int] = frozenset()
    time_limit: float = 20
    points: int = 1000
    explanation: str = ""
    chat: tuple[ChatMessage, ...] = field(default_factory=tuple)
    topic: str = ""  # what it teaches (quizapp/bank/topics.py), for accuracy by topic

    def __post_init__(self) -> None:
        n = len(self.choices)
        if not self.text.strip():
            raise QuestionError("question text is empty")
        if not 2 <= n <= 4:
            raise QuestionError("a question has 2 to 4 choices")
        if any(not c.strip() for c in self.choices):
            raise QuestionError("a choice is empty")
        if any(not 0 <= i < n for i in self.correct):
            raise QuestionError("a correct index is out of range")
        if not MIN_TIME_LIMIT <= self.time_limit <= MAX_TIME_LIMIT:
            raise QuestionError(f"time limit must be {MIN_TIME_LIMIT}-{MAX_TIME_LIMIT} seconds")
        if self.points < 0:
            raise QuestionError("points cannot be negative")
        kind = self.type
        if kind is QuestionType.POLL:
            if self.correct:
                raise QuestionError("a poll has no correct answer")
        elif kind is QuestionType.MULTIPLE:
            if len(self.correct) < 1:
                raise QuestionError("a multiple-select question needs a correct answer")
        elif len(self.correct) != 1:
            raise QuestionError(f"a {kind.value} question has exactly one correct answer")
        if kind is QuestionType.TRUEFALSE and n != 2:
            raise QuestionError("a true/false question has exactly two choices")
        if kind is QuestionType.CHAT and not self.chat:
            raise QuestionError("a chat scenario needs messages")

    @property
    def is_poll(self) -> bool:
        return self.type is QuestionType.POLL

    @property
    def is_multiple(self) -> bool:
        return self.type is QuestionType.MULTIPLE

    @property
    def reading_time(self) -> float:
        """Seconds before the choices appear: a chat scenario plays its messages first."""
        return round(len(self.chat) * CHAT_SECONDS_PER_MESSAGE, 2)

    def is_correct(self, choice: frozenset[int]) -> bool:
        """A choice is correct when it is exactly the set of correct options (all or nothing)."""
        return not self.is_poll and choice == self.correct

    def public(self, index: int, total: int) -> dict:
        """What phones and the projector may see while the question is open: never the answer."""
        data = {
            "index": index,
            "total": total,
            "type": self.type.value,
            "text": self.text,
            "choices": list(self.choices),
            "time_limit": self.time_limit,
            "points": self.points,
        }
        if self.is_multiple:
            data["multiple"] = True
        if self.chat:
            data["chat"] = [{"from": m.sender, "text": m.text, "mine": m.mine} for m in self.chat]
            data["reading_time"] = self.reading_time
        return data

    def to_dict(self) -> dict:
        """A plain snapshot, stored with a game so it replays the questions it was opened with."""
        data = {
            "type": self.type.value,
            "text": self.text,
            "choices": list(self.choices),
            "correct": sorted(self.correct),
            "time_limit": self.time_limit,
            "points": self.points,
            "explanation": self.explanation,
        }
        if self.chat:
            data["chat"] = [{"from": m.sender, "text": m.text, "mine": m.mine} for m in self.chat]
        if self.topic:
            data["topic"] = self.topic
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Question":
        try:
            kind = QuestionType(data["type"])
        except (KeyError, ValueError) as exc:
            raise QuestionError(f"unknown question type {data.get('type')!r}") from exc
        points_default = 0 if kind is QuestionType.POLL else 1000
        try:
            return cls(
                type=kind,
                text=str(data.get("text", "")),
                choices=tuple(str(c) for c in data.get("choices") or ()),
                correct=frozenset(int(i) for i in data.get("correct") or ()),
                time_limit=float(data.get("time_limit", 20)),
                points=int(data.get("points", points_default)),
                explanation=str(data.get("explanation", "")),
                chat=tuple(
                    ChatMessage(str(m.get("from", "")), str(m.get("text", "")), bool(m.get("mine", False)))
                    for m in data.get("chat") or ()
                ),
                topic=str(data.get("topic") or ""),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, QuestionError):
                raise
            raise QuestionError(f"malformed question: {exc}") from exc
