"""Challenges: a session played at home, at each pupil's own pace, until a deadline.

The rules (docs/challenge.md):

- A challenge is a ``Game`` with ``mode="challenge"``: opened from a finished live session (its
  questions, school and class; it ``follows`` that session) or from a quiz, for one school and
  class, with a deadline (``closes_at``). It is never held in person, has no presenter on
  stage and never plays a knowledge check.
- Who opens one: a presenter or an admin for any school, a school's staff for their own school;
  from a session, its presenter, an admin or its school's staff.
- The deadline is a local date and time in the deployment's time zone: 7 days from now unless
  chosen, at most 60 days away; it is stored as naive UTC like every time of the records.
- A pupil's attempt is a ``Player`` of the challenge, under the live game's nickname rules
  (unique in the challenge, compared without case or accents), resumed by a secret token.
- Questions come one at a time, in order, with no clock. A right answer earns the question's
  points (fixed: no speed, no streak), a poll nothing; right after it the pupil sees the right
  answer and the explanation. The same answer sent again changes nothing; another answer to a
  question already answered is refused.
- After ``closes_at`` nothing more is written: ``challenge_closed``.
- At the end the pupil is asked "Did you talk about it with someone at home?": the answer is
  a ``HomeTalk`` row with no player and only the day, once per finished attempt.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..engine import NicknameError, Question, validate_class_label, validate_nickname
from ..engine.game import _as_choice as as_choice  # one reading of a choice, live or at home
from ..engine.nicknames import nickname_key
from ..errors import message as error_message
from ..extensions import db
from ..models import Answer, Game, HomeTalk, Player, Quiz, School, User, utcnow
from ..records import summaries
from .games import can_host, new_pin, public_base_url, session_questions

MODE = "challenge"
#: The phase a challenge stays in: no live phase, so the live game never runs it.
PHASE = "challenge"
DEFAULT_DAYS = 7
MAX_DAYS = 60
#: Bytes of randomness in a challenge's link code: ``token_urlsafe(6)`` is 8 characters.
CODE_BYTES = 6
CODE_ATTEMPTS = 20
TOKEN_MAX = 200
MESSAGES = {
    "challenge_not_found": _l("This link does not lead to a challenge. Check it with your "
                              "teacher."),
    "challenge_closed": _l("This challenge is closed: answers are no longer taken. The page for "
                           "parents is still open."),
    "not_finished": _l("Answer every question first."),
    "already_talked": _l("You have already answered this question. Thank you!"),
}

#: The HTTP status of each refusal (400 for any other).
STATUS = {"invalid_token": 401, "forbidden": 403, "not_found": 404, "game_not_found": 404,
          "challenge_not_found": 404, "conflict": 409, "nickname_taken": 409,
          "not_accepting": 409, "already_answered": 409, "already_talked": 409,
          "not_finished": 409, "game_full": 409, "challenge_closed": 410, "rate_limited": 429}


class ChallengeError(Exception):
    """A request about a challenge is refused: ``code`` (the protocol's), the HTTP ``status``
    and the ``message`` for a person."""

    def __init__(self, code: str, text: str | None = None):
        super().__init__(code)
        self.code = code
        self.status = STATUS.get(code, 400)
        own = MESSAGES.get(code)
        self.message = text or (str(own) if own else error_message(code))

    def body(self) -> dict:
        return {"ok": False, "error": self.code, "message": self.message}


# ----- who may do what ---------------------------------------------------------------------------

def may_open_for(user: User | None, school: School) -> bool:
    """A presenter or an admin opens a challenge for any school; a school's staff for their own
    school only."""
    if user is None or not user.is_authenticated:
        return False
    if user.can_host:
        return True
    return user.role == "staff" and user.school_id is not None and user.school_id == school.id


def may_open_from(user: User | None, game: Game) -> bool:
    """A live session may be followed by a challenge opened by its presenter, an admin, or its
    school's staff."""
    if user is None or not user.is_authenticated or game.mode == MODE:
        return False
    if can_host(user, game):
        return True
    return user.role == "staff" and user.school_id == game.school_id


def may_manage(user: User | None, game: Game) -> bool:
    """A challenge's page (link, figures, closing it): whoever opened it, an admin, its school's
    staff."""
    if user is None or not user.is_authenticated or game.mode != MODE:
        return False
    if user.is_admin or game.presenter_id == user.id:
        return True
    return user.role == "staff" and user.school_id == game.school_id


# ----- opening and closing -----------------------------------------------------------------------

def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def default_deadline(now: datetime | None = None) -> datetime:
    """``DEFAULT_DAYS`` from now, to the minute (naive UTC)."""
    now = now or utcnow()
    return (now + timedelta(days=DEFAULT_DAYS)).replace(second=0, microsecond=0)


def local_input(moment: datetime) -> str:
    """A stored moment (naive UTC) as a ``datetime-local`` field shows it: local, to the minute."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(zone())
    return local.strftime("%Y-%m-%dT%H:%M")


def parse_deadline(value: object, now: datetime | None = None) -> datetime:
    """A deadline (naive UTC) from what a person or a client sent: a local date and time
    (``2025-11-20T20:00``, as a ``datetime-local`` field sends it, in the deployment's time
    zone), a local day (the end of it, 23:59), or ISO 8601 with an offset or ``Z``. It must be
    in the future and at most ``MAX_DAYS`` away. Raises ``ChallengeError`` saying why."""
    now = now or utcnow()
    if not isinstance(value, str) or not 8 <= len(value.strip()) <= 40:
        raise ChallengeError("bad_request", _("Give the deadline as a date and time, "
                                              "e.g. 2025-11-20T20:00."))
    text = value.strip()
    try:
        if len(text) == 10:  # a day alone: until the end of it
            moment = datetime.combine(datetime.fromisoformat(text).date(), time(23, 59))
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise ChallengeError("bad_request", _("Give the deadline as a date and time, "
                                              "e.g. 2025-11-20T20:00.")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    moment = moment.astimezone(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    if moment <= now:
        raise ChallengeError("bad_request", _("The deadline has already passed: choose a later "
                                              "one."))
    if moment > now + timedelta(days=MAX_DAYS):
        raise ChallengeError("bad_request", _("The deadline is at most %(n)d days away.",
                                              n=MAX_DAYS))
    return moment


def new_code() -> str:
    """A short link code nobody can guess (48 random bits) and no challenge has."""
    for _attempt in range(CODE_ATTEMPTS):
        code = secrets.token_urlsafe(CODE_BYTES)
        if db.session.scalar(select(Game.id).where(Game.code == code)) is None:
            return code
    raise RuntimeError("no free challenge code")


def open_challenge(quiz: Quiz, school: School, user: User, class_label: str = "",
                   closes_at: datetime | None = None, follows: Game | None = None) -> Game:
    """Record a new challenge and return it. From a live session (``follows``): that session's
    questions, without its knowledge check; else the quiz's. A knowledge check is not a quiz to
    play at home (``ChallengeError``)."""
    if follows is None and quiz.kind != "quiz":
        raise ChallengeError("bad_request", _("A knowledge check is played in class, before and "
                                              "after a quiz: choose a quiz."))
    source = follows.questions if follows is not None else session_questions(quiz)
    questions = [q for q in source if not q.get("part")]
    now = utcnow()
    game = Game(pin=new_pin(), code=new_code(), mode=MODE, phase=PHASE, in_person=False,
                quiz=quiz, school=school, presenter=user, class_label=class_label.strip()[:40],
                options={"speed_scoring": False, "leaderboard_every": 0, "late_join": True},
                questions=questions, closes_at=closes_at or default_deadline(now),
                follows_id=follows.id if follows is not None else None, started_at=now)
    db.session.add(game)
    db.session.commit()
    return game


def open_from_session(session: Game, user: User, closes_at: datetime | None = None,
                      class_label: str | None = None) -> Game:
    """A challenge for the class of a finished live session: its quiz, its school, and its
    class unless ``class_label`` names it better. A session still running is refused
    (``conflict``)."""
    if session.mode == MODE:
        raise ChallengeError("bad_request", _("This is already a challenge."))
    if session.phase != "over":
        raise ChallengeError("conflict", _("End the session first: the challenge replays it at "
                                           "home."))
    label = class_label.strip() if class_label and class_label.strip() else session.class_label
    return open_challenge(session.quiz, session.school, user, label, closes_at, follows=session)


def close(game: Game) -> None:
    """Close a challenge now (before its deadline): no more answers; its figures are summed."""
    now = utcnow()
    if not is_closed(game, now):
        game.closes_at = now
    game.ended_at = game.ended_at or now
    db.session.commit()
    summaries.summarize(game)


def is_closed(game: Game, now: datetime | None = None) -> bool:
    return game.closes_at is not None and (now or utcnow()) >= game.closes_at


def by_code(code: object) -> Game | None:
    """The challenge named by a link code (None for anything else)."""
    if not isinstance(code, str) or not 4 <= len(code) <= 16 or not code.isascii():
        return None
    if not all(c.isalnum() or c in "-_" for c in code):
        return None
    return db.session.scalar(select(Game).where(Game.code == code, Game.mode == MODE))


def url(game: Game) -> str:
    """The challenge's link, on the public address (the one QR codes carry)."""
    return public_base_url() + url_for("challenge.play", code=game.code)


def qr_url(game: Game) -> str:
    return public_base_url() + url_for("challenge.qr", code=game.code)


def deadline_text(game: Game) -> str:
    """The deadline as people read it, in the deployment's time zone (20:00, 20/11/2025)."""
    local = game.closes_at.replace(tzinfo=timezone.utc).astimezone(zone())
    return local.strftime("%H:%M, %d/%m/%Y")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


# ----- a pupil's attempt -------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _open_or_refuse(game: Game) -> None:
    if is_closed(game):
        raise ChallengeError("challenge_closed")


def join(game: Game, nickname: object, class_label: object = "") -> tuple[Player, str]:
    """Start an attempt: a player with a cleaned nickname (the live game's rules) and an
    optional class label; returns it and its secret resume token."""
    _open_or_refuse(game)
    try:
        name = validate_nickname(nickname)
        label = validate_class_label(class_label)
    except NicknameError as exc:
        if exc.reason == "class_label":
            raise ChallengeError("class_label_invalid") from None
        if exc.reason == "abusive":
            raise ChallengeError("nickname_invalid", error_message("nickname_abusive")) from None
        raise ChallengeError("nickname_invalid") from None
    taken = db.session.scalars(select(Player.nickname).where(
        Player.game_id == game.id, Player.active.is_(True))).all()
    if nickname_key(name) in {nickname_key(n) for n in taken}:
        raise ChallengeError("nickname_taken")
    if len(taken) >= current_app.config["MAX_PLAYERS"]:
        raise ChallengeError("game_full")
    token = secrets.token_urlsafe(24)
    joined = (db.session.scalar(select(func.max(Player.joined)).where(
        Player.game_id == game.id)) or 0) + 1
    player = Player(game_id=game.id, nickname=name, class_label=label,
                    token_hash=hash_token(token), joined=joined)
    db.session.add(player)
    db.session.commit()
    summaries.refresh_later(current_app._get_current_object(), game.id)
    return player, token


def attempt(game: Game, token: object) -> Player:
    """The attempt a resume token names, or ``invalid_token``."""
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        raise ChallengeError("invalid_token")
    player = db.session.scalar(select(Player).where(
        Player.game_id == game.id, Player.token_hash == hash_token(token),
        Player.active.is_(True)))
    if player is None:
        raise ChallengeError("invalid_token")
    return player


def _answers(player: Player) -> dict[int, Answer]:
    return {a.question_index: a for a in db.session.scalars(
        select(Answer).where(Answer.player_id == player.id))}


def _next_index(game: Game, answers: dict[int, Answer]) -> int | None:
    """The question to answer now: the first one not answered (None: all are)."""
    return next((i for i in range(len(game.questions)) if i not in answers), None)


def question_view(game: Game, index: int) -> dict:
    """A question as the pupil's page shows it before the answer: never the answer."""
    view = Question.from_dict(game.questions[index]).public(index, len(game.questions))
    view.pop("time_limit", None)  # no clock at home
    return view


def result_view(game: Game, answer: Answer) -> dict:
    """An answered question: right or wrong (None for a poll), the points, the right answer
    and the explanation."""
    question = game.questions[answer.question_index]
    poll = question["type"] == "poll"
    return {"index": answer.question_index, "correct": None if poll else bool(answer.correct),
            "poll": poll, "points": answer.points, "choice": list(answer.choice),
            "right": [] if poll else list(question.get("correct", [])),
            "choices": list(question["choices"]), "type": question["type"],
            "explanation": question.get("explanation", "")}


def state(game: Game, player: Player) -> dict:
    """What the pupil's page needs to draw its screen: the next question (or the end), the
    score, the last answer's lesson (a reload after answering shows it again)."""
    answers = _answers(player)
    index = _next_index(game, answers)
    scored = [i for i, q in enumerate(game.questions) if q["type"] != "poll"]
    last = max(answers.values(), key=lambda a: a.question_index) if answers else None
    return {"nickname": player.nickname, "score": player.score, "total": len(game.questions),
            "answered": len(answers), "index": index, "finished": index is None,
            "question": question_view(game, index) if index is not None else None,
            "last": result_view(game, last) if last is not None else None,
            "right": sum(1 for i in scored if i in answers and answers[i].correct),
            "scored": len(scored), "talked": player.talked,
            "closed": is_closed(game), "closes_at": iso(game.closes_at)}


def answer(game: Game, player: Player, index: object, choice: object) -> tuple[dict, bool]:
    """Judge and store an answer to question ``index``; returns its result and whether it was a
    repeat (the same answer again: nothing changes, even after the deadline)."""
    if type(index) is not int:
        raise ChallengeError("bad_request", _("question must be the index of a question."))
    if not 0 <= index < len(game.questions):
        raise ChallengeError("not_accepting")
    question = Question.from_dict(game.questions[index])
    picked = as_choice(choice, len(question.choices))
    answers = _answers(player)
    existing = answers.get(index)
    if existing is not None and picked is not None and frozenset(existing.choice) == picked:
        return result_view(game, existing), True
    _open_or_refuse(game)
    if picked is None or (len(picked) != 1 and not question.is_multiple):
        raise ChallengeError("invalid_choice")
    if existing is not None:
        raise ChallengeError("already_answered")
    if index != _next_index(game, answers):
        raise ChallengeError("not_accepting")
    correct = None if question.is_poll else question.is_correct(picked)
    points = question.points if correct else 0
    row = Answer(game_id=game.id, player_id=player.id, question_index=index,
                 choice=sorted(picked), correct=correct, points=points)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the same attempt answered this question at the same moment
        db.session.rollback()
        stored = db.session.scalar(select(Answer).where(Answer.player_id == player.id,
                                                        Answer.question_index == index))
        if stored is not None and frozenset(stored.choice) == picked:
            return result_view(game, stored), True
        raise ChallengeError("already_answered") from None
    if points:
        db.session.execute(update(Player).where(Player.id == player.id)
                           .values(score=Player.score + points))
    db.session.commit()
    db.session.refresh(player)
    summaries.refresh_later(current_app._get_current_object(), game.id)
    return result_view(game, row), False


def talk(game: Game, player: Player, said: object) -> None:
    """Record a finished attempt's answer to "Did you talk about it with someone at home?":
    ``parent``, ``someone`` or ``not_yet``; once per attempt. The answer is kept apart from the
    attempt, with the day only, so it cannot be traced back to a nickname."""
    if said not in HomeTalk.ANSWERS:
        raise ChallengeError("bad_request", _("answer must be one of: %(names)s.",
                                              names=", ".join(HomeTalk.ANSWERS)))
    _open_or_refuse(game)
    if _next_index(game, _answers(player)) is not None:
        raise ChallengeError("not_finished")
    marked = db.session.execute(
        update(Player).where(Player.id == player.id, Player.talked.is_(False))
        .values(talked=True).execution_options(synchronize_session=False)).rowcount
    if not marked:
        db.session.rollback()
        raise ChallengeError("already_talked")
    day = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    db.session.add(HomeTalk(game_id=game.id, answer=said, created_at=day))
    db.session.commit()


# ----- what the presenter sees -------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """A challenge so far: attempts started, attempts that answered at least one question and
    that answered them all, their average score, and the home-talk answers."""

    joined: int
    played: int
    finished: int
    average_score: float | None
    talk: dict[str, int]

    @property
    def talked(self) -> int:
        return sum(self.talk.values())

    def as_dict(self) -> dict:
        return {"joined": self.joined, "played": self.played, "finished": self.finished,
                "average_score": self.average_score, "home_talk": dict(self.talk)}


def figures(game: Game) -> Figures:
    answered = (select(Answer.player_id, func.count().label("n"))
                .where(Answer.game_id == game.id).group_by(Answer.player_id).subquery())
    rows = db.session.execute(
        select(Player.score, func.coalesce(answered.c.n, 0))
        .outerjoin(answered, answered.c.player_id == Player.id)
        .where(Player.game_id == game.id, Player.active.is_(True))).all()
    played = [score for score, n in rows if n > 0]
    total = len(game.questions)
    talk = {key: 0 for key in HomeTalk.ANSWERS}
    talk.update(dict(db.session.execute(
        select(HomeTalk.answer, func.count()).where(HomeTalk.game_id == game.id)
        .group_by(HomeTalk.answer)).all()))
    return Figures(joined=len(rows), played=len(played),
                   finished=sum(1 for _score, n in rows if total and n >= total),
                   average_score=round(sum(played) / len(played), 1) if played else None,
                   talk=talk)


def lessons(game: Game) -> list[dict]:
    """What the challenge teaches, for the parents' page: each question with a right answer,
    its right answer(s) and its explanation (polls only when they explain something)."""
    out = []
    for q in game.questions:
        if q["type"] == "poll" and not q.get("explanation"):
            continue
        right = [q["choices"][i] for i in q.get("correct", []) if 0 <= i < len(q["choices"])]
        out.append({"text": q["text"], "right": right, "explanation": q.get("explanation", ""),
                    "poll": q["type"] == "poll"})
    return out
