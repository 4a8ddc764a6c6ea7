"""A school's record: the sessions it held and what its students still get wrong."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from ..extensions import db
from ..models import Answer, Game, Player, School, User


def school_records(school: School, presenter: User | None = None) -> dict:
    """Sessions (newest first) with participants and average score, and accuracy per question
    text across them. With ``presenter``, only that presenter's sessions count."""
    query = select(Game).where(Game.school_id == school.id).order_by(Game.created_at.desc())
    if presenter is not None:
        query = query.where(Game.presenter_id == presenter.id)
    games = db.session.scalars(query).all()
    ids = [g.id for g in games]
    stats = {gid: (n, avg) for gid, n, avg in db.session.execute(
        select(Player.game_id, func.count(Player.id), func.avg(Player.score))
        .where(Player.game_id.in_(ids), Player.active.is_(True)).group_by(Player.game_id))}
    answered: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    texts = {g.id: [q["text"] for q in g.questions] for g in games}
    polls = {g.id: {i for i, q in enumerate(g.questions) if q["type"] == "poll"} for g in games}
    rows = db.session.execute(
        select(Answer.game_id, Answer.question_index, func.count(Answer.id),
               func.sum(func.coalesce(Answer.correct, False).cast(db.Integer)))
        .where(Answer.game_id.in_(ids)).group_by(Answer.game_id, Answer.question_index))
    for game_id, index, count, correct in rows:
        if index in polls[game_id] or index >= len(texts[game_id]):
            continue
        text = texts[game_id][index]
        answered[text] += count
        right[text] += int(correct or 0)
    sessions = []
    for g in games:
        n, avg = stats.get(g.id, (0, None))
        sessions.append({"pin": g.pin, "quiz": g.quiz.slug, "class_label": g.class_label,
                         "in_person": g.in_person, "phase": g.phase,
                         "date": g.created_at.date().isoformat(), "players": n,
                         "average_score": round(float(avg), 1) if avg is not None else None})
    accuracy = sorted(({"question": t, "answers": answered[t],
                        "accuracy": round(right[t] / answered[t], 3)} for t in answered),
                      key=lambda r: r["accuracy"])
    return {"school": school.code, "name": school.name, "sessions": sessions,
            "participants": sum(s["players"] for s in sessions), "questions": accuracy}
