"""The central server's side of the field kit: take a laptop's session whole or not at all, take
a bundle file, and serve what a laptop pulls.

A session is taken by its UUID: the first time it is stored (a fresh PIN, ``origin="laptop"``,
the pushing account as its presenter) with its players, answers and help requests, and its
figures computed (``records.summaries.summarize``), in one transaction; any later time the
answer is "already there" and nothing changes. Everything a laptop sends is checked before
anything is written — types, lengths, counts, indexes within the session's questions, answers
that refer to players of the session, points a question can give — and a session that breaks
a rule is refused (``Refused``: a 4xx status, a code, a message for a person and the field at
fault). A school code this server does not know is refused by name, never guessed.

The session's quiz: the quiz of the same slug if its questions are the session's own (the
knowledge check's aside), else a quiz of the same slug family (``slug``, ``slug-2``…) with
those questions, else a new draft (``origin="import"``) owned by the pushing account. The
session's own copy of its questions is what its records use either way.
"""
from __future__ import annotations

import math
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError

from ..bank.validate import KINDS, LANGUAGES, LEVELS, SLUG_RE, QuizInvalid, check_quiz
from ..engine.questions import AFTER, BEFORE, Question
from ..engine.scoring import STREAK_CAP
from ..extensions import db
from ..models import (Answer, Game, HelpRequest, Player, Province, Quiz, School, SessionSummary,
                      Unit, User, utcnow)
from ..records.summaries import summarize_purged, summarize
from ..services.games import new_pin
from ..services.org import clean_text
from ..services.quizzes import free_slug
from . import bundle

#: Limits of one session (far above any real classroom or assembly).
MAX_PLAYERS = 5000
MAX_QUESTIONS = 300
MAX_HELP = 5000
MAX_SCORE = 10_000_000
MAX_ELAPSED_MS = 3_600_000
#: The largest request body of one session.
MAX_SESSION_BYTES = 16 * 1024 * 1024
#: How long the link token a laptop keeps from ``sync pull`` is good for (seconds).
LINK_MAX_AGE = 180 * 24 * 3600
OPTION_KEYS = {"speed_scoring": bool, "late_join": bool, "team_mode": bool,
               "leaderboard_every": int, "check": str}
ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?")


class Refused(Exception):
    """A session that is not taken: ``status`` (400, 422…), ``code``, ``message`` for a person,
    ``field`` the place in the session at fault (``players.3.answers.0.choice``)."""

    def __init__(self, status: int, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def as_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


def _bad(path: str, message: str) -> Refused:
    return Refused(400, "bad_request", _("%(field)s: %(problem)s", field=path, problem=message),
                   path)


@dataclass
class Outcome:
    """What became of a session: ``created`` (201) or already there (200)."""

    game: Game
    created: bool

    @property
    def status(self) -> int:
        return 201 if self.created else 200

    def as_dict(self) -> dict:
        body = {"uuid": self.game.uuid, "pin": self.game.pin, "duplicate": not self.created}
        if self.created:
            summary = db.session.get(SessionSummary, self.game.id)
            body.update(quiz=self.game.quiz.slug, school=self.game.school.code,
                        players=summary.players if summary else 0,
                        students=summary.students if summary else 0)
        return body


# ----- reading what a laptop sends ---------------------------------------------------------------


def _text(value: Any, path: str, limit: int, required: bool = False) -> str:
    if not isinstance(value, str):
        raise _bad(path, _("text expected"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _bad(path, _("text expected")) from None
    text = clean_text(value)
    if required and not text:
        raise _bad(path, _("empty"))
    if len(text) > limit:
        raise _bad(path, _("at most %(n)d characters", n=limit))
    return text


def _int(value: Any, path: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _bad(path, _("a whole number from %(low)d to %(high)d expected", low=low,
                           high=high))
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(path, _("true or false expected"))
    return value


def _list(value: Any, path: str, limit: int) -> list:
    if not isinstance(value, list):
        raise _bad(path, _("a list expected"))
    if len(value) > limit:
        raise _bad(path, _("at most %(n)d items", n=limit))
    return value


def _dict(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise _bad(path, _("an object expected"))
    return value


def _time(value: Any, path: str, required: bool = True) -> datetime | None:
    """An ISO time in UTC (``2025-10-20T02:15:00Z``), stored naive as the app keeps times."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not ISO_RE.fullmatch(value):
        raise _bad(path, _("a time like 2025-10-20T02:15:00Z expected"))
    try:
        moment = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        raise _bad(path, _("a time like 2025-10-20T02:15:00Z expected")) from None
    if not datetime(2020, 1, 1) <= moment <= utcnow() + timedelta(days=2):
        raise _bad(path, _("the time is not plausible (the laptop's clock?)"))
    return moment


def _uuid(value: Any) -> str:
    if isinstance(value, str) and len(value) == 36:
        try:
            if str(uuidlib.UUID(value)) == value.lower():
                return value.lower()
        except ValueError:
            pass
    raise _bad("uuid", _("a UUID expected"))


def _questions(items: Any) -> list[dict]:
    """The session's questions, each checked by the bank's rules, as the app stores them."""
    items = _list(items, "questions", MAX_QUESTIONS)
    if not items:
        raise _bad("questions", _("empty"))
    out = []
    for i, item in enumerate(items):
        path = f"questions.{i}"
        item = _dict(item, path)
        part = item.get("part") or ""
        check = item.get("check")
        if part not in ("", BEFORE, AFTER):
            raise _bad(f"{path}.part", _("“before”, “after” or nothing expected"))
        if part:
            _int(check, f"{path}.check", 0, MAX_QUESTIONS)
        elif check is not None:
            raise _bad(f"{path}.check", _("only a knowledge check's question has a number"))
        plain = {k: v for k, v in item.items() if k not in ("part", "check")}
        try:
            checked = check_quiz({"slug": "session", "title": "session", "language": "vi",
                                  "questions": [plain]})
        except QuizInvalid as exc:
            problem = exc.problems[0]
            where = f"{path}.{problem.field}" if problem.field else path
            raise _bad(where, str(problem.message)) from None
        stored = checked.questions[0].to_dict()
        if part:
            stored.update(part=part, check=check)
        out.append(stored)
    if all(q.get("part") for q in out):
        raise _bad("questions", _("the session has none of its quiz's own questions"))
    return out


def _options(value: Any) -> dict:
    value = _dict(value if value is not None else {}, "options")
    options = {}
    for key, item in value.items():
        kind = OPTION_KEYS.get(key)
        path = f"options.{key}"
        if kind is None:
            raise _bad(path, _("unknown option"))
        if key == "check":
            if item is not None:
                options[key] = _text(item, path, 80, required=True)
        elif kind is bool:
            options[key] = _bool(item, path)
        else:
            options[key] = _int(item, path, 0, 100)
    return options


def _kept(value: Any, questions: list[dict]) -> dict:
    """The figures a purged session kept (``Game.summary``: players, average score, counts per
    question, help requests)."""
    value = _dict(value, "kept")
    players = _int(value.get("players", 0), "kept.players", 0, MAX_PLAYERS)
    average = value.get("average_score")
    if average is not None and (isinstance(average, bool) or not isinstance(average, (int, float))
                                or not math.isfinite(average) or not 0 <= average <= MAX_SCORE):
        raise _bad("kept.average_score", _("a number expected"))
    stats = []
    seen = set()
    for i, item in enumerate(_list(value.get("questions", []), "kept.questions", MAX_QUESTIONS)):
        path = f"kept.questions.{i}"
        item = _dict(item, path)
        index = _int(item.get("index"), f"{path}.index", 0, len(questions) - 1)
        if index in seen:
            raise _bad(f"{path}.index", _("named twice"))
        seen.add(index)
        n = len(questions[index]["choices"])
        counts = _list(item.get("counts"), f"{path}.counts", n)
        if len(counts) != n:
            raise _bad(f"{path}.counts", _("one count per choice expected"))
        answered = _int(item.get("answered", 0), f"{path}.answered", 0, players)
        right = _int(item.get("correct_answers", 0), f"{path}.correct_answers", 0, answered)
        stats.append({"index": index,
                      "counts": [_int(c, f"{path}.counts.{k}", 0, players)
                                 for k, c in enumerate(counts)],
                      "answered": answered, "correct_answers": right})
    return {"players": players, "average_score": average, "questions": stats,
            "help_requests": _int(value.get("help_requests", 0), "kept.help_requests", 0,
                                  MAX_HELP)}


@dataclass
class Clean:
    """A session as checked, ready to store."""

    uuid: str
    school_code: str
    quiz: dict
    class_label: str
    in_person: bool
    options: dict
    questions: list[dict]
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime
    players: list[dict] = field(default_factory=list)
    help: list[dict] = field(default_factory=list)
    kept: dict | None = None


def check_session(data: Any) -> Clean:
    """Every field of a session as a laptop sends it (``client.session_payload``), or
    ``Refused`` (400) naming the first one at fault."""
    if not isinstance(data, dict):
        raise Refused(400, "bad_request", _("Send a session as a JSON object."))
    uid = _uuid(data.get("uuid"))
    school = _text(data.get("school"), "school", 32, required=True).upper()
    quiz = _dict(data.get("quiz"), "quiz")
    slug = _text(quiz.get("slug"), "quiz.slug", 80, required=True)
    if not SLUG_RE.match(slug):
        raise _bad("quiz.slug", _("a quiz's slug expected"))
    language = quiz.get("language", "vi")
    if language not in LANGUAGES:
        raise _bad("quiz.language", _("vi or en expected"))
    kind = quiz.get("kind", "quiz")
    if kind not in KINDS:
        raise _bad("quiz.kind", _("quiz or check expected"))
    level = quiz.get("level")
    if level is not None and level not in LEVELS:
        raise _bad("quiz.level", _("tieu_hoc, thcs, thpt or nothing expected"))
    quiz = {"slug": slug, "title": _text(quiz.get("title"), "quiz.title", 200, required=True),
            "language": language, "kind": kind, "level": level}
    questions = _questions(data.get("questions"))
    created = _time(data.get("created_at"), "created_at")
    started = _time(data.get("started_at"), "started_at", required=False)
    ended = _time(data.get("ended_at"), "ended_at")
    if started is not None and started < created:
        raise _bad("started_at", _("before the session was opened"))
    if ended < (started or created):
        raise _bad("ended_at", _("before the session started"))
    clean = Clean(uid, school, quiz, _text(data.get("class_label", ""), "class_label", 40),
                  _bool(data.get("in_person", True), "in_person"), _options(data.get("options")),
                  questions, created, started, ended)
    if data.get("summary") is not None:
        _dict(data["summary"], "summary")  # the laptop's figures: recomputed here from the data
    purged = _bool(data.get("purged", False), "purged")
    players = _list(data.get("players", []), "players", MAX_PLAYERS)
    help_requests = _list(data.get("help_requests", []), "help_requests", MAX_HELP)
    if purged:
        if players or help_requests:
            raise _bad("players", _("a purged session sends its figures, not its players"))
        clean.kept = _kept(data.get("kept"), questions)
        return clean
    engine_questions = [Question.from_dict(q) for q in questions]
    clean.players = [_player(i, p, questions, engine_questions) for i, p in enumerate(players)]
    for i, item in enumerate(help_requests):
        path = f"help_requests.{i}"
        item = _dict(item, path)
        player = item.get("player")
        if type(player) is not int or not 0 <= player < len(clean.players):
            raise _bad(f"{path}.player", _("not one of the session's players"))
        clean.help.append({"player": player, "at": _time(item.get("at"), f"{path}.at"),
                           "handled_at": _time(item.get("handled_at"), f"{path}.handled_at",
                                               required=False)})
    return clean


def _player(i: int, item: Any, questions: list[dict], engine: list[Question]) -> dict:
    path = f"players.{i}"
    item = _dict(item, path)
    player = {"nickname": _text(item.get("nickname"), f"{path}.nickname", 40, required=True),
              "class_label": _text(item.get("class_label", ""), f"{path}.class_label", 40),
              "members": _int(item.get("members", 1), f"{path}.members", 1, 6),
              "score": _int(item.get("score", 0), f"{path}.score", 0, MAX_SCORE),
              "active": _bool(item.get("active", True), f"{path}.active"), "answers": []}
    seen: set[int] = set()
    for k, answer in enumerate(_list(item.get("answers", []), f"{path}.answers", len(questions))):
        where = f"{path}.answers.{k}"
        answer = _dict(answer, where)
        index = _int(answer.get("question"), f"{where}.question", 0, len(questions) - 1)
        if index in seen:
            raise _bad(f"{where}.question", _("answered twice"))
        seen.add(index)
        question = engine[index]
        n = len(question.choices)
        choice = _list(answer.get("choice"), f"{where}.choice", n)
        if (not choice or any(type(c) is not int or not 0 <= c < n for c in choice)
                or len(set(choice)) != len(choice)
                or (len(choice) != 1 and not question.is_multiple)):
            raise _bad(f"{where}.choice", _("not one of the question's choices"))
        correct = None if question.is_poll else question.is_correct(frozenset(choice))
        top = question.points + STREAK_CAP if correct and not question.is_check else 0
        points = _int(answer.get("points", 0), f"{where}.points", 0, top)
        player["answers"].append({
            "question_index": index, "choice": sorted(choice), "correct": correct,
            "points": points,
            "elapsed_ms": _int(answer.get("elapsed_ms", 0), f"{where}.elapsed_ms", 0,
                               MAX_ELAPSED_MS),
            "streak": _int(answer.get("streak", 0), f"{where}.streak", 0, MAX_QUESTIONS)})
    return player


# ----- storing ----------------------------------------------------------------------------------


def find_session(uid: str) -> Game | None:
    return db.session.scalar(select(Game).where(Game.uuid == uid))


def accept(data: Any, user: User) -> Outcome:
    """Take one session pushed by ``user`` (a presenter or an admin, its presenter here):
    ``Outcome`` (created, or already there), or ``Refused``."""
    if not user.can_host:
        raise Refused(403, "forbidden", _("Only a presenter's or an admin's account sends "
                                          "sessions."))
    clean = check_session(data)
    existing = find_session(clean.uuid)
    if existing is not None:
        _finish_half_taken(existing)
        return Outcome(existing, False)
    school = db.session.scalar(select(School).where(School.code == clean.school_code))
    if school is None:
        raise Refused(422, "unknown_school", _(
            "The central server has no school with the code “%(code)s”. Add the school there "
            "(or correct its code on the laptop), then send again.", code=clean.school_code),
            "school")
    for attempt in range(3):
        try:
            return Outcome(_store(clean, school, user), True)
        except IntegrityError:  # the same session at the same moment, or a PIN or slug taken
            db.session.rollback()
            existing = find_session(clean.uuid)
            if existing is not None:
                return Outcome(existing, False)
            if attempt == 2:
                raise
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _store(clean: Clean, school: School, user: User) -> Game:
    """Write the session, its players, answers and help requests, and its figures: one
    transaction (``summarize`` commits it at the end; anything failing before rolls it back)."""
    game = Game(pin=new_pin(), uuid=clean.uuid, origin="laptop", quiz=_quiz_for(clean, user),
                school=school, presenter=user, class_label=clean.class_label,
                in_person=clean.in_person, options=clean.options, questions=clean.questions,
                phase="over", current_index=len(clean.questions) - 1,
                created_at=clean.created_at, started_at=clean.started_at,
                ended_at=clean.ended_at)
    if clean.kept is not None:
        game.summary, game.purged_at = clean.kept, utcnow()
    db.session.add(game)
    db.session.flush()
    if clean.kept is not None:
        summarize_purged(game)  # its figures from the counts it kept
        return game
    players = [Player(game_id=game.id, nickname=p["nickname"], class_label=p["class_label"],
                      token_hash="", score=p["score"], active=p["active"], joined=i + 1,
                      members=p["members"]) for i, p in enumerate(clean.players)]
    db.session.add_all(players)
    db.session.flush()
    answers = [{**a, "game_id": game.id, "player_id": row.id}
               for row, p in zip(players, clean.players) for a in p["answers"]]
    if answers:
        db.session.execute(insert(Answer), answers)
    if clean.help:
        db.session.execute(insert(HelpRequest), [
            {"game_id": game.id, "player_id": players[h["player"]].id, "created_at": h["at"],
             "handled_at": h["handled_at"]} for h in clean.help])
    summarize(game)
    return game


def _finish_half_taken(game: Game) -> None:
    """A purged session whose figures were being written when the server stopped (its two
    steps are apart): write them now."""
    if game.origin == "laptop" and game.purged_at is None and game.summary is not None:
        game.purged_at = utcnow()
        summarize_purged(game)


def _quiz_for(clean: Clean, user: User) -> Quiz:
    """The quiz the session played: see the module's docstring."""
    own = [{k: v for k, v in q.items()} for q in clean.questions if not q.get("part")]
    slug = clean.quiz["slug"]
    candidates = db.session.scalars(
        select(Quiz).where(or_(Quiz.slug == slug, Quiz.slug.like(f"{slug}-%")))
        .order_by(Quiz.slug != slug, Quiz.id)).all()
    for quiz in candidates:
        if quiz.questions == own and (quiz.status == "published" or quiz.owner_id == user.id):
            return quiz
    quiz = Quiz(slug=free_slug(slug), title=clean.quiz["title"], language=clean.quiz["language"],
                kind=clean.quiz["kind"], level=clean.quiz["level"], questions=own,
                origin="import", status="draft", owner_id=user.id,
                source="field laptop")
    db.session.add(quiz)
    db.session.flush()
    return quiz


# ----- bundles ----------------------------------------------------------------------------------


def key_for_user(user_id: int) -> str | None:
    """The bundle key of an account that may send sessions (None otherwise)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.can_host:
        return None
    return bundle.bundle_key(current_app.config["SECRET_KEY"], user.id)


@dataclass
class BundleResult:
    """One session of an imported bundle: ``status`` ``created``, ``duplicate`` or
    ``refused`` (with ``message``)."""

    uuid: str
    school: str
    status: str
    message: str = ""
    pin: str = ""


def import_bundle(data: bytes) -> tuple[User, list[BundleResult]]:
    """Verify a bundle file and take each of its sessions as a push would (each whole or not at
    all, by its UUID); raises ``bundle.BundleError`` for a file that is not taken at all."""
    found = bundle.read(data, key_for_user)
    user = db.session.get(User, found.user_id)
    results = []
    for i, item in enumerate(found.sessions):
        uid = str(item.get("uuid", "")) if isinstance(item, dict) else ""
        school = str(item.get("school", "")) if isinstance(item, dict) else ""
        try:
            outcome = accept(item, user)
        except Refused as exc:
            db.session.rollback()
            results.append(BundleResult(uid[:36] or f"#{i + 1}", school[:32], "refused",
                                        exc.message))
            continue
        results.append(BundleResult(outcome.game.uuid, outcome.game.school.code,
                                    "created" if outcome.created else "duplicate",
                                    pin=outcome.game.pin))
    return user, results


# ----- what a laptop pulls ----------------------------------------------------------------------


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sync-link")


def link_max_age() -> int:
    return int(current_app.config.get("SYNC_LINK_MAX_AGE") or LINK_MAX_AGE)


def issue_link_token(user: User) -> str:
    """A token for the sync API alone (pull and push), good for ``link_max_age`` seconds: a
    laptop may stay offline for weeks. It dies with a password change or a deactivation."""
    return _link_serializer().dumps({"uid": user.id, "pw": user.password_hash[-12:]})


def user_for_link_token(token: str) -> User | None:
    try:
        data = _link_serializer().loads(token, max_age=link_max_age())
    except BadSignature:
        return None
    if not isinstance(data, dict) or type(data.get("uid")) is not int:
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        return None
    return user


def pull_data(user: User) -> dict:
    """Units, schools and published quizzes, with the laptop's link token and bundle key."""
    units = db.session.execute(
        select(Province.name, Unit.name, Unit.kind).join(Unit.province)
        .order_by(Province.name, Unit.name)).all()
    schools = db.session.execute(
        select(School.code, School.name, School.level, Unit.name, Province.name)
        .join(School.unit).join(Unit.province).order_by(School.code)).all()
    quizzes = db.session.scalars(select(Quiz).where(Quiz.status == "published")
                                 .order_by(Quiz.slug)).all()
    return {
        "format": "quizapp-sync-pull", "version": 1,
        "user": {"id": user.id, "username": user.username, "name": user.name,
                 "role": user.role},
        "units": [{"province": p, "name": n, "kind": k} for p, n, k in units],
        "schools": [{"code": c, "name": n, "level": lv or "", "unit": u, "province": p}
                    for c, n, lv, u, p in schools],
        "quizzes": [{"slug": q.slug, "title": q.title, "language": q.language, "kind": q.kind,
                     "level": q.level, "description": q.description,
                     "translation_of": q.translation_of, "origin": q.origin,
                     "checksum": q.checksum, "questions": q.questions} for q in quizzes],
        "bundle_key": bundle.bundle_key(current_app.config["SECRET_KEY"], user.id),
        "link_token": issue_link_token(user), "link_max_age": link_max_age(),
    }
