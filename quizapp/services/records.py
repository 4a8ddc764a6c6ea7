"""A school's record: the sessions it held and what its students still get wrong; and the
retention rule that removes children's data while keeping the counts."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Answer, Ban, Game, HelpRequest, Player, School, User, utcnow
from ..records.summaries import summarize
from .games import participation, question_stats


def school_records(school: School, presenter: User | None = None) -> dict:
    """Sessions (newest first) with participants and average score, and accuracy per question
    text across them. With ``presenter``, only that presenter's sessions count."""
    query = select(Game).where(Game.school_id == school.id).order_by(Game.created_at.desc())
    if presenter is not None:
        query = query.where(Game.presenter_id == presenter.id)
    answered: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    sessions = []
    for game in db.session.scalars(query):
        players, average = participation(game)
        sessions.append({"pin": game.pin, "quiz": game.quiz.slug, "class_label": game.class_label,
                         "in_person": game.in_person, "phase": game.phase,
                         "date": game.created_at.date().isoformat(), "players": players,
                         "average_score": average})
        for stat in question_stats(game):
            question = game.questions[stat["index"]]
            if question["type"] == "poll" or not stat["answered"]:
                continue
            answered[question["text"]] += stat["answered"]
            right[question["text"]] += stat["correct_answers"]
    accuracy = sorted(({"question": t, "answers": answered[t],
                        "accuracy": round(right[t] / answered[t], 3)} for t in answered),
                      key=lambda r: r["accuracy"])
    return {"school": school.code, "name": school.name, "sessions": sessions,
            "participants": sum(s["players"] for s in sessions), "questions": accuracy}


def purge_older_than(days: int) -> dict:
    """Delete the players, answers, help requests and bans of sessions created more than
    ``days`` days ago, keeping each session's aggregate counts in ``Game.summary``. Returns
    how many sessions, players and answers were removed. Safe to run again."""
    if days < 0:
        raise ValueError("days cannot be negative")
    cutoff = utcnow() - timedelta(days=days)
    games = db.session.scalars(select(Game).where(Game.created_at < cutoff,
                                                  Game.purged_at.is_(None))).all()
    removed = {"sessions": 0, "players": 0, "answers": 0}
    for game in games:
        summarize(game)  # the figures the records keep, from the data about to go
        players, average = participation(game)
        summary = {"players": players, "average_score": average,
                   "questions": question_stats(game),
                   "help_requests": db.session.query(HelpRequest)
                   .filter(HelpRequest.game_id == game.id).count()}
        removed["answers"] += db.session.execute(
            delete(Answer).where(Answer.game_id == game.id)).rowcount
        db.session.execute(delete(HelpRequest).where(HelpRequest.game_id == game.id))
        db.session.execute(delete(Ban).where(Ban.game_id == game.id))
        removed["players"] += db.session.execute(
            delete(Player).where(Player.game_id == game.id)).rowcount
        game.summary = summary
        game.purged_at = utcnow()
        removed["sessions"] += 1
        db.session.commit()
    return removed
