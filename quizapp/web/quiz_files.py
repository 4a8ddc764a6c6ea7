"""Quizzes in and out as files: YAML, JSON, CSV and XLSX (Kahoot's spreadsheet template too), by
the API (``/api/v1/quizzes/import``, ``/api/v1/quizzes/<slug>/export``) and the web pages
(``/quizzes/import``, ``/quizzes/<slug>/export.<fmt>``).

An imported file becomes a new draft of its uploader (origin ``import``), under a free slug; a
file with any problem is refused whole, every problem listed by row and column."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, g, jsonify, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from ..bank.formats import (EXAMPLE, FORMATS, MAX_FILE_BYTES, QuizFileError, RowProblem,
                            read_quiz, store_new, stored_dict, write_quiz)
from ..extensions import csrf
from ..models import Quiz
from ..services.quizzes import find
from .api import api_login_required, fail
from .api_org import uploaded_file
from .host import presenter_required as presenter_page

bp = Blueprint("quiz_files", __name__)
#: Problems listed on the page (the API and the command list them all).
SHOWN_PROBLEMS = 300
#: Room for the multipart envelope around the file.
ENVELOPE = 64 * 1024


def _too_large() -> str:
    return _("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20)


def _download(quiz: Quiz, fmt: str) -> Response:
    body, mimetype, filename = write_quiz(stored_dict(quiz), fmt)
    return Response(body, content_type=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff"})


# ----- API ----------------------------------------------------------------------------------------


def _uploaded() -> tuple[bytes, str]:
    return uploaded_file(MAX_FILE_BYTES)


@bp.post("/api/v1/quizzes/import")
@api_login_required
def api_import():
    """A quiz file (multipart field ``file``) → 201 ``{"slug", "title", "questions"}``, a new
    draft of the caller's; or 422 listing every problem, and nothing is kept."""
    user = g.api_user
    if not user.can_host:
        return fail(403, "forbidden")
    try:
        data, filename = _uploaded()
    except RequestEntityTooLarge:
        return fail(413, "file_too_large", _too_large())
    except LookupError:
        return fail(400, "bad_request", _("Send the file in the multipart field “file”."))
    try:
        result = read_quiz(filename, data)
    except QuizFileError as exc:
        return jsonify(error="invalid_file", message=exc.message,
                       rows=[p.as_dict() for p in exc.rows]), 422
    quiz = store_new(result.quiz, user.id)
    return jsonify(slug=quiz.slug, title=quiz.title, questions=quiz.question_count), 201


csrf.exempt(api_import)  # like every API route: a bearer token, or the browser's session


@bp.get("/api/v1/quizzes/<slug>/export")
@api_login_required
def api_export(slug: str):
    """The quiz as a file: ``?format=yaml`` (the default), ``json``, ``csv`` or ``xlsx``."""
    fmt = request.args.get("format", "yaml").strip().lower()
    if fmt not in FORMATS:
        return fail(400, "bad_request", _("format is one of: %(formats)s.",
                                          formats=", ".join(FORMATS)))
    quiz = find(g.api_user, slug)
    if quiz is None:
        return fail(404, "not_found", _("No quiz has this slug."))
    return _download(quiz, fmt)


# ----- pages --------------------------------------------------------------------------------------




class ImportForm(FlaskForm):
    file = FileField(_l("Quiz file (Excel .xlsx, CSV, YAML or JSON)"),
                     validators=[FileRequired(_l("Choose a file."))])


@bp.route("/quizzes/import", methods=["GET", "POST"])
@presenter_page
def import_page():
    """Upload a quiz file: on success the new draft opens in the editor; otherwise every
    problem is listed and nothing is kept."""
    failure: QuizFileError | None = None
    request.max_content_length = MAX_FILE_BYTES + ENVELOPE
    try:
        form = ImportForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, valid = ImportForm(formdata=None), False
        failure = QuizFileError([RowProblem(0, "file", _too_large())])
    if valid:
        upload = form.file.data
        data = upload.read(MAX_FILE_BYTES + 1)
        try:
            if len(data) > MAX_FILE_BYTES:
                raise QuizFileError([RowProblem(0, "file", _too_large())])
            result = read_quiz(upload.filename or "", data)
        except QuizFileError as exc:
            failure = exc
        else:
            quiz = store_new(result.quiz, current_user.id)
            if "editor.edit" in current_app.view_functions:
                flash(_("Imported “%(title)s”: %(n)d questions, a draft of yours.",
                        title=quiz.title, n=quiz.question_count))
                for note in result.notes:
                    flash(note)
                return redirect(url_for("editor.edit", slug=quiz.slug))
            return redirect(url_for("host.new", quiz=quiz.slug))
    return render_template("quizzes/import.html", form=form, failure=failure,
                           shown=SHOWN_PROBLEMS, max_mb=MAX_FILE_BYTES // 2**20)


@bp.get("/quizzes/import/example.xlsx")
@presenter_page
def example():
    """A spreadsheet to start from: an example quiz in the import's own layout."""
    body, mimetype, _name = write_quiz(EXAMPLE, "xlsx")
    return Response(body, content_type=mimetype, headers={
        "Content-Disposition": 'attachment; filename="quiz-example.xlsx"'})


@bp.get("/quizzes/<slug>/export.<fmt>")
@login_required
def export(slug: str, fmt: str):
    """The quiz as a file, for whoever may see it."""
    if fmt not in FORMATS:
        abort(404)
    quiz = find(current_user, slug)
    if quiz is None:
        abort(404)
    return _download(quiz, fmt)
