"""Organisational life by shift (差别化组织生活): one activity held in several
sittings, and the 交接班活动 of a 三班倒 branch (docs/SITTINGS.md).

- Only kinds that take no binding vote can be split (主题党日, 党课, 党小组会
  学习); the others are refused with the reason in Chinese.
- A branch's shift pattern (常白班 / 白夜两班 / 三班倒, each member's shift,
  and the stations a 支委 visits) proposes the sittings and who belongs to each.
- The sittings are ONE activity: the sign-in sheet is worked out from them
  (出席 in any sitting = 出席 once), and the coverage says who attended which
  sitting and who is still missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import MEMBER_STATES, AttendanceEntry, AttendanceState
from domain.org_codes import ShiftPattern
from domain.people import Person
from domain.people_codes import Shift
from domain.records import Record
from domain.sitting_records import Sitting, SittingKind
from domain.text import Line, RequiredLine

if TYPE_CHECKING:
    from domain.meetings import Meeting

__all__ = ["Sitting", "SittingKind"]

# -- which kinds may be split ----------------------------------------------------

SPLITTABLE: frozenset[MeetingKind] = frozenset(
    {MeetingKind.THEME_DAY, MeetingKind.LECTURE, MeetingKind.GROUP}
)

# Why the others cannot: each decides something together, and a decision or a
# count taken in parts is not the decision of one meeting.
_REFUSALS: Mapping[MeetingKind, str] = {
    MeetingKind.MEMBER_ASSEMBLY: (
        "支部党员大会要对议题作出决定：须有半数以上有表决权的党员到会，在同一次会议上"
        "讨论并表决，分场召开的各场都不是完整的党员大会，因此不能分场。"
    ),
    MeetingKind.ADMISSION: (
        "接收预备党员须由同一次支部大会逐个讨论、无记名投票表决，赞成票按应到会有表决权的"
        "正式党员计算；分场投票既不能当场计票，也不能保证大家听到同样的讨论，因此不能分场。"
    ),
    MeetingKind.CONFIRMATION: (
        "预备党员转正须由同一次支部大会讨论、表决，赞成票按应到会有表决权的正式党员计算；"
        "分场表决不能算作一次大会的决议，因此不能分场。"
    ),
    MeetingKind.ELECTION: (
        "换届选举须有五分之四以上有选举权的党员到会，在同一次大会上投票、当场计票并宣布结果；"
        "分场投票不符合选举程序，因此不能分场。"
    ),
    MeetingKind.COMMITTEE: (
        "支部委员会会议由委员集体讨论、少数服从多数作出决定，须半数以上委员同场到会，因此不能分场。"
    ),
    MeetingKind.ORG_LIFE: (
        "组织生活会要求全体党员当面开展批评和自我批评，并可能进行表决，须在同一场会上进行，"
        "因此不能分场。"
    ),
    MeetingKind.APPRAISAL: ("民主评议党员要在同一次党员大会上测评并表决评定等次，因此不能分场。"),
}


def split_refusal(kind: MeetingKind) -> str | None:
    """Why *kind* cannot be held in sittings, or None when it can."""
    if kind in SPLITTABLE:
        return None
    return _REFUSALS.get(kind, f"{kind}需要全体同场表决或作出决定，不能分场。")


class SplitRefused(ValueError):
    """A voting kind, or a record that already holds a vote: the message says why."""


# -- shift pattern -----------------------------------------------------------------

PATTERN_SHIFTS: Mapping[ShiftPattern, tuple[Shift, ...]] = {
    ShiftPattern.DAY_ONLY: (Shift.DAY,),
    ShiftPattern.TWO_SHIFTS: (Shift.DAY, Shift.NIGHT),
    ShiftPattern.THREE_SHIFTS: (Shift.MORNING, Shift.MIDDLE, Shift.LATE),
}


def pattern_shifts(pattern: ShiftPattern | None) -> tuple[Shift, ...]:
    return PATTERN_SHIFTS[pattern or ShiftPattern.DAY_ONLY]


class ShiftHours(BaseModel):
    """When each shift starts (hour of the day, 0–23) [综合]: plants differ, so
    this is configuration. A shift lasts until the next one of its pattern starts."""

    model_config = ConfigDict(frozen=True)

    starts: dict[Shift, int] = Field(
        default_factory=lambda: {
            Shift.DAY: 8,
            Shift.NIGHT: 20,
            Shift.MORNING: 8,
            Shift.MIDDLE: 16,
            Shift.LATE: 0,
        }
    )


class HandoverConfig(BaseModel):
    """The 交接班活动 length [综合]: a short talk at handover, 5–10 minutes."""

    model_config = ConfigDict(frozen=True)

    min_minutes: int = Field(default=5, ge=1, le=60)
    max_minutes: int = Field(default=10, ge=1, le=60)
    default_minutes: int = Field(default=10, ge=1, le=60)


def current_shift(
    pattern: ShiftPattern | None, now: dt.time, hours: ShiftHours | None = None
) -> Shift:
    """The shift on duty at *now*: the latest start at or before it (wrapping past midnight)."""
    hours = hours or ShiftHours()
    shifts = pattern_shifts(pattern)
    starts = sorted(((hours.starts.get(s, 8), s) for s in shifts), key=lambda p: p[0])
    on = starts[-1][1]  # before the first start of the day: the last shift of the day before
    for hour, shift in starts:
        if now.hour >= hour:
            on = shift
    return on


class Station(BaseModel):
    """A place a 支委 visits to hold the activity with the people named there (上站)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    name: RequiredLine = Field(max_length=30)
    person_ids: list[str] = Field(default_factory=list)


class BranchShifts(Record):
    """A branch's stations (``id`` is the branch's id); its pattern is the
    branch's own field and each member's shift is the member's
    (domain.org.OrgUnit, domain.people.Person)."""

    stations: list[Station] = Field(default_factory=list)

    def station_of(self, person_id: str) -> str | None:
        return next((s.name for s in self.stations if person_id in s.person_ids), None)


def shift_label(shift: Shift) -> str:
    return f"{shift.value}场"


def propose_sittings(
    pattern: ShiftPattern | None,
    members: Sequence[Person],
    day: dt.date,
    stations: Sequence[Station] = (),
) -> list[Sitting]:
    """One sitting per shift of the pattern with the members of that shift,
    then one 上站 sitting per station with the people named there. A member
    whose shift is not one of the pattern's (none recorded, 倒休) joins the
    first sitting, so nobody is left out of the proposal."""
    by_id = {p.id: p for p in members}
    placed: set[str] = set()
    station_sittings: list[Sitting] = []
    for st in stations:
        ids = [i for i in st.person_ids if i in by_id and i not in placed]
        if not ids:
            continue
        placed.update(ids)
        station_sittings.append(
            Sitting(
                label=f"上站（{st.name}）"[:30],
                kind=SittingKind.STATION,
                date=day,
                place=st.name,
                member_ids=ids,
            )  # fmt: skip
        )
    shifts = pattern_shifts(pattern)
    buckets: dict[Shift, list[str]] = {s: [] for s in shifts}
    for p in members:
        if p.id in placed:
            continue
        shift = p.shift if p.shift in buckets else shifts[0]
        buckets[shift].append(p.id)
    shift_sittings = [
        Sitting(label=shift_label(s), kind=SittingKind.SHIFT, shift=s, date=day, member_ids=ids)
        for s, ids in buckets.items()
        if ids
    ]
    return [*shift_sittings, *station_sittings]


# -- coverage ----------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Who of those expected attended which sitting, and who is still missing."""

    expected: tuple[str, ...]  # person ids, sign-in order
    attended: Mapping[str, tuple[str, ...]]  # person id → labels of the sittings attended
    missing: tuple[str, ...]  # expected, in no sitting yet
    repeated: tuple[str, ...]  # attended more than one sitting (counted once)
    unplanned: tuple[str, ...]  # expected but in no sitting's list

    @property
    def covered(self) -> int:
        return len(self.expected) - len(self.missing)

    @property
    def full(self) -> bool:
        return not self.missing and bool(self.expected)


def expected_ids(attendance: Iterable[AttendanceEntry]) -> list[str]:
    """Members of the activity (not 列席/上级指导, not excluded), in sheet order."""
    out: list[str] = []
    for e in attendance:
        if e.person_id and e.state in MEMBER_STATES and e.excluded_reason is None:
            if e.person_id not in out:
                out.append(e.person_id)
    return out


def coverage(expected: Sequence[str], sittings: Sequence[Sitting]) -> Coverage:
    attended: dict[str, list[str]] = {}
    for s in sittings:
        for pid in dict.fromkeys(s.present_ids):
            attended.setdefault(pid, []).append(s.label)
    planned = {pid for s in sittings for pid in s.member_ids}
    wanted = list(dict.fromkeys(expected))
    return Coverage(
        expected=tuple(wanted),
        attended={pid: tuple(attended[pid]) for pid in wanted if pid in attended},
        missing=tuple(pid for pid in wanted if pid not in attended),
        repeated=tuple(pid for pid in wanted if len(attended.get(pid, ())) > 1),
        unplanned=tuple(pid for pid in wanted if pid not in planned),
    )


def merged_attendance(
    attendance: Sequence[AttendanceEntry], sittings: Sequence[Sitting]
) -> list[AttendanceEntry]:
    """The activity's one sign-in sheet: 出席 once for anyone present in any
    sitting; a member marked 出席 whom no sitting has is back to 未签到 (with
    sittings, attendance is taken per sitting); 请假/缺席 and guests are kept."""
    present = {pid for s in sittings for pid in s.present_ids}
    out: list[AttendanceEntry] = []
    for e in attendance:
        if e.person_id and e.state in MEMBER_STATES:
            if e.person_id in present:
                e = e.model_copy(update={"state": AttendanceState.PRESENT, "reason": ""})
            elif e.state is AttendanceState.PRESENT:
                e = e.model_copy(update={"state": AttendanceState.NOT_SIGNED})
        out.append(e)
    return out


def meeting_coverage(meeting: Meeting) -> Coverage:
    return coverage(expected_ids(meeting.attendance), meeting.sittings)


def check_can_split(meeting: Meeting) -> None:
    """Raise SplitRefused with the reason when *meeting* cannot have sittings."""
    reason = split_refusal(meeting.kind)
    if reason:
        raise SplitRefused(reason)
    if meeting.votes or meeting.elections:
        raise SplitRefused(
            "本次活动已记录表决：表决须在同一场内由到会党员共同进行，分场的活动不能记录表决。"
            "请先删除表决，或不分场。"
        )


def set_sittings(meeting: Meeting, sittings: Sequence[Sitting]) -> Meeting:
    """Replace the sittings and work out the sign-in sheet from them. The
    meeting's own time, place and chair, when blank, are taken from them."""
    if sittings:
        check_can_split(meeting)
    # By date and start; one without a time yet keeps its place after the timed ones.
    ordered = sorted(sittings, key=lambda s: (s.date, s.start_time or dt.time.max))
    update: dict[str, object] = {
        "sittings": list(ordered),
        "attendance": merged_attendance(meeting.attendance, ordered),
    }
    on_day = [s for s in ordered if s.date == meeting.date]
    starts = [s.start_time for s in on_day if s.start_time]
    ends = [s.end_time for s in on_day if s.end_time]
    if meeting.start_time is None and starts:
        update["start_time"] = min(starts)
    if meeting.end_time is None and ends:
        update["end_time"] = max(ends)
    places = list(dict.fromkeys(s.place for s in ordered if s.place))
    if not meeting.place and places:
        update["place"] = "、".join(places)[:100]
    leader = next((s for s in ordered if s.leader_name), None)
    if not meeting.chair_name and leader is not None:
        update["chair_id"], update["chair_name"] = leader.leader_id, leader.leader_name
    return meeting.model_copy(update=update)


def replace_sitting(meeting: Meeting, sitting: Sitting) -> Meeting:
    """Put *sitting* in place of the one with its id (or add it)."""
    if any(s.id == sitting.id for s in meeting.sittings):
        return set_sittings(
            meeting, [sitting if s.id == sitting.id else s for s in meeting.sittings]
        )
    return set_sittings(meeting, [*meeting.sittings, sitting])


def remove_sitting(meeting: Meeting, sitting_id: str) -> Meeting:
    return set_sittings(meeting, [s for s in meeting.sittings if s.id != sitting_id])


def toggle_present(sitting: Sitting, person_id: str) -> Sitting:
    present = list(sitting.present_ids)
    if person_id in present:
        present.remove(person_id)
    else:
        present.append(person_id)
    members = (
        sitting.member_ids if person_id in sitting.member_ids else [*sitting.member_ids, person_id]
    )
    return sitting.model_copy(update={"present_ids": present, "member_ids": members})


def sitting_problems(meeting: Meeting) -> list[str]:
    """What stops a meeting with sittings from being finished (Chinese)."""
    if not meeting.sittings:
        return []
    problems: list[str] = []
    reason = split_refusal(meeting.kind)
    if reason:
        problems.append(reason)
    for s in meeting.sittings:
        if s.start_time is None or s.end_time is None:
            problems.append(f"{s.label}未填写起止时间")
        if not s.place:
            problems.append(f"{s.label}未填写地点")
        if not s.leader_name:
            problems.append(f"{s.label}未填写带领人")
    return problems


# -- 交接班活动 --------------------------------------------------------------------


class Handover(Record):
    """A 交接班活动 of a 三班倒 branch: whoever leads the shift holds it for
    the members on that shift, at handover, for a few minutes."""

    branch_id: str
    branch_name: RequiredLine = Field(max_length=60)
    date: dt.date
    shift: Shift
    leader_id: str | None = None
    leader_name: RequiredLine = Field(max_length=40)  # 带班人
    topic: RequiredLine = Field(max_length=200)
    minutes: int = Field(default=10, ge=1, le=60)
    member_ids: list[str] = Field(default_factory=list)  # the shift's members
    attendee_ids: list[str] = Field(default_factory=list)
    attendee_names: list[Line] = Field(default_factory=list)


def handover_problems(h: Handover, config: HandoverConfig | None = None) -> list[str]:
    config = config or HandoverConfig()
    problems: list[str] = []
    if not h.attendee_ids:
        problems.append("没有勾选参加的党员")
    if not config.min_minutes <= h.minutes <= config.max_minutes:
        problems.append(f"交接班活动时长应为 {config.min_minutes}–{config.max_minutes} 分钟")
    return problems


def shift_members(members: Iterable[Person], shift: Shift) -> list[Person]:
    return [p for p in members if p.shift is shift]


def default_leader(members: Sequence[Person]) -> Person | None:
    """带班的支委 first (谁带班谁就是支部书记), else the first member of the shift."""
    committee = [p for p in members if p.on_committee]
    pool = committee or list(members)
    return pool[0] if pool else None
