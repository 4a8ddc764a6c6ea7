"""Helpers of the field kit's tests: sessions played on a "laptop" written as the live game
writes them (answers right or wrong by the session's own questions, points and scores that
add up), and a second app on its own database for the two sides in one process."""
from __future__ import annotations

import base64
import itertools
from datetime import datetime, timedelta

import pytest

from quizapp.engine.questions import Question
from quizapp.extensions import db
from quizapp.models import Answer, Game, HelpRequest, Player, Quiz, School, User
from quizapp.records.summaries import summarize
from quizapp.services.games import GameOptions, open_game
from tests.conftest import build_app

#: Each player's choices for test-quiz's five questions (single, true/false, multiple, poll,
#: chat): the first gets everything right.
CHOICES = [[[2], [1], [0, 2], [0], [1]],
           [[1], [1], [0], [2], [0]],
           [[2], [0], [0, 2], [1], [1]]]
_day = itertools.count()


def basic(username: str, password: str) -> dict:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def token(client, username: str = "admin", password: str = "admin-password") -> dict:
    response = client.post("/api/v1/tokens", headers=basic(username, password))
    assert response.status_code == 200, response.data
    return {"Authorization": "Bearer " + response.json["token"]}


def played(app, school: str = "DEMO", presenter: str = "admin", players: int = 3,
           nicknames: tuple[str, ...] = ("An", "Bình", "Chi"), help_requests: int = 1,
           quiz: str = "test-quiz", members: int = 1, ended: bool = True,
           started: datetime | None = None) -> int:
    """A finished session of ``quiz`` at ``school``, run by ``presenter``: ``players`` players
    answering by ``CHOICES`` (points for right answers, none for polls), ``help_requests`` of
    them pressed "I need help". Returns the game's id."""
    started = started or datetime(2025, 10, 20, 2, 0) + timedelta(hours=next(_day))
    with app.app_context():
        game = open_game(db.session.query(Quiz).filter_by(slug=quiz).one(),
                         db.session.query(School).filter_by(code=school).one(),
                         db.session.query(User).filter_by(username=presenter).one(), "8A",
                         GameOptions(speed_scoring=True))
        game.created_at, game.started_at = started - timedelta(minutes=2), started
        if ended:
            game.phase, game.ended_at = "over", started + timedelta(minutes=10)
            game.current_index = len(game.questions) - 1
        else:
            game.phase, game.current_index = "question", 0
        questions = [Question.from_dict(q) for q in game.questions]
        for n in range(players):
            player = Player(game_id=game.id, nickname=nicknames[n % len(nicknames)]
                            + ("" if n < len(nicknames) else f" {n}"),
                            class_label="8A", token_hash=f"secret-token-hash-{game.id}-{n}",
                            joined=n + 1, members=members)
            db.session.add(player)
            db.session.flush()
            streak = score = 0
            for index, choice in enumerate(CHOICES[n % len(CHOICES)][:len(questions)]):
                question = questions[index]
                correct = None if question.is_poll else question.is_correct(frozenset(choice))
                if correct and not question.keeps_streaks:
                    streak += 1
                elif correct is False:
                    streak = 0
                points = 700 + min(max(streak - 1, 0) * 100, 500) if correct and not \
                    question.keeps_streaks else 0
                score += points
                db.session.add(Answer(game_id=game.id, player_id=player.id,
                                      question_index=index, choice=choice, correct=correct,
                                      points=points, elapsed_ms=1500 + 100 * n, streak=streak))
            player.score = score
            if n < help_requests:
                db.session.add(HelpRequest(game_id=game.id, player_id=player.id,
                                           created_at=started + timedelta(minutes=3)))
        db.session.commit()
        summarize(game)
        return game.id


@pytest.fixture(autouse=True)
def english(request):
    """A laptop's commands and messages speak the deployment's language (Vietnamese by
    default): these tests read their English."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture
def laptop(tmp_path, monkeypatch):
    """A second app, the field laptop, on its own SQLite file (the ``app`` fixture is the
    central server when a test needs both in one process)."""
    app = build_app(tmp_path / "laptop", monkeypatch, SECRET_KEY="laptop-secret-key",
                    BABEL_DEFAULT_LOCALE="en")  # its messages read in English here
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def game_row(app, game_id: int) -> dict:
    with app.app_context():
        game = db.session.get(Game, game_id)
        return {"uuid": game.uuid, "pin": game.pin, "purged": game.purged_at is not None,
                "players": db.session.query(Player).filter_by(game_id=game_id).count(),
                "answers": db.session.query(Answer).filter_by(game_id=game_id).count()}
