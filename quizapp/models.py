"""Database models: the records a session leaves behind, and the accounts that run them."""
from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timezone
from typing import Any, Optional

from flask_login import UserMixin
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Province(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    units: Mapped[list["Unit"]] = relationship(back_populates="province")


class Unit(db.Model):
    """A commune, ward or special zone (``xa``, ``phuong``, ``dac_khu``): the level whose police
    run the sessions, and whose coverage the campaign counts."""

    KINDS = ("xa", "phuong", "dac_khu")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20), default="phuong")
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"))

    province: Mapped[Province] = relationship(back_populates="units")
    schools: Mapped[list["School"]] = relationship(back_populates="unit")

    __table_args__ = (UniqueConstraint("province_id", "name"),)


class School(db.Model):
    """A school of a unit; ``level`` is ``tieu_hoc`` (primary), ``thcs`` (lower secondary),
    ``thpt`` (upper secondary) or ``lien_cap`` (several levels)."""

    LEVELS = ("tieu_hoc", "thcs", "thpt", "lien_cap")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    level: Mapped[str] = mapped_column(String(20), default="")

    unit: Mapped[Unit] = relationship(back_populates="schools")


class User(UserMixin, db.Model):
    """An account. ``admin``: the province, everything. ``viewer``: read-only, province-wide (the
    Department of Education). ``presenter``: a commune/ward officer or a teacher, attached to a
    unit, runs sessions. ``staff``: a school's teacher or principal, attached to the school."""

    ROLES = ("admin", "viewer", "presenter", "staff")

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="presenter")
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id"))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school: Mapped[Optional[School]] = relationship()
    unit: Mapped[Optional[Unit]] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_host(self) -> bool:
        return self.role in ("admin", "presenter")

    @property
    def name(self) -> str:
        return self.display_name or self.username


class Quiz(db.Model):
    """A quiz from the question bank; ``questions`` holds the validated question dicts.
    ``kind`` is ``quiz``, or ``check`` for a knowledge check (played before and after a quiz to
    measure what a session changed); ``level`` the school level it is written for (None: any)."""

    KINDS = ("quiz", "check")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    kind: Mapped[str] = mapped_column(String(10), default="quiz")
    level: Mapped[Optional[str]] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(255), default="")
    checksum: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Where it came from: ``bank`` (a file of the question folder, changed only there),
    #: ``editor`` (written in the web editor) or ``import`` (an uploaded file).
    origin: Mapped[str] = mapped_column(String(10), default="bank", server_default="bank")
    #: ``published`` (in the shared bank, for every presenter) or ``draft`` (its owner's alone).
    status: Mapped[str] = mapped_column(String(10), default="published",
                                        server_default="published")
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    #: The slug of the quiz this one translates (its questions share their ids).
    translation_of: Mapped[Optional[str]] = mapped_column(String(80))
    created_at: Mapped[Optional[datetime]] = mapped_column(default=utcnow)

    owner: Mapped[Optional["User"]] = relationship()

    ORIGINS = ("bank", "editor", "import")
    STATUSES = ("draft", "published")

    @property
    def question_count(self) -> int:
        return len(self.questions)

    @property
    def published(self) -> bool:
        return self.status == "published"


class Game(db.Model):
    """A session: one quiz played by one class of one school, run by one presenter.

    ``questions`` is a snapshot taken when the session is opened, so editing the bank later never
    changes a session's record. ``phase``, ``current_index`` and ``question_opened_at`` let a
    game be rebuilt from the database.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    pin: Mapped[str] = mapped_column(String(6), unique=True)
    #: The session's name everywhere (a field laptop pushes it to the central server by it).
    uuid: Mapped[str] = mapped_column(String(36), unique=True,
                                      default=lambda: str(uuid.uuid4()))
    #: ``here`` (held on this server) or ``laptop`` (held on a field laptop and pushed here).
    origin: Mapped[str] = mapped_column(String(10), default="here", server_default="here")
    #: ``live`` (a presenter runs it, the class plays together) or ``challenge`` (pupils play
    #: it at their own pace, at home, until ``closes_at``, through the link named by ``code``).
    mode: Mapped[str] = mapped_column(String(10), default="live", server_default="live")
    closes_at: Mapped[Optional[datetime]] = mapped_column()
    code: Mapped[Optional[str]] = mapped_column(String(16), unique=True)
    #: The session a challenge follows (its class played it live first), if any.
    follows_id: Mapped[Optional[int]] = mapped_column(ForeignKey("game.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    presenter_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    class_label: Mapped[str] = mapped_column(String(40), default="")
    in_person: Mapped[bool] = mapped_column(default=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    host_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(24))
    phase: Mapped[str] = mapped_column(String(20), default="lobby")
    current_index: Mapped[int] = mapped_column(default=-1)
    question_opened_at: Mapped[Optional[datetime]] = mapped_column()
    # Bumped by every phase change: a process holding a stale copy of the game (another process
    # took it over) finds out when its next change matches no row.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column()
    ended_at: Mapped[Optional[datetime]] = mapped_column()
    # Set when the retention period has passed: players and answers are gone, and ``summary``
    # keeps the aggregate counts (players, average score, counts per question).
    purged_at: Mapped[Optional[datetime]] = mapped_column()
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship()
    school: Mapped[School] = relationship()
    presenter: Mapped[User] = relationship()
    players: Mapped[list["Player"]] = relationship(back_populates="game", order_by="Player.joined")

    __table_args__ = (Index("ix_game_school_presenter", "school_id", "presenter_id"),)


class Player(db.Model):
    """A student in one session: a nickname and an optional class label, nothing else."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True,
                                           default=lambda: secrets.token_urlsafe(9))
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id"))
    nickname: Mapped[str] = mapped_column(String(40))
    class_label: Mapped[str] = mapped_column(String(40), default="")
    token_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(default=0)
    streak: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    joined: Mapped[int] = mapped_column(default=0)
    #: A challenge's attempt has answered "did you talk about it at home?" (*that* it did, never
    #: *what*: the answer is kept apart, in ``HomeTalk``, with no player).
    talked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # pupils sharing this phone (team mode); a player is one pupil otherwise
    members: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    game: Mapped[Game] = relationship(back_populates="players")
    answers: Mapped[list["Answer"]] = relationship(back_populates="player")

    __table_args__ = (Index("ix_player_game", "game_id"),)


class Answer(db.Model):
    """One accepted answer. At most one per player and question: a retry never counts twice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id"))
    question_index: Mapped[int] = mapped_column()
    choice: Mapped[list[int]] = mapped_column(JSON)
    correct: Mapped[Optional[bool]] = mapped_column()
    points: Mapped[int] = mapped_column(default=0)
    elapsed_ms: Mapped[int] = mapped_column(default=0)
    streak: Mapped[int] = mapped_column(default=0)  # the player's streak after this answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    player: Mapped[Player] = relationship(back_populates="answers")

    __table_args__ = (
        UniqueConstraint("player_id", "question_index", name="uq_answer_player_question"),
        Index("ix_answer_game", "game_id", "question_index"),
    )


class HelpRequest(db.Model):
    """A student pressed "I need help": shown privately to the presenter, kept with the session
    for the presenter and the school's staff. It holds nothing but who (the nickname) and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id"))
    player_id: Mapped[int] = mapped_column(ForeignKey("player.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[Optional[datetime]] = mapped_column()

    player: Mapped[Player] = relationship()

    __table_args__ = (Index("ix_help_game", "game_id"),)


class Ban(db.Model):
    """A device the presenter banned from one session (a hash of the phone page's random key)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id"))
    device_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("game_id", "device_hash"),)


class Campaign(db.Model):
    """A campaign window (inclusive days in the deployment's time zone). Campaigns recur: a
    session counts for every campaign whose window contains the day it started."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)


class SessionSummary(db.Model):
    """A session's figures, computed from its players and answers when a question is revealed and
    when it ends (``quizapp/records/summaries.py``), so that records never scan answers. Unit,
    province and level are copied from the school, and ``day`` is the start day in the
    deployment's time zone, so coverage and dashboards aggregate this one table."""

    game_id: Mapped[int] = mapped_column(ForeignKey("game.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"))
    presenter_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    level: Mapped[str] = mapped_column(String(20), default="")
    class_label: Mapped[str] = mapped_column(String(40), default="")
    in_person: Mapped[bool] = mapped_column(default=True)
    #: ``live`` or ``challenge`` (self-paced: never counts toward the in-person coverage).
    mode: Mapped[str] = mapped_column(String(10), default="live", server_default="live")
    #: Players that were teams sharing a phone (``Player.members`` > 1), and their pupils.
    teams: Mapped[int] = mapped_column(default=0, server_default="0")
    team_students: Mapped[int] = mapped_column(default=0, server_default="0")
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[Optional[datetime]] = mapped_column()
    players: Mapped[int] = mapped_column(default=0)
    students: Mapped[int] = mapped_column(default=0)  # pupils: players, or team members
    score_avg: Mapped[Optional[float]] = mapped_column()
    score_median: Mapped[Optional[float]] = mapped_column()
    answers: Mapped[int] = mapped_column(default=0)  # answers to questions with a right answer
    correct_answers: Mapped[int] = mapped_column(default=0)
    help_requests: Mapped[int] = mapped_column(default=0)
    # the knowledge check, paired (see records/rules.py); None without one
    check_before: Mapped[Optional[float]] = mapped_column()
    check_after: Mapped[Optional[float]] = mapped_column()
    check_pairs: Mapped[int] = mapped_column(default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    game: Mapped["Game"] = relationship()

    __table_args__ = (
        Index("ix_summary_day", "day"),
        # PostgreSQL: a window's aggregates read this index only (migration 0004)
        Index("ix_summary_day_cover", "day", postgresql_include=[
            "players", "students", "school_id", "unit_id", "province_id", "level", "in_person",
            "class_label", "score_avg", "answers", "correct_answers", "check_pairs",
            "check_before", "check_after", "game_id", "mode", "teams", "team_students"],
            info={"dialects": ("postgresql",)}),
        Index("ix_summary_unit_day", "unit_id", "day"),
        Index("ix_summary_school_day", "school_id", "day"),
        Index("ix_summary_presenter_day", "presenter_id", "day"),
    )


class SessionQuestion(db.Model):
    """One question of a session's summary: how many answered it and how many were right, with
    its topic, so accuracy by question and by topic aggregates across sessions in SQL."""

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id"))
    position: Mapped[int] = mapped_column()  # index in the session's questions
    key: Mapped[str] = mapped_column(String(64))  # the same question across sessions
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(40), default="")
    part: Mapped[str] = mapped_column(String(10), default="")  # "", "before", "after"
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    day: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("game_id", "position"),
        Index("ix_sq_key", "key"),
        Index("ix_sq_day_topic", "day", "topic"),
    )


class TopicDay(db.Model):
    """Answers and right answers to the main quizzes' questions of one topic, per day, province
    and school level: ``session_question`` summed ahead (by ``records/summaries.py`` as each
    session's figures change), so a campaign's accuracy by topic over a country reads thousands of
    rows instead of millions."""

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)


class SyncPush(db.Model):
    """On a field laptop: where a finished session stands with the central server.
    ``status``: ``sent`` (the central server has it), ``refused`` (it said why, in ``message``:
    fix and send again) or ``failed`` (it could not be reached: send again later). A finished
    session without a row is waiting."""

    game_id: Mapped[int] = mapped_column(ForeignKey("game.id", ondelete="CASCADE"),
                                         primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text, default="")
    central_url: Mapped[str] = mapped_column(String(255), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    attempted_at: Mapped[Optional[datetime]] = mapped_column()
    accepted_at: Mapped[Optional[datetime]] = mapped_column()

    game: Mapped[Game] = relationship()

    STATUSES = ("sent", "refused", "failed")


class Setting(db.Model):
    """A setting changed in the app (the support contact, a field laptop's link to the central
    server); the environment gives the defaults."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Resource(db.Model):
    """One of the campaign's materials on the resources page: a link, or a file uploaded by an
    admin (kept in the media folder under ``file_name``)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[Optional[str]] = mapped_column(String(1000))
    file_name: Mapped[Optional[str]] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))


class HomeTalk(db.Model):
    """One answer to a challenge's last question, "Did you talk about it with someone at
    home?": anonymous (no player), counted per challenge."""

    ANSWERS = ("parent", "someone", "not_yet")

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
