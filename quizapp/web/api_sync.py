"""The field kit's routes (``quizapp/sync``).

On the central server: ``POST /api/v1/sync/sessions`` (a laptop's finished session: 201 new,
200 ``{"duplicate": true}``), ``GET /api/v1/sync/pull`` (units, schools, published quizzes,
the laptop's link token and bundle key) — both for a presenter's or an admin's Bearer token,
the API's own or the link token from a pull — and ``/admin/sync``, where an admin imports a
laptop's bundle file. On the laptop: ``POST /host/sync``, the "Send to the province" button of
the sessions page, and the statuses that page shows.
"""
from __future__ import annotations

from functools import wraps

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from ..models import User
from ..services.accounts import user_for_api_token
from ..sync import bundle, central, client
from . import admin, host
from .api import bp, fail


def sync_login_required(view):
    """A Bearer token (the API's, or a laptop's link token) of a presenter or an admin: 401
    without one, 403 for the other roles."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user: User | None = None
        if header.startswith("Bearer "):
            token = header[7:].strip()
            user = central.user_for_link_token(token) or user_for_api_token(token)
        if user is None:
            return fail(401, "unauthorized")
        if not user.can_host:
            return fail(403, "forbidden", _("Only a presenter's or an admin's account links a "
                                            "laptop and sends its sessions."))
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped


@bp.post("/sync/sessions")
@sync_login_required
def sync_session():
    """One finished session of a laptop, taken whole or not at all, keyed by its UUID."""
    request.max_content_length = central.MAX_SESSION_BYTES
    if (request.content_length or 0) > central.MAX_SESSION_BYTES:
        return fail(413, "too_large", _("A session is at most %(mb)d MB.",
                                        mb=central.MAX_SESSION_BYTES // 2**20))
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real session
        body = None
    except RequestEntityTooLarge:
        return fail(413, "too_large", _("A session is at most %(mb)d MB.",
                                        mb=central.MAX_SESSION_BYTES // 2**20))
    if not isinstance(body, dict):
        return fail(400, "bad_request", _("Send a session as a JSON object."))
    try:
        outcome = central.accept(body, g.api_user)
    except central.Refused as exc:
        return jsonify(exc.as_dict()), exc.status
    return jsonify(outcome.as_dict()), outcome.status


@bp.get("/sync/pull")
@sync_login_required
def sync_pull():
    """What a laptop needs to run sessions offline, and its link."""
    return jsonify(central.pull_data(g.api_user))


# ----- the admin's bundle import (central server) ----------------------------------------------


class BundleForm(FlaskForm):
    file = FileField(_l("Bundle file from a field laptop"),
                     validators=[FileRequired(_l("Choose a file."))])


@admin.bp.route("/sync", methods=["GET", "POST"])
def sync_import():
    """Upload a laptop's bundle: each session taken (or already there, or refused and why), or
    the whole file refused (a changed byte, another server's bundle)."""
    results, failure, sender = None, None, None
    request.max_content_length = bundle.MAX_BYTES + 64 * 1024
    try:
        form = BundleForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, valid = BundleForm(formdata=None), False
        failure = _("The file is larger than %(mb)d MB.", mb=bundle.MAX_BYTES // 2**20)
    if valid:
        data = form.file.data.read(bundle.MAX_BYTES + 1)
        try:
            sender, results = central.import_bundle(data)
        except bundle.BundleError as exc:
            failure = exc.message
    return render_template("admin/sync.html", form=form, results=results, failure=failure,
                           sender=sender)


# ----- the laptop's button and statuses ---------------------------------------------------------


@host.bp.post("/sync")
@host.presenter_required
def sync_send():
    """"Send to the province": push the finished sessions not yet accepted (a presenter's own;
    an admin's: all), then back to the sessions page with what happened."""
    try:
        report = client.push(user=current_user._get_current_object())
    except client.SyncError as exc:
        flash(exc.message, "error")
        return redirect(url_for("host.index"))
    if not (report.sent or report.already or report.refused or report.failed):
        flash(_("Nothing to send: the province has every finished session."), "notice")
    else:
        flash(_("%(sent)d session(s) sent, %(already)d already there, %(refused)d refused, "
                "%(failed)d could not be sent.", sent=report.sent, already=report.already,
                refused=len(report.refused), failed=len(report.failed) + report.waiting),
              "notice" if report.complete else "error")
    return redirect(url_for("host.index"))


@host.bp.context_processor
def sync_helpers():
    return {"sync_view": _sync_view}


def _sync_view(games) -> dict:
    """For the sessions page: the laptop's link (None on a server that is not a field laptop)
    and each finished session's standing."""
    linked = client.link()
    found = client.statuses(list(games))
    shown = linked is not None or any(s["status"] != client.STATUS_WAITING
                                      for s in found.values())
    return {"shown": shown, "url": linked["url"] if linked else None, "statuses": found}
