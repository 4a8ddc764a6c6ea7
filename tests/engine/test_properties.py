"""Properties that hold for any sequence of answers."""
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.engine import Phase, Rejected
from quizapp.engine.scoring import GRACE

from .helpers import game, multiple, poll, single

QUESTIONS = [single(1), poll(), multiple((0, 2)), single(3, points=2000), single(0, n=2)]
PLAYERS = [f"p{i}" for i in range(6)]

choice = st.one_of(st.integers(-2, 5), st.lists(st.integers(-1, 4), max_size=5), st.none(),
                   st.text(max_size=3))
answer = st.tuples(st.sampled_from(PLAYERS), st.integers(-1, 5), choice,
                   st.floats(0, 40, allow_nan=False))
rounds = st.lists(st.lists(answer, max_size=12), min_size=len(QUESTIONS), max_size=len(QUESTIONS))


def play(script, speed_scoring=True):
    """Play the script; returns the game and the answers accepted, in order."""
    g = game(QUESTIONS, PLAYERS, speed_scoring=speed_scoring, leaderboard_every=0)
    accepted = []
    clock = 0.0
    g.start(clock)
    for question_answers in script:
        opened = clock
        for pid, index, pick, at in sorted(question_answers, key=lambda a: a[3]):
            try:
                result = g.evaluate(pid, index, pick, opened + at)
            except Rejected:
                continue
            if not g.is_duplicate(result):
                g.record(result)
                accepted.append((result, opened, g.question, dict((p.id, p.streak) for p in g.players.values())))
        clock += 50
        if g.phase is Phase.QUESTION:
            g.reveal(clock)
        g.next(clock)
    return g, accepted


@settings(max_examples=150, deadline=None)
@given(rounds, st.booleans())
def test_scores_never_negative_and_equal_the_sum_of_points(script, speed):
    g, accepted = play(script, speed)
    for p in g.players.values():
        assert p.score >= 0
        assert p.score == sum(a.points for a in p.answers.values())


@settings(max_examples=150, deadline=None)
@given(rounds)
def test_ranks_consistent_with_scores(script):
    g, _ = play(script)
    standings = g.standings()
    for a, b in zip(standings, standings[1:]):
        assert a.player.score >= b.player.score
        assert (a.rank == b.rank) == (a.player.score == b.player.score)
        assert a.rank <= b.rank
    if standings:
        assert standings[0].rank == 1


@settings(max_examples=150, deadline=None)
@given(rounds)
def test_no_points_after_the_deadline_and_polls_score_nothing(script):
    g, accepted = play(script)
    for result, opened, question, _ in accepted:
        assert opened + result.elapsed <= opened + question.time_limit + GRACE
        if question.is_poll:
            assert result.points == 0 and result.correct is None
        if not result.correct:
            assert result.points == 0


@settings(max_examples=150, deadline=None)
@given(rounds)
def test_streak_resets_on_wrong_answer(script):
    g, accepted = play(script)
    for result, _, question, streaks in accepted:
        if result.correct is False:
            assert result.streak == 0 and streaks[result.player_id] == 0


@settings(max_examples=100, deadline=None)
@given(rounds)
def test_one_answer_per_player_and_question(script):
    g, accepted = play(script)
    keys = [(r.player_id, r.index) for r, *_ in accepted]
    assert len(keys) == len(set(keys))
    for index, counts in g.counts.items():
        answers = [a for p in g.players.values() for a in p.answers.values() if a.index == index]
        assert sum(counts) == sum(len(a.choice) for a in answers)


step = st.one_of(answer, st.tuples(st.just("kick"), st.sampled_from(PLAYERS)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(step, max_size=14), min_size=2, max_size=len(QUESTIONS)))
def test_progress_counts_agree_with_the_players(script):
    """The answered count and "all answered" kept as players answer and are kicked agree with
    counting the active players one by one."""
    g = game(QUESTIONS, PLAYERS, leaderboard_every=0)
    g.start(0.0)
    clock = 0.0
    for question_steps in script:
        for item in question_steps:
            if item[0] == "kick":
                try:
                    g.remove_player(item[1])
                except Rejected:
                    pass
            else:
                pid, index, pick, at = item
                try:
                    g.answer(pid, g.index if index < 0 else index, pick, clock + at)
                except Rejected:
                    pass
            active = [p for p in g.players.values() if p.active]
            answered = sum(1 for p in active if g.index in p.answers)
            assert g.active_count == len(active)
            assert g.answered_count() == answered
            assert g.all_answered() == (bool(active) and answered == len(active))
        clock += 50
        if g.phase is Phase.QUESTION:
            g.reveal(clock)
        if g.next(clock) is Phase.OVER:
            break
