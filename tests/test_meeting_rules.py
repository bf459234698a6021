"""Quorum, passing and election arithmetic (docs/RULES.md#quorum-and-passing)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.meeting_kinds import (
    MeetingKind,
    VoteMethod,
    VoteRule,
    default_vote_method,
    missing_kinds,
    vote_rule_for,
)
from domain.meeting_rules import (
    AttendanceEntry,
    AttendanceState,
    ExclusionReason,
    RuleConfig,
    Tally,
    admission_passed,
    admission_quorum_ok,
    ballot_marks_ok,
    ballots_valid,
    committee_passed,
    committee_quorum_ok,
    competitive_margin_ok,
    confirmation_passed,
    count_attendance,
    elected,
    election_outcome,
    election_quorum_ok,
    evaluate_vote,
    meeting_quorum,
    passed,
    quorum_ok,
)
from domain.people import Person, PoliticalStatus

HALF = Fraction(1, 2)
FOUR_FIFTHS = Fraction(4, 5)

# -- 党员大会 quorum and passing -------------------------------------------


def test_quorum_exhaustive_against_fractions() -> None:
    for expected in range(0, 61):
        for present in range(0, expected + 1):
            want = expected > 0 and Fraction(present, expected) > HALF
            assert quorum_ok(present, expected).ok is want, (present, expected)


@pytest.mark.parametrize(
    ("present", "expected", "ok"),
    [(5, 10, False), (6, 10, True), (5, 11, False), (6, 11, True), (1, 1, True), (1, 2, False)],
)
def test_quorum_exact_half_is_not_enough(present: int, expected: int, ok: bool) -> None:
    assert quorum_ok(present, expected).ok is ok


def test_quorum_explanation_shows_arithmetic() -> None:
    r = quorum_ok(12, 23)
    assert r.ok and bool(r)
    assert r.explanation == "实到有表决权 12，12×2=24 > 应到有表决权 23 → 到会人数过半，可以表决"
    r = quorum_ok(5, 10)
    assert not r and "5×2=10 = 应到有表决权 10" in r.explanation and "不能表决" in r.explanation


def test_quorum_with_nobody_expected_fails() -> None:
    r = quorum_ok(0, 0)
    assert not r.ok and "为 0" in r.explanation


def test_passed_exhaustive_with_written_opinions() -> None:
    for expected in range(0, 31):
        for yes in range(0, expected + 1):
            for written in range(0, expected - yes + 1):
                want = expected > 0 and Fraction(yes + written, expected) > HALF
                assert passed(yes, written, expected).ok is want, (yes, written, expected)


def test_passed_explanation_matches_the_brief_example() -> None:
    r = passed(12, 1, 23)
    assert r.ok
    assert r.explanation == "赞成 12 + 书面 1 = 13，13×2=26 > 应到有表决权 23 → 通过"
    r = passed(11, 0, 23)
    assert not r.ok
    assert r.explanation == "赞成 11，11×2=22 < 应到有表决权 23 → 未通过"


@pytest.mark.parametrize(
    ("yes", "written", "expected", "ok"),
    [
        (10, 0, 20, False),  # exactly half is not "more than half"
        (11, 0, 20, True),
        (10, 1, 20, True),  # a written opinion tips it over
        (9, 1, 20, False),
        (8, 0, 20, False),  # even if only 10 were present: the denominator is 应到
    ],
)
def test_passed_boundaries(yes: int, written: int, expected: int, ok: bool) -> None:
    assert passed(yes, written, expected).ok is ok


# -- 支委会 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "total", "ok"),
    [(3, 5, True), (2, 5, False), (2, 4, False), (3, 4, True), (2, 3, True), (1, 3, False)],
)
def test_committee_quorum(present: int, total: int, ok: bool) -> None:
    r = committee_quorum_ok(present, total)
    assert r.ok is ok
    assert f"{present}×2={present * 2}" in r.explanation
    if not ok:
        assert "提交党员大会" in r.explanation


def test_committee_quorum_zero_members() -> None:
    assert not committee_quorum_ok(0, 0).ok


def test_committee_passed_majority_of_present_by_default() -> None:
    assert committee_passed(3, 5).ok
    assert not committee_passed(2, 4).ok  # exact half of those present
    assert committee_passed(3, 4).ok
    assert "到会委员 5" in committee_passed(3, 5).explanation


def test_committee_passed_majority_of_all_when_configured() -> None:
    assert committee_passed(3, 4, 5, of_all_members=True).ok
    assert not committee_passed(3, 4, 7, of_all_members=True).ok  # 6 ≤ 7
    r = committee_passed(4, 4, 7, of_all_members=True)
    assert r.ok and "委员总数 7" in r.explanation
    with pytest.raises(ValueError):
        committee_passed(3, 4, of_all_members=True)


# -- 接收 / 转正 ------------------------------------------------------------


def test_admission_counts_only_full_members_and_written_opinions() -> None:
    # 20 正式党员, one under 留党察看 → 19 entitled; 3 预备党员 never count.
    expected_voting = 19
    assert admission_quorum_ok(10, expected_voting).ok  # 20 > 19
    assert not admission_quorum_ok(9, expected_voting).ok
    assert not admission_passed(9, 0, expected_voting).ok
    r = admission_passed(9, 1, expected_voting)
    assert r.ok
    assert r.explanation == "赞成 9 + 书面 1 = 10，10×2=20 > 应到有表决权正式党员 19 → 通过"
    assert confirmation_passed(9, 1, expected_voting) == r


# -- 选举 ------------------------------------------------------------------


def test_election_quorum_exhaustive_strict() -> None:
    for expected in range(1, 61):
        for present in range(0, expected + 1):
            want = Fraction(present, expected) > FOUR_FIFTHS
            assert election_quorum_ok(present, expected).ok is want, (present, expected)


def test_election_quorum_exact_four_fifths_needs_the_override() -> None:
    strict = election_quorum_ok(20, 25)
    assert not strict.ok
    assert "20×5=100 = 应到 25×4=100" in strict.explanation and "未超过" in strict.explanation
    lenient = election_quorum_ok(20, 25, accept_exact_four_fifths=True)
    assert lenient.ok and "恰好五分之四" in lenient.explanation
    assert election_quorum_ok(21, 25).ok
    assert not election_quorum_ok(19, 25, accept_exact_four_fifths=True).ok
    assert election_quorum_ok(4, 5, accept_exact_four_fifths=True).ok
    assert not election_quorum_ok(4, 5).ok
    assert election_quorum_ok(5, 5).ok
    assert not election_quorum_ok(0, 0).ok


@pytest.mark.parametrize(
    ("yes", "present", "ok"),
    [(10, 19, True), (10, 20, False), (11, 20, True), (0, 0, False), (1, 1, True)],
)
def test_elected_uses_present_electors(yes: int, present: int, ok: bool) -> None:
    r = elected(yes, present)
    assert r.ok is ok
    assert f"实到有选举权 {present}" in r.explanation


def test_ballots_valid() -> None:
    assert ballots_valid(30, 30).ok
    assert ballots_valid(29, 30).ok
    r = ballots_valid(31, 30)
    assert not r.ok and r.explanation == "收回 31 > 发出 30 → 选举无效，应重新投票"


def test_ballot_marks_and_margin() -> None:
    assert ballot_marks_ok(5, 5) and not ballot_marks_ok(6, 5)
    assert competitive_margin_ok(6, 5).ok
    assert not competitive_margin_ok(5, 5).ok
    assert competitive_margin_ok(4, 3).ok  # 20 ≥ 18
    assert competitive_margin_ok(12, 10).ok  # exactly 20%
    assert not competitive_margin_ok(11, 10).ok


def test_election_outcome_takes_majority_then_seats() -> None:
    tallies = [
        Tally("a", "甲", 15),
        Tally("b", "乙", 12),
        Tally("c", "丙", 11),
        Tally("d", "丁", 10),
    ]
    out = election_outcome(tallies, 3, 20)
    assert out.elected == ("a", "b", "c")
    assert out.shortfall == 0 and not out.tied and not out.void
    assert "丁：赞成 10，10×2=20 = 实到有选举权 20 → 得票未过半" in out.explanation


def test_election_outcome_more_qualifiers_than_seats_by_votes() -> None:
    tallies = [Tally("a", "甲", 11), Tally("b", "乙", 18), Tally("c", "丙", 15)]
    out = election_outcome(tallies, 2, 20)
    assert out.elected == ("b", "c")


def test_election_outcome_tie_at_the_margin() -> None:
    tallies = [Tally("a", "甲", 15), Tally("b", "乙", 12), Tally("c", "丙", 12)]
    out = election_outcome(tallies, 2, 20)
    assert out.elected == ("a",)
    assert set(out.tied) == {"b", "c"} and out.tied_seats == 1
    assert out.shortfall == 0
    assert "重新投票" in out.explanation


def test_election_outcome_shortfall() -> None:
    tallies = [Tally("a", "甲", 15), Tally("b", "乙", 11), Tally("c", "丙", 5)]
    out = election_outcome(tallies, 3, 20)
    assert out.elected == ("a", "b") and out.shortfall == 1
    assert "另行选举" in out.explanation


def test_election_outcome_void_on_quorum_or_ballots() -> None:
    tallies = [Tally("a", "甲", 15)]
    out = election_outcome(tallies, 1, 20, expected_electors=25)
    assert out.void and out.elected == ()
    ok = election_outcome(
        tallies,
        1,
        20,
        expected_electors=25,
        config=RuleConfig(election_accept_exact_four_fifths=True),
    )
    assert ok.elected == ("a",)
    out = election_outcome(tallies, 1, 20, ballots_issued=20, ballots_returned=21)
    assert out.void and "收回 21 > 发出 20" in out.explanation
    with pytest.raises(ValueError):
        election_outcome(tallies, 0, 20)


# -- Input checking --------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: quorum_ok(-1, 5),
        lambda: passed(1, -1, 5),
        lambda: committee_quorum_ok(1, -2),
        lambda: election_quorum_ok(-1, 5),
        lambda: elected(-1, 5),
        lambda: ballots_valid(-1, 5),
    ],
)
def test_negative_counts_are_rejected(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_bool_and_float_counts_are_rejected() -> None:
    with pytest.raises(TypeError):
        quorum_ok(True, 5)
    with pytest.raises(TypeError):
        passed(2.5, 0, 5)


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000))
def test_passed_property(yes: int, written: int, expected: int) -> None:
    want = expected > 0 and 2 * (yes + written) > expected
    assert passed(yes, written, expected).ok is want


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.booleans())
def test_election_quorum_property(present: int, expected: int, exact: bool) -> None:
    ratio = Fraction(present, expected)
    want = ratio > FOUR_FIFTHS or (exact and ratio == FOUR_FIFTHS)
    assert election_quorum_ok(present, expected, accept_exact_four_fifths=exact).ok is want


# -- Who votes and who counts ----------------------------------------------


def _entry(
    name: str, status: PoliticalStatus | None, state: AttendanceState, **kw
) -> AttendanceEntry:
    has_vote = kw.pop("has_vote", status is PoliticalStatus.FULL)
    return AttendanceEntry(name=name, status=status, has_vote=has_vote, state=state, **kw)


def test_probationary_members_cannot_have_a_vote() -> None:
    with pytest.raises(ValidationError):
        AttendanceEntry(name="预备", status=PoliticalStatus.PROBATIONARY, has_vote=True)
    with pytest.raises(ValidationError):
        AttendanceEntry(name="群众", status=PoliticalStatus.MASSES, has_vote=True)


def test_from_person_snapshots_vote_rights() -> None:
    full = Person(name="甲", status=PoliticalStatus.FULL)
    probation = Person(name="乙", status=PoliticalStatus.FULL, on_party_probation=True)
    prob = Person(name="丙", status=PoliticalStatus.PROBATIONARY)
    assert AttendanceEntry.from_person(full).has_vote
    assert not AttendanceEntry.from_person(probation).has_vote  # 留党察看
    assert not AttendanceEntry.from_person(prob).has_vote
    e = AttendanceEntry.from_person(full, AttendanceState.LEAVE, "病假")
    assert e.person_id == full.id and e.label() == "甲（病假）"


def test_count_attendance_with_and_without_vote() -> None:
    P, L, A = AttendanceState.PRESENT, AttendanceState.LEAVE, AttendanceState.ABSENT
    full, prob = PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY
    entries = [
        _entry("正1", full, P),
        _entry("正2", full, P),
        _entry("正3", full, P),
        _entry("正4", full, L, reason="病假", written_opinion=True),
        _entry("正5", full, A, reason="公出"),
        _entry("察看", full, P, has_vote=False),  # 留党察看: present, no vote
        _entry("预1", prob, P),
        _entry("预2", prob, L, reason="事假"),
        _entry("出国", full, A, excluded_reason=ExclusionReason.ABROAD),
        _entry("卧床", full, P, excluded_reason=ExclusionReason.INFIRM),  # came anyway: counts
        _entry("积极分子", PoliticalStatus.ACTIVIST, AttendanceState.OBSERVER, reason="列席"),
        _entry("李部长", None, AttendanceState.SUPERVISOR, post="党委组织部部长"),
    ]
    c = count_attendance(entries)
    assert c.expected == 9  # 正1-5, 察看, 卧床 (attended), 预1, 预2; 出国 is excluded
    assert (c.expected_full, c.expected_probationary) == (7, 2)
    assert c.expected_voting == 6  # 正1-5 + 卧床; 察看 and 预备 have no vote
    assert (c.present, c.present_full, c.present_probationary) == (6, 5, 1)
    assert c.present_voting == 4  # 正1-3 + 卧床
    assert c.absent == 3 and c.absent_voting == 2
    assert c.absent_voting_written == 1
    assert c.absentees == ("正4（病假）", "正5（公出）", "预2（事假）")
    assert c.observers == ("积极分子（列席）",)
    assert c.supervisors == ("李部长（党委组织部部长）",)
    assert c.excluded == ("出国（自费出国半年以上）",)
    assert quorum_ok(c.present_voting, c.expected_voting).ok  # 8 > 6


def test_exclusion_reasons_are_the_six_cases() -> None:
    assert len(ExclusionReason) == 6
    assert ExclusionReason.ABROAD == "自费出国半年以上"


def test_exclusion_changes_the_denominator() -> None:
    P, A = AttendanceState.PRESENT, AttendanceState.ABSENT
    full = PoliticalStatus.FULL
    base = [_entry(f"正{i}", full, P) for i in range(4)] + [
        _entry(f"缺{i}", full, A) for i in range(5)
    ]
    c = count_attendance(base)
    assert (c.present_voting, c.expected_voting) == (4, 9)
    assert not quorum_ok(c.present_voting, c.expected_voting).ok
    base[4] = _entry("缺0", full, A, excluded_reason=ExclusionReason.IMPRISONED)
    base[5] = _entry("缺1", full, A, excluded_reason=ExclusionReason.RETIRED_AWAY)
    c = count_attendance(base)
    assert (c.present_voting, c.expected_voting) == (4, 7)
    assert quorum_ok(c.present_voting, c.expected_voting).ok


# -- Dispatch by rule and kind ---------------------------------------------


def test_every_kind_has_a_rule_and_method() -> None:
    assert missing_kinds() == []
    assert vote_rule_for(MeetingKind.COMMITTEE) is VoteRule.COMMITTEE
    assert vote_rule_for(MeetingKind.ADMISSION) is VoteRule.DEVELOPMENT
    assert vote_rule_for(MeetingKind.CONFIRMATION) is VoteRule.DEVELOPMENT
    assert vote_rule_for(MeetingKind.ELECTION) is VoteRule.ELECTION
    assert default_vote_method(MeetingKind.ADMISSION) is VoteMethod.SECRET
    assert default_vote_method(MeetingKind.MEMBER_ASSEMBLY) is VoteMethod.HANDS
    assert [k.value for k in MeetingKind] == [
        "支部党员大会",
        "支部委员会",
        "党小组会",
        "党课",
        "主题党日",
        "组织生活会",
        "民主评议党员",
        "接收预备党员",
        "预备党员转正",
        "换届选举",
    ]


def test_evaluate_vote_by_rule() -> None:
    # Assembly: 10 yes + 1 written of 21 entitled → 22 > 21.
    v = evaluate_vote(
        VoteRule.ASSEMBLY, yes=10, written_yes=1, present_voting=12, expected_voting=21
    )
    assert v.passed and "书面 1" in v.explanation
    # Committee ignores written opinions and divides by those present.
    v = evaluate_vote(VoteRule.COMMITTEE, yes=2, written_yes=3, present_voting=4, expected_voting=5)
    assert v.quorum.ok and not v.passed
    v = evaluate_vote(
        VoteRule.COMMITTEE,
        yes=3,
        present_voting=4,
        expected_voting=7,
        config=RuleConfig(committee_majority_of_all=True),
    )
    assert not v.passed  # 6 ≤ 7 when all 委员 are the base
    # Election rule: quorum 4/5, majority of those present.
    v = evaluate_vote(VoteRule.ELECTION, yes=11, present_voting=21, expected_voting=25)
    assert v.passed and "实到有选举权 21" in v.result.explanation
    v = evaluate_vote(VoteRule.ELECTION, yes=20, present_voting=20, expected_voting=25)
    assert not v.passed and "表决无效" in v.explanation
    # Development: denominator is 应到有表决权正式党员.
    v = evaluate_vote(
        VoteRule.DEVELOPMENT, yes=9, written_yes=1, present_voting=10, expected_voting=19
    )
    assert v.passed and "正式党员 19" in v.explanation


def test_meeting_quorum_dispatch() -> None:
    assert meeting_quorum(VoteRule.ASSEMBLY, 6, 10).ok
    assert not meeting_quorum(VoteRule.ELECTION, 8, 10).ok
    assert meeting_quorum(
        VoteRule.ELECTION, 8, 10, RuleConfig(election_accept_exact_four_fifths=True)
    ).ok
    assert "委员" in meeting_quorum(VoteRule.COMMITTEE, 3, 5).explanation
