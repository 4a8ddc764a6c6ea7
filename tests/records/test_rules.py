"""The records' rules in plain Python: days in Vietnam, campaign windows, coverage, and the
knowledge check's pairing (hand-computed cases, then properties)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.records.rules import accuracy, check_gain, in_window, local_day, unit_covered

VN = "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize("utc, day", [
    (datetime(2025, 11, 30, 16, 59), date(2025, 11, 30)),  # 23:59 in Vietnam
    (datetime(2025, 11, 30, 17, 0), date(2025, 12, 1)),  # midnight in Vietnam
    (datetime(2025, 10, 5, 17, 30), date(2025, 10, 6)),  # 00:30 on the first day of 2025's window
])
def test_a_session_belongs_to_its_day_in_vietnam(utc, day):
    assert local_day(utc, VN) == day


@pytest.mark.parametrize("day, inside", [
    (date(2025, 10, 5), False), (date(2025, 10, 6), True), (date(2025, 11, 30), True),
    (date(2025, 12, 1), False)])
def test_a_campaign_window_holds_its_first_and_last_day(day, inside):
    assert in_window(day, date(2025, 10, 6), date(2025, 11, 30)) is inside


@pytest.mark.parametrize("sessions, covered", [
    ([], False),
    ([(False, 40)], False),  # remote only
    ([(True, 0)], False),  # in person, but nobody played
    ([(False, 40), (True, 0), (True, 1)], True),
])
def test_a_unit_is_covered_by_an_in_person_session_somebody_played(sessions, covered):
    assert unit_covered(sessions) is covered


def test_the_gain_pairs_the_same_pupils_on_the_same_questions():
    # three pupils, two check questions
    before = {("an", 0): False, ("an", 1): False, ("binh", 0): True, ("binh", 1): False,
              ("chi", 0): False}  # chi left before the end
    after = {("an", 0): True, ("an", 1): True, ("binh", 0): True, ("binh", 1): True,
             ("dung", 0): True}  # dung arrived late
    gain = check_gain(before, after, questions=2)
    assert gain.answers == 4  # an and binh, twice each
    assert gain.before == 0.25 and gain.after == 1.0 and gain.gain == 0.75
    assert gain.questions == ((0.5, 1.0, 2), (0.0, 1.0, 2))


def test_no_pairs_no_gain():
    gain = check_gain({("an", 0): True}, {("binh", 0): True}, questions=1)
    assert (gain.before, gain.after, gain.answers, gain.gain) == (None, None, 0, None)
    assert gain.questions == ((None, None, 0),)


answers = st.dictionaries(st.tuples(st.sampled_from("abcdef"), st.integers(0, 4)), st.booleans(),
                          max_size=30)


@given(before=answers, after=answers)
def test_gain_is_after_minus_before_over_the_pairs(before, after):
    gain = check_gain(before, after, questions=5)
    pairs = before.keys() & after.keys()
    assert gain.answers == len(pairs) == sum(q[2] for q in gain.questions)
    if pairs:
        b = sum(before[k] for k in pairs) / len(pairs)
        a = sum(after[k] for k in pairs) / len(pairs)
        assert gain.gain == pytest.approx(a - b, abs=0.001)
        assert -1 <= gain.gain <= 1
    # answers without a partner never move the figures
    lone = {("z", 0): True}
    assert check_gain({**before, **lone}, after, questions=5) == gain


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_accuracy_is_a_share(correct, answered):
    value = accuracy(min(correct, answered), answered)
    assert value is None if answered == 0 else 0 <= value <= 1
