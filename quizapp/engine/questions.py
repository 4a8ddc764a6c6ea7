"""Questions as the engine sees them: immutable, validated, with a public view."""
from __future__ import annotations

import re
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


#: The parts of a session with a knowledge check: the check ("before"), the quiz ("main"), then
#: the same check again ("after"). A session without a check is all "main".
BEFORE, MAIN, AFTER = "before", "main", "after"


ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
IMAGE_RE = re.compile(r"^[a-f0-9]{32}\.(webp|png|jpg)$")


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
    # A knowledge check's question: ``part`` "before" or "after", and ``check`` its number in the
    # check (the same before and after). The quiz's own questions have neither.
    part: str = ""
    check: int | None = None
    #: The question's stable name in the bank (shared by its translations), for its figures
    #: across sessions; "" when it has none (its text stands for it).
    id: str = ""
    #: An uploaded picture shown with the question: its file name in the media folder.
    image: str = ""

    def __post_init__(self) -> None:
        n = len(self.choices)
        if self.id and not ID_RE.match(self.id):
            raise QuestionError("an id is 1 to 64 lowercase letters, digits, '-' or '_'")
        if self.image and not IMAGE_RE.match(self.image):
            raise QuestionError("an image is the name of an uploaded picture")
        if self.part not in ("", BEFORE, AFTER):
            raise QuestionError(f"part must be {BEFORE!r} or {AFTER!r}")
        if bool(self.part) != (self.check is not None):
            raise QuestionError("a knowledge check question has a part and a check number")
        if self.check is not None and (type(self.check) is not int or self.check < 0):
            raise QuestionError("a check number is an integer from 0")
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
    def is_check(self) -> bool:
        """A knowledge check's question: a measurement, not the competition. It scores nothing
        and leaves streaks alone; its answers are stored like any other."""
        return bool(self.part)

    @property
    def hides_answer(self) -> bool:
        """The check before the quiz never shows its answer or its explanation, not even at the
        reveal: taught before the lesson, they would spoil what the check measures."""
        return self.part == BEFORE

    @property
    def keeps_streaks(self) -> bool:
        """Answering it, or not, leaves a player's streak as it was (polls and the check)."""
        return self.is_poll or self.is_check

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
        if self.image:
            data["image"] = f"/media/{self.image}"
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
        if self.part:
            data["part"] = self.part
            data["check"] = self.check
        if self.id:
            data["id"] = self.id
        if self.image:
            data["image"] = self.image
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
                part=str(data.get("part") or ""),
                check=None if data.get("check") is None else int(data["check"]),
                id=str(data.get("id") or ""),
                image=str(data.get("image") or ""),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, QuestionError):
                raise
            raise QuestionError(f"malformed question: {exc}") from exc
