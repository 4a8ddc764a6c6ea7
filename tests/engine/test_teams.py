"""Team mode and a session's timing: teams of pupils sharing a phone, the discussion time before
answers open, time limits multiplied for a class that needs it, and questions with no timer."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.engine import (DISCUSSION_CHOICES, TIME_FACTORS, ChatMessage, Game, Options, Phase,
                            Question, QuestionType, Rejected, generate_team_name,
                            validate_nickname)
from quizapp.engine.nicknames import (MAX_LENGTH, TEAM_NAMES_EN, TEAM_NAMES_VI, TEAM_TRAITS_EN,
                                      TEAM_TRAITS_VI)
from quizapp.engine.scoring import GRACE, LATENCY_ALLOWANCE, streak_bonus

from .helpers import game, poll, single


def chat(time_limit=20):
    return Question(QuestionType.CHAT, "what now?", ("reply", "block"), frozenset({1}),
                    time_limit, 1000, "block",
                    chat=(ChatMessage("Stranger", "hi"), ChatMessage("Stranger", "send a photo")))


def team_game(**options):
    g = Game([single(1), single(2), single(0)], Options(team_mode=True, **options))
    return g


# ----- options ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [{"discussion": 5}, {"discussion": 30}, {"discussion": True},
                                 {"discussion": -10}, {"time_factor": 3}, {"time_factor": 0},
                                 {"time_factor": True}, {"time_factor": 1.25}])
def test_options_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        Options(**bad)


def test_the_allowed_timings():
    assert DISCUSSION_CHOICES == (0, 10, 15, 20) and TIME_FACTORS == (1, 1.5, 2)
    for d in DISCUSSION_CHOICES:
        for f in TIME_FACTORS:
            Options(discussion=d, time_factor=f, no_timer=True)


# ----- teams -----------------------------------------------------------------------------------

@pytest.mark.parametrize("members", [1, 2, 3, 6])
def test_a_team_is_its_members(members):
    g = team_game()
    player = g.add_player("t1", "Đội Sao Biển", members=members)
    assert player.members == members and g.pupil_count == members


def test_a_team_without_a_count_is_one_pupil():
    g = team_game()
    assert g.add_player("t1", "Đội Sao Biển").members == 1


@pytest.mark.parametrize("bad", [0, 7, -1, 100, 2.0, 2.5, "3", True, False, [3], {"n": 3}, ""])
def test_members_out_of_range_or_not_an_integer_are_refused(bad):
    g = team_game()
    with pytest.raises(Rejected) as refused:
        g.add_player("t1", "Đội Sao Biển", members=bad)
    assert refused.value.code == "members_invalid"
    assert g.players == {} and g.pupil_count == 0 and g.active_count == 0
    g.add_player("t1", "Đội Sao Biển", members=3)  # the name was not taken by the refusal


@pytest.mark.parametrize("anything", [5, 0, "garbage", None, [1, 2], 2.5])
def test_without_team_mode_every_phone_is_one_pupil(anything):
    g = game(players=())
    assert g.add_player("p1", "Cú Mèo", members=anything).members == 1
    assert g.pupil_count == 1


def test_pupils_follow_joins_removals_and_restores():
    g = team_game()
    g.add_player("a", "Đội A", members=3)
    g.add_player("b", "Đội B", members=5)
    g.add_player("c", "Đội C", members=1)
    assert (g.active_count, g.pupil_count) == (3, 9)
    g.remove_player("b")
    assert (g.active_count, g.pupil_count) == (2, 4)
    again = team_game()
    for p in g.players.values():
        again.restore_player(p)
    assert (again.active_count, again.pupil_count) == (2, 4)


def test_team_names_follow_the_nickname_rules():
    g = team_game()
    g.add_player("a", "Đội Sao Biển", members=2)
    with pytest.raises(Rejected) as taken:
        g.add_player("b", "doi sao bien", members=4)  # the same name, without accents or case
    assert taken.value.code == "nickname_taken"


def test_generated_team_names_are_friendly_valid_and_fit():
    rng = random.Random(7)
    for language, word in (("vi", "Đội "), ("en", "Team ")):
        names = {generate_team_name(language, rng) for _ in range(400)}
        assert len(names) > 30  # enough for a class of teams
        for name in names:
            assert name.startswith(word) and len(name) <= MAX_LENGTH
            assert validate_nickname(name) == name
    # every name the generator can make (with or without a trait) passes the filter
    for names, traits, word in ((TEAM_NAMES_VI, TEAM_TRAITS_VI, "Đội"),
                                (TEAM_NAMES_EN, TEAM_TRAITS_EN, "Team")):
        for n in names:
            assert validate_nickname(f"{word} {n}")
            for t in traits:
                for candidate in (f"{word} {n} {t}", f"{word} {t} {n}"):
                    if len(candidate) <= MAX_LENGTH:
                        assert validate_nickname(candidate) == candidate


def test_teams_score_and_rank_like_players():
    g = team_game(speed_scoring=False)
    g.add_player("a", "Đội A", members=3)
    g.add_player("b", "Đội B", members=2)
    g.start(0.0)
    g.answer("a", 0, 1, 1.0)
    g.answer("b", 0, 0, 1.0)
    assert [s.player.id for s in g.standings()] == ["a", "b"]
    assert g.players["a"].score == 1000 and g.players["b"].score == 0


# ----- the discussion --------------------------------------------------------------------------

@pytest.mark.parametrize("discussion", [10, 15, 20])
def test_answers_open_after_the_discussion(discussion):
    g = game([single(1, time_limit=20)], discussion=discussion)
    g.start(100.0)
    assert g.answers_open_at() == 100.0 + discussion
    assert g.deadline() == 100.0 + discussion + 20
    assert g.closes_at() == 100.0 + discussion + 20 + GRACE
    with pytest.raises(Rejected) as early:
        g.evaluate("p1", 0, 1, 100.0 + discussion - 0.01)
    assert (early.value.code, early.value.reason) == ("not_accepting", "discussion")
    assert not g.is_accepting(0, 100.0)
    answer = g.answer("p1", 0, 1, 100.0 + discussion)
    assert answer.elapsed == 0 and answer.points == 1000  # the time taken counts from then
    late = 100.0 + discussion + 20 + GRACE + 0.01
    with pytest.raises(Rejected) as closed:
        g.evaluate("p2", 0, 1, late)
    assert (closed.value.code, closed.value.reason) == ("not_accepting", "time_up")


def test_a_chat_plays_then_the_discussion_then_the_countdown():
    q = chat(time_limit=20)
    g = game([q], discussion=10)
    g.start(0.0)
    reasons = {}
    for at in (0.5, q.reading_time + 0.5, q.reading_time + 10.5):
        try:
            g.evaluate("p1", 0, 1, at)
        except Rejected as exc:
            reasons[at] = exc.reason
        else:
            reasons[at] = None
    assert list(reasons.values()) == ["reading", "discussion", None]
    assert g.deadline() == q.reading_time + 10 + 20


def test_the_discussion_is_in_every_question_view_and_absent_without_one():
    g = game([single()], discussion=15)
    g.start(0.0)
    view = g.question_view()
    assert view["discussion"] == 15 and "no_timer" not in view
    plain = game([single()])
    plain.start(0.0)
    assert "discussion" not in plain.question_view() and "no_timer" not in plain.question_view()
    assert "correct" not in view


def test_a_question_restored_in_its_discussion_keeps_its_clock():
    g = game([single(1), single(2)], discussion=10)
    g.restore_phase(Phase.QUESTION, 1, opened_at=50.0)
    assert g.answers_open_at() == 60.0
    with pytest.raises(Rejected):
        g.evaluate("p1", 1, 2, 55.0)
    assert g.answer("p1", 1, 2, 61.0).correct


# ----- time for a class that needs it ---------------------------------------------------------

@pytest.mark.parametrize("factor", [1, 1.5, 2])
def test_every_time_limit_is_multiplied(factor):
    g = game([single(time_limit=20), single(time_limit=10)], time_factor=factor)
    g.start(0.0)
    assert g.question_view()["time_limit"] == 20 * factor
    assert g.deadline() == 20 * factor
    assert g.is_accepting(0, 20 * factor + GRACE) and not g.is_accepting(0, 20 * factor + GRACE + 0.1)


def test_speed_scoring_measures_against_the_longer_time():
    g = game([single(1, time_limit=20)], time_factor=2)
    g.start(0.0)
    # a quarter of 40 s (plus the latency allowance): 7/8 of the points, not 3/4 as with 20 s
    answer = g.answer("p1", 0, 1, 10.0 + LATENCY_ALLOWANCE)
    assert answer.points == 875


def test_without_a_timer_a_question_stays_open_and_every_right_answer_scores_in_full():
    g = game([single(1, time_limit=5), single(2, time_limit=5)], no_timer=True, discussion=10,
             speed_scoring=True, leaderboard_every=0)
    g.start(0.0)
    assert g.deadline() is None and g.closes_at() is None and g.time_left(3.0) is None
    assert g.question_view()["no_timer"] is True
    with pytest.raises(Rejected):
        g.evaluate("p1", 0, 1, 9.0)  # the discussion still holds
    first = g.answer("p1", 0, 1, 10_000.0)  # hours later: still open
    assert first.points == 1000
    g.answer("p2", 0, 1, 10.0)
    g.reveal(10_001.0)
    g.next(10_002.0)
    assert g.answer("p1", 1, 2, 20_000.0).points == 1000 + streak_bonus(2)
    assert not g.is_accepting(0, 20_000.0)  # a revealed question is closed, timer or not


def test_a_timed_session_still_closes():
    g = game([single(time_limit=5)])
    g.start(0.0)
    assert g.time_left(2.0) == 3.0 and g.closes_at() == 5 + GRACE


# ----- properties ------------------------------------------------------------------------------

timing = st.fixed_dictionaries({
    "discussion": st.sampled_from(DISCUSSION_CHOICES),
    "time_factor": st.sampled_from(TIME_FACTORS),
    "no_timer": st.booleans(),
    "speed_scoring": st.booleans(),
})
attempts = st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from([0, 1]),
                              st.floats(0, 120, allow_nan=False)), max_size=15)


@settings(max_examples=200, deadline=None)
@given(timing, attempts, st.booleans())
def test_an_answer_counts_only_inside_its_window_and_never_scores_more_than_in_full(
        options, script, with_chat):
    first = chat(time_limit=10) if with_chat else single(1, time_limit=10)
    g = game([first, poll()], leaderboard_every=0, **options)
    g.start(0.0)
    q = g.question
    opens = q.reading_time + options["discussion"]
    closes = None if options["no_timer"] else opens + 10 * options["time_factor"] + GRACE
    for pid, choice, at in sorted(script, key=lambda a: a[2]):
        inside = at >= opens and (closes is None or at <= closes)
        try:
            answer = g.evaluate(pid, 0, choice, at)
        except Rejected as exc:
            if exc.code == "not_accepting":
                assert not inside
                assert exc.reason == ("reading" if at < q.reading_time else
                                      "discussion" if at < opens else "time_up")
            continue
        if g.is_duplicate(answer):
            continue
        assert inside
        assert answer.elapsed == at - opens >= 0
        g.record(answer)
        full = q.points + streak_bonus(answer.streak)
        if not answer.correct:
            assert answer.points == 0
        elif options["no_timer"] or not options["speed_scoring"]:
            assert answer.points == full  # nothing to race against: full points
        else:
            assert q.points // 2 + streak_bonus(answer.streak) <= answer.points <= full
    for player in g.players.values():
        assert player.score == sum(a.points for a in player.answers.values())
