"""Opening sessions and reading their results."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..engine import AFTER, BEFORE, DISCUSSION_CHOICES, TIME_FACTORS, Options
from ..engine.game import competition_ranks
from ..extensions import db
from ..models import Answer, Game, HelpRequest, Player, Quiz, School, SessionSummary, User
from ..records import rules
from ..records.rules import check_gain
from . import quizzes

PIN_ATTEMPTS = 50


class OptionsError(ValueError):
    """Session options of the wrong type or range."""


def check_quiz(slug: object, user: User | None = None) -> Quiz:
    """The knowledge check a session plays before and after its quiz: a quiz of the bank whose
    kind is ``check`` (one ``user`` may run, when given). Anything else is refused
    (``OptionsError``) with a message saying why."""
    if not isinstance(slug, str) or not slug:
        raise OptionsError(_("check must be the slug of a knowledge check"))
    query = select(Quiz).where(Quiz.slug == slug)
    if user is not None:
        query = query.where(quizzes.visible(user))
    quiz = db.session.scalar(query) if len(slug) <= 80 else None
    if quiz is None:
        raise OptionsError(_("No knowledge check has the slug “%(slug)s”.", slug=slug[:80]))
    if quiz.kind != "check":
        raise OptionsError(_("“%(slug)s” is a quiz, not a knowledge check: choose a quiz of "
                             "kind “check”.", slug=slug))
    return quiz


def check_quizzes(user: User | None = None) -> list[Quiz]:
    """The knowledge checks ``user`` may run, by language (Vietnamese first) and title."""
    return quizzes.runnable(user, kind="check")


def suggested_check(checks: list[Quiz], school_level: str | None,
                    language: str | None = None) -> Quiz | None:
    """The knowledge check to offer a school: one written for the school's level (``tieu_hoc``,
    ``thcs``, ``thpt``), else one for any level (``level`` None), in the quiz's ``language``
    when given. A school of several levels (``lien_cap``) or of no known level is offered one
    for any level, or none: the presenter knows the class better than the school's level."""
    for level in ([school_level] if school_level in ("tieu_hoc", "thcs", "thpt") else []) + [None]:
        for check in checks:
            if check.level == level and (language is None or check.language == language):
                return check
    return None


def check_suggestions(checks: list[Quiz], quizzes: list[Quiz], schools: list[School]) -> dict:
    """What the new-session form needs to suggest a knowledge check as the presenter picks a
    school and a quiz (by ``suggested_check``): each school's level, each quiz's language, and
    the check suggested for every level and language."""
    suggest = {}
    for level in ("", *School.LEVELS):
        for language in sorted({q.language for q in quizzes}):
            check = suggested_check(checks, level, language)
            suggest[f"{level}|{language}"] = check.slug if check else ""
    return {"schools": {s.code: s.level or "" for s in schools},
            "quizzes": {q.slug: q.language for q in quizzes}, "suggest": suggest}


#: The options a session may be opened with (``GameOptions.parse``).
OPTION_NAMES = ("speed_scoring", "leaderboard_every", "late_join", "check", "team_mode",
                "discussion", "time_factor", "no_timer")
#: The discussion time the new-session form suggests for teams sharing phones (seconds).
TEAM_DISCUSSION = 10


@dataclass(frozen=True)
class GameOptions:
    speed_scoring: bool = True
    leaderboard_every: int = 1
    late_join: bool = True
    check: str | None = None  # the slug of the knowledge check played before and after, if any
    team_mode: bool = False  # each phone is a team of pupils (docs/teams.md)
    discussion: int = 0  # seconds each question is shown before its answers open
    time_factor: float = 1  # every time limit multiplied (1, 1.5 or 2)
    no_timer: bool = False  # no countdown: a question stays open until it is revealed

    @classmethod
    def parse(cls, raw: object) -> "GameOptions":
        """Options from a request body; unknown keys are refused so typos do not pass silently.
        ``check`` must name a knowledge check of the bank (null or absent: none);
        ``discussion`` is one of 0, 10, 15 or 20 (seconds), ``time_factor`` 1, 1.5 or 2."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise OptionsError(_("options must be an object"))
        unknown = set(raw) - set(OPTION_NAMES)
        if unknown:
            raise OptionsError(_("unknown option: %(names)s", names=", ".join(sorted(unknown))))
        values = {}
        for key in ("speed_scoring", "late_join", "team_mode", "no_timer"):
            if key in raw:
                if not isinstance(raw[key], bool):
                    raise OptionsError(_("%(key)s must be true or false", key=key))
                values[key] = raw[key]
        if "leaderboard_every" in raw:
            every = raw["leaderboard_every"]
            if type(every) is not int or not 0 <= every <= 100:
                raise OptionsError(_("leaderboard_every must be an integer from 0 to 100"))
            values["leaderboard_every"] = every
        if "discussion" in raw:
            discussion = raw["discussion"]
            if type(discussion) is not int or discussion not in DISCUSSION_CHOICES:
                raise OptionsError(_("discussion must be 0, 10, 15 or 20 (seconds)"))
            values["discussion"] = discussion
        if "time_factor" in raw:
            factor = raw["time_factor"]
            if type(factor) not in (int, float) or factor not in TIME_FACTORS:
                raise OptionsError(_("time_factor must be 1, 1.5 or 2"))
            values["time_factor"] = factor
        if raw.get("check") is not None:
            values["check"] = check_quiz(raw["check"]).slug
        return cls(**values)

    @classmethod
    def from_stored(cls, stored: dict | None) -> "GameOptions":
        """Options as a session row keeps them (written by ``as_dict``); a value out of range
        (a row written by hand) falls back to the default rather than stopping the game."""
        stored = stored or {}
        discussion = stored.get("discussion", 0)
        factor = stored.get("time_factor", 1)
        return cls(bool(stored.get("speed_scoring", True)), int(stored.get("leaderboard_every", 1)),
                   bool(stored.get("late_join", True)), stored.get("check") or None,
                   team_mode=stored.get("team_mode") is True,
                   discussion=discussion if type(discussion) is int
                   and discussion in DISCUSSION_CHOICES else 0,
                   time_factor=factor if type(factor) in (int, float)
                   and factor in TIME_FACTORS else 1,
                   no_timer=stored.get("no_timer") is True)

    def as_dict(self) -> dict:
        """As a session row keeps them; ``check`` only when the session has one, and the team
        and timing options only when they differ from the defaults."""
        stored = {"speed_scoring": self.speed_scoring, "leaderboard_every": self.leaderboard_every,
                  "late_join": self.late_join}
        if self.check:
            stored["check"] = self.check
        if self.team_mode:
            stored["team_mode"] = True
        if self.discussion:
            stored["discussion"] = self.discussion
        if self.time_factor != 1:
            stored["time_factor"] = self.time_factor
        if self.no_timer:
            stored["no_timer"] = True
        return stored

    def engine_options(self) -> Options:
        return Options(self.speed_scoring, self.leaderboard_every, self.late_join,
                       team_mode=self.team_mode, discussion=self.discussion,
                       time_factor=self.time_factor, no_timer=self.no_timer)


def new_pin() -> str:
    """A fresh 6-digit PIN not used by any recorded session (no leading zero, so it reads well)."""
    for _ in range(PIN_ATTEMPTS):
        pin = str(secrets.randbelow(900000) + 100000)
        if db.session.scalar(select(Game.id).where(Game.pin == pin)) is None:
            return pin
    raise RuntimeError("no free PIN")


def session_questions(quiz: Quiz, check: Quiz | None = None) -> list[dict]:
    """The questions a session plays, copied so that editing the bank never changes its record.

    With a knowledge check: the check's questions, then the quiz's, then the check's again. A
    check question carries ``"part": "before"`` or ``"after"`` and ``"check": k``, its number in
    the check (the same before and after); the quiz's own carry neither. The engine plays by
    this order and the records pair the two halves by ``check``.
    """
    if check is None:
        return list(quiz.questions)
    before = [{**q, "part": BEFORE, "check": k} for k, q in enumerate(check.questions)]
    after = [{**q, "part": AFTER, "check": k} for k, q in enumerate(check.questions)]
    return before + list(quiz.questions) + after


def open_game(quiz: Quiz, school: School, presenter: User, class_label: str = "",
              options: GameOptions | None = None, in_person: bool = True) -> Game:
    """Record a new session in the lobby phase and return it. ``options.check`` must name a
    knowledge check (``OptionsError`` otherwise)."""
    options = options or GameOptions()
    check = check_quiz(options.check, presenter) if options.check else None
    game = Game(pin=new_pin(), quiz=quiz, school=school, presenter=presenter,
                class_label=class_label.strip()[:40], in_person=in_person,
                options=options.as_dict(), questions=session_questions(quiz, check))
    db.session.add(game)
    db.session.commit()
    return game


def is_pin(value: object) -> bool:
    """A PIN is exactly six ASCII digits."""
    return isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()


def game_by_pin(pin: object) -> Game | None:
    if not is_pin(pin):
        return None
    return db.session.scalar(select(Game).where(Game.pin == pin))


def public_base_url() -> str:
    """The address phones use: QUIZAPP_PUBLIC_URL, else the one the request came in on."""
    configured = current_app.config.get("PUBLIC_URL") or current_app.config.get("DETECTED_URL")
    if configured:
        return configured.rstrip("/")
    return request.host_url.rstrip("/")


def join_url(pin: str) -> str:
    return public_base_url() + url_for("play.join", pin=pin)


def game_links(game: Game) -> dict:
    """The session's addresses, all on the public address (the one phones and QR codes use)."""
    base = public_base_url()
    return {
        "pin": game.pin,
        "join_url": join_url(game.pin),
        "host_url": base + url_for("host.projector", pin=game.pin),
        "qr_url": base + url_for("play.qr", pin=game.pin),
    }


def can_host(user: User | None, game: Game) -> bool:
    """Only the session's presenter, or an admin, drives it."""
    return bool(user) and user.is_authenticated and (user.is_admin or game.presenter_id == user.id)


def question_stats(game: Game) -> list[dict]:
    """Per question: answers per option, how many answered, how many were right. Kicked
    players do not count. After a purge, the kept summary."""
    if game.purged_at is not None:
        return list((game.summary or {}).get("questions", []))
    counts = {i: [0] * len(q["choices"]) for i, q in enumerate(game.questions)}
    answered = {i: 0 for i in counts}
    right = {i: 0 for i in counts}
    rows = db.session.execute(
        select(Answer.question_index, Answer.choice, Answer.correct).join(Player)
        .where(Answer.game_id == game.id, Player.active.is_(True)))
    for index, choice, correct in rows:
        if index not in counts:
            continue
        answered[index] += 1
        right[index] += 1 if correct else 0
        for c in choice:
            if 0 <= c < len(counts[index]):
                counts[index][c] += 1
    return [{"index": i, "counts": counts[i], "answered": answered[i], "correct_answers": right[i]}
            for i in counts]


def participation(game: Game) -> tuple[int, float | None]:
    """(players, average score) of a session; after a purge, from the kept summary."""
    if game.purged_at is not None:
        summary = game.summary or {}
        return summary.get("players", 0), summary.get("average_score")
    n, avg = db.session.execute(select(func.count(Player.id), func.avg(Player.score)).where(
        Player.game_id == game.id, Player.active.is_(True))).one()
    return n, round(float(avg), 1) if avg is not None else None


def results(game: Game) -> dict:
    """Every player with score and rank, and every question with its correct answer and counts.

    Ranked by the engine's rule (``competition_ranks``) from the stored scores, earlier joiners
    listed first among equals. A purged session has no players left, only counts.
    """
    players = db.session.scalars(
        select(Player).where(Player.game_id == game.id, Player.active.is_(True))
        .order_by(Player.score.desc(), Player.joined)).all()
    ranked = [{"player_id": p.public_id, "nickname": p.nickname, "class_label": p.class_label,
               "members": max(1, p.members or 1), "score": p.score, "rank": rank}
              for p, rank in zip(players, competition_ranks(p.score for p in players))]
    stats = {s["index"]: s for s in question_stats(game)}
    questions = []
    for i, q in enumerate(game.questions):
        stat = stats.get(i, {"counts": [0] * len(q["choices"]), "answered": 0,
                             "correct_answers": 0})
        questions.append({"index": i, "type": q["type"], "text": q["text"],
                          "choices": q["choices"], "correct": q.get("correct", []),
                          "counts": stat["counts"], "answered": stat["answered"],
                          "correct_answers": stat["correct_answers"]})
        if q.get("part"):
            questions[-1].update(part=q["part"], check=q.get("check"))
    count, average = participation(game)
    if game.purged_at is not None:
        summary = db.session.get(SessionSummary, game.id)
        median = summary.score_median if summary is not None else None
        pupils = summary.students if summary is not None else count
    else:
        median = rules.median(p["score"] for p in ranked)
        pupils = sum(p["members"] for p in ranked)
    check = check_results(game)
    return {
        "pin": game.pin,
        "quiz": game.quiz.slug,
        "quiz_title": game.quiz.title,
        "school": game.school.code,
        "school_name": game.school.name,
        "class_label": game.class_label,
        "phase": game.phase,
        "created_at": game.created_at.isoformat() + "Z",
        "ended_at": game.ended_at.isoformat() + "Z" if game.ended_at else None,
        "purged": game.purged_at is not None,
        "player_count": count,
        "team_mode": bool((game.options or {}).get("team_mode")),
        "pupils": pupils,
        "average_score": average,
        "median_score": median,
        "players": ranked,
        "questions": questions,
        "most_missed": most_missed(questions),
        **({"check": check} if check is not None else {}),
    }


def most_missed(questions: list[dict], n: int = 3) -> list[int]:
    """The indexes of the quiz questions (not polls, not the knowledge check) with the lowest
    share of right answers, among those somebody answered and not everybody got right; more
    answers first among equals."""
    scored = [q for q in questions if q["type"] != "poll" and not q.get("part") and q["answered"]
              and q["correct_answers"] < q["answered"]]
    scored.sort(key=lambda q: (q["correct_answers"] / q["answered"], -q["answered"], q["index"]))
    return [q["index"] for q in scored[:n]]


def check_results(game: Game) -> dict | None:
    """A session's knowledge check (None without one): accuracy before and after the quiz and
    the gain, overall and per question, paired over the pupils who answered a question both
    times (``records.rules.check_gain``); removed players do not count. After a purge, the
    figures the session's summary kept."""
    slug = (game.options or {}).get("check")
    texts = [q["text"] for q in game.questions if q.get("part") == BEFORE]
    if not slug or not texts:
        return None
    title = db.session.scalar(select(Quiz.title).where(Quiz.slug == slug)) or slug
    if game.purged_at is not None:
        summary = db.session.get(SessionSummary, game.id)
        kept = ((summary.detail if summary is not None else None) or {}).get("check") or {}
        overall = (kept.get("before"), kept.get("after"), kept.get("answers", 0),
                   kept.get("gain"))
        per_question = [(k.get("before"), k.get("after"), k.get("answers", 0))
                        for k in kept.get("questions", [])] or [(None, None, 0)] * len(texts)
        players = None
    else:
        parts = {i: (q["part"], q.get("check", 0)) for i, q in enumerate(game.questions)
                 if q.get("part") in (BEFORE, AFTER)}
        answers: dict[str, dict] = {BEFORE: {}, AFTER: {}}
        rows = db.session.execute(
            select(Answer.player_id, Answer.question_index, Answer.correct).join(Player)
            .where(Answer.game_id == game.id, Player.active.is_(True),
                   Answer.question_index.in_(list(parts))))
        for player_id, index, correct in rows:
            part, number = parts[index]
            answers[part][(player_id, number)] = bool(correct)
        gain = check_gain(answers[BEFORE], answers[AFTER], len(texts))
        overall = (gain.before, gain.after, gain.answers, gain.gain)
        per_question = list(gain.questions)
        players = len({p for p, _ in answers[BEFORE].keys() & answers[AFTER].keys()})
    before, after, pairs, gain_value = overall
    return {
        "quiz": slug,
        "title": title,
        "before": {"accuracy": before, "answers": pairs},
        "after": {"accuracy": after, "answers": pairs},
        "gain": gain_value,
        "players": players,
        "questions": [{"text": text, "before": b, "after": a, "answers": n}
                      for text, (b, a, n) in zip(texts, per_question)],
    }


def player_count(game: Game) -> int:
    return db.session.scalar(select(func.count(Player.id)).where(
        Player.game_id == game.id, Player.active.is_(True))) or 0


def help_view(row: HelpRequest) -> dict:
    """A help request as the presenter's console and the results page show it."""
    return {"id": row.id, "player_id": row.player.public_id, "nickname": row.player.nickname,
            "class_label": row.player.class_label, "at": row.created_at.isoformat() + "Z",
            "handled": row.handled_at is not None}


def help_requests(game: Game) -> list[dict]:
    rows = db.session.scalars(select(HelpRequest).where(HelpRequest.game_id == game.id)
                              .order_by(HelpRequest.created_at)).all()
    return [help_view(r) for r in rows]
