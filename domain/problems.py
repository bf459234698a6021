"""问题清单: problems found in meetings, inspections and 隐患排查, each with
a 责任人, 整改措施, a deadline and who verifies, until verified closed
(docs/RULES.md#问题清单).

The decisions (决议) finished meetings leave behind are entries of the same
list: ``Entry`` is the one row shape of both, so the screen and the 整改台账
show one list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.action_codes import days_overdue
from domain.records import Record
from domain.text import Line, Note, RequiredLine


class ProblemSource(StrEnum):
    MEETING = "会议"
    INSPECTION = "检查"
    HAZARD = "隐患排查"
    DECISION = "会议决议"  # a 决议 of a finished meeting (listed, not filed here)


# What a person may file by hand (决议 come from finished meetings).
FILED_SOURCES = (ProblemSource.MEETING, ProblemSource.INSPECTION, ProblemSource.HAZARD)


class ProblemState(StrEnum):
    OPEN = "待整改"
    FIXING = "整改中"
    VERIFYING = "待验证"
    CLOSED = "已验证关闭"


OPEN_STATES = (ProblemState.OPEN, ProblemState.FIXING, ProblemState.VERIFYING)


class ProblemRuleError(ValueError):
    """A state change the rules refuse (the message is Chinese, for the user)."""


class EscalationConfig(BaseModel):
    """When an open problem goes up to the 党总支 ([综合]: configurable).

    ``escalate_after_days``: whole days past the deadline before the 党总支
    sees it (0: the first day late)."""

    escalate_after_days: int = Field(default=0, ge=0, le=365)


DEFAULT_ESCALATION = EscalationConfig()


class Problem(Record):
    branch_id: str
    branch_name: Line = Field(default="", max_length=60)  # snapshot
    source: ProblemSource = ProblemSource.MEETING
    source_text: Line = Field(default="", max_length=200)  # e.g. 2026-03-15 支委会 / 季度检查
    meeting_id: str | None = None  # the meeting it was filed in
    found_on: dt.date
    text: RequiredLine = Field(max_length=2000)  # 问题
    measures: Note = Field(default="", max_length=4000)  # 整改措施
    owner_id: str | None = None
    owner_name: Line = Field(default="", max_length=40)  # 责任人
    deadline: dt.date | None = None  # 整改时限
    verifier_id: str | None = None
    verifier_name: Line = Field(default="", max_length=40)  # 验证人
    state: ProblemState = ProblemState.OPEN
    progress: Note = Field(default="", max_length=4000)  # 整改情况
    verified_on: dt.date | None = None
    verify_note: Line = Field(default="", max_length=200)

    @property
    def is_open(self) -> bool:
        return self.state is not ProblemState.CLOSED

    def days_overdue(self, today: dt.date) -> int:
        return days_overdue(self.deadline, self.is_open, today)


def check_complete(p: Problem) -> None:
    """A problem is filed with all four: 责任人, 整改措施, 时限, 验证人."""
    missing = [
        label
        for label, ok in (
            ("责任人", p.owner_id or p.owner_name),
            ("整改措施", p.measures.strip()),
            ("整改时限", p.deadline),
            ("验证人", p.verifier_id),
        )
        if not ok
    ]
    if missing:
        raise ProblemRuleError(f"问题清单每项须写明{'、'.join(missing)}")
    if p.deadline and p.deadline < p.found_on:
        raise ProblemRuleError("整改时限不能早于发现日期")


def start_fixing(p: Problem, progress: str = "") -> Problem:
    if p.state is not ProblemState.OPEN:
        raise ProblemRuleError(f"只有“待整改”的问题才能开始整改（现为“{p.state}”）")
    return p.model_copy(update={"state": ProblemState.FIXING, "progress": progress or p.progress})


def submit_for_verification(p: Problem, progress: str) -> Problem:
    if p.state not in (ProblemState.OPEN, ProblemState.FIXING):
        raise ProblemRuleError(f"“{p.state}”的问题不能提交验证")
    if not progress.strip():
        raise ProblemRuleError("提交验证须写明整改情况")
    return p.model_copy(update={"state": ProblemState.VERIFYING, "progress": progress.strip()})


def check_may_verify(p: Problem, person_id: str | None) -> None:
    """Whether *person_id* may verify *p* now (asked before a note is typed)."""
    if p.state is not ProblemState.VERIFYING:
        raise ProblemRuleError(f"只有“待验证”的问题才能验证（现为“{p.state}”）")
    if person_id is None or person_id != p.verifier_id:
        who = p.verifier_name or "指定的验证人"
        raise ProblemRuleError(f"只有验证人{who}本人才能验证此问题")


def verify(
    p: Problem, person_id: str | None, today: dt.date, *, passed: bool, note: str = ""
) -> Problem:
    """The named verifier, and nobody else, closes the problem or sends it back."""
    check_may_verify(p, person_id)
    if passed:
        update = {"state": ProblemState.CLOSED, "verified_on": today, "verify_note": note}
    else:
        if not note.strip():
            raise ProblemRuleError("验证未通过须写明原因")
        update = {"state": ProblemState.FIXING, "verify_note": note}
    return p.model_copy(update=update)


def escalated(deadline: dt.date | None, is_open: bool, today: dt.date,
              config: EscalationConfig = DEFAULT_ESCALATION) -> bool:  # fmt: skip
    """Late enough that the 党总支 sees it."""
    return days_overdue(deadline, is_open, today) > config.escalate_after_days


@dataclass(frozen=True)
class Entry:
    """One row of the 问题清单: a filed problem or a meeting's 决议."""

    id: str
    is_decision: bool
    branch_id: str
    branch_name: str
    source: ProblemSource
    source_text: str
    found_on: dt.date | None
    text: str
    measures: str
    owner_name: str
    deadline: dt.date | None
    verifier_name: str
    state: ProblemState
    progress: str = ""
    meeting_id: str | None = None
    verified_on: dt.date | None = None
    owner_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state is not ProblemState.CLOSED

    def days_overdue(self, today: dt.date) -> int:
        return days_overdue(self.deadline, self.is_open, today)


def entry_of(p: Problem) -> Entry:
    return Entry(
        id=p.id, is_decision=False, branch_id=p.branch_id, branch_name=p.branch_name,
        source=p.source, source_text=p.source_text, found_on=p.found_on, text=p.text,
        measures=p.measures, owner_name=p.owner_name, deadline=p.deadline,
        verifier_name=p.verifier_name, state=p.state, progress=p.progress,
        meeting_id=p.meeting_id, verified_on=p.verified_on, owner_id=p.owner_id,
    )  # fmt: skip


def sort_key(e: Entry, today: dt.date) -> tuple[int, int, str, str]:
    """Open before closed, the latest first among the late, then by deadline."""
    return (
        0 if e.is_open else 1,
        -e.days_overdue(today),
        e.deadline.isoformat() if e.deadline else "9999",
        e.text,
    )


def carried_into(entries: list[Entry], meeting_date: dt.date, meeting_id: str) -> list[Entry]:
    """What a meeting on *meeting_date* carries on its agenda: its branch's
    entries filed before that day (not in this meeting) and not closed by that
    day (one closed later was still open at the meeting: its minutes keep it)."""
    out = [
        e
        for e in entries
        if e.meeting_id != meeting_id
        and (e.found_on is None or e.found_on < meeting_date)
        and (e.is_open or (e.verified_on is not None and e.verified_on > meeting_date))
    ]
    return out


__all__ = [
    "DEFAULT_ESCALATION",
    "FILED_SOURCES",
    "OPEN_STATES",
    "Entry",
    "EscalationConfig",
    "Problem",
    "ProblemRuleError",
    "ProblemSource",
    "ProblemState",
    "carried_into",
    "check_complete",
    "check_may_verify",
    "entry_of",
    "escalated",
    "start_fixing",
    "submit_for_verification",
    "verify",
]
