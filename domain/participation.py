"""Per-member attendance over a period: 应到, 出席, 请假, 缺席, rate and 补学.

- 应到 = 出席 + 请假 + 缺席. 列席 (non-voting guests such as activists) are
  not expected, so they are counted apart and never lower a rate.
- Attendance rate = 出席 / 应到 (a make-up does not turn an absence into
  attendance; it is reported separately).
- A make-up (补学) is owed for every 请假 or 缺席 [综合]; the states that owe
  one are configurable (docs/RULES.md#participation).
- The alert threshold defaults to 80% [综合]: no source fixes a figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, Field

from domain.periods import Period


class AttendanceState(StrEnum):
    PRESENT = "出席"
    LEAVE = "请假"
    ABSENT = "缺席"
    OBSERVER = "列席"


EXPECTED_STATES = frozenset(
    {AttendanceState.PRESENT, AttendanceState.LEAVE, AttendanceState.ABSENT}
)


class AttendanceRecord(BaseModel):
    person_id: str
    meeting_date: date
    state: AttendanceState
    make_up_done: bool = False
    meeting_id: str = ""  # when given, a later row for the same meeting replaces an earlier one


class ParticipationConfig(BaseModel):
    threshold_percent: int = Field(default=80, ge=0, le=100)  # [综合]
    make_up_states: frozenset[AttendanceState] = frozenset(
        {AttendanceState.LEAVE, AttendanceState.ABSENT}
    )  # [综合]


class MemberParticipation(BaseModel):
    person_id: str
    expected: int = 0  # 应到
    present: int = 0  # 出席
    leave: int = 0  # 请假
    absent: int = 0  # 缺席
    observer: int = 0  # 列席
    make_ups_owed: int = 0  # 应补学
    make_ups_done: int = 0  # 已补学

    @property
    def rate(self) -> Fraction | None:
        """出席/应到, exact; None when nothing was expected."""
        return Fraction(self.present, self.expected) if self.expected else None

    @property
    def rate_percent(self) -> float | None:
        r = self.rate
        return None if r is None else float(r * 100)

    @property
    def rate_label(self) -> str:
        r = self.rate_percent
        return "—" if r is None else f"{r:.1f}%"

    @property
    def make_ups_pending(self) -> int:
        return self.make_ups_owed - self.make_ups_done


def summarize(
    records: Iterable[AttendanceRecord],
    period: Period,
    member_ids: Iterable[str] = (),
    config: ParticipationConfig | None = None,
) -> dict[str, MemberParticipation]:
    """Stats per person for meetings inside *period*.

    *member_ids* adds people with no rows at all, so an empty roster line still
    shows (应到 0).
    """
    config = config or ParticipationConfig()
    rows: list[AttendanceRecord] = []
    keyed: dict[tuple[str, str], int] = {}
    for r in records:
        if not period.contains(r.meeting_date):
            continue
        if r.meeting_id:
            key = (r.meeting_id, r.person_id)
            if key in keyed:
                rows[keyed[key]] = r
                continue
            keyed[key] = len(rows)
        rows.append(r)

    out = {pid: MemberParticipation(person_id=pid) for pid in member_ids}
    for r in rows:
        m = out.setdefault(r.person_id, MemberParticipation(person_id=r.person_id))
        if r.state in EXPECTED_STATES:
            m.expected += 1
        if r.state is AttendanceState.PRESENT:
            m.present += 1
        elif r.state is AttendanceState.LEAVE:
            m.leave += 1
        elif r.state is AttendanceState.ABSENT:
            m.absent += 1
        else:
            m.observer += 1
        if r.state in config.make_up_states:
            m.make_ups_owed += 1
            if r.make_up_done:
                m.make_ups_done += 1
    return out


def below_threshold(
    stats: Iterable[MemberParticipation], config: ParticipationConfig | None = None
) -> list[MemberParticipation]:
    """Members whose rate is strictly below the threshold, lowest first.

    People with 应到 0 have no rate and are never listed.
    """
    config = config or ParticipationConfig()
    limit = Fraction(config.threshold_percent, 100)
    low = [m for m in stats if m.rate is not None and m.rate < limit]
    return sorted(low, key=lambda m: (m.rate, m.person_id))
