"""The records pages people read: the campaign dashboard (the province), a school's record (its
staff), a presenter's own record (the officer), their downloads (CSV, XLSX), and the public
results page with its share image. Figures come from ``records/queries.py`` (SQL aggregates, a
fixed number of queries per page), who sees what from ``records/scope.py``."""
from __future__ import annotations

import hashlib
from datetime import date
from functools import wraps

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, School, SessionSummary
from ..records import charts, exports, queries, scope, share_image
from ..records.filters import BadFilter, campaign_arg, filters_arg
from ..services.org import KIND_LABELS, LEVEL_LABELS

bp = Blueprint("records", __name__, url_prefix="/records")
public = Blueprint("public", __name__)

#: The filters a dashboard link carries (to its downloads, to a unit's row).
FILTER_KEYS = ("campaign", "from", "to", "province", "unit", "level")
#: Above this many communes/wards (a country, not a province), the dashboard lists them a
#: province at a time and shows the provinces instead.
LIST_LIMIT = 400
#: Seconds a browser or a proxy may keep the share image: figures move slowly.
IMAGE_MAX_AGE = 300


def roles_required(*roles: str):
    """Signed in (else to the sign-in page) with one of ``roles`` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.app_template_filter("n")
def _number(value) -> str:
    """A count in the reader's language (1.234 in Vietnamese, 1,234 in English); – for none."""
    return "–" if value is None else format_decimal(value)


@bp.app_template_filter("pct")
def _percent(value) -> str:
    """A share 0–1 as a percentage with one decimal; – for none."""
    return "–" if value is None else format_percent(value, "#,##0.0%")


@bp.app_template_filter("gain")
def _gain(value) -> str:
    """A knowledge gain (a difference of shares) in percentage points, signed, with one decimal
    in the reader's language (+8,3 in Vietnamese, +8.3 in English)."""
    if value is None:
        return "–"
    points = round(value * 100, 1)
    return ("+" if points > 0 else "") + format_decimal(points, "#,##0.0")


@bp.app_template_filter("score")
def _score(value) -> str:
    """An average score in whole points (the downloads keep the decimal)."""
    return "–" if value is None else format_decimal(round(value))


@bp.app_template_filter("month")
def _month(value: str) -> str:
    """``2025-11`` as people write it: 11/2025."""
    return f"{value[5:7]}/{value[:4]}" if value and len(value) >= 7 else value or ""


@bp.app_template_filter("day")
def _day(value) -> str:
    if not value:
        return ""
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{value:%d/%m/%Y}"


@bp.context_processor
@public.context_processor
def _labels() -> dict:
    return {"LEVEL_LABELS": LEVEL_LABELS, "KIND_LABELS": KIND_LABELS, "today": queries.today()}


def _filters_in(args) -> dict:
    """The filters of this request, for links that keep them."""
    return {k: args[k] for k in FILTER_KEYS if args.get(k)}


def _campaign_and_window():
    """The campaign and the filters asked for, or (None, None, status, message)."""
    try:
        campaign = campaign_arg(request.args)
    except LookupError as exc:
        return None, None, 404, str(exc)
    try:
        return campaign, filters_arg(request.args, campaign), 200, None
    except BadFilter as exc:
        return campaign, None, 400, str(exc)


# ----- where each person finds their answer ----------------------------------------------------

@bp.get("/")
@login_required
def index():
    """The province to the dashboard, an officer to their record, a school's staff to their
    school."""
    if scope.sees_everything(current_user):
        return redirect(url_for("records.dashboard"))
    if current_user.role == "presenter":
        return redirect(url_for("records.me"))
    if current_user.role == "staff" and current_user.school is not None:
        return redirect(url_for("records.school", code=current_user.school.code))
    return render_template("records/no_records.html"), 403


# ----- the campaign dashboard ------------------------------------------------------------------

def dashboard_data(window: queries.Filters) -> dict:
    """What the dashboard shows (and downloads): ``queries.dashboard`` plus the school levels
    reached, the days with none, and the schools still waiting when one unit is chosen."""
    data = queries.dashboard(window)
    by_level = {row["level"]: row for row in data["levels"]}
    data["levels"] = [{**row, "sessions": by_level.get(row["level"], {}).get("sessions", 0),
                       "students": by_level.get(row["level"], {}).get("students", 0)}
                      for row in queries.schools_by_level(window)]
    data["days"] = charts.day_series(data["per_day"], window.starts, window.ends,
                                     queries.today())
    data["waiting"] = (queries.schools_without_sessions(window, window.unit_id)
                       if window.unit_id else None)
    data["provinces"] = by_province(data["units"])
    # a country's 3,000 communes/wards are read a province at a time (the downloads hold all)
    data["listed"] = (len(data["units"]) <= LIST_LIMIT or len(data["provinces"]) < 2
                      or bool(window.province_id or window.unit_id))
    return data


def by_province(units: list[dict]) -> list[dict]:
    """Per province (by name): its communes/wards, how many are covered, at zero, sessions and
    students, from the coverage of its units."""
    provinces: dict[str, dict] = {}
    for u in units:
        p = provinces.setdefault(u["province"], {"province": u["province"], "units": 0,
                                                 "covered": 0, "sessions": 0, "students": 0})
        p["units"] += 1
        p["covered"] += u["covered"]
        p["sessions"] += u["sessions"]
        p["students"] += u["students"]
    return [{**p, "zero": p["units"] - p["covered"]} for _, p in sorted(provinces.items())]


@bp.get("/dashboard")
@roles_required("admin", "viewer")
def dashboard():
    """The campaign at a glance: totals, the communes/wards still at zero, every unit's
    coverage, sessions per day, accuracy by topic, school levels, the knowledge check."""
    campaign, window, status, problem = _campaign_and_window()
    data = dashboard_data(window) if window else None
    province = window.province_id if window else request.args.get("province", type=int)
    units = queries.units(province)
    return render_template(
        "records/dashboard.html", campaign=campaign, window=window, data=data, problem=problem,
        charts=charts.dashboard_charts(data) if data else None,
        campaigns=queries.campaigns(), provinces=queries.provinces(),
        units=units if len(units) <= LIST_LIMIT or province else None,
        filters=_filters_in(request.args), args=request.args), status


def _dashboard_tables(campaign: Campaign, window: queries.Filters, data: dict) -> dict:
    t = data["totals"]
    summary = exports.summary_table(_("Summary"), [
        (_("Campaign"), campaign.name, exports.TEXT),
        (_("From"), window.starts, exports.DAY), (_("To"), window.ends, exports.DAY),
        (_("Sessions"), t["sessions"], exports.INT),
        (_("In person"), t["sessions_in_person"], exports.INT),
        (_("Students reached"), t["students"], exports.INT),
        (_("Students in teams sharing phones"), t.get("team_students", 0), exports.INT),
        (_("Schools reached"), t["schools"], exports.INT),
        (_("Classes reached"), t["classes"], exports.INT),
        (_("Communes/wards covered"), t["units_covered"], exports.INT),
        (_("Communes/wards"), t["units"], exports.INT),
        (_("Average accuracy"), t["accuracy"], exports.PERCENT),
        (_("Challenges played at home"), (data.get("self_paced") or {}).get("sessions", 0),
         exports.INT),
        (_("Pupils reached at home (not counted above)"),
         (data.get("self_paced") or {}).get("students", 0), exports.INT)])
    return {"summary": summary,
            "units": exports.units_table(data["units"]),
            "zero": exports.units_table(data["units_at_zero"], "zero", _("Still at zero")),
            "days": exports.days_table(data["days"]),
            "topics": exports.topics_table(data["topics"]),
            "levels": exports.levels_table(data["levels"])}


def _download(body: bytes, name: str, kind: str) -> Response:
    mimetype = ("text/csv; charset=utf-8" if kind == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _bad_download(status: int, problem: str) -> Response:
    return Response(problem + "\n", status=status, mimetype="text/plain")


@bp.get("/dashboard/export.xlsx")
@roles_required("admin", "viewer")
def dashboard_xlsx():
    campaign, window, status, problem = _campaign_and_window()
    if window is None:
        return _bad_download(status, problem)
    tables = _dashboard_tables(campaign, window, dashboard_data(window))
    return _download(exports.xlsx_bytes(list(tables.values())),
                     exports.file_name(campaign.slug, "dashboard"), "xlsx")


@bp.get("/dashboard/<table>.csv")
@roles_required("admin", "viewer")
def dashboard_csv(table: str):
    if table not in ("units", "zero", "days", "topics", "levels"):
        abort(404)
    campaign, window, status, problem = _campaign_and_window()
    if window is None:
        return _bad_download(status, problem)
    tables = _dashboard_tables(campaign, window, dashboard_data(window))
    return _download(exports.csv_bytes(tables[table]),
                     exports.file_name(campaign.slug, table), "csv")


# ----- a school's record -----------------------------------------------------------------------

def _school_or_abort(code: str) -> School:
    school = db.session.scalar(select(School).where(School.code == code.strip().upper()))
    if school is None:
        abort(404)
    if not scope.may_see_school(current_user, school):
        abort(403)
    return school


def school_data(school: School) -> dict:
    """A school's record (``queries.school_record``, as the API gives it) with every question's
    accuracy and topic, weakest first."""
    record = queries.school_record(school)
    record["all_questions"] = queries.weakest_questions(
        SessionSummary.school_id == school.id, limit=1000, min_answers=1)
    return record


@bp.get("/schools/<code>")
@login_required
def school(code: str):
    """A school's sessions over time, students reached, the trend, what its students still get
    wrong, and the knowledge gains."""
    school = _school_or_abort(code)
    # every session listed links to its record: whoever may see the school may see its
    # sessions' records (scope.may_see_session), which show nicknames only to those allowed
    record = school_data(school)
    return render_template("records/school.html", school=school, record=record,
                           charts=charts.school_charts(record))


def _school_tables(record: dict) -> dict:
    return {"sessions": exports.sessions_table(record["sessions"]),
            "questions": exports.questions_table(record["all_questions"]),
            "topics": exports.topics_table(record["topics"]),
            "trend": exports.trend_table(record["trend"])}


@bp.get("/schools/<code>/export.xlsx")
@login_required
def school_xlsx(code: str):
    school = _school_or_abort(code)
    tables = _school_tables(school_data(school))
    return _download(exports.xlsx_bytes(list(tables.values())),
                     exports.file_name(school.code, "records"), "xlsx")


@bp.get("/schools/<code>/<table>.csv")
@login_required
def school_csv(code: str, table: str):
    if table not in ("sessions", "questions", "topics", "trend"):
        abort(404)
    school = _school_or_abort(code)
    tables = _school_tables(school_data(school))
    return _download(exports.csv_bytes(tables[table]), exports.file_name(school.code, table),
                     "csv")


# ----- a presenter's record --------------------------------------------------------------------

def presenter_data(user, campaign: Campaign | None) -> dict:
    """``queries.presenter_record`` with the schools of the officer's unit that have had no
    session in the campaign, and only the sessions that counted."""
    window = queries.Filters(campaign.starts, campaign.ends) if campaign else None
    record = queries.presenter_record(user, window)
    # a session nobody played counts for nothing (rules.counts): the list shows what counted
    record["sessions"] = [s for s in record["sessions"] if s["players"] > 0]
    record["waiting"] = (queries.schools_without_sessions(window, user.unit_id)
                         if window is not None and user.unit_id else None)
    return record


def _campaign_named():
    """The campaign of ``?campaign=`` (or the current one) and no problem, or None and why."""
    try:
        return campaign_arg(request.args), None
    except LookupError as exc:
        return None, str(exc)


@bp.get("/me")
@roles_required("admin", "presenter")
def me():
    """My sessions, the schools I visited, the students I reached, and my commune/ward's
    coverage in the campaign (with the schools still waiting)."""
    campaign, problem = _campaign_named()
    status = 404 if problem and request.args.get("campaign") else 200
    return render_template("records/me.html", record=presenter_data(current_user, campaign),
                           campaign=campaign, problem=problem, campaigns=queries.campaigns()), status


@bp.get("/me/export.xlsx")
@roles_required("admin", "presenter")
def me_xlsx():
    campaign, _problem = _campaign_named()
    record = presenter_data(current_user, campaign)
    return _download(exports.xlsx_bytes([exports.sessions_table(record["sessions"], True),
                                         exports.schools_visited_table(record["schools"])]),
                     exports.file_name("my-sessions"), "xlsx")


@bp.get("/me/sessions.csv")
@roles_required("admin", "presenter")
def me_csv():
    record = presenter_data(current_user, None)
    return _download(exports.csv_bytes(exports.sessions_table(record["sessions"], True)),
                     exports.file_name("my-sessions"), "csv")


# ----- the public results ----------------------------------------------------------------------

def _public_figures(campaign: Campaign) -> dict:
    """The campaign's public figures: aggregates only (``queries.public_summary``)."""
    return queries.public_summary(queries.Filters(campaign.starts, campaign.ends))


@public.get("/public")
def results():
    """The campaign's figures for everyone, with the picture to share; no sign-in, no name of
    anybody."""
    campaign, problem = _campaign_named()
    figures = _public_figures(campaign) if campaign else None
    status = 404 if problem and request.args.get("campaign") else 200
    return render_template("public/results.html", campaign=campaign, figures=figures,
                           problem=problem, campaigns=queries.campaigns(),
                           locale=str(get_locale())), status


@public.get("/public/summary.png")
def summary_png():
    """The public figures as a 1200×630 PNG, in the language of ``?lang=`` (or the visitor's);
    ``?download=1`` saves it as a file."""
    campaign, problem = _campaign_named()
    if campaign is None:
        return _bad_download(404, problem)
    card = share_image.card_for(campaign.name, campaign.starts, campaign.ends,
                                _public_figures(campaign), queries.today())
    etag = hashlib.sha256(repr(card).encode()).hexdigest()[:32]
    response = Response(mimetype="image/png")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}"
    if not request.args.get("lang"):
        response.vary.add("Cookie")  # the language then comes from the cookie
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{exports.file_name(campaign.slug)}.png"')
    if request.if_none_match.contains(etag):
        response.status_code = 304  # the same figures, the same words: nothing to draw
        return response
    response.set_data(share_image.render(card))
    return response
