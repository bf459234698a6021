"""党课轮讲 formatting helpers shared by the plan, the wizard and the review
screen (kept apart so those screens need not import each other)."""

from __future__ import annotations

from datetime import date

from domain.courseware import Lecture, ReviewState, overdue_steps
from domain.dates import WEEKDAYS, format_date_cn


def short_date(d: date) -> str:
    return f"{d.isoformat()} {WEEKDAYS[d.weekday()]}"



GIVEN_LABEL = "已讲授"
READY_STATES = (ReviewState.APPROVED, ReviewState.FILED)


def state_label(lec: Lecture) -> str:
    return GIVEN_LABEL if lec.given else lec.state.value


def past_unreviewed(lec: Lecture, today: date) -> bool:
    """The lecture day has passed without approved courseware (and no record)."""
    return not lec.given and lec.lecture_date < today and lec.state not in READY_STATES


def lecture_hint(lec: Lecture, today: date) -> tuple[str, str]:
    """(short note, style) for the plan table's last column."""
    if lec.given:
        return (lec.attendance or "已关联会议记录"), "green"
    if past_unreviewed(lec, today):
        return "过期未审核", "bold red"
    late = overdue_steps(lec, today)
    if late:
        return f"逾期{late[0].days_overdue}天", "bold red"
    if lec.themed:
        return "专题党课", ""
    return "", ""


def lateness(lec: Lecture, today: date) -> list[str]:
    """What is late about a lecture, for the detail lines."""
    if lec.given:
        return []
    if past_unreviewed(lec, today):
        return ["授课日已过，课件未审核通过"]
    return [
        f"{step.step}逾期 {step.days_overdue} 天（应于 {step.due.isoformat()}）"
        for step in overdue_steps(lec, today)
    ]


def lecture_detail(lec: Lecture, today: date) -> str:
    """Two lines about one lecture, under the table."""
    who = f"{lec.lecturer_name}（{lec.branch_name}）" if lec.branch_name else lec.lecturer_name
    first = f"{format_date_cn(lec.lecture_date)}  {who}  {lec.topic or '（题目待定）'}"
    parts = [f"状态：{state_label(lec)}"]
    if lec.given:
        parts.append(f"授课 {lec.given_on.isoformat() if lec.given_on else ''} {lec.attendance}")
    parts += lateness(lec, today)
    if lec.locked is not None:
        parts.append(f"已锁定课件 {lec.locked.file_name} sha256 {lec.locked.sha256[:12]}…")
    return first + "\n" + "；".join(parts)


