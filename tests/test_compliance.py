"""Periods and compliance against the frequencies (docs/RULES.md#frequencies)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.compliance import (
    BranchInfo,
    Cadence,
    ComplianceConfig,
    ComplianceStatus,
    HeldActivity,
    RequirementResult,
    default_requirements,
    evaluate,
    slot_required,
    slots_for,
)
from domain.periods import (
    Period,
    PeriodKind,
    PeriodParseError,
    add_months,
    month_of,
    months_between,
    parse_period,
    quarter_of,
)

pytestmark = pytest.mark.both_engines

S = ComplianceStatus

# ---------------------------------------------------------------- periods


def test_parse_quarter() -> None:
    p = parse_period("2026Q4")
    assert (p.start, p.end, p.kind, p.label) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
        PeriodKind.QUARTER,
        "2026Q4",
    )
    assert parse_period("２０２６ｑ１") == Period.quarter(2026, 1)
    assert parse_period("2026年第四季度") == Period.quarter(2026, 4)
    assert parse_period("2026年第2季度").label == "2026Q2"


def test_parse_month_and_year() -> None:
    p = parse_period("2026-11")
    assert (p.start, p.end, p.label) == (date(2026, 11, 1), date(2026, 11, 30), "2026年11月")
    assert parse_period("2026年2月") == Period.month(2026, 2)
    assert Period.month(2028, 2).end == date(2028, 2, 29)
    y = parse_period("2026")
    assert (y.start, y.end, y.label, y.kind) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        "2026年",
        PeriodKind.YEAR,
    )
    assert parse_period("2026年") == y


@pytest.mark.parametrize("bad", ["", "2026-13", "2026Q5", "26Q1", "abc"])
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(PeriodParseError):
        parse_period(bad)


def test_period_contents() -> None:
    q4 = Period.quarter(2026, 4)
    assert [m.label for m in q4.months()] == ["2026年10月", "2026年11月", "2026年12月"]
    assert [q.label for q in Period.year(2026).quarters()] == [
        "2026Q1",
        "2026Q2",
        "2026Q3",
        "2026Q4",
    ]
    assert q4.contains(date(2026, 12, 31)) and not q4.contains(date(2027, 1, 1))
    assert q4.days == 92
    assert quarter_of(date(2026, 9, 30)).label == "2026Q3"
    assert quarter_of(date(2026, 10, 1)).label == "2026Q4"
    assert month_of(date(2026, 2, 14)).end == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 5), -1) == date(2025, 12, 1)
    assert months_between(date(2026, 3, 31), date(2026, 9, 1)) == 6
    with pytest.raises(ValueError, match="结束日期不能早于开始日期"):
        Period(start=date(2026, 2, 1), end=date(2026, 1, 1))


def test_slots_for_half_year_and_custom_range() -> None:
    custom = Period.between(date(2026, 5, 20), date(2026, 8, 3))
    assert [s.label for s in slots_for(custom, Cadence.MONTHLY)] == [
        "2026年5月",
        "2026年6月",
        "2026年7月",
        "2026年8月",
    ]
    assert [s.label for s in slots_for(custom, Cadence.HALF_YEARLY)] == [
        "2026年上半年",
        "2026年下半年",
    ]
    assert [s.label for s in slots_for(custom, Cadence.QUARTERLY)] == ["2026Q2", "2026Q3"]


# ---------------------------------------------------------------- compliance

OLD = BranchInfo(
    id="b1",
    name="采油一队党支部",
    created_on=date(2020, 1, 1),
    group_ids=["g1", "g2"],
    secretary_id="s1",
)


def act(kind: str, d: date, org: str = "b1", **kw: str) -> HeldActivity:
    return HeldActivity(kind=kind, held_on=d, org_id=org, **kw)


def by_key(results: list[RequirementResult], key: str, org: str = "b1") -> RequirementResult:
    [r] = [r for r in results if r.key == key and r.org_id == org]
    return r


Q4_ACTS = [
    act("支部委员会", date(2026, 10, 10)),
    act("支部委员会", date(2026, 11, 5)),
    act("党小组会", date(2026, 10, 12), org="g1"),
    act("党小组会", date(2026, 11, 9), org="g1"),
    act("党小组会", date(2026, 11, 9), org="g2"),
    act("党课", date(2026, 11, 3), lecturer_id="s1"),
    act("组织生活会", date(2026, 11, 10), form="支部党员大会"),
]


def test_quarter_mid_way() -> None:
    res = evaluate(OLD, Q4_ACTS, Period.quarter(2026, 4), today=date(2026, 11, 15))
    # 8 requirements, 党小组会 twice (two groups).
    assert len(res) == 9

    committee = by_key(res, "branch_committee")
    assert (committee.held, committee.required, committee.status) == (2, 3, S.DUE)
    assert committee.next_due == date(2026, 12, 31)
    assert [s.status for s in committee.slots] == [S.MET, S.MET, S.DUE]

    g1, g2 = by_key(res, "party_group", "g1"), by_key(res, "party_group", "g2")
    assert (g1.held, g1.required, g1.status, g1.next_due) == (2, 3, S.DUE, date(2026, 12, 31))
    assert (g2.held, g2.required, g2.status) == (1, 3, S.OVERDUE)
    assert [s.period for s in g2.slots if s.status is S.OVERDUE] == [Period.month(2026, 10)]
    assert g2.next_due == date(2026, 12, 31)

    theme = by_key(res, "theme_day")
    assert (theme.held, theme.status, theme.next_due) == (0, S.OVERDUE, date(2026, 11, 30))

    lecture = by_key(res, "party_lecture")
    assert (lecture.held, lecture.required, lecture.status, lecture.next_due) == (1, 1, S.MET, None)

    org_life = by_key(res, "org_life")
    assert (org_life.held, org_life.required, org_life.status) == (1, 1, S.MET)
    assert org_life.slots[0].period == Period.year(2026)

    # The 组织生活会 held as a 党员大会 counts for the quarter's 党员大会 too.
    assembly = by_key(res, "member_assembly")
    assert (assembly.held, assembly.status) == (1, S.MET)

    appraisal = by_key(res, "appraisal")
    assert (appraisal.held, appraisal.status, appraisal.next_due) == (0, S.DUE, date(2026, 12, 31))

    sec = by_key(res, "secretary_lecture")
    assert (sec.held, sec.required, sec.status) == (1, 1, S.MET)
    assert sec.tag == "[常见][!]"


def test_org_life_form_not_counted_when_configured() -> None:
    strict = ComplianceConfig(count_form=False)
    res = evaluate(OLD, Q4_ACTS, Period.quarter(2026, 4), today=date(2026, 11, 15), config=strict)
    assembly = by_key(res, "member_assembly")
    assert (assembly.held, assembly.status, assembly.next_due) == (0, S.DUE, date(2026, 12, 31))
    assert by_key(res, "org_life").status is S.MET


def test_meeting_on_last_day_of_quarter_counts_for_that_quarter() -> None:
    acts = [act("支部党员大会", date(2026, 9, 30))]
    res = evaluate(OLD, acts, Period.year(2026), today=date(2027, 1, 5))
    assembly = by_key(res, "member_assembly")
    assert [(s.period.label, s.held, s.status) for s in assembly.slots] == [
        ("2026Q1", 0, S.OVERDUE),
        ("2026Q2", 0, S.OVERDUE),
        ("2026Q3", 1, S.MET),
        ("2026Q4", 0, S.OVERDUE),
    ]
    assert (assembly.held, assembly.required, assembly.next_due) == (1, 4, None)


def test_last_day_of_quarter_not_overdue_on_that_day() -> None:
    res = evaluate(OLD, [], Period.quarter(2026, 3), today=date(2026, 9, 30))
    assembly = by_key(res, "member_assembly")
    assert (assembly.status, assembly.next_due) == (S.DUE, date(2026, 9, 30))
    res = evaluate(OLD, [], Period.quarter(2026, 3), today=date(2026, 10, 1))
    assert by_key(res, "member_assembly").status is S.OVERDUE


def test_admission_transfer_and_election_count_as_member_assembly() -> None:
    acts = [
        act("接收预备党员", date(2026, 2, 10)),
        act("预备党员转正", date(2026, 5, 10)),
        act("换届选举", date(2026, 8, 10)),
        act("支部党员大会", date(2026, 11, 10)),
        act("支部党员大会", date(2026, 12, 10)),
    ]
    res = evaluate(OLD, acts, Period.year(2026), today=date(2027, 1, 5))
    assembly = by_key(res, "member_assembly")
    assert (assembly.held, assembly.required, assembly.status) == (5, 4, S.MET)
    assert [s.held for s in assembly.slots] == [1, 1, 1, 2]


def test_branch_created_mid_year() -> None:
    branch = BranchInfo(id="b2", name="新建党支部", created_on=date(2026, 5, 20), secretary_id="s2")
    acts = [act("支部委员会", date(2026, 5, 25), org="b2")] + [
        act("支部委员会", date(2026, m, 8), org="b2") for m in range(6, 13)
    ]
    res = evaluate(branch, acts, Period.year(2026), today=date(2027, 1, 10))
    committee = by_key(res, "branch_committee", "b2")
    # Jan–May not required (May: only 12 of 31 days existed); Jun–Dec all held.
    assert (committee.held, committee.required, committee.status) == (8, 7, S.MET)
    assert [s.status for s in committee.slots[:5]] == [S.NOT_REQUIRED] * 5
    assert committee.slots[4].held == 1

    assembly = by_key(res, "member_assembly", "b2")
    # Q2 had 42 of 91 days: not required; Q3 and Q4 are.
    assert (assembly.required, assembly.status) == (2, S.OVERDUE)
    assert [s.required for s in assembly.slots] == [0, 0, 1, 1]

    # 226 of 365 days: the yearly 组织生活会 and secretary lecture are owed.
    assert by_key(res, "org_life", "b2").required == 1
    assert by_key(res, "secretary_lecture", "b2").status is S.OVERDUE
    # No groups, so no 党小组会 results.
    assert not [r for r in res if r.key == "party_group"]


def test_creation_boundary_half_of_slot() -> None:
    may = Period.month(2026, 5)
    assert slot_required(may, date(2026, 5, 16), 0.5)  # 16 of 31 days
    assert not slot_required(may, date(2026, 5, 17), 0.5)  # 15 of 31 days
    assert slot_required(may, date(2026, 5, 31), 0.0)
    assert not slot_required(may, date(2026, 6, 1), 0.0)


def test_branch_created_after_period_requires_nothing() -> None:
    branch = BranchInfo(id="b3", name="未来支部", created_on=date(2027, 3, 1), group_ids=["g9"])
    res = evaluate(branch, [], Period.year(2026), today=date(2027, 3, 5))
    assert {r.status for r in res} == {S.NOT_REQUIRED}
    assert sum(r.required for r in res) == 0


def test_group_meetings_are_per_group() -> None:
    acts = [act("党小组会", date(2026, m, 15), org="g1") for m in (10, 11, 12)]
    acts.append(act("党小组会", date(2026, 10, 15), org="b1"))  # not any group's meeting
    res = evaluate(OLD, acts, Period.quarter(2026, 4), today=date(2027, 1, 2))
    assert by_key(res, "party_group", "g1").status is S.MET
    g2 = by_key(res, "party_group", "g2")
    assert (g2.held, g2.required, g2.status) == (0, 3, S.OVERDUE)
    assert [s.status for s in g2.slots] == [S.OVERDUE] * 3


def test_org_life_held_by_groups_counts_for_branch() -> None:
    acts = [act("组织生活会", date(2026, 12, 2), org="g1", form="党小组会")]
    res = evaluate(OLD, acts, Period.year(2026), today=date(2026, 12, 20))
    assert by_key(res, "org_life").status is S.MET
    # …and, held as a 党小组会, it is that group's December meeting.
    g1 = by_key(res, "party_group", "g1")
    assert g1.slots[-1].held == 1


def test_secretary_lecture_yearly() -> None:
    acts = [
        act("党课", date(2026, 3, 1), lecturer_id="s2"),
        act("党课", date(2026, 6, 1), lecturer_id="expert"),
        act("党课", date(2026, 8, 1), org="b9", lecturer_id="s1"),  # at another branch
    ]
    period = Period.year(2026)
    res = evaluate(OLD, acts, period, today=date(2026, 9, 1))
    sec = by_key(res, "secretary_lecture")
    assert (sec.held, sec.required, sec.status, sec.next_due) == (0, 1, S.DUE, date(2026, 12, 31))
    lecture = by_key(res, "party_lecture")
    assert [s.status for s in lecture.slots] == [S.MET, S.MET, S.DUE, S.DUE]

    # A secretaries' rota may count lectures at any branch.
    rota = ComplianceConfig(secretary_lecture_own_branch_only=False)
    sec = by_key(evaluate(OLD, acts, period, date(2026, 9, 1), rota), "secretary_lecture")
    assert (sec.held, sec.status) == (1, S.MET)

    acts.append(act("党课", date(2026, 12, 28), lecturer_id="s1"))
    res = evaluate(OLD, acts, period, today=date(2027, 1, 3))
    assert by_key(res, "secretary_lecture").status is S.MET


def test_secretary_not_set() -> None:
    branch = replace(OLD, secretary_id=None)
    acts = [act("党课", date(2026, 3, 1), lecturer_id="s1")]
    sec = by_key(evaluate(branch, acts, Period.year(2026), date(2026, 4, 1)), "secretary_lecture")
    assert sec.held == 0 and "未设置支部书记" in sec.note


def test_no_committee_below_seven_members() -> None:
    small = replace(OLD, has_committee=False)
    res = evaluate(small, [], Period.quarter(2026, 4), today=date(2027, 1, 2))
    committee = by_key(res, "branch_committee")
    assert (committee.status, committee.required) == (S.NOT_REQUIRED, 0)
    assert "不足7人" in committee.note
    assert by_key(res, "member_assembly").status is S.OVERDUE


def test_frequencies_are_configurable() -> None:
    reqs = default_requirements()
    for r in reqs:
        if r.key == "party_lecture":
            r.cadence = Cadence.HALF_YEARLY  # an older local variant
        if r.key == "theme_day":
            r.enabled = False
    config = ComplianceConfig(requirements=reqs)
    acts = [act("党课", date(2026, 2, 1))]
    res = evaluate(OLD, acts, Period.year(2026), today=date(2026, 8, 1), config=config)
    lecture = by_key(res, "party_lecture")
    assert [(s.period.label, s.status) for s in lecture.slots] == [
        ("2026年上半年", S.MET),
        ("2026年下半年", S.DUE),
    ]
    assert not [r for r in res if r.key == "theme_day"]


def test_times_per_slot() -> None:
    reqs = [r for r in default_requirements() if r.key == "branch_committee"]
    reqs[0].times = 2
    acts = [act("支部委员会", date(2026, 10, 3)), act("支部委员会", date(2026, 10, 20))]
    acts.append(act("支部委员会", date(2026, 11, 3)))
    [r] = evaluate(
        OLD, acts, Period.quarter(2026, 4), date(2026, 12, 1), ComplianceConfig(requirements=reqs)
    )
    assert (r.held, r.required, r.status) == (3, 6, S.OVERDUE)
    assert [s.status for s in r.slots] == [S.MET, S.OVERDUE, S.DUE]


def test_default_tags() -> None:
    tags = {r.key: (r.cadence, r.tag) for r in default_requirements()}
    assert tags == {
        "branch_committee": (Cadence.MONTHLY, "[条例]"),
        "party_group": (Cadence.MONTHLY, "[条例]"),
        "member_assembly": (Cadence.QUARTERLY, "[条例]"),
        "party_lecture": (Cadence.QUARTERLY, "[常见][!]"),
        "theme_day": (Cadence.MONTHLY, "[条例]"),
        "org_life": (Cadence.YEARLY, "[条例]"),
        "appraisal": (Cadence.YEARLY, "[条例]"),
        "secretary_lecture": (Cadence.YEARLY, "[常见][!]"),
    }
