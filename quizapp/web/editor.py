"""The quiz editor: presenters and admins write, duplicate, reorder, preview and publish
quizzes in the browser (``/quizzes``), and upload the pictures shown with a question
(``/quizzes/media``, served at ``/media/<name>``).

Who may do what is ``services.quizzes``: a presenter sees the shared bank (published quizzes)
and their own drafts, and edits their own drafts; an admin sees and edits every quiz that is not
one of the bank's files, and publishes or moves a quiz back to draft. The bank's own files are
duplicated, never edited. Somebody else's draft is answered "not found", as if it were not there.

A quiz is saved whole, as JSON, and checked by ``bank.validate.check_quiz`` like a file: either
it is stored or the answer (422) lists every problem by question and field. A question keeps an
``id`` across edits (one is given to a question that has none), so its accuracy in past sessions
follows it; a copy of a quiz gets new ids, a translation keeps them.
"""
from __future__ import annotations

import secrets
from functools import wraps

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from ..bank.loader import store
from ..bank.topics import TOPICS
from ..bank.validate import (LANGUAGES, LEVELS, MAX_CHAT, MAX_CHOICE, MAX_EXPLANATION,
                             MAX_QUESTIONS, MAX_TEXT, MAX_TITLE, MAX_POINTS, Problem,
                             QuizInvalid, check_quiz)
from ..engine.questions import (ID_RE, IMAGE_RE, MAX_TIME_LIMIT, MIN_TIME_LIMIT, Question,
                                QuestionError)
from ..extensions import db, limiter
from ..models import Game, Quiz, SessionQuestion, SessionSummary, User
from ..records.summaries import question_key
from ..services import quizzes as policy
from ..services.media import (MAX_UPLOAD, MIMETYPES, MediaError, media_path, store_image,
                              too_large_message)
from ..services.org import LEVEL_LABELS
from .host import presenter_required as presenter_page

bp = Blueprint("editor", __name__, url_prefix="/quizzes")
#: ``/media/<name>``: the pictures, for phones and projectors (no sign-in).
media = Blueprint("media", __name__)

#: A question's accuracy below this share is flagged in the editor.
WEAK = 0.5
#: The largest quiz a save takes (JSON bytes): 100 long questions fit several times.
MAX_SAVE_BYTES = 2 * 1024 * 1024
KIND_LABELS = {"quiz": _l("Quiz"), "check": _l("Knowledge check")}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
TYPE_LABELS = {"single": _l("Single choice"), "truefalse": _l("True or false"),
               "multiple": _l("Several right answers"), "poll": _l("Poll"),
               "chat": _l("Chat scenario")}
FIELDS = ("type", "text", "choices", "correct", "time_limit", "points", "explanation", "topic",
          "id", "image", "chat")


def _json_error(status: int, code: str, text) -> tuple:
    return jsonify(error=code, message=str(text)), status




def presenter_json(view):
    """JSON endpoints: 401 signed out, 403 for roles that do not run sessions."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _json_error(401, "unauthorized", _("Sign in first."))
        if not current_user.can_host:
            return _json_error(403, "forbidden", _("You do not have access to this."))
        return view(*args, **kwargs)

    return wrapped


def _user() -> User:
    return current_user._get_current_object()


def _quiz_or_404(slug: str) -> Quiz:
    quiz = policy.find(_user(), slug)
    if quiz is None:
        abort(404)
    return quiz


@bp.context_processor
def labels():
    return {"KIND_LABELS": KIND_LABELS, "LEVEL_LABELS": LEVEL_LABELS,
            "LANGUAGE_NAMES": LANGUAGE_NAMES, "TYPE_LABELS": TYPE_LABELS,
            "can_edit": lambda q: policy.can_edit(_user(), q),
            "can_publish": lambda q: policy.can_publish(_user(), q),
            "export_url": _export_url, "EXPORTS": EXPORTS,
            "import_url": _optional_url("quiz_files.import_page")}


def _optional_url(endpoint: str, **values) -> str | None:
    """The URL of an endpoint of another part of the app, or None while it has none."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


#: The files a quiz is exported as (``quiz_files.export``), as the list offers them.
EXPORTS = (("xlsx", "Excel (.xlsx)"), ("csv", "CSV"), ("yaml", "YAML"), ("json", "JSON"))


def _export_url(quiz: Quiz, fmt: str) -> str | None:
    return _optional_url("quiz_files.export", slug=quiz.slug, fmt=fmt)


# ----- the list -------------------------------------------------------------------------------


@bp.get("/")
@presenter_page
def index():
    """The quizzes the user may run: drafts (their own; an admin's: everyone's, with the owner)
    and the shared bank."""
    user = _user()
    rows = list(db.session.scalars(select(Quiz).where(policy.visible(user))
                                   .order_by(Quiz.language.desc(), Quiz.title)))
    drafts = sorted((q for q in rows if not q.published),
                    key=lambda q: q.updated_at or q.created_at, reverse=True)
    bank = [q for q in rows if q.published]
    return render_template("quizzes/list.html", drafts=drafts, bank=bank)


# ----- the editor -----------------------------------------------------------------------------


@bp.get("/new", defaults={"slug": None})
@bp.get("/<slug>/edit")
@presenter_page
def edit(slug: str | None):
    user = _user()
    quiz = None if slug is None else _quiz_or_404(slug)
    if quiz is not None and not policy.can_edit(user, quiz):
        return render_template("quizzes/edit.html", quiz=quiz, locked=True), 403
    config = {
        "slug": quiz.slug if quiz else None,
        "quiz": editor_data(quiz),
        "status": quiz.status if quiz else "draft",
        "accuracy": accuracy(quiz) if quiz else {},
        "save_url": url_for("editor.save", slug=quiz.slug) if quiz else url_for("editor.save"),
        "upload_url": url_for("editor.upload"),
        "media_url": url_for("media.file", name="__name__"),
        "edit_url": url_for("editor.edit", slug="__slug__"),
        "preview_url": url_for("editor.preview", slug="__slug__"),
        "run_url": url_for("host.new", quiz="__slug__"),
        "topics": [[key, str(label)] for key, label in TOPICS.items()],
        "types": {key: str(label) for key, label in TYPE_LABELS.items()},
        "levels": [["", _("Any level")]] + [[k, str(LEVEL_LABELS[k])] for k in LEVELS],
        "languages": [[k, LANGUAGE_NAMES[k]] for k in LANGUAGES],
        "kinds": [[k, str(v)] for k, v in KIND_LABELS.items()],
        "limits": {"questions": MAX_QUESTIONS, "text": MAX_TEXT, "choice": MAX_CHOICE,
                   "explanation": MAX_EXPLANATION, "chat": MAX_CHAT, "title": MAX_TITLE,
                   "points": MAX_POINTS, "time_min": MIN_TIME_LIMIT,
                   "time_max": MAX_TIME_LIMIT, "upload": MAX_UPLOAD},
    }
    return render_template("quizzes/edit.html", quiz=quiz, locked=False, config=config)


def editor_data(quiz: Quiz | None) -> dict:
    """The quiz as the editor holds it. A stored question without an id is given its key in
    the records (the hash of its text) as its id, so that its past accuracy stays with it when
    its text changes."""
    if quiz is None:
        return {"title": "", "language": "vi", "level": "", "kind": "quiz", "description": "",
                "questions": []}
    questions = []
    for stored in quiz.questions:
        questions.append({
            "id": stored.get("id") or question_key(stored),
            "type": stored.get("type", "single"),
            "text": stored.get("text", ""),
            "choices": list(stored.get("choices") or []),
            "correct": list(stored.get("correct") or []),
            "time_limit": int(round(float(stored.get("time_limit", 20)))),
            "points": int(stored.get("points", 1000)),
            "explanation": stored.get("explanation", ""),
            "topic": stored.get("topic", ""),
            "image": stored.get("image", ""),
            "chat": [{"from": m.get("from", ""), "text": m.get("text", ""),
                      "mine": bool(m.get("mine"))} for m in stored.get("chat") or []],
        })
    return {"title": quiz.title, "language": quiz.language, "level": quiz.level or "",
            "kind": quiz.kind, "description": quiz.description or "",
            "translation_of": quiz.translation_of, "questions": questions,
            "revision": quiz.checksum or None}


def accuracy(quiz: Quiz) -> dict[str, dict]:
    """Each question's right answers over every session that asked it (the quiz's own questions,
    not a knowledge check's), by the question's key: one grouped query over ``SessionQuestion``.
    Polls have no right answer and are left out."""
    keys = {question_key(q) for q in quiz.questions if q.get("type") != "poll"}
    if not keys:
        return {}
    rows = db.session.execute(
        select(SessionQuestion.key, func.sum(SessionQuestion.answered),
               func.sum(SessionQuestion.correct))
        .where(SessionQuestion.part == "", SessionQuestion.key.in_(keys))
        .group_by(SessionQuestion.key))
    figures = {}
    for key, answered, correct in rows:
        answered, correct = int(answered or 0), int(correct or 0)
        if answered <= 0:
            continue
        share = correct / answered
        figures[key] = {
            "answered": answered, "correct": correct, "share": round(share, 4),
            "weak": share < WEAK,
            "label": _("%(share)s of %(n)s pupils right", share=format_percent(share),
                       n=format_decimal(answered)),
        }
    return figures


def _new_id(slug: str) -> str:
    base = slug[:48].strip("-_") or "q"
    return f"{base}-{secrets.token_hex(3)}"


def _incoming(raw: dict, quiz: Quiz | None) -> dict:
    """The quiz a save sends, in the shape ``check_quiz`` takes: the editor's fields only, the
    slug and the translation link from the stored quiz (a new one's slug from its title), and
    an id for every question that has none (or whose id an earlier question already has)."""
    title = raw.get("title")
    title_text = title.strip() if isinstance(title, str) else ""
    slug = quiz.slug if quiz is not None else policy.free_slug(title_text or "quiz")
    data = {key: raw.get(key) for key in ("title", "language", "level", "kind", "description")}
    data.update(slug=slug, translation_of=quiz.translation_of if quiz is not None else None)
    items = raw.get("questions")
    if isinstance(items, list):
        seen: set[str] = set()
        questions = []
        for item in items:
            if isinstance(item, dict):
                item = {key: item.get(key) for key in FIELDS if item.get(key) is not None}
                qid = item.get("id")
                if not isinstance(qid, str) or not ID_RE.match(qid) or qid in seen:
                    item["id"] = _new_id(slug)
                seen.add(item["id"])
                if item.get("type") != "chat":
                    item.pop("chat", None)
            questions.append(item)
        items = questions
    data["questions"] = items
    return data


def _missing_images(data: dict) -> list[Problem]:
    """Pictures named by the quiz that are not in the media folder."""
    problems = []
    for number, item in enumerate(data.get("questions") or [], start=1):
        name = item.get("image") if isinstance(item, dict) else None
        if isinstance(name, str) and IMAGE_RE.match(name) and media_path(name) is None:
            problems.append(Problem(number, "image", _("This picture is not on the server: "
                                                       "upload it again.")))
    return problems


@bp.post("/save", defaults={"slug": None})
@bp.post("/<slug>/save")
@presenter_json
def save(slug: str | None):
    """Store the whole quiz sent as JSON (``{"quiz": {...}}``): 201 (a new quiz) or 200 with
    the quiz as stored, or 422 with every problem (``problems``: question, field, message)."""
    user = _user()
    quiz = None
    if slug is not None:
        quiz = policy.find(user, slug)
        if quiz is None:
            return _json_error(404, "not_found", _("This quiz does not exist."))
        if not policy.can_edit(user, quiz):
            return _json_error(403, "forbidden", _("You cannot change this quiz: duplicate it "
                                                   "to make your own version."))
    if (request.content_length or 0) > MAX_SAVE_BYTES:
        return _json_error(413, "too_large", _("The quiz is too large to save."))
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("quiz"), dict):
        return _json_error(400, "bad_request", _("Send the quiz as JSON."))
    revision = body.get("revision")
    if quiz is not None and isinstance(revision, str) and revision != (quiz.checksum or ""):
        return _json_error(409, "conflict", _("Someone else saved this quiz after you opened "
                                              "it. Your changes stay in this browser: copy "
                                              "what you need, then reload to see theirs."))
    data = _incoming(body["quiz"], quiz)
    problems = []
    try:
        checked = check_quiz(data)
    except QuizInvalid as exc:
        problems = list(exc.problems)
    problems += _missing_images(data)
    if problems:
        return jsonify(error="invalid_quiz",
                       message=_("%(n)d problem(s): nothing was saved.", n=len(problems)),
                       problems=[{"question": p.question, "field": p.field,
                                  "message": str(p.message)} for p in problems]), 422
    created = quiz is None
    if created:
        quiz = Quiz(slug=checked.slug, origin="editor", status="draft", owner_id=user.id)
        db.session.add(quiz)
    store(quiz, checked)
    db.session.commit()
    return jsonify(slug=quiz.slug, status=quiz.status, quiz=editor_data(quiz),
                   edit_url=url_for("editor.edit", slug=quiz.slug),
                   save_url=url_for("editor.save", slug=quiz.slug)), 201 if created else 200


# ----- copies, deleting, publishing -------------------------------------------------------------


def copy_quiz(quiz: Quiz, owner: User, translate: bool = False) -> Quiz:
    """A new draft of ``owner`` with ``quiz``'s questions: a copy ("… (copy)") with new question
    ids, or a translation into the other language that keeps them (its questions are the same
    questions, counted together in the records)."""
    suffix = _("translation") if translate else _("copy")
    title = f"{quiz.title[:MAX_TITLE - len(suffix) - 3]} ({suffix})"
    slug = policy.free_slug(title)
    questions = []
    for stored in quiz.questions:
        item = {k: v for k, v in stored.items() if k not in ("part", "check")}
        item["id"] = (stored.get("id") or question_key(stored)) if translate else _new_id(slug)
        questions.append(item)
    data = {"slug": slug, "title": title, "kind": quiz.kind, "level": quiz.level,
            "description": quiz.description, "questions": questions,
            "language": quiz.language, "translation_of": quiz.translation_of}
    if translate:
        data["language"] = "en" if quiz.language == "vi" else "vi"
        data["translation_of"] = quiz.translation_of or quiz.slug
    copy = Quiz(slug=slug, origin="editor", status="draft", owner_id=owner.id)
    store(copy, check_quiz(data))
    db.session.add(copy)
    return copy


@bp.post("/<slug>/duplicate")
@presenter_page
def duplicate(slug: str):
    quiz = _quiz_or_404(slug)
    translate = request.form.get("translate") == "1"
    copy = copy_quiz(quiz, _user(), translate=translate)
    db.session.commit()
    flash(_("A translation to write: “%(title)s”, a draft of yours.", title=copy.title)
          if translate else _("Copied: “%(title)s”, a draft of yours.", title=copy.title))
    return redirect(url_for("editor.edit", slug=copy.slug))


def _back(default: str) -> str:
    from . import local_path

    return local_path(request.form.get("next")) or default


@bp.post("/<slug>/delete")
@presenter_page
def delete(slug: str):
    """Delete a draft the user may edit, unless a session was held with it (its record needs
    it)."""
    quiz = _quiz_or_404(slug)
    if quiz.published or not policy.can_edit(_user(), quiz):
        abort(403)
    held = db.session.scalar(select(Game.id).where(Game.quiz_id == quiz.id).limit(1)) or \
        db.session.scalar(select(SessionSummary.game_id).where(SessionSummary.quiz_id == quiz.id)
                          .limit(1))
    if held:
        flash(_("“%(title)s” was played in a session: its record needs it, so it stays.",
                title=quiz.title), "error")
        return redirect(_back(url_for("editor.index")))
    title = quiz.title
    db.session.delete(quiz)
    db.session.commit()
    flash(_("Deleted: “%(title)s”.", title=title))
    return redirect(url_for("editor.index"))


@bp.post("/<slug>/status")
@presenter_page
def set_status(slug: str):
    """An admin publishes a quiz to the shared bank, or moves it back to its owner's drafts."""
    quiz = _quiz_or_404(slug)
    if not policy.can_publish(_user(), quiz):
        abort(403)
    status = request.form.get("status")
    if status not in Quiz.STATUSES:
        abort(400)
    quiz.status = status
    db.session.commit()
    flash(_("“%(title)s” is in the shared bank: every presenter can run it.", title=quiz.title)
          if status == "published" else
          _("“%(title)s” is a draft again: only its owner and the admins see it.",
            title=quiz.title))
    return redirect(_back(url_for("editor.index")))


# ----- the preview ------------------------------------------------------------------------------


@bp.get("/<slug>/preview")
@presenter_page
def preview(slug: str):
    """The quiz played on one screen, as a pupil's phone shows it, without a session."""
    quiz = _quiz_or_404(slug)
    total = len(quiz.questions)
    questions = []
    for index, stored in enumerate(quiz.questions):
        try:
            question = Question.from_dict(stored)
        except QuestionError:  # a stored quiz is checked: nothing to show of a broken one
            continue
        shown = question.public(index, total)
        shown.update(correct=sorted(question.correct), explanation=question.explanation,
                     topic=str(TOPICS.get(question.topic, "")) if question.topic else "")
        questions.append(shown)
    return render_template("quizzes/preview.html", quiz=quiz, questions=questions)


# ----- pictures ---------------------------------------------------------------------------------


@bp.post("/media")
@limiter.limit("40 per minute", key_func=lambda: f"media:{current_user.get_id()}")
@presenter_json
def upload():
    """A picture for a question (multipart field ``file``): 201 ``{"name", "url", "width",
    "height", "bytes"}``, 413 too large, 422 not a picture (with the reason)."""
    request.max_content_length = MAX_UPLOAD + 64 * 1024
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _json_error(413, "too_large", too_large_message())
    if upload is None:
        return _json_error(400, "bad_request", _("Choose a picture."))
    try:
        stored = store_image(upload.read(MAX_UPLOAD + 1))
    except MediaError as exc:
        return _json_error(exc.status, "too_large" if exc.status == 413 else "invalid_image",
                           exc.message)
    return jsonify(name=stored.name, url=url_for("media.file", name=stored.name),
                   width=stored.width, height=stored.height, bytes=stored.size), 201


@media.get("/media/<name>")
def file(name: str):
    """A stored picture: its name is the hash of its bytes, so it may be cached for a year."""
    path = media_path(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[name.rsplit(".", 1)[1]], max_age=31536000,
                         conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
