"""The laptop's side of the field kit: pull from the central server, push finished sessions to
it, or export them as a signed bundle file.

The link (``Setting`` ``sync.link``): the central server's address, the token this laptop
sends, the account it belongs to there, and the bundle key. ``pull`` stores it, so that a later
push, export or the "Send to the province" button needs no arguments (arguments override it).

A push sends one request per session, oldest first, and records where each one stands
(``SyncPush``): ``sent`` once the central server confirmed it (a new session, or one already
there), ``refused`` with the central server's reason (correct it and send again), ``failed``
when the central server could not be reached or could not take it now (send again later); a
session without a row is waiting. A lost connection stops the push: what was accepted stays
accepted, and the next push carries on from there. A session is sent as nicknames (with class
label, team members and score), its answers, its questions and its figures — never a player's
token, never anything about a help request beyond who and when.

After a confirmed push the laptop removes the children's data it holds for that session
(nicknames, answers, help requests), keeping its figures, unless ``QUIZAPP_SYNC_PURGE=0``.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable
from urllib.parse import urlparse

import requests
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..bank.validate import LANGUAGES, LEVELS, QuizInvalid, check_quiz
from ..extensions import db
from ..models import (Answer, Game, HelpRequest, Player, Province, Quiz, School,
                      SessionSummary, Setting, SyncPush, Unit, User, utcnow)
from ..records.summaries import summarize
from ..services.records import purge_game
from ..services.settings import get_setting, set_setting
from ..services.org import CODE_RE, clean_text, name_key
from . import bundle

LINK = "sync.link"
LAPTOP = "sync.laptop"
#: Seconds to connect, and to wait for an answer (a large session on 3G).
TIMEOUT = (10, 120)
USER_AGENT = "quizapp-fieldkit/1"


class SyncError(Exception):
    """The laptop cannot do what was asked (not linked, the central server refused the link, an
    address that is not one): ``message`` says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ----- settings ---------------------------------------------------------------------------------


def link() -> dict | None:
    """The laptop's link to its central server (None before the first pull)."""
    value = get_setting(LINK)
    return value if isinstance(value, dict) and value.get("url") else None


def laptop_id() -> str:
    """This laptop's name in bundles (random, made once)."""
    value = get_setting(LAPTOP)
    if not isinstance(value, str):
        value = secrets.token_hex(8)
        set_setting(LAPTOP, value)
    return value


def purge_after_push() -> bool:
    """``SYNC_PURGE`` (``QUIZAPP_SYNC_PURGE``): on unless 0/false."""
    value = current_app.config.get("SYNC_PURGE", True)
    return str(value).strip().lower() not in ("0", "false", "no", "off")


def central_url(url: str) -> str:
    """An address of a central server, as typed (``https://quiz.example.vn/``)."""
    text = (url or "").strip().rstrip("/")
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
        raise SyncError(_("“%(url)s” is not the address of a central server (it starts with "
                          "https:// or http://).", url=url))
    return text


def _target(url: str | None, token: str | None) -> tuple[str, str]:
    """The address and token to use: the arguments, else the stored link."""
    stored = link() or {}
    address = central_url(url) if url else stored.get("url")
    if not address:
        raise SyncError(_("This laptop is not linked to a central server yet: run “flask --app "
                          "wsgi sync pull --from URL --token TOKEN” once, online."))
    if not token:
        if stored.get("url") != address or not stored.get("token"):
            raise SyncError(_("Give the token of a presenter's account on %(url)s (--token).",
                              url=address))
        token = stored["token"]
    return address, token


def _http(token: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT,
                            "Accept": "application/json"})
    return session


def _params() -> dict:
    """The central server answers in the language of the person pressing the button."""
    return {"lang": str(get_locale())} if has_request_context() else {}


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:1000]
    return _("The central server answered %(status)d.", status=response.status_code)


# ----- pull -------------------------------------------------------------------------------------


def pull(url: str | None = None, token: str | None = None) -> dict:
    """Bring units, schools and published quizzes from the central server and store the link.
    Returns counts; raises ``SyncError``."""
    address, token = _target(url, token)
    try:
        response = _http(token).get(address + "/api/v1/sync/pull", params=_params(),
                                    timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise SyncError(_("Could not reach the central server at %(url)s: %(error)s",
                          url=address, error=type(exc).__name__)) from None
    if response.status_code in (401, 403):
        raise SyncError(_("The central server did not accept the token: %(message)s",
                          message=_message(response)))
    if response.status_code != 200:
        raise SyncError(_message(response))
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != "quizapp-sync-pull":
        raise SyncError(_("%(url)s did not answer as a central server of this app.",
                          url=address))
    counts = _store_pull(data)
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    set_setting(LINK, {"url": address, "token": data.get("link_token") or token,
                       "user": {"id": user.get("id"), "username": user.get("username"),
                                "role": user.get("role")},
                       "bundle_key": data.get("bundle_key"),
                       "pulled_at": utcnow().isoformat() + "Z", "counts": counts},
                commit=False)
    db.session.commit()
    return counts


def _store_pull(data: dict) -> dict:
    """Units and schools by name and code, quizzes by slug, in the caller's transaction. The
    laptop's own schools and quizzes stay; a quiz written on the laptop is never overwritten."""
    counts = {"units": 0, "schools": 0, "quizzes": 0, "kept": [], "skipped": 0}
    provinces = {name_key(p.name): p for p in db.session.scalars(select(Province))}
    units = {(name_key(u.province.name), name_key(u.name)): u
             for u in db.session.scalars(select(Unit).join(Unit.province))}
    schools = {s.code: s for s in db.session.scalars(select(School))}

    def unit_for(province: Any, name: Any, kind: Any = None) -> Unit | None:
        province, name = clean_text(province)[:120], clean_text(name)[:120]
        if not province or not name:
            return None
        pkey, ukey = name_key(province), name_key(name)
        if pkey not in provinces:
            provinces[pkey] = Province(name=province)
            db.session.add(provinces[pkey])
        unit = units.get((pkey, ukey))
        if unit is None:
            unit = units[(pkey, ukey)] = Unit(name=name, province=provinces[pkey],
                                              kind=kind if kind in Unit.KINDS else "phuong")
            db.session.add(unit)
        elif kind in Unit.KINDS:
            unit.kind = kind
        return unit

    with db.session.no_autoflush:
        for item in data.get("units") or []:
            if isinstance(item, dict) and unit_for(item.get("province"), item.get("name"),
                                                   item.get("kind")) is not None:
                counts["units"] += 1
        for item in data.get("schools") or []:
            if not isinstance(item, dict):
                counts["skipped"] += 1
                continue
            code = clean_text(item.get("code")).upper()
            name = clean_text(item.get("name"))[:200]
            unit = unit_for(item.get("province"), item.get("unit"))
            if not CODE_RE.fullmatch(code) or len(code) > 32 or not name or unit is None:
                counts["skipped"] += 1
                continue
            level = item.get("level") if item.get("level") in School.LEVELS else ""
            school = schools.get(code)
            if school is None:
                school = schools[code] = School(code=code)
                db.session.add(school)
            school.name, school.level, school.unit = name, level, unit
            counts["schools"] += 1
    for item in data.get("quizzes") or []:
        result = _store_quiz(item)
        if result == "kept":
            counts["kept"].append(item.get("slug"))
        elif result == "stored":
            counts["quizzes"] += 1
        else:
            counts["skipped"] += 1
    db.session.flush()
    return counts


def _store_quiz(item: Any) -> str:
    """A published quiz of the central server: ``stored``, ``kept`` (the laptop has its own
    quiz of that slug) or ``skipped`` (not a valid quiz)."""
    if not isinstance(item, dict):
        return "skipped"
    try:
        checked = check_quiz({k: item.get(k) for k in ("slug", "title", "language", "kind",
                                                       "level", "description",
                                                       "translation_of")}
                             | {"questions": item.get("questions")})
    except QuizInvalid:
        return "skipped"
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == checked.slug))
    if quiz is not None and quiz.owner_id is not None:
        return "kept"
    if quiz is None:
        quiz = Quiz(slug=checked.slug, status="published", owner_id=None)
        db.session.add(quiz)
    quiz.origin = "bank" if item.get("origin") == "bank" else "import"
    quiz.status = "published"
    quiz.title, quiz.language, quiz.kind = checked.title, checked.language, checked.kind
    quiz.level = checked.level if checked.level in LEVELS else None
    quiz.description = checked.description
    quiz.translation_of = checked.translation_of
    quiz.questions = [q.to_dict() for q in checked.questions]
    checksum = item.get("checksum")
    quiz.checksum = checksum[:64] if isinstance(checksum, str) else checked.checksum
    quiz.source = quiz.source or "central"
    return "stored"


# ----- what a session sends ---------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def session_payload(game: Game) -> dict:
    """A finished session as ``POST /api/v1/sync/sessions`` takes it (see central.py)."""
    quiz = game.quiz
    summary = db.session.get(SessionSummary, game.id)
    if summary is None and game.purged_at is None:
        summary = summarize(game)
    payload: dict = {
        "uuid": game.uuid, "school": game.school.code,
        "quiz": {"slug": quiz.slug, "title": quiz.title, "language": quiz.language
                 if quiz.language in LANGUAGES else "vi", "kind": quiz.kind,
                 "level": quiz.level},
        "class_label": game.class_label or "", "in_person": bool(game.in_person),
        "options": dict(game.options or {}), "questions": list(game.questions),
        "created_at": _iso(game.created_at), "started_at": _iso(game.started_at),
        "ended_at": _iso(game.ended_at or game.created_at),
        "summary": _figures(summary), "purged": game.purged_at is not None,
        "players": [], "help_requests": []}
    if game.purged_at is not None:
        payload["kept"] = dict(game.summary or {})
        return payload
    players = db.session.scalars(select(Player).where(Player.game_id == game.id)
                                 .order_by(Player.joined, Player.id)).all()
    position = {p.id: i for i, p in enumerate(players)}
    answers: dict[int, list] = {p.id: [] for p in players}
    for a in db.session.scalars(select(Answer).where(Answer.game_id == game.id)
                                .order_by(Answer.question_index)):
        if a.player_id in answers:
            answers[a.player_id].append({"question": a.question_index, "choice": list(a.choice),
                                         "points": a.points, "elapsed_ms": a.elapsed_ms,
                                         "streak": a.streak})
    payload["players"] = [{"nickname": p.nickname, "class_label": p.class_label or "",
                           "members": p.members or 1, "score": p.score, "active": p.active,
                           "answers": answers[p.id]} for p in players]
    payload["help_requests"] = [
        {"player": position[h.player_id], "at": _iso(h.created_at),
         "handled_at": _iso(h.handled_at)}
        for h in db.session.scalars(select(HelpRequest).where(HelpRequest.game_id == game.id)
                                    .order_by(HelpRequest.created_at))
        if h.player_id in position]
    return payload


def _figures(summary: SessionSummary | None) -> dict | None:
    if summary is None:
        return None
    return {"players": summary.players, "students": summary.students,
            "average_score": summary.score_avg, "median_score": summary.score_median,
            "answers": summary.answers, "correct_answers": summary.correct_answers,
            "help_requests": summary.help_requests}


def purge_session(game: Game) -> None:
    """Remove a session's children's data, keeping its figures — as the retention rule does."""
    purge_game(game)


# ----- push -------------------------------------------------------------------------------------


def finished_sessions(user: User | None = None, include_sent: bool = False) -> list[Game]:
    """Finished sessions held here and not yet accepted by the central server (oldest first);
    ``user``: a presenter's own only (an admin's: all)."""
    query = (select(Game).outerjoin(SyncPush, SyncPush.game_id == Game.id)
             .where(Game.phase == "over", Game.origin == "here")
             .order_by(Game.ended_at, Game.id))
    if not include_sent:
        query = query.where(or_(SyncPush.status.is_(None), SyncPush.status != "sent"))
    if user is not None and not user.is_admin:
        query = query.where(Game.presenter_id == user.id)
    return list(db.session.scalars(query))


@dataclass
class PushReport:
    """What a push did: counts, and the sessions refused or failed with the reason."""

    url: str
    sent: int = 0
    already: int = 0
    refused: list[tuple[Game, str]] = field(default_factory=list)
    failed: list[tuple[Game, str]] = field(default_factory=list)
    waiting: int = 0  # not tried: the push stopped before them

    @property
    def complete(self) -> bool:
        return not self.refused and not self.failed and not self.waiting


def _mark(game: Game, status: str, message: str, url: str) -> None:
    row = db.session.get(SyncPush, game.id)
    if row is None:
        row = SyncPush(game_id=game.id, attempts=0)
        db.session.add(row)
    row.status, row.message, row.central_url = status, message[:2000], url[:255]
    row.attempts = (row.attempts or 0) + 1
    row.attempted_at = utcnow()
    if status == "sent":
        row.accepted_at = row.attempted_at
    db.session.commit()


def push(url: str | None = None, token: str | None = None, user: User | None = None,
         echo: Callable[[str], None] | None = None) -> PushReport:
    """Send every finished session not yet accepted (``user``: a presenter's own), one request
    each; returns a ``PushReport``. Raises ``SyncError`` when there is no link."""
    address, token = _target(url, token)
    games = finished_sessions(user)
    report = PushReport(address)
    http = _http(token)
    purge = purge_after_push()
    for n, game in enumerate(games):
        payload = session_payload(game)
        try:
            response = http.post(address + "/api/v1/sync/sessions", json=payload,
                                 params=_params(), timeout=TIMEOUT)
        except requests.RequestException as exc:
            message = _("Could not reach the central server at %(url)s (%(error)s): send "
                        "again later.", url=address, error=type(exc).__name__)
            _fail(report, game, message, address, echo, games[n + 1:])
            break
        status = response.status_code
        if status in (200, 201):
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict) or body.get("uuid") != game.uuid:
                _fail(report, game, _("The central server's answer was not a session's: send "
                                      "again later."), address, echo, games[n + 1:])
                break
            _mark(game, "sent", "", address)
            if body.get("duplicate"):
                report.already += 1
            else:
                report.sent += 1
            if echo:
                echo(f"{'already there' if body.get('duplicate') else 'sent'}: {game.pin} "
                     f"{game.uuid} (central PIN {body.get('pin')})")
            if purge:
                purge_session(game)
        elif status in (401, 403):
            _fail(report, game, _("The central server did not accept this laptop's link "
                                  "(%(reason)s): link it again with a presenter's token (sync "
                                  "pull).", reason=_message(response)), address, echo,
                  games[n + 1:])
            break
        elif status == 429 or status >= 500:
            _fail(report, game, _("The central server could not take it now (%(reason)s): "
                                  "send again later.", reason=_message(response)), address,
                  echo, games[n + 1:])
            break
        else:
            message = _message(response)
            _mark(game, "refused", message, address)
            report.refused.append((game, message))
            if echo:
                echo(f"refused: {game.pin} {game.uuid}: {message}")
    return report


def _fail(report: PushReport, game: Game, message: str, url: str, echo, rest: list) -> None:
    _mark(game, "failed", message, url)
    report.failed.append((game, message))
    report.waiting = len(rest)
    if echo:
        echo(f"failed: {game.pin} {game.uuid}: {message}")


# ----- export -----------------------------------------------------------------------------------


def export(user: User | None = None) -> tuple[bytes, int]:
    """The bundle of every finished session not yet accepted (``user``: a presenter's own),
    signed with the link's bundle key, and how many sessions it holds. Raises ``SyncError``."""
    stored = link()
    if stored is None or not stored.get("bundle_key") or not stored.get("user", {}).get("id"):
        raise SyncError(_("This laptop is not linked to a central server yet: a bundle is "
                          "signed with the key the central server gives at “sync pull”. Link "
                          "it once, online."))
    games = finished_sessions(user)
    sessions = [session_payload(g) for g in games]
    try:
        data = bundle.build(sessions, int(stored["user"]["id"]), stored["bundle_key"],
                            made_at=utcnow().isoformat() + "Z", laptop=laptop_id(),
                            central=stored["url"])
    except bundle.BundleError as exc:
        raise SyncError(exc.message) from None
    return data, len(sessions)


# ----- the sessions page ------------------------------------------------------------------------


STATUS_WAITING = "waiting"


def statuses(games: list[Game]) -> dict[int, dict]:
    """Each finished session's standing (``waiting``, ``sent``, ``refused``, ``failed``) with
    the reason, by game id."""
    ids = [g.id for g in games if g.phase == "over" and g.origin == "here"]
    rows = {r.game_id: r for r in db.session.scalars(
        select(SyncPush).where(SyncPush.game_id.in_(ids)))} if ids else {}
    out = {}
    for game_id in ids:
        row = rows.get(game_id)
        out[game_id] = {"status": row.status if row else STATUS_WAITING,
                        "message": row.message if row else "",
                        "at": row.attempted_at if row else None}
    return out
