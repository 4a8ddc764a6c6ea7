"""Who sees which records. One place, so that every page and every API answer the same.

- ``admin`` and ``viewer``: everything (the province; a viewer only reads).
- ``presenter``: their own sessions in full; the records of the schools of their unit and of
  the schools where they held a session (figures, never another presenter's players); their
  unit's coverage.
- ``staff``: their own school, in full.
- nobody signed in: the public figures only (aggregates, never a nickname).
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, select, true

from ..models import Game, School, SessionSummary, User


def sees_everything(user: User) -> bool:
    return user.role in ("admin", "viewer")


def sessions_visible(user: User) -> ColumnElement[bool]:
    """A condition on ``SessionSummary``: the sessions whose figures ``user`` may see."""
    if sees_everything(user):
        return true()
    if user.role == "staff":
        return SessionSummary.school_id == user.school_id if user.school_id else false()
    if user.role == "presenter":
        mine = SessionSummary.presenter_id == user.id
        return mine | (SessionSummary.unit_id == user.unit_id) if user.unit_id else mine
    return false()


def may_see_school(user: User, school: School) -> bool:
    """A school's page: its staff, the presenters of its unit or who held a session there, and
    the province."""
    if sees_everything(user):
        return True
    if user.role == "staff":
        return user.school_id == school.id
    if user.role == "presenter":
        if user.unit_id is not None and user.unit_id == school.unit_id:
            return True
        from ..extensions import db

        return bool(db.session.scalar(select(exists().where(
            Game.school_id == school.id, Game.presenter_id == user.id))))
    return False


def may_see_session(user: User, game: Game) -> bool:
    """A session's record (its figures): its presenter, and whoever may see its school."""
    if not user or not user.is_authenticated:
        return False
    return game.presenter_id == user.id or may_see_school(user, game.school)


def may_see_players(user: User, game: Game) -> bool:
    """A session's players (nicknames, scores) and help requests: its presenter, its school's
    staff, the admin. (A viewer reads figures, not children's nicknames.)"""
    if user.role == "admin" or game.presenter_id == user.id:
        return True
    return user.role == "staff" and user.school_id == game.school_id


def may_see_help(user: User, game: Game) -> bool:
    """Help requests ("I need help"): the session's presenter and the admin only."""
    return user.role == "admin" or game.presenter_id == user.id


def coverage_units(user: User) -> ColumnElement[bool] | None:
    """Which units' coverage ``user`` may see, as a condition on the unit id, or None for every
    unit. Staff see no coverage (the caller answers 403)."""
    from ..models import Unit

    if sees_everything(user):
        return None
    if user.role == "presenter":
        return Unit.id == user.unit_id if user.unit_id else false()
    return false()
