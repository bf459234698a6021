"""党员考核 scoring rules (domain.assessment): each rule, its cap, the
deductions and their cap, the clamp, adjustments, 星级 boundaries, the year,
the branch ranking, and the facts read from attendance and dues rows."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from pydantic import ValidationError

from domain.assessment import (
    Adjustment,
    AssessmentConfig,
    AssessmentError,
    MemberFacts,
    PledgeOutcome,
    StarThresholds,
    attendance_facts,
    branch_score,
    dues_facts,
    parse_points,
    parse_quarter,
    quarter_key,
    quarters_assessed,
    rank_branches,
    score_quarter,
    score_year,
)
from domain.dues import make_record, record_payment, waive
from domain.participation import AttendanceRecord, AttendanceState
from domain.periods import Period

Q = "2026Q4"
C = AssessmentConfig()


def facts(**kw: object) -> MemberFacts:
    return MemberFacts(person_id="p", name="张三", **kw)  # type: ignore[arg-type]


def test_defaults_add_up_to_full_marks() -> None:
    s = score_quarter(
        facts(present=10, dues_on_time=3, activities=3, pledge=PledgeOutcome.KEPT), Q
    )
    assert (s.base, s.attendance, s.dues, s.activities, s.pledge) == (60, 20, 6, 6, 8)
    assert s.computed == s.final == 100
    assert s.star == 5


def test_nothing_recorded_is_the_base() -> None:
    s = score_quarter(facts(), Q)
    assert s.computed == 60 and s.deductions == 0 and s.star == 2


@pytest.mark.parametrize(
    ("field", "n", "item", "expected"),
    [
        ("present", 3, "attendance", 6),
        ("present", 10, "attendance", 20),  # exactly the cap
        ("present", 11, "attendance", 20),  # capped
        ("dues_on_time", 2, "dues", 4),
        ("dues_on_time", 4, "dues", 6),
        ("activities", 1, "activities", 2),
        ("activities", 9, "activities", 6),
    ],
)
def test_each_additive_rule_and_its_cap(field: str, n: int, item: str, expected: int) -> None:
    s = score_quarter(facts(**{field: n}), Q)
    assert getattr(s, item) == expected
    assert s.computed == 60 + expected


@pytest.mark.parametrize(
    ("field", "each"),
    [
        ("leave_missed", 1),
        ("absent_made_up", 1),
        ("absent_missed", 3),
        ("dues_late", 1),
        ("dues_unpaid", 2),
    ],
)
def test_each_deduction(field: str, each: int) -> None:
    s = score_quarter(facts(**{field: 2}), Q)
    assert s.deductions == 2 * each
    assert s.computed == 60 - 2 * each
    assert any(line.points == -2 * each for line in s.lines)


def test_leave_made_up_costs_nothing() -> None:
    assert score_quarter(facts(leave_made_up=4), Q).computed == 60


def test_pledge_kept_adds_broken_deducts_unreviewed_is_neutral() -> None:
    assert score_quarter(facts(pledge=PledgeOutcome.KEPT), Q).computed == 68
    broken = score_quarter(facts(pledge=PledgeOutcome.NOT_KEPT), Q)
    assert broken.pledge == 0 and broken.deductions == 4 and broken.computed == 56
    assert score_quarter(facts(pledge=PledgeOutcome.NOT_REVIEWED), Q).computed == 60
    assert score_quarter(facts(pledge=PledgeOutcome.NONE), Q).computed == 60


def test_deductions_are_capped() -> None:
    s = score_quarter(facts(absent_missed=12), Q)  # 36 uncapped
    assert s.deductions_uncapped == 36 and s.deductions == 30
    assert s.computed == 30
    assert any(line.item == "扣分封顶" and line.points == 6 for line in s.lines)


def test_total_is_clamped_at_zero_and_max() -> None:
    low = AssessmentConfig(base_points=10)
    assert score_quarter(facts(absent_missed=10), Q, low).computed == 0
    high = AssessmentConfig(base_points=95)
    assert score_quarter(facts(present=10), Q, high).computed == 100


def test_adjustments_are_added_after_the_computed_score_and_clamped() -> None:
    s = score_quarter(facts(present=5), Q, adjustments=(5, -2))
    assert s.computed == 70 and s.adjustment == 3 and s.final == 73
    top = score_quarter(facts(present=10, dues_on_time=3), Q, adjustments=(20,))
    assert top.computed == 86 and top.final == 100
    bottom = score_quarter(facts(), Q, adjustments=(-50, -50))
    assert bottom.final == 0


def test_config_figures_are_used() -> None:
    cfg = AssessmentConfig(attend_points=5, attend_cap=10, absent_missed_deduct=10)
    s = score_quarter(facts(present=3, absent_missed=1), Q, cfg)
    assert s.attendance == 10 and s.deductions == 10 and s.computed == 60


@pytest.mark.parametrize(
    ("score", "star"),
    [(100, 5), (95, 5), (94, 4), (85, 4), (84, 3), (75, 3), (74, 2), (60, 2), (59, 1), (0, 1)],
)
def test_star_boundaries_are_inclusive(score: int, star: int) -> None:
    assert StarThresholds().star(score) == star


def test_star_thresholds_configurable_and_must_descend() -> None:
    t = StarThresholds(five=90, four=80, three=70, two=50)
    assert t.star(90) == 5 and t.star(Fraction(179, 2)) == 4 and t.star(49) == 1
    with pytest.raises(ValidationError):
        StarThresholds(five=80, four=85)


def test_star_follows_the_final_score() -> None:
    s = score_quarter(facts(present=10, dues_on_time=3), Q, adjustments=(-2,))
    assert s.computed == 86 and s.final == 84 and s.star == 3 and s.star_label == "三星"


def test_year_is_the_mean_of_the_quarters_assessed() -> None:
    qs = [score_quarter(facts(present=n), f"2026Q{i}") for i, n in ((1, 10), (2, 5), (3, 0))]
    y = score_year("p", "张三", 2026, qs)
    assert y.mean == Fraction(80 + 70 + 60, 3) and y.mean_label == "70.0" and y.star == 2
    assert score_year("p", "张三", 2026, []).mean is None


def test_quarters_assessed_are_those_begun() -> None:
    assert [quarter_key(q) for q in quarters_assessed(2026, date(2026, 11, 22))] == [
        "2026Q1", "2026Q2", "2026Q3", "2026Q4",
    ]  # fmt: skip
    assert len(quarters_assessed(2026, date(2026, 4, 1))) == 2
    assert quarters_assessed(2027, date(2026, 11, 22)) == []


def test_branch_ranking_shares_ranks_and_puts_empty_last() -> None:
    a = branch_score("a", "甲支部", [90, 100])
    b = branch_score("b", "乙支部", [95, 95])
    c = branch_score("c", "丙支部", [60])
    d = branch_score("d", "丁支部", [])
    ranked = rank_branches([c, d, a, b])
    assert [(r.name, r.rank) for r in ranked] == [
        ("乙支部", 1), ("甲支部", 1), ("丙支部", 3), ("丁支部", 0),
    ]  # fmt: skip
    assert a.mean == 95 and a.star == 5 and a.five_star == 1 and b.five_star == 2
    assert c.star_label == "二星" and d.star_label == "—"


def test_attendance_facts_split_leave_and_absence_by_make_up() -> None:
    day = date(2026, 10, 9)
    rows = [
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.PRESENT,
                         meeting_id="m1"),
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.LEAVE,
                         meeting_id="m2"),
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.LEAVE,
                         make_up_done=True, meeting_id="m3"),
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.ABSENT,
                         meeting_id="m4"),
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.ABSENT,
                         make_up_done=True, meeting_id="m5"),
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.OBSERVER,
                         meeting_id="m6"),
        # A later row for m4 replaces the earlier one.
        AttendanceRecord(person_id="p", meeting_date=day, state=AttendanceState.PRESENT,
                         meeting_id="m4"),
    ]  # fmt: skip
    got = attendance_facts(rows)["p"]
    assert got == {
        "present": 2, "leave_made_up": 1, "leave_missed": 1,
        "absent_made_up": 1, "absent_missed": 0,
    }  # fmt: skip


def test_dues_facts_on_time_late_unpaid_and_running_month() -> None:
    today = date(2026, 11, 22)
    on_time = record_payment(make_record("p", date(2026, 10, 1), 500_000), 7500, date(2026, 10, 5))
    late = record_payment(make_record("p", date(2026, 9, 1), 500_000), 7500, date(2026, 10, 5))
    waived = waive(make_record("p", date(2026, 8, 1), 500_000), "困难")
    unpaid = make_record("p", date(2026, 7, 1), 500_000)
    running = make_record("p", date(2026, 11, 1), 500_000)  # not late yet
    no_base = make_record("p", date(2026, 6, 1), 0)
    got = dues_facts([on_time, late, waived, unpaid, running, no_base], today)["p"]
    assert got == {"dues_on_time": 2, "dues_late": 1, "dues_unpaid": 1}


def test_parse_points_and_quarter() -> None:
    assert parse_points("+5") == 5 and parse_points("－３") == -3 and parse_points("2分") == 2
    for bad in ("", "0", "abc", "51", "1.5"):
        with pytest.raises(AssessmentError):
            parse_points(bad)
    assert quarter_key(parse_quarter("2026年第四季度")) == "2026Q4"
    with pytest.raises(AssessmentError):
        parse_quarter("2026-11")
    with pytest.raises(AssessmentError):
        quarter_key(Period.year(2026))


def test_adjustment_requires_reason_and_nonzero_points() -> None:
    base = {"person_id": "p", "person_name": "张三", "branch_id": "b", "quarter": Q}
    with pytest.raises(ValidationError):
        Adjustment(**base, points=2, reason="  ")
    with pytest.raises(ValidationError):
        Adjustment(**base, points=0, reason="表现突出")
    assert Adjustment(**base, points=-2, reason="迟到").points == -2
