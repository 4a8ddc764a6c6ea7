"""The knowledge check: the same few questions before and after the quiz, measured, not scored."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.engine import Game, Phase, Question, QuestionError, Rejected

from .helpers import game, multiple, poll, single

CHECK = [single(1, time_limit=10), single(0, n=2)]
MAIN = [single(1), poll(), multiple((0, 2)), single(3, points=2000), single(0, n=2)]


def with_check(main, check):
    """The session's questions: the check (before), the quiz, the check again (after)."""
    return ([replace(q, part="before", check=k) for k, q in enumerate(check)] + list(main)
            + [replace(q, part="after", check=k) for k, q in enumerate(check)])


def checked_game(main=None, check=None, players=("p1", "p2", "p3"), **options):
    return game(with_check(main or [single(), single(2), single(0)], check or CHECK), players,
                **options)


def play_through(g, now=0.0):
    """Move on to the end; returns the phases the game went through after each question."""
    seen = []
    g.start(now)
    while g.phase is not Phase.OVER:
        seen.append((g.index, g.next(now)))
    return seen


def test_parts_and_places():
    g = checked_game()
    assert g.has_check and g.check_size == 2 and g.total == 7
    assert [g.part(i) for i in range(g.total)] == ["before"] * 2 + ["main"] * 3 + ["after"] * 2
    assert g.part_view(0) == {"part": "before", "part_index": 0, "part_total": 2, "check": 0}
    assert g.part_view(3) == {"part": "main", "part_index": 1, "part_total": 3}
    assert g.part_view(6) == {"part": "after", "part_index": 1, "part_total": 2, "check": 1}


def test_a_session_without_a_check_says_nothing_of_parts():
    g = game()
    g.start(0)
    assert not g.has_check and g.check_size == 0 and g.part(0) == "main"
    assert g.part_view(0) == {}
    assert set(g.question_view()) == {"index", "total", "type", "text", "choices", "time_limit",
                                      "points"}
    g.answer("p1", 0, 1, 1.0)
    g.reveal(2.0)
    assert set(g.reveal_view()) == {"index", "total", "type", "text", "choices", "correct",
                                    "explanation", "counts", "answered", "players"}
    assert g.result_view(g.players["p1"], g.ranks())["correct"] is True
    assert g.check_tally(g.players["p1"]) is None


@pytest.mark.parametrize("questions", [
    [replace(single(), part="before", check=0), single()],  # no after
    [single(), replace(single(), part="before", check=0), replace(single(), part="after", check=0)],
    # no quiz between the two halves
    [replace(single(), part="before", check=0), replace(single(), part="after", check=0)],
    [replace(single(), part="before", check=1), single(), replace(single(), part="after", check=1)],
    [replace(single(), part="before", check=0), replace(single(), part="before", check=1), single(),
     replace(single(), part="after", check=1), replace(single(), part="after", check=0)],
    [replace(single(), part="after", check=0), single(), replace(single(), part="before", check=0)],
])
def test_a_check_is_the_check_the_quiz_the_check(questions):
    with pytest.raises(ValueError):
        Game(questions)


@pytest.mark.parametrize("fields", [{"part": "during", "check": 0}, {"part": "before"},
                                    {"check": 0}, {"part": "after", "check": -1}])
def test_a_check_question_has_a_part_and_a_number(fields):
    with pytest.raises(QuestionError):
        replace(single(), **fields)


def test_parts_survive_the_snapshot():
    q = replace(single(2), part="after", check=3)
    data = q.to_dict()
    assert data["part"] == "after" and data["check"] == 3
    assert Question.from_dict(data) == q
    assert "part" not in single().to_dict() and "check" not in single().to_dict()


def test_check_questions_score_nothing_and_leave_streaks_alone():
    g = checked_game()
    g.start(0)
    before = g.answer("p1", 0, 1, 1.0)  # right
    wrong = g.answer("p2", 0, 0, 1.0)
    assert before.correct is True and before.points == 0 and before.streak == 0
    assert wrong.correct is False and wrong.points == 0
    g.reveal(2)
    g.next(3)  # no leaderboard after a check question
    assert g.index == 1 and g.phase is Phase.QUESTION
    g.reveal(4)  # nobody answered check question 2: no streak is lost
    g.next(5)
    assert g.index == 2 and g.part(2) == "main"
    g.answer("p1", 2, 1, 6.0)  # quiz question 1, right
    g.reveal(7)
    g.next(8)  # leaderboard after every quiz question by default
    assert g.phase is Phase.LEADERBOARD
    g.next(9)
    g.answer("p1", 3, 2, 10.0)  # right again: a streak of 2
    assert g.players["p1"].streak == 2
    g.reveal(11)
    g.next(12), g.next(12)
    g.reveal(13)  # p1 did not answer quiz question 3: the streak goes
    assert g.players["p1"].streak == 0
    score = g.players["p1"].score
    g.next(14)  # the quiz's last question: the check again, no leaderboard
    assert g.part(g.index) == "after" and g.phase is Phase.QUESTION
    g.answer("p1", 5, 1, 15.0)
    g.reveal(16)
    g.next(17)
    g.answer("p1", 6, 0, 18.0)
    assert g.players["p1"].score == score and g.players["p1"].streak == 0
    g.reveal(19)
    assert g.next(20) is Phase.OVER


def test_leaderboards_count_quiz_questions_only():
    g = checked_game(main=[single()] * 4, leaderboard_every=2)
    phases = play_through(g)
    boards = [i for i, p in phases if p is Phase.LEADERBOARD]
    assert boards == [3]  # after the quiz's 2nd question; the 4th is followed by the check
    g = checked_game(main=[single()] * 3, leaderboard_every=0)
    assert Phase.LEADERBOARD not in [p for _, p in play_through(g)]


def test_before_the_quiz_the_answer_stays_hidden():
    g = checked_game()
    g.start(0)
    view = g.question_view()
    assert view["part"] == "before" and view["check"] == 0
    assert "correct" not in view and "explanation" not in view
    g.answer("p1", 0, 1, 1.0)
    g.answer("p2", 0, 2, 1.0)
    g.reveal(2)
    reveal = g.reveal_view()
    assert "correct" not in reveal and "explanation" not in reveal
    assert reveal["answered"] == 2 and reveal["part"] == "before"
    ranks = g.ranks()
    for player in g.players.values():
        result = g.result_view(player, ranks)
        assert result["correct"] is None and result["points"] == 0
    assert g.result_view(g.players["p1"], ranks)["answered"] is True
    assert g.result_view(g.players["p3"], ranks)["answered"] is False


def test_after_the_quiz_the_answer_is_shown():
    g = checked_game()
    g.start(0)
    while g.part(g.index) != "after":
        g.next(1)
    g.answer("p1", g.index, 1, 2.0)
    g.answer("p2", g.index, 0, 2.0)
    g.reveal(3)
    reveal = g.reveal_view()
    assert reveal["correct"] == [1] and reveal["explanation"] == "because"
    assert reveal["part"] == "after" and reveal["check"] == 0
    ranks = g.ranks()
    assert g.result_view(g.players["p1"], ranks)["correct"] is True
    assert g.result_view(g.players["p2"], ranks)["correct"] is False


def test_a_players_tally_and_the_pairs():
    g = checked_game()
    g.start(0)
    g.answer("p1", 0, 0, 1.0)  # check 0 before: wrong
    g.answer("p2", 0, 1, 1.0)  # p2 answers only before
    g.reveal(1)
    g.next(1)
    g.answer("p1", 1, 0, 2.0)  # check 1 before: right
    g.reveal(2)
    while g.part(g.index) != "after":
        g.next(2)
    g.answer("p1", 5, 1, 3.0)  # check 0 after: right
    g.answer("p3", 5, 1, 3.0)  # p3 answers only after
    g.reveal(4)
    g.next(5)
    g.answer("p1", 6, 0, 6.0)  # check 1 after: right
    assert g.check_tally(g.players["p1"]) == {"before": 1, "after": 2, "questions": 2}
    assert g.check_tally(g.players["p3"]) == {"before": 0, "after": 1, "questions": 2}
    before, after = g.check_answers()
    assert before == {("p1", 0): False, ("p1", 1): True, ("p2", 0): True}
    assert after == {("p1", 0): True, ("p3", 0): True, ("p1", 1): True}
    g.remove_player("p1")  # a removed player leaves the measurement
    before, after = g.check_answers()
    assert ("p1", 0) not in before and ("p1", 0) not in after


# ----- properties --------------------------------------------------------------------------------

PLAYERS = [f"p{i}" for i in range(5)]
choice = st.one_of(st.integers(-1, 4), st.lists(st.integers(0, 3), min_size=1, max_size=3))
# times in eighths of a second: exact in binary, so a question's clock reads the same at any offset
answer = st.tuples(st.sampled_from(PLAYERS), choice, st.integers(0, 200).map(lambda n: n / 8))
question_answers = st.lists(answer, max_size=8)


def play(questions, script, **options):
    """Play ``script`` (a list of answers per question, answering the open question) to the end;
    returns the game and every accepted answer with the streak its player had before it."""
    g = game(questions, PLAYERS, **options)
    accepted = []
    clock = 0.0
    g.start(clock)
    for answers in script:
        opened = clock
        for pid, pick, at in sorted(answers, key=lambda a: a[2]):
            streak = g.players[pid].streak
            try:
                accepted.append((g.answer(pid, g.index, pick, opened + at), streak))
            except Rejected:
                pass
        clock += 50
        g.reveal(clock)
        while g.next(clock) is Phase.LEADERBOARD:
            pass
        if g.phase is Phase.OVER:
            break
    return g, accepted


scripts = st.tuples(st.lists(question_answers, min_size=len(CHECK), max_size=len(CHECK)),
                    st.lists(question_answers, min_size=len(MAIN), max_size=len(MAIN)),
                    st.lists(question_answers, min_size=len(CHECK), max_size=len(CHECK)))


@settings(max_examples=150, deadline=None)
@given(scripts, st.booleans(), st.integers(0, 3))
def test_a_check_changes_nothing_of_the_competition(script, speed, every):
    """Whatever is answered before and after, the scores, streaks and ranks are those of the
    same quiz played without the check."""
    before, main, after = script
    checked, _ = play(with_check(MAIN, CHECK), before + main + after, speed_scoring=speed,
                      leaderboard_every=every)
    plain, _ = play(MAIN, main, speed_scoring=speed, leaderboard_every=every)
    assert checked.phase is plain.phase is Phase.OVER
    for pid in PLAYERS:
        assert checked.players[pid].score == plain.players[pid].score
        assert checked.players[pid].streak == plain.players[pid].streak
    assert checked.ranks() == plain.ranks()


@settings(max_examples=150, deadline=None)
@given(scripts)
def test_check_answers_are_measured_never_scored(script):
    """A check answer scores 0, keeps the player's streak as it was and records whether it was
    right; the two halves pair by check number."""
    before, main, after = script
    g, accepted = play(with_check(MAIN, CHECK), before + main + after)
    for result, streak in accepted:
        question = g.questions[result.index]
        if question.is_check:
            assert result.points == 0 and result.streak == streak
            assert result.correct is question.is_correct(result.choice)
    pairs_before, pairs_after = g.check_answers()
    for (pid, k), right in pairs_before.items():
        assert g.players[pid].answers[k].correct is right
    for (pid, k), right in pairs_after.items():
        assert g.players[pid].answers[len(CHECK) + len(MAIN) + k].correct is right


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 7))
def test_no_leaderboard_during_the_check(quiz_size, check_size, every):
    """Leaderboards follow quiz questions only, every ``leaderboard_every`` of them, and never
    the quiz's last one; the check plays straight through on both sides."""
    g = game(with_check([single()] * quiz_size, [single()] * check_size), PLAYERS,
             leaderboard_every=every)
    boards = [i for i, p in play_through(g) if p is Phase.LEADERBOARD]
    expected = [check_size + n for n in range(quiz_size - 1) if every and (n + 1) % every == 0]
    assert boards == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(question_answers, min_size=len(CHECK), max_size=len(CHECK)))
def test_no_before_view_gives_the_answer_away(script):
    """Nothing shown during the check before the quiz (the question, its reveal, each player's
    result) carries the right answer, whether each answer was right, or the explanation."""
    g = game(with_check(MAIN, CHECK), PLAYERS)
    g.start(0.0)
    clock = 0.0
    for answers in script:
        assert g.questions[g.index].part == "before"
        assert "correct" not in g.question_view()
        for pid, pick, at in answers:
            try:
                g.answer(pid, g.index, pick, clock + at)
            except Rejected:
                pass
        clock += 50
        g.reveal(clock)
        view = g.reveal_view()
        assert "correct" not in view and "explanation" not in view
        ranks = g.ranks()
        assert all(g.result_view(p, ranks)["correct"] is None for p in g.players.values())
        g.next(clock)
