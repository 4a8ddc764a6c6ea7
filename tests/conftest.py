"""Fixtures: an app on a fresh SQLite file, clients, and small factories for test data."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask_socketio import SocketIOTestClient

from quizapp import create_app
from quizapp.bank import import_bank
from quizapp.config import TestConfig
from quizapp.extensions import db, socketio
from quizapp.models import Game, Quiz, School, User
from quizapp.services.accounts import create_user
from quizapp.services.games import GameOptions, open_game
from quizapp.services.setup import bootstrap, ensure_demo_school
from tests.support import ServerProcess

DATA = Path(__file__).parent / "data"
TEST_QUESTIONS = DATA / "questions"


def build_app(tmp_path, monkeypatch, **overrides):
    """An app on a fresh SQLite file in ``tmp_path``, migrated, with the demo school."""
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "QUESTIONS_DIR": str(TEST_QUESTIONS),
        "ADMIN_PASSWORD": "admin-password",
        **overrides,
    })
    bootstrap(app, echo=lambda *a: None)
    with app.app_context():
        ensure_demo_school()
    return app


@pytest.fixture
def server(request, tmp_path):
    """``python wsgi.py`` as a separate process, in gevent mode unless the test is parametrized
    (``pytest.mark.parametrize("server", MODES, indirect=True)``); its log must end clean."""
    mode = getattr(request, "param", "gevent")
    proc = ServerProcess(tmp_path / "instance", mode=mode).start()
    yield proc
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()
    assert f"({mode})" in proc.log()


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


class Factory:
    """Builds accounts and sessions the way the app does (CTFd-style helpers)."""

    def __init__(self, app):
        self.app = app
        self._n = 0

    def user(self, role: str = "presenter", password: str = "pw-secret-1", school: str | None = None) -> int:
        self._n += 1
        with self.app.app_context():
            fields = {}
            if school:
                fields["school_id"] = db.session.query(School).filter_by(code=school).one().id
            return create_user(f"{role}{self._n}", password, role=role, **fields).id

    def school(self, code: str) -> str:
        with self.app.app_context():
            demo = db.session.query(School).filter_by(code="DEMO").one()
            db.session.add(School(code=code, name=f"School {code}", unit_id=demo.unit_id))
            db.session.commit()
        return code

    def game(self, presenter_id: int | None = None, quiz: str = "test-quiz", school: str = "DEMO",
             **options) -> dict:
        """Open a session; returns its pin and host token."""
        presenter_id = presenter_id or self.user()
        with self.app.app_context():
            g = open_game(db.session.query(Quiz).filter_by(slug=quiz).one(),
                          db.session.query(School).filter_by(code=school).one(),
                          db.session.get(User, presenter_id), "8A",
                          GameOptions(**options))
            return {"pin": g.pin, "host_token": g.host_token, "presenter_id": presenter_id}

    def login(self, client, user_id: int, password: str = "pw-secret-1") -> None:
        with self.app.app_context():
            username = db.session.get(User, user_id).username
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.data

    def quiz_file(self, directory: Path, slug: str, questions: list[dict]) -> None:
        import yaml

        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{slug}.yaml").write_text(yaml.safe_dump(
            {"slug": slug, "title": slug, "language": "en", "questions": questions},
            allow_unicode=True))
        with self.app.app_context():
            import_bank(directory)


@pytest.fixture
def make(app):
    return Factory(app)


class Socket:
    """A Flask-SocketIO test client with helpers to call events and read what arrived."""

    def __init__(self, app, pin: str | None = None, auth: dict | None = None, flask_client=None):
        self.inner: SocketIOTestClient = socketio.test_client(
            app, query_string=f"pin={pin}" if pin else None, auth=auth,
            flask_test_client=flask_client)
        self.seen: list[dict] = []

    def call(self, event: str, *args):
        return self.inner.emit(event, *args, callback=True)

    def received(self, name: str | None = None) -> list:
        self.seen.extend(self.inner.get_received())
        return [m["args"][0] if m["args"] else None for m in self.seen
                if name is None or m["name"] == name]

    def clear(self) -> None:
        self.received()
        self.seen.clear()

    def disconnect(self) -> None:
        if self.inner.is_connected():
            self.inner.disconnect()


@pytest.fixture
def sockets(app):
    opened: list[Socket] = []

    def open_socket(pin=None, auth=None, flask_client=None) -> Socket:
        s = Socket(app, pin, auth, flask_client)
        opened.append(s)
        return s

    yield open_socket
    for s in opened:
        s.disconnect()
