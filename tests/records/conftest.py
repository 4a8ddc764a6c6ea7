"""Fixtures of the records tests: sessions written straight into the database, with the players,
answers and times a test names, so every figure can be computed by hand."""
from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from quizapp.extensions import db
from quizapp.models import Answer, Game, Player, Province, Quiz, School, Unit
from quizapp.records.summaries import summarize
from quizapp.services.accounts import create_user

_pins = itertools.count(200000)


class Records:
    """Builds units, schools and played sessions (CTFd-style helpers)."""

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
