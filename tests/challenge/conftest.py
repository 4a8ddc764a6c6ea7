"""Challenges: helpers to open them and to play them over HTTP."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Game, Quiz, School, User, utcnow
from quizapp.services import challenges


class Challenges:
    """Opens challenges the way the app does, and plays them through the pupil's JSON."""

    def __init__(self, app, make):
        self.app = app
        self.make = make

    def open(self, presenter_id: int | None = None, quiz: str = "test-quiz",
             school: str = "DEMO", class_label: str = "8A", **kwargs) -> str:
        presenter_id = presenter_id or self.make.user()
        with self.app.app_context():
            game = challenges.open_challenge(
                db.session.query(Quiz).filter_by(slug=quiz).one(),
                db.session.query(School).filter_by(code=school).one(),
                db.session.get(User, presenter_id), class_label, **kwargs)
            return game.code

    def finished_session(self, presenter_id: int | None = None, **options) -> dict:
        """A live session that has ended (phase ``over``)."""
        game = self.make.game(presenter_id=presenter_id, **options)
        with self.app.app_context():
            row = db.session.query(Game).filter_by(pin=game["pin"]).one()
            row.phase, row.ended_at = "over", utcnow()
            db.session.commit()
        return game

    def game(self, code: str) -> Game:
        """The challenge's row (call inside an app context)."""
        return db.session.query(Game).filter_by(code=code).one()

    def close_in_the_past(self, code: str) -> None:
        with self.app.app_context():
            self.game(code).closes_at = utcnow() - timedelta(minutes=1)
            db.session.commit()

    @staticmethod
    def join(client, code: str, nickname: str = "Cú Mèo", **body):
        return client.post(f"/c/{code}/join", json={"nickname": nickname, **body})

    @staticmethod
    def answer(client, code: str, token: str, question, choice):
        return client.post(f"/c/{code}/answer",
                           json={"token": token, "question": question, "choice": choice})


#: test-quiz (tests/data/questions): the right choice of each question, and a wrong one
RIGHT = [2, 1, [0, 2], 0, 1]
WRONG = [0, 0, [0], None, 0]  # the poll (3) has no wrong answer


@pytest.fixture
def ch(app, make):
    return Challenges(app, make)
