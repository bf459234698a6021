"""The 党课 lines of the home screen: late courseware steps, then the next lecture.

Apart from storage.rota so the home screen reads lectures without loading the
planner (domain.rota, the holiday calendar).
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.courseware import DEFAULT_DEADLINES, Lecture, ReviewState, overdue_steps
from domain.dashboard import DueItem, Urgency
from domain.dates import format_date_cn
from storage.db import Store
from storage.in_lists import marks
from storage.records import load_document

SECTION = "党课"
# Lectures that are past their date but neither approved nor held stay on the
# home screen this long; older ones are history (the plan view still marks them).
LATE_WINDOW_DAYS = 30
DONE_STATES = (ReviewState.APPROVED.value, ReviewState.FILED.value)


def _who(lec: Lecture) -> str:
    return f"{lec.lecturer_name}（{lec.branch_name}）" if lec.branch_name else lec.lecturer_name


def _topic(lec: Lecture) -> str:
    return f"「{lec.topic}」" if lec.topic else "（题目待定）"


def _action(lec: Lecture) -> str:
    return f"open_lecture('{lec.id}')"


def home_items(store: Store, today: date, *, limit: int = 10) -> list[DueItem]:
    """Late courseware steps (most overdue first), then the next lecture
    unless it is already listed as late.

    Both reads are range scans on the lectures_date index with a LIMIT.
    """
    lo = today - timedelta(days=LATE_WINDOW_DAYS)
    hi = today + timedelta(days=DEFAULT_DEADLINES.topic_days)
    rows = store.query(
        f"SELECT * FROM lectures WHERE date >= ? AND date <= ? AND state NOT IN ({marks(DONE_STATES)})"
        " ORDER BY date LIMIT ?",
        (lo.isoformat(), hi.isoformat(), *DONE_STATES, limit * 4),
    )
    late: list[DueItem] = []
    for row in rows:
        lec = load_document(row, Lecture)
        steps = overdue_steps(lec, today)
        if lec.given or not steps:
            continue
        step = steps[0]  # the earliest missed step is the one holding things up
        late.append(
            DueItem(
                section=SECTION,
                text=(
                    f"{step.step}逾期 {step.days_overdue} 天："
                    f"{lec.lecture_date.isoformat()} {_who(lec)}{_topic(lec)}，{lec.state}"
                ),
                due=step.due,
                urgency=Urgency.OVERDUE,
                action=_action(lec),
                owner=lec.lecturer_name,
            )
        )
    late.sort(key=lambda item: item.due or today)
    items = late[: max(limit - 1, 0)]
    upcoming = store.query(
        "SELECT * FROM lectures WHERE date >= ? ORDER BY date LIMIT 5", (today.isoformat(),)
    )
    listed = {item.action for item in items}
    for row in upcoming:
        lec = load_document(row, Lecture)
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
            )
        )
        break
    return items
