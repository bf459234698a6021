"""Issue 19 (sittings): coverage across sittings, the merged sign-in sheet,
proposals from the shift pattern, refusal for voting kinds, handovers."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import attendance_summary, new_meeting, new_vote
from domain.org_codes import ShiftPattern
from domain.people import Person, PoliticalStatus
from domain.people_codes import Shift
from domain.sittings import (
    SPLITTABLE,
    Handover,
    Sitting,
    SittingKind,
    SplitRefused,
    Station,
    coverage,
    current_shift,
    handover_problems,
    meeting_coverage,
    propose_sittings,
    set_sittings,
    sitting_problems,
    split_refusal,
    toggle_present,
)

DAY = dt.date(2026, 11, 10)


def _people(shifts: list[Shift | None]) -> list[Person]:
    return [
        Person(name=f"党员{i}", status=PoliticalStatus.FULL, branch_id="b", shift=s,
               joined_party=dt.date(2010, 1, 1), confirmed_on=dt.date(2011, 1, 1))
        for i, s in enumerate(shifts)
    ]  # fmt: skip


def _theme_day(members: list[Person]):  # type: ignore[no-untyped-def]
    return new_meeting(MeetingKind.THEME_DAY, "b", "一支部", DAY, people=members)


def test_everyone_covered_once_and_people_in_two_sittings_counted_once() -> None:
    ps = _people([Shift.DAY, Shift.DAY, Shift.NIGHT, Shift.NIGHT])
    a, b, c, d = (p.id for p in ps)
    day = Sitting(label="白班场", date=DAY, member_ids=[a, b], present_ids=[a, b])
    night = Sitting(label="夜班场", date=DAY, member_ids=[c, d], present_ids=[c, d, a])
    m = set_sittings(_theme_day(ps), [day, night])

    cov = meeting_coverage(m)
    assert cov.full and cov.covered == 4 and cov.missing == ()
    assert cov.repeated == (a,)
    assert cov.attended[a] == ("白班场", "夜班场")
    # One activity: four members, four present, once each on the one sheet.
    summary = attendance_summary(m)
    assert (summary.expected, summary.present) == (4, 4)
    assert [e.state for e in m.attendance] == [AttendanceState.PRESENT] * 4


def test_the_missing_list_names_who_attended_no_sitting() -> None:
    ps = _people([Shift.DAY, Shift.DAY, Shift.NIGHT, None])
    a, b, c, d = (p.id for p in ps)
    day = Sitting(label="白班场", date=DAY, member_ids=[a, b], present_ids=[a])
    night = Sitting(label="夜班场", date=DAY, member_ids=[c], present_ids=[c])
    m = set_sittings(_theme_day(ps), [day, night])
    cov = meeting_coverage(m)
    assert cov.missing == (b, d)
    assert cov.unplanned == (d,)  # in no sitting's list at all
    assert not cov.full and cov.covered == 2
    states = {e.person_id: e.state for e in m.attendance}
    assert states[b] is AttendanceState.NOT_SIGNED and states[d] is AttendanceState.NOT_SIGNED

    # b comes to the night sitting: covered; a leaves the day list: missing again.
    m = set_sittings(m, [toggle_present(day, a), toggle_present(night, b)])
    cov = meeting_coverage(m)
    assert cov.missing == (a, d)
    assert {e.person_id: e.state for e in m.attendance}[a] is AttendanceState.NOT_SIGNED


def test_leave_and_absence_are_kept_for_those_in_no_sitting() -> None:
    ps = _people([Shift.DAY, Shift.NIGHT])
    m = _theme_day(ps)
    att = [m.attendance[0], m.attendance[1].model_copy(update={"state": AttendanceState.LEAVE})]
    m = m.model_copy(update={"attendance": att})
    s = Sitting(label="白班场", date=DAY, member_ids=[ps[0].id], present_ids=[ps[0].id])
    m = set_sittings(m, [s, Sitting(label="夜班场", date=DAY, member_ids=[ps[1].id])])
    assert [e.state for e in m.attendance] == [AttendanceState.PRESENT, AttendanceState.LEAVE]


@pytest.mark.parametrize(
    "kind",
    [MeetingKind.MEMBER_ASSEMBLY, MeetingKind.ADMISSION, MeetingKind.CONFIRMATION,
     MeetingKind.ELECTION, MeetingKind.COMMITTEE],
)  # fmt: skip
def test_voting_kinds_cannot_be_split_and_say_why(kind: MeetingKind) -> None:
    ps = _people([Shift.DAY, Shift.NIGHT])
    m = new_meeting(kind, "b", "一支部", DAY, people=ps)
    reason = split_refusal(kind)
    assert reason and "不能分场" in reason
    with pytest.raises(SplitRefused, match="不能分场"):
        set_sittings(m, [Sitting(label="白班场", date=DAY)])
    assert kind not in SPLITTABLE


def test_a_recorded_vote_stops_a_split_and_a_split_record_with_a_voting_kind_cannot_finish() -> (
    None
):
    ps = _people([Shift.DAY, Shift.NIGHT])
    m = _theme_day(ps)
    voted = m.model_copy(update={"votes": [new_vote(m, "民主议事")]})
    with pytest.raises(SplitRefused, match="表决"):
        set_sittings(voted, [Sitting(label="白班场", date=DAY)])
    # A record that somehow holds sittings under a voting kind is not finished.
    odd = new_meeting(MeetingKind.MEMBER_ASSEMBLY, "b", "一支部", DAY, people=ps)
    odd = odd.model_copy(update={"sittings": [Sitting(label="白班场", date=DAY)]})
    assert any("不能分场" in p for p in sitting_problems(odd))


def test_splittable_kinds_are_theme_day_lecture_and_group_study() -> None:
    assert SPLITTABLE == {MeetingKind.THEME_DAY, MeetingKind.LECTURE, MeetingKind.GROUP}
    for kind in SPLITTABLE:
        assert split_refusal(kind) is None


def test_the_pattern_proposes_one_sitting_per_shift_and_one_per_station() -> None:
    ps = _people([Shift.DAY, Shift.NIGHT, Shift.DAY, None, Shift.REST, Shift.NIGHT])
    station = Station(name="计量站", person_ids=[ps[5].id])
    out = propose_sittings(ShiftPattern.TWO_SHIFTS, ps, DAY, [station])
    assert [s.label for s in out] == ["白班场", "夜班场", "上站（计量站）"]
    assert out[2].kind is SittingKind.STATION and out[2].place == "计量站"
    # No shift / 倒休 join the first sitting; the station's person leaves their shift's.
    assert out[0].member_ids == [ps[0].id, ps[2].id, ps[3].id, ps[4].id]
    assert out[1].member_ids == [ps[1].id]
    assert out[2].member_ids == [ps[5].id]
    every = [pid for s in out for pid in s.member_ids]
    assert sorted(every) == sorted(p.id for p in ps)  # everyone proposed exactly once


def test_coverage_of_expected_only() -> None:
    s = Sitting(label="白班场", date=DAY, present_ids=["x", "guest"])
    cov = coverage(["x", "y"], [s])
    assert cov.expected == ("x", "y") and cov.missing == ("y",)
    assert "guest" not in cov.attended


def test_blank_time_place_and_chair_come_from_the_sittings() -> None:
    ps = _people([Shift.DAY, Shift.NIGHT])
    day = Sitting(label="白班场", date=DAY, start_time=dt.time(8, 30), end_time=dt.time(9, 30),
                  place="活动室", leader_name="张书记")  # fmt: skip
    night = Sitting(label="夜班场", date=DAY, start_time=dt.time(20, 0), end_time=dt.time(21, 0),
                    place="值班室")  # fmt: skip
    m = set_sittings(_theme_day(ps), [night, day])
    assert [s.label for s in m.sittings] == ["白班场", "夜班场"]
    assert (m.start_time, m.end_time) == (dt.time(8, 30), dt.time(21, 0))
    assert m.place == "活动室、值班室" and m.chair_name == "张书记"
    assert any("夜班场未填写带领人" in p for p in sitting_problems(m))


@pytest.mark.parametrize(
    ("hour", "shift"),
    [(0, Shift.LATE), (7, Shift.LATE), (8, Shift.MORNING), (15, Shift.MORNING),
     (16, Shift.MIDDLE), (23, Shift.MIDDLE)],
)  # fmt: skip
def test_current_shift_by_the_clock(hour: int, shift: Shift) -> None:
    assert current_shift(ShiftPattern.THREE_SHIFTS, dt.time(hour, 30)) is shift


def test_two_shifts_night_runs_past_midnight() -> None:
    assert current_shift(ShiftPattern.TWO_SHIFTS, dt.time(3)) is Shift.NIGHT
    assert current_shift(ShiftPattern.TWO_SHIFTS, dt.time(12)) is Shift.DAY


def test_handover_needs_someone_and_five_to_ten_minutes() -> None:
    h = Handover(branch_id="b", branch_name="一支部", date=DAY, shift=Shift.MORNING,
                 leader_name="张伟", topic="安全交底", minutes=12)  # fmt: skip
    problems = handover_problems(h)
    assert "没有勾选参加的党员" in problems
    assert any("5–10 分钟" in p for p in problems)
    ok = h.model_copy(update={"minutes": 8, "attendee_ids": ["x"], "attendee_names": ["甲"]})
    assert handover_problems(ok) == []
