"""The retention rule: children's data of old sessions is removed, their figures are kept."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Answer, Ban, Game, HelpRequest, Player, utcnow
from ..records.summaries import summarize
from .games import participation, question_stats


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
        players, answers = purge_game(game)
        removed["sessions"] += 1
        removed["players"] += players
        removed["answers"] += answers
    return removed


def purge_game(game: Game) -> tuple[int, int]:
    """Delete one session's children's data (nicknames, answers, help requests, banned
    devices), keeping its figures (``summarize``, and the aggregate counts in
    ``Game.summary``); committed. Returns the players and answers removed; nothing for a session
    already purged."""
    if game.purged_at is not None:
        return 0, 0
    summarize(game)  # the figures the records keep, from the data about to go
    players, average = participation(game)
    summary = {"players": players, "average_score": average,
               "questions": question_stats(game),
               "help_requests": db.session.query(HelpRequest)
               .filter(HelpRequest.game_id == game.id).count()}
    answers = db.session.execute(delete(Answer).where(Answer.game_id == game.id)).rowcount
    db.session.execute(delete(HelpRequest).where(HelpRequest.game_id == game.id))
    db.session.execute(delete(Ban).where(Ban.game_id == game.id))
    removed = db.session.execute(delete(Player).where(Player.game_id == game.id)).rowcount
    game.summary = summary
    game.purged_at = utcnow()
    db.session.commit()
    return removed, answers
