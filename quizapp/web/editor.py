"""The quiz editor: presenters and admins write, duplicate, reorder, preview and publish
quizzes in the browser (``/quizzes``)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("editor", __name__, url_prefix="/quizzes")
