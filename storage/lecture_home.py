"""The 党课 lines of the home screen: late courseware steps, then the next lecture.

Apart from storage.rota, and reading only the columns it shows (date and state
are columns, names and topic come from json_extract of the fields declared in
domain.json_fields), so the home screen lists lectures without building
Lecture models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain import json_fields
from domain.dashboard import DueItem, Urgency
from domain.dates import format_date_cn
from domain.lecture_deadlines import DEFAULT_DEADLINES, ReviewState, late_steps
from domain.navigation import Go, Place, go
from storage.db import Store
from storage.in_lists import marks

SECTION = "党课"
# Lectures that are past their date but neither approved nor held stay on the
# home screen this long; older ones are history (the plan view still marks them).
LATE_WINDOW_DAYS = 30
DONE_STATES = (ReviewState.APPROVED.value, ReviewState.FILED.value)


_COLUMNS = (
    f"SELECT id, date, state, {json_fields.LECTURE.extract('meeting_id')} IS NOT NULL AS given,"
    f" {json_fields.LECTURE.extract('lecturer_name')} AS lecturer_name,"
    f" {json_fields.LECTURE.extract('branch_name')} AS branch_name,"
    f" {json_fields.LECTURE.extract('topic')} AS topic FROM lectures"
)


@dataclass(frozen=True)
class _Lecture:
    """What a home line shows of a lecture."""

    id: str
    lecture_date: date
    state: ReviewState
    given: bool
    lecturer_name: str
    branch_name: str
    topic: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> _Lecture:
        return cls(
            id=row["id"],
            lecture_date=date.fromisoformat(row["date"]),
            state=ReviewState(row["state"]),
            given=bool(row["given"]),
            lecturer_name=row["lecturer_name"] or "",
            branch_name=row["branch_name"] or "",
            topic=row["topic"] or "",
        )


def _who(lec: _Lecture) -> str:
    return f"{lec.lecturer_name}（{lec.branch_name}）" if lec.branch_name else lec.lecturer_name


def _topic(lec: _Lecture) -> str:
    return f"「{lec.topic}」" if lec.topic else "（题目待定）"


def _action(lec: _Lecture) -> Go:
    return go(Place.LECTURE, lec.id)


def home_items(store: Store, today: date, *, limit: int = 10) -> list[DueItem]:
    """Late courseware steps (most overdue first), then the next lecture
    unless it is already listed as late.

    Both reads are range scans on the lectures_date index with a LIMIT.
    """
    lo = today - timedelta(days=LATE_WINDOW_DAYS)
    hi = today + timedelta(days=DEFAULT_DEADLINES.topic_days)
    rows = store.query(
        f"{_COLUMNS} WHERE date >= ? AND date <= ? AND state NOT IN ({marks(DONE_STATES)})"
        " ORDER BY date LIMIT ?",
        (lo.isoformat(), hi.isoformat(), *DONE_STATES, limit * 4),
    )
    late: list[DueItem] = []
    for row in rows:
        lec = _Lecture.of(row)
        steps = late_steps(lec.lecture_date, lec.state, today)
        if lec.given or not steps:
            continue
        step = steps[0]  # the earliest missed step is the one holding things up
        late.append(
            DueItem(
                section=SECTION,
                text=(
                    f"{step.step}逾期 {step.days_overdue} 天："
                    f"{lec.lecture_date.month}月{lec.lecture_date.day}日党课 "
                    f"{_who(lec)}{_topic(lec)}，{lec.state}"
                ),
                due=step.due,
                urgency=Urgency.OVERDUE,
                action=_action(lec),
                owner=lec.lecturer_name,
                branch=lec.branch_name,
            )
        )
    late.sort(key=lambda item: item.due or today)
    items = late[: max(limit - 1, 0)]
    upcoming = store.query(
        f"{_COLUMNS} WHERE date >= ? ORDER BY date LIMIT 5", (today.isoformat(),)
    )
    listed = {item.action for item in items}
    for row in upcoming:
        lec = _Lecture.of(row)
        if lec.given:
            continue
        if _action(lec) in listed:
            break  # already on the list as late, with its date
        soon = (lec.lecture_date - today).days <= DEFAULT_DEADLINES.topic_days
        items.append(
            DueItem(
                section=SECTION,
                text=(
                    f"下一次党课：{format_date_cn(lec.lecture_date)} "
                    f"{_who(lec)}{_topic(lec)}，{lec.state}"
                ),
                due=lec.lecture_date,
                urgency=Urgency.DUE if soon else Urgency.INFO,
                action=_action(lec),
                owner=lec.lecturer_name,
                branch=lec.branch_name,
            )
        )
        break
    return items
