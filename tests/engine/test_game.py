import pytest

from quizapp.engine import Game, Options, Phase, Rejected
from quizapp.engine.scoring import GRACE

from .helpers import game, multiple, poll, single


def test_a_whole_game():
    g = game()
    g.start(0.0)
    assert g.phase is Phase.QUESTION and g.index == 0
    g.answer("p1", 0, 1, 1.0)
    g.answer("p2", 0, 0, 1.0)
    assert not g.all_answered()
    g.answer("p3", 0, 1, 5.0)
    assert g.all_answered()
    g.reveal(5.0)
    assert g.counts[0] == [1, 2, 0, 0]
    assert g.next(6.0) is Phase.LEADERBOARD
    assert g.next(7.0) is Phase.QUESTION and g.index == 1
    g.reveal(8.0)
    g.next(9.0)
    g.next(9.0)
    assert g.index == 2
    g.reveal(10.0)
    assert g.next(11.0) is Phase.OVER


def test_leaderboard_every_two_and_only_at_end():
    g = game(questions=[single()] * 4, leaderboard_every=2)
    g.start(0)
    phases = []
    while g.phase is not Phase.OVER:
        phases.append(g.next(1))
    assert phases == [Phase.REVEAL, Phase.QUESTION, Phase.REVEAL, Phase.LEADERBOARD,
                      Phase.QUESTION, Phase.REVEAL, Phase.QUESTION, Phase.REVEAL, Phase.OVER]
    g = game(questions=[single()] * 3, leaderboard_every=0)
    g.start(0)
    seen = set()
    while g.phase is not Phase.OVER:
        seen.add(g.next(1))
    assert Phase.LEADERBOARD not in seen


def test_faster_correct_answer_scores_more():
    g = game()
    g.start(0)
    fast = g.answer("p1", 0, 1, 1.0)
    slow = g.answer("p2", 0, 1, 15.0)
    wrong = g.answer("p3", 0, 3, 0.5)
    assert fast.points > slow.points >= 500
    assert wrong.points == 0 and wrong.correct is False


def test_speed_scoring_off_gives_fixed_points():
    g = game(speed_scoring=False)
    g.start(0)
    assert g.answer("p1", 0, 1, 1.0).points == g.answer("p2", 0, 1, 19.0).points == 1000


def test_late_answer_refused_after_grace():
    g = game()
    g.start(0)
    g.answer("p1", 0, 1, 20 + GRACE - 0.01)
    with pytest.raises(Rejected) as err:
        g.answer("p2", 0, 1, 20 + GRACE + 0.01)
    assert err.value.code == "not_accepting"


def test_answer_to_other_question_refused():
    g = game()
    g.start(0)
    for index in (1, -1, 99, "0", None, 0.0, True):
        with pytest.raises(Rejected) as err:
            g.answer("p1", index, 1, 1)
        assert err.value.code == "not_accepting"


@pytest.mark.parametrize("choice", [4, -1, "1", None, [], [1, 1], [0, 1], 1.0, True, {"a": 1}])
def test_invalid_choice_for_single(choice):
    g = game()
    g.start(0)
    with pytest.raises(Rejected) as err:
        g.answer("p1", 0, choice, 1)
    assert err.value.code == "invalid_choice"
    assert g.players["p1"].answers == {}


def test_duplicate_and_changed_answers():
    g = game()
    g.start(0)
    first = g.answer("p1", 0, 1, 1)
    again = g.evaluate("p1", 0, 1, 2)
    assert again is first and g.is_duplicate(again)
    with pytest.raises(Rejected) as err:
        g.evaluate("p1", 0, 2, 2)
    assert err.value.code == "already_answered"
    g.record(again)
    assert g.players["p1"].score == first.points
    g.reveal(3)
    # the same answer retried after the question closed is still recognised as a repeat
    assert g.evaluate("p1", 0, 1, 30) is first


def test_multiple_select_all_or_nothing():
    g = game(questions=[multiple((0, 2))])
    g.start(0)
    assert g.answer("p1", 0, [2, 0], 1).correct is True
    assert g.answer("p2", 0, [0], 1).correct is False
    assert g.answer("p3", 0, [0, 1, 2], 1).correct is False
    assert g.counts[0] == [3, 1, 2, 0]


def test_poll_scores_nothing_and_keeps_streak():
    g = game(questions=[single(), poll(), single()])
    g.start(0)
    g.answer("p1", 0, 1, 1)
    assert g.players["p1"].streak == 1
    g.next(2)  # reveal
    g.next(2)  # leaderboard
    g.next(2)  # poll
    a = g.answer("p1", 1, 0, 3)
    assert a.points == 0 and a.correct is None
    g.reveal(4)
    assert g.players["p1"].streak == 1
    g.next(5)
    g.next(5)
    assert g.answer("p1", 2, 1, 6).streak == 2


def test_streak_resets_on_wrong_and_on_no_answer():
    g = game(questions=[single(1)] * 4)
    g.start(0)
    g.answer("p1", 0, 1, 1)
    g.answer("p2", 0, 1, 1)
    g.next(2), g.next(2), g.next(2)
    assert g.answer("p1", 1, 1, 3).streak == 2
    assert g.answer("p2", 1, 0, 3).streak == 0
    g.next(4), g.next(4), g.next(4)
    g.reveal(5)  # p1 does not answer
    assert g.players["p1"].streak == 0


def test_chat_scenario_accepts_answers_only_after_the_messages():
    from quizapp.engine import ChatMessage, Question, QuestionType

    q = Question(QuestionType.CHAT, "what now?", ("a", "b"), frozenset({1}), 20, 1000, "",
                 (ChatMessage("x", "hi"), ChatMessage("x", "send money")))
    g = game(questions=[q])
    g.start(0)
    with pytest.raises(Rejected):
        g.answer("p1", 0, 1, q.reading_time - 0.1)
    assert g.answer("p1", 0, 1, q.reading_time + 0.1).points == 1000
    assert g.deadline() == q.reading_time + 20


def test_join_rules():
    g = game(players=("p1",))
    with pytest.raises(Rejected) as err:
        g.add_player("p2", "NAME  P1")
    assert err.value.code == "nickname_taken"
    g.start(0)
    g.add_player("late", "latecomer")  # late join allowed by default
    assert g.answer("late", 0, 1, 1).correct
    g.end(2)
    with pytest.raises(Rejected) as err:
        g.add_player("p3", "after")
    assert err.value.code == "game_over"


def test_late_join_off():
    g = game(players=("p1",), late_join=False)
    g.start(0)
    with pytest.raises(Rejected) as err:
        g.add_player("p2", "late")
    assert err.value.code == "late_join_closed"


def test_kicked_player_frees_the_name_and_cannot_answer():
    g = game()
    g.start(0)
    g.remove_player("p1")
    with pytest.raises(Rejected):
        g.answer("p1", 0, 1, 1)
    g.add_player("p9", "name p1")
    g.answer("p2", 0, 1, 1)
    g.answer("p3", 0, 1, 1)
    assert not g.all_answered()  # p9 still to answer
    g.answer("p9", 0, 1, 1)
    assert g.all_answered()


def test_ranks_share_ties():
    g = game(questions=[single()], players=("a", "b", "c", "d"), speed_scoring=False)
    g.start(0)
    g.answer("b", 0, 1, 1)
    g.answer("c", 0, 1, 1)
    g.answer("d", 0, 0, 1)
    ranks = g.ranks()
    assert ranks == {"b": 1, "c": 1, "a": 3, "d": 3}
    assert [s.player.id for s in g.standings()] == ["b", "c", "a", "d"]


def test_flow_errors():
    g = game()
    with pytest.raises(Rejected):
        g.reveal(0)
    g.start(0)
    with pytest.raises(Rejected) as err:
        g.start(1)
    assert err.value.code == "already_started"
    g.end(2)
    with pytest.raises(Rejected):
        g.next(3)
    with pytest.raises(Rejected):
        g.end(3)


def test_a_game_needs_questions():
    with pytest.raises(ValueError):
        Game([], Options())


def test_competition_ranks():
    from quizapp.engine.game import competition_ranks

    assert competition_ranks([]) == []
    assert competition_ranks([900, 500, 500, 100, 100, 0]) == [1, 2, 2, 4, 4, 6]
