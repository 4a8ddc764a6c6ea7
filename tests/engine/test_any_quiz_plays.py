"""Any quiz ``check_quiz`` accepts plays from the lobby to the podium, whatever the players
answer, and every figure of the game adds up."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.bank import check_quiz
from quizapp.engine import Game, Options, Phase, Rejected
from quizapp.engine.scoring import GRACE, STREAK_CAP

PLAYERS = [f"p{i}" for i in range(5)]


@st.composite
def quiz_data(draw) -> dict:
    """A quiz as a file writes it: any type, 2–4 answers, any right answers, limits and points
    at their bounds, chats of up to 12 messages (reading time before the choices)."""
    kind = draw(st.sampled_from(["quiz", "check"]))
    items = []
    for _ in range(draw(st.integers(1, 8))):
        qtype = draw(st.sampled_from(["single", "truefalse", "multiple", "chat"]
                                     + (["poll"] if kind == "quiz" else [])))
        n = 2 if qtype == "truefalse" else draw(st.integers(2, 4))
        item = {"type": qtype, "text": "Q", "choices": [f"c{i}" for i in range(n)],
                "time_limit": draw(st.sampled_from([5, 6, 20, 119, 120])),
                "points": draw(st.sampled_from([0, 1, 999, 1000, 10000]))}
        if qtype == "multiple":
            item["correct"] = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1)))
        elif qtype != "poll":
            item["correct"] = [draw(st.integers(0, n - 1))]
        if qtype == "chat":
            item["chat"] = [{"from": "A", "text": "m", "mine": draw(st.booleans())}
                            for _ in range(draw(st.integers(1, 12)))]
        items.append(item)
    return {"slug": "q", "title": "Q", "kind": kind, "questions": items}


def any_answer(n: int):
    """What a phone may send: a valid pick, several, or nonsense."""
    return st.one_of(st.integers(0, n - 1), st.lists(st.integers(0, n - 1), min_size=1,
                                                      max_size=n, unique=True),
                     st.integers(-2, 6), st.lists(st.integers(-1, 5), max_size=6), st.none(),
                     st.text(max_size=2))


@settings(max_examples=120, deadline=None)
@given(quiz_data(), st.booleans(), st.integers(0, 3), st.data())
def test_any_valid_quiz_plays_to_the_end_and_adds_up(data, speed, every, draw):
    quiz = check_quiz(data)
    game = Game(quiz.questions, Options(speed_scoring=speed, leaderboard_every=every))
    for pid in PLAYERS:
        game.add_player(pid, f"name {pid}")
    clock = 0.0
    game.start(clock)
    opened, steps = [], 0
    while game.phase is not Phase.OVER:
        steps += 1
        assert steps <= 3 * len(quiz.questions) + 2, "the game does not move on"
        if game.phase is Phase.QUESTION:
            question, index = game.question, game.index
            opened.append(index)
            shown, closes = game.choices_shown_at(), game.closes_at()
            assert shown == game.opened_at + question.reading_time
            assert closes == shown + question.time_limit + GRACE
            n = len(question.choices)
            for pid in PLAYERS:
                if not draw.draw(st.booleans(), label="answers"):
                    continue
                at = shown + draw.draw(st.floats(-1, question.time_limit + GRACE + 1,
                                                 allow_nan=False), label="after")
                pick = draw.draw(any_answer(n), label="pick")
                target = draw.draw(st.sampled_from([index, index, index + 1]), label="index")
                try:
                    answer = game.evaluate(pid, target, pick, at)
                except Rejected as exc:
                    assert exc.code in {"not_accepting", "invalid_choice"}
                    continue
                assert target == index and shown <= at <= closes
                game.record(answer)
            clock = closes + 1
            game.reveal(clock)
        clock += 1
        game.next(clock)

    assert opened == list(range(len(quiz.questions)))  # every question, in order, once
    for player in game.players.values():
        assert player.score == sum(a.points for a in player.answers.values())
        for index, answer in player.answers.items():
            question = quiz.questions[index]
            assert answer.index == index and answer.choice
            assert all(0 <= c < len(question.choices) for c in answer.choice)
            if question.is_poll:
                assert (answer.correct, answer.points) == (None, 0)
            else:
                assert answer.correct == (answer.choice == question.correct)
                if not answer.correct:
                    assert answer.points == 0
                elif question.points:
                    low = round(question.points / 2) if speed else question.points
                    assert low <= answer.points <= question.points + STREAK_CAP
    for index, question in enumerate(quiz.questions):
        answers = [p.answers[index] for p in game.players.values() if index in p.answers]
        assert game.counts[index] == [sum(c in a.choice for a in answers)
                                      for c in range(len(question.choices))]
    standings = game.standings()
    assert sorted(s.player.id for s in standings) == sorted(PLAYERS)
    for before, after in zip(standings, standings[1:]):
        assert before.player.score >= after.player.score
        assert (before.rank == after.rank) == (before.player.score == after.player.score)
