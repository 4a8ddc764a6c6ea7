"""The campaign's materials (``/resources``, no sign-in: pupils and parents scan its QR codes),
printable as one A4 sheet for a classroom wall; the files' downloads; and the support contact
offered to every template (``support_contact()``, shown by templates/_support.html).

The admin pages that manage them are in ``web.admin`` (``/admin/resources``, ``/admin/settings``).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Resource
from ..services.games import public_base_url
from ..services.qr import inline_svg as qr_svg
from ..services.resources import (file_path, human_size, is_inline, kind_label,
                                  resources, target_url)
from ..services.settings import support_contact

bp = Blueprint("resources", __name__, url_prefix="/resources")


@bp.app_context_processor
def support():
    """``support_contact()`` in every template: read only where a page shows it."""
    return {"support_contact": support_contact}


def _item(resource: Resource) -> dict:
    url = target_url(resource)
    return {"id": resource.id, "title": resource.title, "description": resource.description,
            "url": url, "qr": qr_svg(url), "file": bool(resource.file_name),
            "kind": kind_label(resource) if resource.file_name else "",
            "size": human_size(resource.size) if resource.file_name else ""}


@bp.get("/")
def index():
    return render_template("resources/index.html", items=[_item(r) for r in resources()],
                           page_url=public_base_url() + url_for("resources.index"),
                           admin=current_user.is_authenticated and current_user.is_admin)


@bp.get("/<int:resource_id>/file")
def download(resource_id: int):
    """A file of the page: its own type (found in its bytes when it was uploaded), never sniffed
    by the browser; PDFs and pictures open in place, documents are downloaded, under the name
    they were uploaded with."""
    resource = db.get_or_404(Resource, resource_id)
    path = file_path(resource)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=resource.mimetype, as_attachment=not is_inline(resource),
                         download_name=resource.original_name or path.name, conditional=True,
                         etag=path.stem, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.public = True
    return response


@bp.get("/<int:resource_id>/qr.svg")
def qr(resource_id: int):
    """One material's QR code as an SVG file (for a slide or a poster)."""
    resource = db.get_or_404(Resource, resource_id)
    svg = qr_svg(target_url(resource)).replace(' aria-hidden="true" focusable="false"', "")
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=300",
                             "X-Content-Type-Options": "nosniff"})
