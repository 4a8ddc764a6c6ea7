"""Fixtures of the multi-process tests: a fresh PostgreSQL database and a small quiz."""
from __future__ import annotations

import secrets

import psycopg
import pytest
import yaml

from tests.support import POSTGRES as PG

#: Questions of the quiz the multi-process tests play.
QUESTIONS = 4


@pytest.fixture
def database():
    name = f"quizapp_test_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG}/{name}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def quiz_dir(tmp_path):
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "cluster.yaml").write_text(yaml.safe_dump({
        "slug": "cluster", "title": "Cluster", "language": "en", "questions": [
            {"type": "single", "text": f"Q{i}", "choices": ["a", "b", "c"], "correct": [i % 3],
             "time_limit": 60, "explanation": "e"} for i in range(QUESTIONS)]}))
    return folder
