import pytest

from quizapp.engine.scoring import (GRACE, LATENCY_ALLOWANCE, STREAK_CAP, answer_points,
                                    speed_points, streak_bonus)


def test_instant_answer_earns_full_points():
    assert speed_points(1000, 0.0, 20) == 1000


def test_latency_allowance_is_forgiven():
    assert speed_points(1000, LATENCY_ALLOWANCE, 20) == 1000
    assert speed_points(1000, LATENCY_ALLOWANCE + 2, 20) == 950


def test_answer_at_the_deadline_earns_half():
    assert speed_points(1000, 20 + LATENCY_ALLOWANCE, 20) == 500
    # inside the grace period the answer is still worth the minimum, never less
    assert speed_points(1000, 20 + GRACE, 20) == 500


@pytest.mark.parametrize("streak, bonus", [(0, 0), (1, 0), (2, 100), (3, 200), (6, 500), (40, STREAK_CAP)])
def test_streak_bonus(streak, bonus):
    assert streak_bonus(streak) == bonus


def test_fixed_points_ignore_speed():
    assert answer_points(1000, 0.1, 20, 1, speed_scoring=False) == 1000
    assert answer_points(1000, 19.0, 20, 1, speed_scoring=False) == 1000
    assert answer_points(1000, 19.0, 20, 3, speed_scoring=False) == 1200


def test_zero_point_question_scores_nothing_even_with_a_streak():
    assert answer_points(0, 1, 20, 5, speed_scoring=True) == 0
