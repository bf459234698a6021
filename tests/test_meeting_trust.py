"""Meetings whose record can be trusted (issue 13, domain part): gates computed
from the record, counts that add up, sign-in that starts 未签到, and 按期转正
only after a year of probation. Every check is tested at and around its boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.meeting_kinds import GateCheck, MeetingKind
from domain.meeting_rules import AttendanceState, probation_ended
from domain.meetings import (
    Candidate,
    ConfirmationResult,
    CountsImpossible,
    Election,
    GateFailed,
    GateState,
    Meeting,
    attendance_summary,
    count_problems,
    election_count_problems,
    failing_gates,
    gate_status,
    gate_statuses,
    mark_gate_step_done,
    new_meeting,
    new_vote,
    quorum,
    record_election,
    record_vote,
    set_confirmation_result,
    sign_in_all,
    validate_for_finish,
    vote_count_problems,
)
from domain.people import CommitteePost, Person, PoliticalStatus

DAY = dt.date(2026, 3, 15)
NOW = dt.datetime(2026, 3, 15, 16, 5)


def voters(n: int, *, committee: int = 0) -> list[Person]:
    posts = list(CommitteePost)[:5]
    return [
        Person(
            name=f"党员{i}",
            status=PoliticalStatus.FULL,
            branch_id="b1",
            post=posts[i] if i < committee else None,
        )
        for i in range(n)
    ]


def meeting(kind: MeetingKind, n: int = 15, **kw: object) -> Meeting:
    return new_meeting(kind, "b1", "第一党支部", DAY, people=voters(n, **kw))


def signed(kind: MeetingKind, n: int = 15, **kw: object) -> Meeting:
    m, _ = sign_in_all(meeting(kind, n, **kw))
    return m


# -- Vote and election counts ------------------------------------------------


def test_repro_14_1_1_with_15_present_is_refused() -> None:
    """Issue 13: with 15 voters present, 赞成14/反对1/弃权1 saved as 「通过」."""
    m = signed(MeetingKind.MEMBER_ASSEMBLY)
    assert attendance_summary(m).present_voting == 15
    vote = new_vote(m, "通过计划", yes=14, no=1, abstain=1)
    with pytest.raises(CountsImpossible) as err:
        record_vote(m, vote)
    assert err.value.problems == [
        "表决「通过计划」：赞成 14 + 反对 1 + 弃权 1 = 16，多于在场有表决权 15 人"
    ]
    assert m.votes == []


@pytest.mark.parametrize(("cast", "ok"), [(14, True), (15, True), (16, False)])
def test_cast_votes_at_the_boundary(cast: int, ok: bool) -> None:
    m = signed(MeetingKind.MEMBER_ASSEMBLY)
    vote = new_vote(m, "表决", yes=cast - 1, abstain=1)
    assert (vote_count_problems(m, vote) == []) is ok
    if ok:
        assert record_vote(m, vote).votes == [vote]


@pytest.mark.parametrize(("written", "ok"), [(2, True), (3, True), (4, False)])
def test_written_opinions_at_most_the_absent_voters(written: int, ok: bool) -> None:
    m = signed(MeetingKind.ADMISSION)
    for e in m.attendance[:3]:
        e.state = AttendanceState.LEAVE
    # 12 present, 3 entitled absentees; written opinions of every sort count.
    vote = new_vote(m, "接收张三", yes=10, written_no=written - 1, written_abstain=1)
    problems = vote_count_problems(m, vote)
    assert (problems == []) is ok
    if not ok:
        assert problems == [f"表决「接收张三」：书面意见 {written} 份，多于缺席的有表决权党员 3 人"]


def _election(**kw: object) -> Election:
    base: dict[str, object] = {
        "subject": "选举支部委员",
        "seats": 1,
        "competitive": False,
        "candidates": [Candidate(name="甲", votes=9)],
        "ballots_issued": 15,
        "ballots_returned": 15,
        "ballots_valid": 14,
        "ballots_invalid": 1,
        "scrutineers": ["监票甲"],
        "counters": ["计票乙"],
    }
    base.update(kw)
    return Election(**base)


def test_election_counts_at_the_boundaries() -> None:
    m = signed(MeetingKind.ELECTION)
    assert election_count_problems(m, _election()) == []
    assert election_count_problems(m, _election(ballots_returned=15, ballots_issued=15)) == []
    assert election_count_problems(m, _election(ballots_returned=16, ballots_valid=15)) == [
        "选举「选举支部委员」：收回 16 > 发出 15 → 选举无效，应重新投票"
    ]
    assert election_count_problems(m, _election(ballots_valid=13)) == [
        "选举「选举支部委员」：有效票 13 + 无效票 1 ≠ 收回 15"
    ]
    assert election_count_problems(m, _election(ballots_valid=15, ballots_invalid=0)) == []
    over = _election(candidates=[Candidate(name="甲", votes=15)])
    assert election_count_problems(m, over) == ["选举「选举支部委员」：甲 得票 15，多于有效票 14"]
    at = _election(candidates=[Candidate(name="甲", votes=14)])
    assert election_count_problems(m, at) == []
    with pytest.raises(CountsImpossible):
        record_election(m, over)
    assert record_election(m, at).elections == [at]


def test_count_problems_cover_every_vote_and_election() -> None:
    m = signed(MeetingKind.ELECTION)
    m.votes.append(new_vote(m, "选举办法", yes=16))
    m.elections.append(_election(ballots_valid=13))
    assert len(count_problems(m)) == 2
    assert all(p in validate_for_finish(m) for p in count_problems(m))


# -- Sign-in -------------------------------------------------------------------


def test_sign_in_starts_unsigned_and_quorum_says_so() -> None:
    m = meeting(MeetingKind.COMMITTEE, 5, committee=5)
    assert {e.state for e in m.attendance} == {AttendanceState.NOT_SIGNED}
    q = quorum(m)
    assert not q.ok and q.explanation == "未签到 5 人"
    m.attendance[0].state = AttendanceState.PRESENT
    m.attendance[1].state = AttendanceState.PRESENT
    m.attendance[2].state = AttendanceState.PRESENT
    m.attendance[3].state = AttendanceState.LEAVE
    assert quorum(m).explanation == "未签到 1 人"
    m.attendance[4].state = AttendanceState.ABSENT
    assert quorum(m).ok  # 3 of 5 委员


def test_sign_in_all_marks_only_the_remaining_people() -> None:
    m = meeting(MeetingKind.MEMBER_ASSEMBLY, 4)
    m.attendance[0].state = AttendanceState.LEAVE
    m.attendance[0].reason = "病假"
    done, n = sign_in_all(m)
    assert n == 3
    assert [e.state for e in done.attendance] == [AttendanceState.LEAVE] + [
        AttendanceState.PRESENT
    ] * 3
    assert done.attendance[0].reason == "病假"
    assert m.attendance[1].state is AttendanceState.NOT_SIGNED  # input untouched
    assert sign_in_all(done)[1] == 0


def test_unsigned_people_are_neither_present_nor_absent() -> None:
    m = meeting(MeetingKind.MEMBER_ASSEMBLY, 3)
    a = attendance_summary(m)
    assert (a.expected, a.present, a.absentees, a.unsigned) == (3, 0, (), 3)


# -- Gates -----------------------------------------------------------------------


def test_committee_quorum_gate_2_of_5_is_failed_and_cannot_be_ticked() -> None:
    """Issue 13: 2 of 5 委员 present, ⚑ 确认半数以上委员到会 could be marked done."""
    m = meeting(MeetingKind.COMMITTEE, 5, committee=5)
    for e in m.attendance[:2]:
        e.state = AttendanceState.PRESENT
    for e in m.attendance[2:]:
        e.state = AttendanceState.ABSENT
    g = gate_status(m, "quorum")
    assert g.state is GateState.FAILED and "到会委员 2" in g.reason
    with pytest.raises(GateFailed, match="确认半数以上委员到会"):
        mark_gate_step_done(m, "quorum", NOW)
    m.attendance[2].state = AttendanceState.PRESENT  # 3 of 5
    assert gate_status(m, "quorum").state is GateState.PASSED
    assert mark_gate_step_done(m, "quorum", NOW).steps[0].done_at == NOW


def test_vote_gate_needs_a_vote_for_the_step() -> None:
    """Issue 13: 「⚑ 表决」 completed with no vote recorded."""
    m = signed(MeetingKind.MEMBER_ASSEMBLY)
    g = gate_status(m, "vote")
    assert (g.state, g.reason) == (GateState.FAILED, "还没有记录表决")
    with pytest.raises(GateFailed):
        mark_gate_step_done(m, "vote", NOW)
    m = record_vote(m, new_vote(m, "通过计划", yes=9, step_key="vote"))
    assert gate_status(m, "vote").state is GateState.PASSED
    other = record_vote(signed(MeetingKind.MEMBER_ASSEMBLY), new_vote(m, "x", step_key="report"))
    assert gate_status(other, "vote").state is GateState.FAILED


def test_confirm_gates_say_exactly_what_to_confirm() -> None:
    m = signed(MeetingKind.ADMISSION)
    g = gate_status(m, "vetting")
    assert g.state is GateState.MANUAL
    assert g.reason == "请确认：政审结论已存档"
    # A manual gate can be ticked: the person confirms it.
    assert mark_gate_step_done(m, "vetting", NOW).steps[0].step_key == "vetting"


def test_admission_gate_candidate_and_two_sponsors_present() -> None:
    m = signed(MeetingKind.ADMISSION)
    g = gate_status(m, "quorum")
    assert g.state is GateState.MANUAL and "发展对象和两名入党介绍人" in g.reason
    ids = [e.person_id for e in m.attendance]
    m = m.model_copy(update={"candidate_name": "张三", "sponsor_ids": ids[:2]})
    m.attendance.append(
        m.attendance[0].model_copy(
            update={
                "person_id": "cand",
                "name": "张三",
                "has_vote": False,
                "status": PoliticalStatus.CANDIDATE,
                "state": AttendanceState.OBSERVER,
            }
        )
    )
    m = m.model_copy(update={"candidate_id": "cand"})
    assert gate_status(m, "quorum").state is GateState.PASSED
    m.attendance[1].state = AttendanceState.LEAVE
    g = gate_status(m, "quorum")
    assert g.state is GateState.FAILED and g.reason == "入党介绍人党员1未到会"
    m = m.model_copy(update={"sponsor_ids": ids[:1]})
    assert gate_status(m, "quorum").reason == "入党介绍人应为两名，已填写 1 名"


def test_admission_gate_fails_when_the_candidate_is_absent() -> None:
    m = signed(MeetingKind.ADMISSION)
    ids = [e.person_id for e in m.attendance]
    m = m.model_copy(
        update={"candidate_id": "nobody", "candidate_name": "张三", "sponsor_ids": ids[:2]}
    )
    g = gate_status(m, "quorum")
    assert (g.state, g.reason) == (GateState.FAILED, "发展对象张三未到会")


def test_election_gate_needs_scrutineers_and_counters() -> None:
    m = signed(MeetingKind.ELECTION)
    assert gate_status(m, "returned").reason == "还没有记录选票清点"
    m = record_election(m, _election(scrutineers=[], counters=[]))
    g = gate_status(m, "returned")
    assert (g.state, g.reason) == (GateState.FAILED, "未填写监票人、计票人")
    m.elections[0].scrutineers.append("监票甲")
    assert gate_status(m, "returned").reason == "未填写计票人"
    m.elections[0].counters.append("计票乙")
    assert gate_status(m, "returned").state is GateState.PASSED


def test_failing_gates_name_every_failed_gate_and_block_finish() -> None:
    m = meeting(MeetingKind.MEMBER_ASSEMBLY)
    failed = failing_gates(m)
    assert [g.step_key for g in failed] == ["quorum", "vote"]
    assert failed[0].reason == "未签到 15 人"
    assert any("⚑" in p and "未签到 15 人" in p for p in validate_for_finish(m))
    assert [g.step_key for g in gate_statuses(m)] == ["quorum", "vote"]


def test_every_gate_check_of_every_kind_has_a_status() -> None:
    for kind in MeetingKind:
        m = signed(kind)
        for g in gate_statuses(m):
            assert g.state in GateState and g.reason
    assert GateCheck.PROBATION_ENDED in {
        s.gate_check for s in meeting(MeetingKind.CONFIRMATION).procedure.steps
    }


# -- Probation -------------------------------------------------------------------

START = dt.date(2025, 3, 15)


@pytest.mark.parametrize(
    ("on", "ok"),
    [(dt.date(2026, 3, 14), False), (dt.date(2026, 3, 15), True), (dt.date(2026, 3, 16), True)],
)
def test_probation_ends_after_one_year(on: dt.date, ok: bool) -> None:
    assert probation_ended(START, on).ok is ok


def test_probation_from_29_february_ends_on_1_march() -> None:
    assert not probation_ended(dt.date(2024, 2, 29), dt.date(2025, 2, 28)).ok
    assert probation_ended(dt.date(2024, 2, 29), dt.date(2025, 3, 1)).ok


def test_probation_gate_reads_the_start_date_given_on_the_meeting() -> None:
    m = signed(MeetingKind.CONFIRMATION)
    g = gate_status(m, "expired")
    assert g.state is GateState.MANUAL and "预备期开始日期" in g.reason
    m = m.model_copy(update={"probation_start": dt.date(2025, 5, 15)})
    g = gate_status(m, "expired")
    assert g.state is GateState.FAILED and "2026年5月15日" in g.reason
    m = m.model_copy(update={"probation_start": START})
    assert gate_status(m, "expired").state is GateState.PASSED


@pytest.mark.parametrize(
    ("start", "ok"),
    [(dt.date(2025, 3, 16), False), (dt.date(2025, 3, 15), True), (dt.date(2025, 1, 5), True)],
)
def test_on_time_confirmation_refused_before_a_year(start: dt.date, ok: bool) -> None:
    """Issue 13: 「按期转正」 could be finalised two months into the probation."""
    m = signed(MeetingKind.CONFIRMATION).model_copy(update={"probation_start": start})
    if ok:
        done = set_confirmation_result(m, ConfirmationResult.ON_TIME)
        assert done.confirmation_result is ConfirmationResult.ON_TIME
    else:
        with pytest.raises(ValueError, match="预备期未满一年"):
            set_confirmation_result(m, ConfirmationResult.ON_TIME)
        forced = m.model_copy(update={"confirmation_result": ConfirmationResult.ON_TIME})
        assert any("预备期未满一年" in p for p in validate_for_finish(forced))
    # Extending the probation is allowed at any time.
    assert set_confirmation_result(m, ConfirmationResult.EXTENDED).confirmation_result


def test_extension_needs_its_months_before_the_meeting_finishes() -> None:
    m = signed(MeetingKind.CONFIRMATION).model_copy(update={"probation_start": START})
    m = set_confirmation_result(m, ConfirmationResult.EXTENDED)
    assert "延长预备期须填写延长的月数（6–12 个月）" in validate_for_finish(m)
    bad = m.model_copy(update={"extension_months": 13})
    assert "延长预备期为 6–12 个月，现为 13 个月" in validate_for_finish(bad)
    good = m.model_copy(update={"extension_months": 6})
    assert not any("延长" in p for p in validate_for_finish(good))
    # Months typed on a meeting that does not extend are not a problem.
    on_time = set_confirmation_result(
        good.model_copy(update={"confirmation_result": None}), ConfirmationResult.ON_TIME
    )
    assert not any("延长" in p for p in validate_for_finish(on_time))


def test_a_second_extension_is_refused_on_the_meeting() -> None:
    m = signed(MeetingKind.CONFIRMATION).model_copy(
        update={"probation_start": START, "probation_extended_months": 6}
    )
    with pytest.raises(ValueError, match="预备期只能延长一次，已延长 6 个月"):
        set_confirmation_result(m, ConfirmationResult.EXTENDED)
    forced = m.model_copy(
        update={"confirmation_result": ConfirmationResult.EXTENDED, "extension_months": 6}
    )
    assert "预备期只能延长一次，已延长 6 个月" in validate_for_finish(forced)


@pytest.mark.parametrize(
    ("on", "ok"), [(dt.date(2026, 9, 14), False), (dt.date(2026, 9, 15), True)]
)
def test_probation_gate_counts_the_extension(on: dt.date, ok: bool) -> None:
    """Start 2025-03-15, extended 6 months: the 转正 gate opens on 2026-09-15."""
    assert probation_ended(START, on, extended_months=6).ok is ok
    m = signed(MeetingKind.CONFIRMATION).model_copy(
        update={"date": on, "probation_start": START, "probation_extended_months": 6}
    )
    state = gate_status(m, "expired").state
    assert state is (GateState.PASSED if ok else GateState.FAILED)
    assert "延长6个月" in gate_status(m, "expired").reason
    if ok:
        assert set_confirmation_result(m, ConfirmationResult.ON_TIME).confirmation_result
    else:
        with pytest.raises(ValueError, match="不能按期转正"):
            set_confirmation_result(m, ConfirmationResult.ON_TIME)


def test_on_time_confirmation_needs_the_start_date() -> None:
    m = signed(MeetingKind.CONFIRMATION)
    with pytest.raises(ValueError, match="预备期开始日期"):
        set_confirmation_result(m, ConfirmationResult.ON_TIME)
