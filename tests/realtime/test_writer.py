"""Answers are written in batches, and never acknowledged before their batch is committed."""
from __future__ import annotations

from quizapp.extensions import db
from quizapp.models import Answer
from quizapp.realtime import live, writer

from .test_flow import host_for, join


def stored(app) -> int:
    with app.app_context():
        return db.session.query(Answer).count()


def test_no_ack_until_the_database_takes_the_answer(app, make, sockets, monkeypatch):
    game = make.game()
    host, _ = host_for(sockets, game)
    p = join(sockets, game["pin"], "Patient")
    join(sockets, game["pin"], "Other")
    host.call("host:start")

    real = writer.AnswerWriter._commit
    refusing = {"on": True}

    def commit(self, batch):
        if refusing["on"]:
            raise RuntimeError("database unavailable")
        return real(self, batch)

    monkeypatch.setattr(writer.AnswerWriter, "_commit", commit)
    monkeypatch.setattr(writer, "RETRY_DELAY", 0.05)
    monkeypatch.setattr(live, "ANSWER_COMMIT_TIMEOUT", 0.5)
    ack = p.call("player:answer", {"question": 0, "choice": 2})
    assert ack["ok"] is False and ack["error"] == "try_again"
    assert stored(app) == 0
    refusing["on"] = False  # the database is back: the queued answer is written
    retry = p.call("player:answer", {"question": 0, "choice": 2})
    assert retry == {"ok": True, "question": 0, "choice": [2], "duplicate": True}
    assert stored(app) == 1


def test_answers_arriving_together_are_each_written_once(app, make, sockets, monkeypatch):
    game = make.game()
    host, _ = host_for(sockets, game)
    players = [join(sockets, game["pin"], f"P{i}") for i in range(12)]
    host.call("host:start")
    sizes = []
    real = writer.AnswerWriter._commit

    def counting(self, batch):
        sizes.append(len(batch))
        return real(self, batch)

    monkeypatch.setattr(writer.AnswerWriter, "_commit", counting)
    import threading

    threads = [threading.Thread(target=p.call, args=("player:answer", {"question": 0, "choice": 1}))
               for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(sizes) == 12 and stored(app) == 12
