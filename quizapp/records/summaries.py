"""Each session's figures, kept in ``SessionSummary`` (one row) and ``SessionQuestion`` (a row per
question), so that records aggregate a few rows per session and never scan answers.

When they are computed: the live game asks for a refresh (``refresh_later``) at every reveal, at
the end and when the presenter removes a player — so a session that is never ended still counts
up to its last reveal — and ``ensure_all`` fills in the sessions that have none (after an
upgrade, or sessions that arrive from elsewhere). A purged session keeps the figures it had:
its players and answers are gone, so it is never computed again.

What they hold (the rules are in ``rules.py``):
- ``players``: active players (removed ones do not count); ``students``: the pupils they are
  (``Player.members``: a team sharing a phone counts every member);
- ``score_avg`` / ``score_median``: over the active players' scores;
- ``answers`` / ``correct_answers``: answers to the main quiz's questions that have a right
  answer (polls and the knowledge check are apart);
- the knowledge check: accuracy before and after over the pairs, and how many pairs;
- ``day``: the day the session started, in the deployment's time zone.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata

from datetime import date

from flask import Flask, current_app
from sqlalchemy import delete, func, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db, socketio
from ..models import (Answer, Game, HelpRequest, Player, SessionQuestion, SessionSummary, TopicDay,
                      utcnow)
from . import rules

log = logging.getLogger(__name__)

#: Seconds a refresh waits, so that a burst of changes (a removal, then the reveal it causes)
#: is summed up once.
REFRESH_DELAY = 0.5

_pending: set[int] = set()
_pending_lock = threading.Lock()


def question_key(question: dict) -> str:
    """The same question across sessions and quizzes: its id if the bank gives one, else its
    text (Unicode-normalised, spacing and case ignored)."""
    if question.get("id"):
        return str(question["id"])[:64]
    text = " ".join(unicodedata.normalize("NFC", str(question.get("text", ""))).split()).casefold()
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def summarize(game: Game) -> SessionSummary:
    """Compute and store ``game``'s figures (replacing what was there) and return them. A purged
    session's figures are returned as they are."""
    summary = db.session.get(SessionSummary, game.id)
    if game.purged_at is not None and summary is not None:
        return summary
    previous = (summary.day, summary.province_id, summary.level) if summary is not None else None
    school = game.school
    if summary is None:
        summary = SessionSummary(game_id=game.id)
    started = game.started_at or game.created_at
    summary.school_id, summary.unit_id = school.id, school.unit_id
    summary.province_id = school.unit.province_id
    summary.presenter_id, summary.quiz_id = game.presenter_id, game.quiz_id
    summary.level, summary.class_label = school.level or "", game.class_label or ""
    summary.in_person = bool(game.in_person) and game.mode != "challenge"
    summary.mode = game.mode or "live"
    summary.started_at, summary.ended_at = started, game.ended_at
    summary.day = rules.local_day(started, current_app.config["TIMEZONE"])
    db.session.add(summary)

    players = db.session.execute(
        select(Player.id, Player.score, Player.members)
        .where(Player.game_id == game.id, Player.active.is_(True))).all()
    active = {p.id for p in players}
    summary.players = len(players)
    summary.students = sum(max(1, p.members or 1) for p in players)
    teams = [p.members for p in players if (p.members or 1) > 1]
    summary.teams, summary.team_students = len(teams), sum(teams)
    scores = [p.score for p in players]
    summary.score_avg = round(sum(scores) / len(scores), 1) if scores else None
    summary.score_median = rules.median(scores)

    questions = game.questions
    stats = [{"position": i, "counts": [0] * len(q["choices"]), "answered": 0, "correct": 0}
             for i, q in enumerate(questions)]
    before: dict[tuple[int, int], bool] = {}
    after: dict[tuple[int, int], bool] = {}
    rows = db.session.execute(select(Answer.player_id, Answer.question_index, Answer.choice,
                                     Answer.correct).where(Answer.game_id == game.id))
    for player_id, index, choice, correct in rows:
        if player_id not in active or not 0 <= index < len(questions):
            continue
        stat = stats[index]
        stat["answered"] += 1
        stat["correct"] += 1 if correct else 0
        for c in choice or ():
            if 0 <= c < len(stat["counts"]):
                stat["counts"][c] += 1
        part = questions[index].get("part")
        if part in ("before", "after"):
            (before if part == "before" else after)[(player_id, questions[index].get("check", 0))] \
                = bool(correct)

    main = [(q, s) for q, s in zip(questions, stats)
            if not q.get("part") and q.get("type") != "poll"]
    summary.answers = sum(s["answered"] for _, s in main)
    summary.correct_answers = sum(s["correct"] for _, s in main)
    summary.help_requests = db.session.scalar(
        select(func.count(HelpRequest.id)).where(HelpRequest.game_id == game.id)) or 0

    check_questions = sum(1 for q in questions if q.get("part") == "before")
    detail: dict = {"questions": stats}
    if check_questions:
        gain = rules.check_gain(before, after, check_questions)
        summary.check_before, summary.check_after = gain.before, gain.after
        summary.check_pairs = gain.answers
        texts = [q["text"] for q in questions if q.get("part") == "before"]
        detail["check"] = {
            "before": gain.before, "after": gain.after, "answers": gain.answers,
            "gain": gain.gain,
            "questions": [{"text": text, "before": b, "after": a, "answers": n}
                          for text, (b, a, n) in zip(texts, gain.questions)]}
    else:
        summary.check_before = summary.check_after = None
        summary.check_pairs = 0
    summary.detail = detail
    summary.updated_at = utcnow()

    groups = {(summary.day, summary.province_id, summary.level)}
    if previous is not None:
        groups.add(previous)  # the session moved (its school's unit or level changed)
    db.session.execute(delete(SessionQuestion).where(SessionQuestion.game_id == game.id))
    db.session.add_all(SessionQuestion(
        game_id=game.id, position=i, key=question_key(q), text=q["text"][:2000],
        topic=q.get("topic", ""), part=q.get("part", ""), answered=stats[i]["answered"],
        correct=stats[i]["correct"], day=summary.day)
        for i, q in enumerate(questions) if q.get("type") != "poll")
    db.session.flush()
    roll_up_topics(groups)
    db.session.commit()
    return summary


def roll_up_topics(groups: set[tuple[date, int, str]] | None = None) -> None:
    """Sum the session questions of played sessions into ``TopicDay`` for these (day, province,
    level) groups — every group without ``groups`` — in the caller's transaction. Each group is
    summed again whole and written over (an upsert, so that two processes summing the same group
    at once both succeed; the later one wins), and topics no longer there are removed."""
    answered = func.sum(SessionQuestion.answered)
    correct = func.sum(SessionQuestion.correct)
    query = (select(SessionSummary.day, SessionSummary.province_id, SessionSummary.level,
                    SessionQuestion.topic, answered, correct)
             .join(SessionSummary, SessionSummary.game_id == SessionQuestion.game_id)
             .where(SessionSummary.players > 0, SessionQuestion.part == "",
                    SessionQuestion.topic != "")
             .group_by(SessionSummary.day, SessionSummary.province_id, SessionSummary.level,
                       SessionQuestion.topic))
    if groups is None:
        db.session.execute(delete(TopicDay))
        _upsert([r for r in db.session.execute(query)])
        return
    for day, province_id, level in groups:
        rows = db.session.execute(query.where(SessionSummary.day == day,
                                              SessionSummary.province_id == province_id,
                                              SessionSummary.level == level)).all()
        db.session.execute(delete(TopicDay).where(
            TopicDay.day == day, TopicDay.province_id == province_id, TopicDay.level == level,
            TopicDay.topic.not_in([r[3] for r in rows]) if rows else true()))
        _upsert(rows)


def _upsert(rows) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = [{"day": r[0], "province_id": r[1], "level": r[2], "topic": r[3],
               "answered": int(r[4] or 0), "correct": int(r[5] or 0)} for r in rows]
    for start in range(0, len(values), 1000):
        statement = insert(TopicDay).values(values[start:start + 1000])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["day", "province_id", "level", "topic"],
            set_={"answered": statement.excluded.answered,
                  "correct": statement.excluded.correct}))


def refresh_later(app: Flask, game_id: int) -> None:
    """Recompute a session's figures soon, in the background (the live game calls this after
    storing a reveal, the end or a removal; it never waits for the records)."""
    with _pending_lock:
        if game_id in _pending:
            return
        _pending.add(game_id)
    socketio.start_background_task(_refresh, app, game_id)


def _refresh(app: Flask, game_id: int) -> None:
    socketio.sleep(REFRESH_DELAY)
    with _pending_lock:
        _pending.discard(game_id)
    with app.app_context():
        try:
            game = db.session.get(Game, game_id)
            if game is not None:
                summarize(game)
        except Exception:  # the records catch up at the next refresh; the game goes on
            db.session.rollback()
            log.exception("summary of session %s failed", game_id)
        finally:
            db.session.remove()


def ensure_all() -> int:
    """Compute the figures of every session that has none (its players and answers still
    there, or the counts a purge kept); returns how many."""
    missing = db.session.scalars(
        select(Game).outerjoin(SessionSummary, SessionSummary.game_id == Game.id)
        .where(SessionSummary.game_id.is_(None))).all()
    for game in missing:
        if game.purged_at is not None:
            summarize_purged(game)
        else:
            summarize(game)
    return len(missing)


def summarize_purged(game: Game) -> None:
    """A session purged before figures were kept: its summary from the counts the purge left in
    ``Game.summary`` (players, average score, counts per question)."""
    kept = game.summary or {}
    game.purged_at, purged_at = None, game.purged_at  # summarize() reads no players or answers
    summary = summarize(game)
    game.purged_at = purged_at
    summary.players = summary.students = int(kept.get("players") or 0)
    summary.score_avg = kept.get("average_score")
    stats = {s.get("index"): s for s in kept.get("questions", [])}
    main_answered = main_correct = 0
    for row in db.session.scalars(select(SessionQuestion).where(
            SessionQuestion.game_id == game.id)):
        stat = stats.get(row.position, {})
        row.answered, row.correct = stat.get("answered", 0), stat.get("correct_answers", 0)
        if not row.part:
            main_answered += row.answered
            main_correct += row.correct
    summary.answers, summary.correct_answers = main_answered, main_correct
    summary.help_requests = int(kept.get("help_requests") or 0)
    db.session.commit()
