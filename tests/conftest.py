"""Fixtures: an app on a fresh SQLite file, clients, and small factories for test data."""
from __future__ import annotations

import itertools
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from flask_socketio import SocketIOTestClient

from quizapp import create_app
from quizapp.bank import import_bank
from quizapp.config import TestConfig
from quizapp.extensions import db, socketio
from quizapp.models import Answer, Game, Player, Province, Quiz, School, Unit, User
from quizapp.records.summaries import summarize
from quizapp.services.accounts import create_user
from quizapp.services.games import GameOptions, open_game
from quizapp.services.setup import bootstrap, ensure_demo_school
from tests.support import ServerProcess

DATA = Path(__file__).parent / "data"
TEST_QUESTIONS = DATA / "questions"


#: What a template database depends on: an app built with any of these overridden migrates
#: its own database from nothing.
_TEMPLATE_KEYS = ("SQLALCHEMY_DATABASE_URI", "QUESTIONS_DIR", "ADMIN_PASSWORD", "SEED_DEMO")
_template: dict[str, Path] = {}


def _template_database(tmp_path_factory_dir: Path) -> Path:
    """A database migrated and set up once per test run (the migrations, the test bank, the
    admin, the demo school), copied for each app: the same start, without running nine
    migrations a thousand times."""
    if "db" not in _template:
        folder = Path(tempfile.mkdtemp(prefix="quizapp-template-"))
        app = create_app({
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'test.db'}",
            "QUESTIONS_DIR": str(TEST_QUESTIONS), "ADMIN_PASSWORD": "admin-password"})
        bootstrap(app, echo=lambda *a: None)
        with app.app_context():
            ensure_demo_school()
            db.session.remove()
            db.engine.dispose()  # the last connection closed: the WAL is written back
        _template["db"] = folder / "test.db"
    return _template["db"]


def build_app(tmp_path, monkeypatch, **overrides):
    """An app on a fresh SQLite file in ``tmp_path``, migrated, with the demo school (a copy
    of the run's template database; its own from nothing when an override changes the set-up).
    """
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    if not any(key in overrides for key in _TEMPLATE_KEYS):
        tmp_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template_database(tmp_path), tmp_path / "test.db")
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


_pins = itertools.count(200000)


class Records:
    """Builds units, schools and played sessions written straight into the database, with the
    players, answers and times a test names, so every figure can be computed by hand."""

    def __init__(self, app):
        self.app = app
        self._n = 0

    def unit(self, name: str, province: str = "Ninh Bình", kind: str = "phuong") -> int:
        with self.app.app_context():
            prov = db.session.query(Province).filter_by(name=province).one_or_none()
            if prov is None:
                prov = Province(name=province)
                db.session.add(prov)
            unit = Unit(name=name, kind=kind, province=prov)
            db.session.add(unit)
            db.session.commit()
            return unit.id

    def school(self, code: str, unit_id: int, level: str = "thcs") -> int:
        with self.app.app_context():
            school = School(code=code, name=f"Trường {code}", unit_id=unit_id, level=level)
            db.session.add(school)
            db.session.commit()
            return school.id

    def user(self, role: str = "presenter", **fields) -> int:
        self._n += 1
        with self.app.app_context():
            return create_user(f"{role}-{self._n}", "pw-secret-1", role=role, **fields).id

    def session(self, school_id: int, presenter_id: int, started: datetime, players=(),
                in_person: bool = True, quiz: str = "test-quiz", questions=None,
                ended: bool = True, class_label: str = "8A") -> int:
        """A session played at ``started`` (naive UTC). ``players``: (nickname, score,
        {question index: (choice list, correct)}, members) tuples, the last two optional."""
        with self.app.app_context():
            quiz_row = db.session.query(Quiz).filter_by(slug=quiz).one()
            game = Game(pin=str(next(_pins)), quiz=quiz_row, school_id=school_id,
                        presenter_id=presenter_id, class_label=class_label, in_person=in_person,
                        options={}, questions=questions or list(quiz_row.questions),
                        phase="over" if ended else "reveal", created_at=started,
                        started_at=started, ended_at=started if ended else None)
            db.session.add(game)
            db.session.flush()
            for joined, spec in enumerate(players, start=1):
                nickname, score, answers = spec[0], spec[1], spec[2] if len(spec) > 2 else {}
                player = Player(game_id=game.id, nickname=nickname, token_hash=nickname,
                                score=score, joined=joined,
                                members=spec[3] if len(spec) > 3 else 1)
                db.session.add(player)
                db.session.flush()
                for index, (choice, correct) in answers.items():
                    db.session.add(Answer(game_id=game.id, player_id=player.id,
                                          question_index=index, choice=choice, correct=correct))
            db.session.commit()
            summarize(game)
            return game.id


@pytest.fixture
def records(app):
    return Records(app)
