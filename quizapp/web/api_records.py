"""The records API (``/api/v1``): campaigns, coverage, the dashboard, school and presenter
records, and the public figures — every figure the records pages show, scoped as they are
(``quizapp/records/scope.py``)."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Campaign, School
from ..records import queries, scope
from ..records.campaigns import CampaignError, create_campaign
from ..records.filters import BadFilter, campaign_arg, filters_arg
from .api import api_login_required, bp, fail


def roles(*allowed: str):
    """Only these roles (after ``api_login_required``): 403 for the others."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.api_user.role not in allowed:
                return fail(403, "forbidden")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def with_campaign(view):
    """Resolve the campaign and its filters, or answer 404 / 400."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            campaign = campaign_arg(request.args)
            window = filters_arg(request.args, campaign)
        except LookupError as exc:
            return fail(404, "not_found", str(exc))
        except BadFilter as exc:
            return fail(400, "bad_request", str(exc))
        return view(campaign, window, *args, **kwargs)

    return wrapped


# ----- campaigns --------------------------------------------------------------------------------

@bp.get("/campaigns")
def list_campaigns():
    """Every campaign, latest first (public: the public page offers them)."""
    return jsonify(campaigns=[queries.campaign_view(c) for c in queries.campaigns()])


@bp.post("/campaigns")
@api_login_required
@roles("admin")
def add_campaign():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return fail(400, "bad_request")
    try:
        campaign = create_campaign(body.get("slug"), body.get("name"), body.get("starts"),
                                   body.get("ends"))
    except CampaignError as exc:
        db.session.rollback()
        if exc.conflict:
            return fail(409, "conflict", str(exc))
        return fail(400, "bad_request", str(exc))
    return jsonify(queries.campaign_view(campaign)), 201


# ----- coverage, dashboard, public figures ------------------------------------------------------

@bp.get("/coverage")
@api_login_required
@roles("admin", "viewer", "presenter")
@with_campaign
def coverage(campaign: Campaign, window: queries.Filters):
    """Per commune/ward: schools, in-person schools, sessions, students, covered. A presenter
    sees their own unit."""
    result = queries.coverage(window, units=scope.coverage_units(g.api_user))
    return jsonify(campaign=campaign.slug, units=[_unit(u) for u in result["units"]],
                   totals=result["totals"])


def _unit(item: dict) -> dict:
    return {k: item[k] for k in ("unit", "province", "schools", "schools_in_person", "sessions",
                                 "students", "covered", "unit_id", "kind", "schools_reached")}


@bp.get("/dashboard")
@api_login_required
@roles("admin", "viewer")
@with_campaign
def dashboard(campaign: Campaign, window: queries.Filters):
    return jsonify(campaign=queries.campaign_view(campaign),
                   window={"from": window.starts.isoformat(), "to": window.ends.isoformat(),
                           "province": window.province_id, "unit": window.unit_id,
                           "level": window.level},
                   **queries.dashboard(window))


@bp.get("/public/summary")
@with_campaign
def public_summary(campaign: Campaign, window: queries.Filters):
    """The campaign's figures for everyone: aggregates, never a nickname."""
    return jsonify(campaign=campaign.slug, **queries.public_summary(window))


# ----- schools and presenters -----------------------------------------------------------------

@bp.get("/schools/<code>/records")
@api_login_required
def school_records(code: str):
    school = db.session.scalar(select(School).where(School.code == code.strip().upper()))
    if school is None:
        return fail(404, "not_found", _("No school has this code."))
    if not scope.may_see_school(g.api_user, school):
        return fail(403, "forbidden")
    return jsonify(queries.school_record(school))


@bp.get("/me/records")
@api_login_required
@roles("admin", "presenter")
def my_records():
    """The signed-in presenter's sessions, schools, students and unit coverage."""
    campaign = queries.find_campaign(request.args.get("campaign") or None)
    window = queries.Filters(campaign.starts, campaign.ends) if campaign else None
    record = queries.presenter_record(g.api_user, window)
    record["campaign"] = queries.campaign_view(campaign) if campaign else None
    return jsonify(record)

