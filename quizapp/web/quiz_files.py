"""Quizzes in and out as files: YAML, JSON, CSV and XLSX (Kahoot's spreadsheet template too), by
the API (``/api/v1/quizzes/import``, ``/api/v1/quizzes/<slug>/export``) and the web pages."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quiz_files", __name__)
