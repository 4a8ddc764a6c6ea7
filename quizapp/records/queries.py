"""The records as people read them, aggregated in SQL over the session summaries
(``summaries.py``): a campaign's coverage, the public figures, a school's record, a presenter's
record and the campaign dashboard. Each function takes what to count and returns plain data;
who may see it is decided by the caller with ``scope.py``.

Only sessions somebody played count (``rules.counts``): every aggregate below is over summaries
with ``players > 0``.

Challenges (sessions played at home at the pupils' own pace, ``mode == "challenge"``) are counted
apart (``self_paced_figures``): the sessions, students, scores and coverage of the campaign are
the sessions held with a presenter, in person or remote, and a challenge never covers a unit.
What pupils answer at home does count in the accuracy of each question and topic.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, distinct, func, select, true

from ..bank.topics import topic_label
from ..extensions import db
from ..models import (Campaign, Game, HomeTalk, Province, Quiz, School, SessionQuestion,
                      SessionSummary, TopicDay, Unit, User)
from . import rules

#: A question needs this many answers at a school before it is listed among the weakest.
MIN_ANSWERS = 5

played = SessionSummary.players > 0
#: Sessions held with a presenter (in person or remote), as opposed to challenges.
held = SessionSummary.mode != "challenge"
#: Challenges: played at home, at the pupils' own pace.
self_paced = SessionSummary.mode == "challenge"


# ----- campaigns ----------------------------------------------------------------------------

def today() -> date:
    return datetime.now(timezone.utc).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts.desc())))


def campaign_view(c: Campaign) -> dict:
    return {"slug": c.slug, "name": c.name, "starts": c.starts.isoformat(),
            "ends": c.ends.isoformat()}


def find_campaign(slug: str | None) -> Campaign | None:
    """The campaign ``slug``; without one, the campaign under way today, else the latest."""
    if slug:
        return db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    now = today()
    running = db.session.scalar(select(Campaign).where(Campaign.starts <= now, Campaign.ends >= now)
                                .order_by(Campaign.starts.desc()).limit(1))
    return running or db.session.scalar(select(Campaign).order_by(Campaign.ends.desc()).limit(1))


@dataclass(frozen=True)
class Filters:
    """What a dashboard counts: the days (inclusive), and optionally one province, one unit, one
    school level."""

    starts: date
    ends: date
    province_id: int | None = None
    unit_id: int | None = None
    level: str | None = None

    def sessions(self) -> ColumnElement[bool]:
        """The condition on ``SessionSummary`` (played sessions held with a presenter in the
        window: no challenge)."""
        return and_(self.any_mode(), held)

    def self_paced(self) -> ColumnElement[bool]:
        """The played challenges of the window."""
        return and_(self.any_mode(), self_paced)

    def any_mode(self) -> ColumnElement[bool]:
        """Played sessions of the window, held with a presenter or at home."""
        cond = and_(played, SessionSummary.day >= self.starts, SessionSummary.day <= self.ends)
        if self.province_id:
            cond = and_(cond, SessionSummary.province_id == self.province_id)
        if self.unit_id:
            cond = and_(cond, SessionSummary.unit_id == self.unit_id)
        if self.level:
            cond = and_(cond, SessionSummary.level == self.level)
        return cond


# ----- coverage -------------------------------------------------------------------------------

def coverage(window: Filters, units: ColumnElement[bool] | None = None) -> dict:
    """Per unit: its schools, the schools that held an in-person session, sessions, students, and
    whether it is covered (``rules.unit_covered``); and the totals. ``units`` limits the units
    listed (a presenter's own)."""
    # schools counted per unit id first, then joined to the units (not grouped by their names)
    per_unit = select(School.unit_id, func.count().label("schools")).group_by(School.unit_id)
    if window.level:
        per_unit = per_unit.where(School.level == window.level)
    counted = per_unit.subquery()
    unit_rows = select(Unit.id, Unit.name, Unit.kind, Province.name.label("province"),
                       func.coalesce(counted.c.schools, 0).label("schools")) \
        .join(Province, Province.id == Unit.province_id) \
        .outerjoin(counted, counted.c.unit_id == Unit.id).order_by(Province.name, Unit.name)
    if units is not None:
        unit_rows = unit_rows.where(units)
    if window.province_id:
        unit_rows = unit_rows.where(Unit.province_id == window.province_id)
    if window.unit_id:
        unit_rows = unit_rows.where(Unit.id == window.unit_id)
    # Per school first, then per unit: two hash aggregates instead of counting distinct schools
    # (a sort per unit); only the units listed are read.
    per_school = select(SessionSummary.unit_id, func.count().label("sessions"),
                        func.sum(SessionSummary.students).label("students"),
                        func.max(case((SessionSummary.in_person, 1), else_=0)).label("in_person")) \
        .where(window.sessions()).group_by(SessionSummary.unit_id, SessionSummary.school_id)
    if units is not None:
        per_school = per_school.where(SessionSummary.unit_id.in_(select(Unit.id).where(units)))
    schools = per_school.subquery()
    held = {row.unit_id: row for row in db.session.execute(
        select(schools.c.unit_id, func.sum(schools.c.sessions).label("sessions"),
               func.coalesce(func.sum(schools.c.students), 0).label("students"),
               func.count().label("schools_reached"),
               func.sum(schools.c.in_person).label("schools_in_person"))
        .group_by(schools.c.unit_id))}
    listed = []
    totals = {"units": 0, "units_covered": 0, "schools_reached": 0, "sessions": 0, "students": 0}
    for row in db.session.execute(unit_rows):
        h = held.get(row.id)
        in_person_schools = int(h.schools_in_person) if h else 0
        item = {"unit": row.name, "unit_id": row.id, "kind": row.kind, "province": row.province,
                "schools": row.schools, "schools_in_person": in_person_schools,
                "schools_reached": h.schools_reached if h else 0,
                "sessions": int(h.sessions) if h else 0, "students": int(h.students) if h else 0,
                # rules.unit_covered: a school of the unit held an in-person session that
                # somebody played (only played sessions are counted above)
                "covered": in_person_schools > 0}
        listed.append(item)
        totals["units"] += 1
        totals["units_covered"] += item["covered"]
        for key in ("schools_reached", "sessions", "students"):
            totals[key] += item[key]
    return {"units": listed, "totals": totals}


def public_summary(window: Filters) -> dict:
    """The campaign's figures for everyone: aggregates only, never a name of a pupil."""
    row = db.session.execute(
        select(func.count().label("sessions"),
               func.count(distinct(SessionSummary.school_id)).label("schools"),
               func.coalesce(func.sum(SessionSummary.students), 0).label("students"),
               func.count(distinct(case((SessionSummary.in_person, SessionSummary.unit_id))))
               .label("units_covered"))
        .where(window.sessions())).one()
    units = db.session.scalar(select(func.count(Unit.id)).where(
        Unit.province_id == window.province_id if window.province_id else true()))
    return {"sessions": row.sessions, "schools": row.schools, "students": int(row.students),
            "units": units or 0, "units_covered": row.units_covered}


# ----- sessions -------------------------------------------------------------------------------

def session_rows(where: ColumnElement[bool], limit: int = 500) -> list[dict]:
    """Sessions (newest first) with their figures, as the record pages list them."""
    rows = db.session.execute(
        select(SessionSummary, Game.pin, School.code, School.name.label("school_name"),
               Unit.name.label("unit_name"), User.display_name, User.username, Quiz.title,
               Quiz.slug)
        .join(Game, Game.id == SessionSummary.game_id)
        .join(School, School.id == SessionSummary.school_id)
        .join(Unit, Unit.id == SessionSummary.unit_id)
        .join(User, User.id == SessionSummary.presenter_id)
        .join(Quiz, Quiz.id == SessionSummary.quiz_id)
        .where(where).order_by(SessionSummary.started_at.desc()).limit(limit))
    out = []
    for s, pin, code, school_name, unit_name, display_name, username, title, slug in rows:
        out.append({
            "pin": pin, "date": s.day.isoformat(), "started_at": _iso(s.started_at),
            "ended_at": _iso(s.ended_at), "school": code, "school_name": school_name,
            "unit": unit_name, "presenter": display_name or username, "presenter_id": s.presenter_id,
            "quiz": slug, "quiz_title": title, "class_label": s.class_label,
            "in_person": s.in_person, "mode": s.mode, "players": s.players,
            "students": s.students, "teams": s.teams, "team_students": s.team_students,
            "average_score": s.score_avg, "median_score": s.score_median,
            "accuracy": rules.accuracy(s.correct_answers, s.answers),
            "check": ({"before": s.check_before, "after": s.check_after, "answers": s.check_pairs,
                       "gain": _gain(s.check_before, s.check_after)}
                      if s.check_pairs else None)})
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _gain(before: float | None, after: float | None) -> float | None:
    return round(after - before, 3) if before is not None and after is not None else None


def totals(where: ColumnElement[bool]) -> dict:
    """Sessions, students, schools and classes reached, average score and accuracy."""
    row = db.session.execute(
        select(func.count().label("sessions"),
               func.coalesce(func.sum(SessionSummary.students), 0).label("students"),
               func.coalesce(func.sum(SessionSummary.players), 0).label("players"),
               func.count(distinct(SessionSummary.school_id)).label("schools"),
               func.sum(SessionSummary.score_avg * SessionSummary.players).label("score_sum"),
               func.coalesce(func.sum(SessionSummary.answers), 0).label("answers"),
               func.coalesce(func.sum(SessionSummary.correct_answers), 0).label("correct"),
               func.sum(case((SessionSummary.in_person, 1), else_=0)).label("in_person"),
               func.coalesce(func.sum(SessionSummary.teams), 0).label("teams"),
               func.coalesce(func.sum(SessionSummary.team_students), 0).label("team_students"))
        .where(where, played)).one()
    classes = db.session.scalar(select(func.count()).select_from(
        select(SessionSummary.school_id, SessionSummary.class_label)
        .where(where, played, SessionSummary.class_label != "").distinct().subquery()))
    return {"sessions": row.sessions, "sessions_in_person": int(row.in_person or 0),
            "students": int(row.students), "schools": row.schools, "classes": classes or 0,
            "average_score": (round(float(row.score_sum) / row.players, 1)
                              if row.players and row.score_sum is not None else None),
            "answers": int(row.answers), "accuracy": rules.accuracy(int(row.correct),
                                                                    int(row.answers)),
            "teams": int(row.teams), "team_students": int(row.team_students)}


def self_paced_figures(where: ColumnElement[bool]) -> dict:
    """The challenges among these sessions, apart from the sessions held with a presenter: how
    many, the students who played at home, their average score and accuracy, and their answers
    to "Did you talk about it with someone at home?" (``home_talk``: parent, someone, not_yet)."""
    s = SessionSummary
    row = db.session.execute(
        select(func.count().label("sessions"),
               func.coalesce(func.sum(s.students), 0).label("students"),
               func.coalesce(func.sum(s.players), 0).label("players"),
               func.sum(s.score_avg * s.players).label("score_sum"),
               func.coalesce(func.sum(s.answers), 0).label("answers"),
               func.coalesce(func.sum(s.correct_answers), 0).label("correct"))
        .where(where, played, self_paced)).one()
    talk = {answer: 0 for answer in HomeTalk.ANSWERS}
    if row.sessions:
        talk.update(dict(db.session.execute(
            select(HomeTalk.answer, func.count())
            .join(s, s.game_id == HomeTalk.game_id)
            .where(where, played, self_paced).group_by(HomeTalk.answer)).all()))
    return {"sessions": row.sessions, "students": int(row.students),
            "average_score": (round(float(row.score_sum) / row.players, 1)
                              if row.players and row.score_sum is not None else None),
            "answers": int(row.answers),
            "accuracy": rules.accuracy(int(row.correct), int(row.answers)),
            "home_talk": talk, "talked": sum(talk.values())}


def check_totals(where: ColumnElement[bool]) -> dict | None:
    """The knowledge checks of these sessions, weighted by their pairs."""
    row = db.session.execute(
        select(func.count().label("sessions"), func.sum(SessionSummary.check_pairs).label("pairs"),
               func.sum(SessionSummary.check_before * SessionSummary.check_pairs).label("b"),
               func.sum(SessionSummary.check_after * SessionSummary.check_pairs).label("a"))
        .where(where, played, SessionSummary.check_pairs > 0)).one()
    if not row.pairs:
        return None
    before, after = round(float(row.b) / row.pairs, 3), round(float(row.a) / row.pairs, 3)
    return {"sessions": row.sessions, "answers": int(row.pairs), "before": before,
            "after": after, "gain": round(after - before, 3)}


def weakest_questions(where: ColumnElement[bool], limit: int = 10,
                      min_answers: int = MIN_ANSWERS) -> list[dict]:
    """The main-quiz questions most often answered wrong across these sessions (the same
    question in several sessions counts together)."""
    answered = func.sum(SessionQuestion.answered)
    correct = func.sum(SessionQuestion.correct)
    rows = db.session.execute(
        select(SessionQuestion.key, func.min(SessionQuestion.text).label("text"),
               func.min(SessionQuestion.topic).label("topic"), answered.label("answered"),
               correct.label("correct"))
        .join(SessionSummary, SessionSummary.game_id == SessionQuestion.game_id)
        .where(where, played, SessionQuestion.part == "")
        .group_by(SessionQuestion.key).having(answered >= min_answers)
        .order_by((correct * 1.0 / answered).asc(), answered.desc()).limit(limit))
    return [{"question": r.text, "topic": r.topic, "topic_label": topic_label(r.topic),
             "answers": int(r.answered), "accuracy": rules.accuracy(int(r.correct),
                                                                    int(r.answered))}
            for r in rows]


def accuracy_by_topic(where: ColumnElement[bool]) -> list[dict]:
    """Accuracy per topic over the main-quiz questions of these sessions, weakest first."""
    answered = func.sum(SessionQuestion.answered)
    correct = func.sum(SessionQuestion.correct)
    rows = db.session.execute(
        select(SessionQuestion.topic, answered.label("answered"), correct.label("correct"))
        .join(SessionSummary, SessionSummary.game_id == SessionQuestion.game_id)
        .where(where, played, SessionQuestion.part == "", SessionQuestion.topic != "")
        .group_by(SessionQuestion.topic))
    out = [{"topic": r.topic, "label": topic_label(r.topic), "answers": int(r.answered or 0),
            "accuracy": rules.accuracy(int(r.correct or 0), int(r.answered or 0))}
           for r in rows if r.answered]
    return sorted(out, key=lambda t: (t["accuracy"], -t["answers"]))


def topics_in_window(window: Filters) -> list[dict]:
    """``accuracy_by_topic`` of a window's sessions, read from the sums kept per day, province
    and level (``TopicDay``) — a country's campaign in thousands of rows, not millions. A window
    narrowed to one commune/ward sums its own sessions' questions instead."""
    if window.unit_id:
        return accuracy_by_topic(window.any_mode())
    answered, correct = func.sum(TopicDay.answered), func.sum(TopicDay.correct)
    query = select(TopicDay.topic, answered.label("answered"), correct.label("correct")) \
        .where(TopicDay.day >= window.starts, TopicDay.day <= window.ends) \
        .group_by(TopicDay.topic)
    if window.province_id:
        query = query.where(TopicDay.province_id == window.province_id)
    if window.level:
        query = query.where(TopicDay.level == window.level)
    out = [{"topic": r.topic, "label": topic_label(r.topic), "answers": int(r.answered or 0),
            "accuracy": rules.accuracy(int(r.correct or 0), int(r.answered or 0))}
           for r in db.session.execute(query) if r.answered]
    return sorted(out, key=lambda t: (t["accuracy"], -t["answers"]))


def per_day(where: ColumnElement[bool]) -> list[dict]:
    """Sessions and students per day (days in the deployment's time zone)."""
    rows = db.session.execute(
        select(SessionSummary.day, func.count().label("sessions"),
               func.sum(SessionSummary.students).label("students"))
        .where(where, played).group_by(SessionSummary.day).order_by(SessionSummary.day))
    return [{"day": r.day.isoformat(), "sessions": r.sessions, "students": int(r.students)}
            for r in rows]


def per_month(where: ColumnElement[bool]) -> list[dict]:
    """A school's trend: per month, sessions, students, average score and accuracy."""
    month = func.substr(func.cast(SessionSummary.day, db.String), 1, 7)
    rows = db.session.execute(
        select(month.label("month"), func.count().label("sessions"),
               func.sum(SessionSummary.students).label("students"),
               func.sum(SessionSummary.score_avg * SessionSummary.players).label("score_sum"),
               func.sum(SessionSummary.players).label("players"),
               func.sum(SessionSummary.answers).label("answers"),
               func.sum(SessionSummary.correct_answers).label("correct"))
        .where(where, played).group_by(month).order_by(month))
    return [{"month": r.month, "sessions": r.sessions, "students": int(r.students),
             "average_score": (round(float(r.score_sum) / r.players, 1)
                               if r.players and r.score_sum is not None else None),
             "accuracy": rules.accuracy(int(r.correct or 0), int(r.answers or 0))}
            for r in rows]


def per_level(where: ColumnElement[bool]) -> list[dict]:
    rows = db.session.execute(
        select(SessionSummary.level, func.count().label("sessions"),
               func.sum(SessionSummary.students).label("students"))
        .where(where, played).group_by(SessionSummary.level).order_by(SessionSummary.level))
    return [{"level": r.level, "sessions": r.sessions, "students": int(r.students)} for r in rows]


# ----- the pages' records -----------------------------------------------------------------------

def school_record(school: School, visible: ColumnElement[bool] = true()) -> dict:
    """A school's record: every session over time, students reached, the score trend, the
    weakest questions and topics, the knowledge gains. ``visible`` narrows the sessions (see
    ``scope.sessions_visible``)."""
    where = and_(SessionSummary.school_id == school.id, visible)
    sessions = session_rows(and_(where, played))  # challenges too, marked by their mode
    summary = totals(and_(where, held))
    weakest = weakest_questions(where)
    return {
        "school": school.code, "name": school.name, "level": school.level,
        "unit": school.unit.name, "province": school.unit.province.name,
        "sessions": sessions, "participants": summary["students"], "totals": summary,
        "trend": per_month(and_(where, held)), "topics": accuracy_by_topic(where),
        "weakest": weakest, "check": check_totals(where),
        "self_paced": self_paced_figures(where),
        # the earlier shape of this record: accuracy per question, weakest first
        "questions": [{"question": q["question"], "answers": q["answers"],
                       "accuracy": q["accuracy"]}
                      for q in weakest_questions(where, limit=200, min_answers=1)],
    }


def presenter_record(user: User, window: Filters | None) -> dict:
    """A presenter's page: my sessions, the schools I visited, the students I reached, and my
    unit's coverage in the campaign."""
    mine = SessionSummary.presenter_id == user.id
    schools = db.session.execute(
        select(School.code, School.name, func.count().label("sessions"),
               func.sum(SessionSummary.students).label("students"),
               func.max(SessionSummary.day).label("last"))
        .join(School, School.id == SessionSummary.school_id)
        .where(mine, played, held).group_by(School.code, School.name)
        .order_by(func.max(SessionSummary.day).desc())).all()
    unit = None
    if user.unit_id and window is not None:
        found = coverage(window, units=Unit.id == user.unit_id)["units"]
        unit = found[0] if found else None
    return {"presenter": user.name, "totals": totals(and_(mine, held)),
            "sessions": session_rows(mine),  # challenges too, marked by their mode
            "schools": [{"code": r.code, "name": r.name, "sessions": r.sessions,
                         "students": int(r.students), "last": r.last.isoformat()}
                        for r in schools],
            "unit": unit, "check": check_totals(mine), "self_paced": self_paced_figures(mine)}


def dashboard(window: Filters) -> dict:
    """The campaign dashboard: coverage per unit and the units still at zero, totals, sessions
    per day, accuracy by topic, school levels, knowledge gains."""
    where = window.sessions()
    cov = coverage(window)
    zero = [u for u in cov["units"] if not u["covered"]]
    figures = window_figures(where)
    return {"totals": {**figures["totals"], **{"units": cov["totals"]["units"],
                                               "units_covered": cov["totals"]["units_covered"]}},
            "units": cov["units"], "units_at_zero": zero, "per_day": figures["per_day"],
            "topics": topics_in_window(window), "levels": figures["levels"],
            "check": figures["check"], "self_paced": self_paced_figures(window.any_mode())}


def window_figures(where: ColumnElement[bool]) -> dict:
    """``totals``, ``per_day``, ``per_level`` and ``check_totals`` of many sessions in two
    statements instead of six: the sums per day and level (a few hundred rows, added up here),
    and the schools and classes reached (distinct counts cannot be added up)."""
    s = SessionSummary
    with_check = s.check_pairs > 0
    rows = db.session.execute(
        select(s.day, s.level, func.count().label("sessions"),
               func.sum(s.students).label("students"), func.sum(s.players).label("players"),
               func.sum(s.score_avg * s.players).label("score_sum"),
               func.sum(s.answers).label("answers"),
               func.sum(s.correct_answers).label("correct"),
               func.sum(case((s.in_person, 1), else_=0)).label("in_person"),
               func.sum(case((with_check, 1), else_=0)).label("check_sessions"),
               func.sum(case((with_check, s.check_pairs), else_=0)).label("pairs"),
               func.sum(case((with_check, s.check_before * s.check_pairs), else_=0)).label("b"),
               func.sum(case((with_check, s.check_after * s.check_pairs), else_=0)).label("a"),
               func.sum(s.teams).label("teams"),
               func.sum(s.team_students).label("team_students"))
        .where(where, played).group_by(s.day, s.level)).all()
    reached = select(s.school_id, s.class_label).where(where, played) \
        .group_by(s.school_id, s.class_label).subquery()
    schools, classes = db.session.execute(select(
        func.count(distinct(reached.c.school_id)),
        func.coalesce(func.sum(case((reached.c.class_label != "", 1), else_=0)), 0))).one()

    def add(key, field):
        return sum(getattr(r, field) or 0 for r in rows if key(r))

    every = lambda r: True  # noqa: E731
    players, score_sum = add(every, "players"), add(every, "score_sum")
    answers, correct = int(add(every, "answers")), int(add(every, "correct"))
    totals_ = {"sessions": int(add(every, "sessions")),
               "sessions_in_person": int(add(every, "in_person")),
               "students": int(add(every, "students")), "schools": int(schools),
               "classes": int(classes),
               "average_score": (round(float(score_sum) / players, 1)
                                 if players and any(r.score_sum is not None for r in rows)
                                 else None),
               "answers": answers, "accuracy": rules.accuracy(correct, answers),
               "teams": int(add(every, "teams")),
               "team_students": int(add(every, "team_students"))}
    days = sorted({r.day for r in rows})
    per_day_ = [{"day": d.isoformat(), "sessions": int(add(lambda r: r.day == d, "sessions")),
                 "students": int(add(lambda r: r.day == d, "students"))} for d in days]
    levels = sorted({r.level for r in rows})
    per_level_ = [{"level": lv, "sessions": int(add(lambda r: r.level == lv, "sessions")),
                   "students": int(add(lambda r: r.level == lv, "students"))} for lv in levels]
    pairs = add(every, "pairs")
    check = None
    if pairs:
        before = round(float(add(every, "b")) / pairs, 3)
        after = round(float(add(every, "a")) / pairs, 3)
        check = {"sessions": int(add(every, "check_sessions")), "answers": int(pairs),
                 "before": before, "after": after, "gain": round(after - before, 3)}
    return {"totals": totals_, "per_day": per_day_, "levels": per_level_, "check": check}


# ----- what the pages add -----------------------------------------------------------------------

def schools_without_sessions(window: Filters, unit_id: int) -> list[dict]:
    """The schools of a commune/ward where no session that somebody played was held in the
    window (of the window's level, when it names one): where the officer goes next."""
    held = select(SessionSummary.school_id).where(window.sessions(),
                                                  SessionSummary.unit_id == unit_id)
    query = select(School.code, School.name, School.level).where(
        School.unit_id == unit_id, School.id.not_in(held)).order_by(School.name, School.code)
    if window.level:
        query = query.where(School.level == window.level)
    return [{"code": r.code, "name": r.name, "level": r.level}
            for r in db.session.execute(query)]


def schools_by_level(window: Filters) -> list[dict]:
    """Per school level (in ``School.LEVELS`` order), over the units the window names: how many
    schools there are and how many held a session somebody played in the window (by the level
    the session's figures were kept with)."""
    schools = select(School.level, func.count(School.id).label("schools")) \
        .join(Unit, Unit.id == School.unit_id).group_by(School.level)
    if window.province_id:
        schools = schools.where(Unit.province_id == window.province_id)
    if window.unit_id:
        schools = schools.where(Unit.id == window.unit_id)
    if window.level:
        schools = schools.where(School.level == window.level)
    reached = dict(db.session.execute(
        select(SessionSummary.level, func.count(distinct(SessionSummary.school_id)))
        .where(window.sessions()).group_by(SessionSummary.level)).all())
    order = {level: i for i, level in enumerate(School.LEVELS)}
    rows = sorted(db.session.execute(schools), key=lambda r: (order.get(r.level, len(order)),
                                                                r.level))
    return [{"level": r.level, "schools": r.schools, "reached": reached.get(r.level, 0)}
            for r in rows]


def provinces() -> list[dict]:
    """Every province, by name (the dashboard's picker)."""
    return [{"id": r.id, "name": r.name}
            for r in db.session.execute(select(Province.id, Province.name).order_by(Province.name))]


def units(province_id: int | None = None) -> list[dict]:
    """Every commune/ward (of one province), by province and name (the dashboard's picker)."""
    query = select(Unit.id, Unit.name, Province.name.label("province")) \
        .join(Province, Province.id == Unit.province_id).order_by(Province.name, Unit.name)
    if province_id:
        query = query.where(Unit.province_id == province_id)
    return [{"id": r.id, "name": r.name, "province": r.province}
            for r in db.session.execute(query)]
