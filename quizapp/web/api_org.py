"""The JSON API of the organisation and the accounts (``/api/v1``, admin only): importing a
province's units and schools, creating accounts."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..services.accounts import AccountError, create_account, user_json
from ..services.org import MAX_FILE_BYTES, OrgFileError, import_org
from .api import api_login_required, bp, fail


def api_admin_required(view):
    """Signed in (401 otherwise) as an admin (403 otherwise)."""

    @wraps(view)
    @api_login_required
    def wrapped(*args, **kwargs):
        if g.api_user.role != "admin":
            return fail(403, "forbidden")
        return view(*args, **kwargs)

    return wrapped


def too_large():
    return fail(413, "file_too_large",
                _("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20))


def uploaded_file(limit: int = MAX_FILE_BYTES) -> tuple[bytes, str]:
    """The multipart field ``file``: its bytes and name (``limit`` bytes at most). Raises
    ``LookupError`` without one (a form sent without choosing a file too) and
    ``RequestEntityTooLarge`` past the limit. The organisation's and the quiz files' uploads."""
    # a little room for the multipart envelope around the file
    request.max_content_length = limit + 64 * 1024
    if (request.content_length or 0) > request.max_content_length:
        raise RequestEntityTooLarge()
    upload = request.files.get("file")
    if upload is None:
        raise LookupError
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge()
    if not data and not upload.filename:
        raise LookupError
    return data, upload.filename or ""


@bp.post("/org/import")
@api_admin_required
def org_import():
    """Import a province's units and schools (multipart field ``file``: CSV or XLSX): 200 with
    the counts, or 422 listing every bad row (nothing is imported then)."""
    try:
        data, filename = uploaded_file()
    except RequestEntityTooLarge:
        return too_large()
    except LookupError:
        return fail(400, "bad_request", _("Send the file in the multipart field “file”."))
    try:
        counts = import_org(data, filename)
    except OrgFileError as exc:
        return jsonify(error="invalid_file", message=exc.message,
                       rows=[p.as_dict() for p in exc.rows]), 422
    return jsonify(counts)


@bp.post("/users")
@api_admin_required
def create_user_account():
    """Create an account: ``{"username", "password", "role", "unit"?: name or "Province / Unit",
    "school"?: code, "display_name"?}`` → 201 with the account."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any real request
        body = None
    if not isinstance(body, dict):
        return fail(400, "bad_request", _("Send a JSON object."))
    try:
        user = create_account(body.get("username"), body.get("password"), body.get("role"),
                              unit=body.get("unit"), school=body.get("school"),
                              display_name=body.get("display_name", ""))
    except AccountError as exc:
        status = 409 if exc.code == "conflict" else 400
        return jsonify(error=exc.code, message=exc.message, field=exc.field), status
    return jsonify(user_json(user)), 201
