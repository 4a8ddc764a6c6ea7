"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL, and
the topic sums migration 0005 fills in equal what the records code keeps."""
from __future__ import annotations

import secrets
from datetime import datetime

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import TopicDay
from quizapp.records.summaries import roll_up_topics
from tests.conftest import build_app
from tests.support import POSTGRES


@pytest.fixture
def pg_url():
    name = f"quizapp_test_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def differences(app) -> list:
    """What autogenerate would still write: nothing, when the migrations match the models."""
    with app.app_context():
        migrate = app.extensions["migrate"]
        with db.engine.connect() as conn:
            dialect = conn.dialect.name

            def include_object(obj, name, type_, reflected, compare_to):
                dialects = getattr(obj, "info", {}).get("dialects") if type_ == "index" else None
                return dialects is None or dialect in dialects

            context = MigrationContext.configure(conn, opts={
                "include_object": include_object, "compare_type": True,
                **migrate.configure_args})
            return compare_metadata(context, db.metadata)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migrations_match_the_models(database, tmp_path, monkeypatch, request):
    overrides = {}
    if database == "postgresql":
        overrides["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("pg_url")
    app = build_app(tmp_path, monkeypatch, **overrides)
    try:
        assert differences(app) == []
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


TOPICS = [{"type": "single", "text": f"Q{n}", "choices": ["a", "b"], "correct": [0],
           "time_limit": 20, "points": 1000, "explanation": "e", "topic": topic}
          for n, topic in enumerate(["phishing", "grooming", "phishing"])]


def test_topic_sums_filled_by_the_migration_equal_the_kept_ones(app, records):
    """Downgrade below 0005 and upgrade again: the table filled from the stored session
    questions holds what ``summarize`` kept as the sessions ended."""
    officer = records.user()
    for n, level in enumerate(["thcs", "thpt"]):
        school = records.school(f"M{n}", records.unit(f"U{n}"), level)
        records.session(school, officer, datetime(2025, 10, 10 + n, 9),
                        questions=TOPICS, players=[
                            (f"P{p}", 0, {i: ([0], (p + i) % 2 == 0) for i in range(3)})
                            for p in range(3)])
    kept = sums(app)
    assert len(kept) == 4 and all(row[4] for row in kept)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        downgrade(directory=directory, revision="0004")
        upgrade(directory=directory)
        db.session.remove()
    assert sums(app) == kept
    with app.app_context():
        roll_up_topics()
        db.session.commit()
    assert sums(app) == kept


def sums(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(TopicDay.day, TopicDay.province_id, TopicDay.level,
                                         TopicDay.topic, TopicDay.answered, TopicDay.correct)
                                  .order_by(TopicDay.topic)).all()
        db.session.remove()
        return [tuple(r) for r in rows]
