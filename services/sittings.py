"""Organisational life by shift: a branch's shift pattern, sittings proposed
from it for a meeting, and the 交接班活动 (docs/SITTINGS.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from domain.meetings import Meeting
from domain.org import OrgKind, OrgUnit, ShiftPattern
from domain.people import Person
from domain.people_codes import Shift
from domain.sittings import (
    BranchShifts,
    Handover,
    HandoverConfig,
    ShiftHours,
    SplitRefused,
    Station,
    check_can_split,
    current_shift,
    default_leader,
    expected_ids,
    handover_problems,
    pattern_shifts,
    propose_sittings,
    set_sittings,
    shift_members,
)
from services.errors import InvalidInput, NotFound, Refused, service
from storage import org, people
from storage import sittings as store_sittings
from storage.db import Store

__all__ = [
    "BranchShifts",
    "Handover",
    "HandoverForm",
    "ShiftSetup",
    "Station",
    "branch_of",
    "file_handover",
    "handover_form",
    "handover_branches",
    "propose_for_meeting",
    "recent_handovers",
    "save_shift_setup",
    "shift_setup",
]


def branch_of(store: Store, org_id: str) -> OrgUnit:
    """The branch of *org_id* (a 党小组's parent)."""
    unit = org.get(store, org_id)
    if unit is None:
        raise NotFound("支部已不存在")
    if unit.kind is OrgKind.GROUP and unit.parent_id:
        parent = org.get(store, unit.parent_id)
        if parent is not None:
            return parent
    return unit


# -- shift pattern ----------------------------------------------------------------


@dataclass(frozen=True)
class ShiftSetup:
    branch: OrgUnit
    members: list[Person]
    stations: BranchShifts

    @property
    def pattern(self) -> ShiftPattern | None:
        return self.branch.shift_pattern


@service
def shift_setup(store: Store, branch_id: str) -> ShiftSetup:
    branch = org.get(store, branch_id)
    if branch is None or branch.kind is not OrgKind.BRANCH:
        raise NotFound("支部已不存在")
    return ShiftSetup(
        branch, people.members_of(store, branch_id), store_sittings.stations_of(store, branch_id)
    )


@service
def save_shift_setup(
    store: Store,
    setup: ShiftSetup,
    pattern: ShiftPattern | None,
    shifts: dict[str, Shift | None],
    stations: Sequence[Station],
) -> ShiftSetup:
    """Save the pattern, each member's shift and the stations together."""
    allowed = set(pattern_shifts(pattern)) | {Shift.REST}
    wrong = [pid for pid, s in shifts.items() if s is not None and s not in allowed]
    if wrong:
        raise InvalidInput(f"有 {len(wrong)} 人的班次不属于{pattern or '常白班'}，请重新选择")
    for st in stations:
        if not st.name.strip():
            raise InvalidInput("站点名称不能为空")
    store_sittings.save_shifts(
        store, setup.branch, pattern, shifts, stations, loaded=setup.stations
    )
    return shift_setup(store, setup.branch.id)


# -- sittings of a meeting -----------------------------------------------------------


@service
def propose_for_meeting(store: Store, meeting: Meeting) -> Meeting:
    """The meeting with sittings proposed from its branch's shift pattern:
    one per shift with that shift's members, one per station (上站)."""
    try:
        check_can_split(meeting)
    except SplitRefused as e:
        raise Refused(str(e)) from None
    branch = branch_of(store, meeting.org_id)
    stations = store_sittings.stations_of(store, branch.id).stations
    wanted = set(expected_ids(meeting.attendance))
    members = [p for p in people.get_many(store, sorted(wanted))]
    order = {pid: i for i, pid in enumerate(expected_ids(meeting.attendance))}
    members.sort(key=lambda p: order.get(p.id, 0))
    proposal = propose_sittings(branch.shift_pattern, members, meeting.date, stations)
    if len(proposal) < 2:
        raise Refused(
            f"{branch.name}为{branch.shift_pattern or '常白班'}，且没有上站人员：按班次只有一场，"
            "不必分场。可在花名册按 b 设定班次和站点。"
        )
    return set_sittings(meeting, proposal)


# -- 交接班活动 ----------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverForm:
    """What the handover screen opens with: today, the shift on duty by the
    clock, its members (pre-ticked) and its leader."""

    branch: OrgUnit
    day: dt.date
    shift: Shift
    shifts: tuple[Shift, ...]
    members: list[Person]  # every member of the branch
    config: HandoverConfig

    def on_shift(self, shift: Shift) -> list[Person]:
        return shift_members(self.members, shift)

    def leader(self, shift: Shift) -> Person | None:
        return default_leader(self.on_shift(shift))


@service
def handover_branches(store: Store) -> list[OrgUnit]:
    """Branches working 三班倒 (the ones that hold 交接班活动)."""
    return store_sittings.branches_with_pattern(store, ShiftPattern.THREE_SHIFTS)


@service
def handover_form(store: Store, branch_id: str, now: dt.datetime) -> HandoverForm:
    branch = org.get(store, branch_id)
    if branch is None:
        raise NotFound("支部已不存在")
    if branch.shift_pattern is not ShiftPattern.THREE_SHIFTS:
        raise Refused(f"{branch.name}不是三班倒支部；交接班活动只用于三班倒的支部")
    return HandoverForm(
        branch=branch,
        day=now.date(),
        shift=current_shift(branch.shift_pattern, now.time(), ShiftHours()),
        shifts=pattern_shifts(branch.shift_pattern),
        members=people.members_of(store, branch_id),
        config=HandoverConfig(),
    )


@service
def file_handover(
    store: Store,
    form: HandoverForm,
    *,
    day: dt.date,
    shift: Shift,
    leader_name: str,
    topic: str,
    minutes: int,
    attendee_ids: Sequence[str],
    today: dt.date,
) -> Handover:
    by_id = {p.id: p for p in form.members}
    attendees = [by_id[i] for i in attendee_ids if i in by_id]
    leader = next((p for p in form.members if p.name == leader_name.strip()), None)
    if not leader_name.strip():
        raise InvalidInput("请填写带班人")
    if not topic.strip():
        raise InvalidInput("请填写活动主题")
    if day > today:
        raise InvalidInput(f"日期不能晚于今天（{today.isoformat()}）：交接班活动记的是已开展的活动")
    cfg = form.config
    # Checked before the model, whose own bounds would answer in pydantic's English.
    if not cfg.min_minutes <= minutes <= cfg.max_minutes:
        raise InvalidInput(f"交接班活动时长应为 {cfg.min_minutes}–{cfg.max_minutes} 分钟")
    try:
        h = Handover(
            branch_id=form.branch.id,
            branch_name=form.branch.name,
            date=day,
            shift=shift,
            leader_id=leader.id if leader else None,
            leader_name=leader_name,
            topic=topic,
            minutes=minutes,
            member_ids=[p.id for p in form.on_shift(shift)],
            attendee_ids=[p.id for p in attendees],
            attendee_names=[p.name for p in attendees],
        )
    except ValueError:
        raise InvalidInput("交接班活动记录有误：带班人不超过 40 字，主题不超过 200 字") from None
    problems = handover_problems(h, form.config)
    if problems:
        raise InvalidInput("；".join(problems))
    return store_sittings.save_handover(store, h)


@service
def recent_handovers(store: Store, branch_id: str, limit: int = 50) -> list[Handover]:
    return store_sittings.handovers_of(store, branch_id, limit=limit)
