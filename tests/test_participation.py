"""Per-member attendance: 应到/出席/请假/缺席, exact rates, 补学, threshold list."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from domain.participation import (
    AttendanceRecord,
    AttendanceState,
    ParticipationConfig,
    below_threshold,
    summarize,
)
from domain.periods import Period

P, L, A, OBS = (
    AttendanceState.PRESENT,
    AttendanceState.LEAVE,
    AttendanceState.ABSENT,
    AttendanceState.OBSERVER,
)
Q4 = Period.quarter(2026, 4)
DAY0 = date(2026, 10, 1)


pytestmark = pytest.mark.both_engines

def rows(person: str, states: list[AttendanceState], made_up: int = 0) -> list[AttendanceRecord]:
    """One meeting per week from 1 Oct; the first *made_up* non-present rows are made up."""
    out = []
    for i, s in enumerate(states):
        done = s is not P and made_up > 0
        made_up -= done
        out.append(
            AttendanceRecord(
                person_id=person,
                meeting_id=f"m{i}",
                meeting_date=DAY0 + timedelta(weeks=i),
                state=s,
                make_up_done=done,
            )
        )
    return out


def sample() -> list[AttendanceRecord]:
    recs = rows("a", [P] * 7 + [L, L, A], made_up=2)  # 7/10
    recs += rows("b", [P, P, P, P, L])  # 4/5
    recs += rows("c", [OBS, OBS])  # 列席 only
    recs.append(AttendanceRecord(person_id="b", meeting_date=date(2026, 9, 30), state=A))  # Q3
    return recs


def test_counts_and_rates() -> None:
    stats = summarize(sample(), Q4, member_ids=["a", "b", "c", "d"])
    a = stats["a"]
    assert (a.expected, a.present, a.leave, a.absent, a.observer) == (10, 7, 2, 1, 0)
    assert a.rate == Fraction(7, 10)
    assert a.rate_label == "70.0%"
    assert (a.make_ups_owed, a.make_ups_done, a.make_ups_pending) == (3, 2, 1)

    b = stats["b"]  # the 30 Sep absence is outside Q4
    assert (b.expected, b.present, b.leave, b.absent) == (5, 4, 1, 0)
    assert b.rate == Fraction(4, 5)
    assert (b.make_ups_owed, b.make_ups_done) == (1, 0)

    c = stats["c"]
    assert (c.expected, c.observer, c.rate, c.rate_label) == (0, 2, None, "—")
    assert c.make_ups_owed == 0

    d = stats["d"]
    assert (d.expected, d.present, d.rate) == (0, 0, None)


def test_below_default_threshold_is_strict() -> None:
    stats = summarize(sample(), Q4).values()
    low = below_threshold(stats)
    assert [m.person_id for m in low] == ["a"]  # b at exactly 80% is not below


def test_threshold_configurable_and_sorted() -> None:
    stats = summarize(sample(), Q4).values()
    high = ParticipationConfig(threshold_percent=90)
    assert [(m.person_id, m.rate) for m in below_threshold(stats, high)] == [
        ("a", Fraction(7, 10)),
        ("b", Fraction(4, 5)),
    ]
    # Exact arithmetic: 7/10 is not below 70% (0.7 * 10 in floats is 7.000000000000001).
    assert below_threshold(stats, ParticipationConfig(threshold_percent=70)) == []


def test_later_row_for_same_meeting_replaces_earlier() -> None:
    recs = [
        AttendanceRecord(person_id="a", meeting_id="m1", meeting_date=date(2026, 11, 3), state=A),
        AttendanceRecord(person_id="a", meeting_id="m2", meeting_date=date(2026, 11, 10), state=P),
        AttendanceRecord(person_id="a", meeting_id="m1", meeting_date=date(2026, 11, 3), state=P),
    ]
    a = summarize(recs, Q4)["a"]
    assert (a.expected, a.present, a.absent) == (2, 2, 0)


def test_rows_without_meeting_id_are_all_counted() -> None:
    recs = [AttendanceRecord(person_id="a", meeting_date=date(2026, 11, 3), state=P)] * 2
    assert summarize(recs, Q4)["a"].expected == 2


def test_make_up_states_configurable() -> None:
    recs = rows("a", [L, A, A], made_up=1)
    only_absent = ParticipationConfig(make_up_states=frozenset({A}))
    a = summarize(recs, Q4, config=only_absent)["a"]
    # The single make-up was done on the 请假 row, which no longer owes one.
    assert (a.make_ups_owed, a.make_ups_done) == (2, 0)
