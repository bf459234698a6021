"""The 党总支's tasks: assign to some or all of its branches, branches report
progress, the quarterly 工作检查 scores each branch (docs/RULES.md#党总支任务).

Assigning needs the 党总支 role of that 党总支 (or 管理员); reporting needs a
role in the branch (书记, 支委) or 管理员. Roles come from services.identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.periods import Period
from domain.roles import Role
from domain.tasks import (
    DEFAULT_SCORE,
    BranchScore,
    BranchTask,
    Task,
    TaskMeasure,
    TaskReport,
    TaskRuleError,
    TaskScoreConfig,
)
from services.errors import InvalidInput, NotFound, NotPermitted, service

if TYPE_CHECKING:
    from storage.db import Store

__all__ = [
    "BranchScore",
    "BranchTask",
    "DueTask",
    "Task",
    "TaskMeasure",
    "assign",
    "branch_tasks",
    "due_for",
    "generals",
    "may_assign",
    "quarterly_scores",
    "report",
]


@service
def generals(store: Store) -> list[tuple[str, str]]:
    """(id, name) of every 党总支, in order."""
    from domain.org import OrgKind
    from storage import org

    return [(u.id, u.name) for u in org.all_units(store) if u.kind is OrgKind.GENERAL_BRANCH]


def _branches_of(store: Store, general_id: str) -> list[tuple[str, str]]:
    from domain.org import OrgKind
    from storage import org

    return [(u.id, u.name) for u in org.children(store, general_id) if u.kind is OrgKind.BRANCH]


@service
def branches_of(store: Store, general_id: str) -> list[tuple[str, str]]:
    return _branches_of(store, general_id)


def may_assign(store: Store, general_id: str) -> bool:
    from services.identity import acting_roles

    me = acting_roles(store)
    return me.is_admin or me.acts_as(Role.GENERAL, general_id)


def may_report(store: Store, branch_id: str) -> bool:
    from services.identity import acting_roles

    me = acting_roles(store)
    return me.is_admin or any(me.acts_as(r, branch_id) for r in (Role.SECRETARY, Role.COMMITTEE))


@service
def assign(
    store: Store, general_id: str, *, title: str, due: dt.date, today: dt.date,
    branch_ids: Sequence[str] | None = None, detail: str = "",
    measure: TaskMeasure | None = None, threshold_pct: float | None = None,
) -> Task:  # fmt: skip
    """The 党总支 assigns a task to *branch_ids* (None: all its branches)."""
    from storage import org, tasks

    unit = org.get(store, general_id)
    if unit is None:
        raise NotFound("党总支不存在")
    if not may_assign(store, general_id):
        raise NotPermitted(f"只有{unit.name}（党总支角色）才能下达任务")
    own = [b for b, _ in _branches_of(store, general_id)]
    chosen = own if branch_ids is None else list(branch_ids)
    if not chosen:
        raise InvalidInput("请至少选择一个支部")
    strangers = [b for b in chosen if b not in own]
    if strangers:
        raise InvalidInput("只能向本党总支所属支部下达任务")
    # Checked here, not left to pydantic: its message would be English, and a
    # NaN passes its ge/le bounds.
    if threshold_pct is not None and not 0 <= threshold_pct <= 100:
        raise InvalidInput("目标值须在 0 到 100 之间（百分比，如 95）")
    try:
        task = Task(
            general_id=general_id, general_name=unit.name, title=title, detail=detail,
            assigned_on=today, due=due, branch_ids=chosen, measure=measure,
            threshold_pct=threshold_pct,
        )  # fmt: skip
    except ValueError as e:
        raise InvalidInput(_first_error(e)) from e
    return tasks.save_task(store, task)


def _first_error(e: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(e, ValidationError):
        msg = str(e.errors()[0].get("msg", ""))
        return msg.removeprefix("Value error, ") or "输入有误"
    return str(e)


@service
def report(
    store: Store, task_id: str, branch_id: str, progress: str, *, done: bool, today: dt.date
) -> TaskReport:
    """The branch's progress (text, and done or not)."""
    from domain.tasks import report as report_rule
    from storage import tasks

    task = tasks.get_task(store, task_id)
    if task is None:
        raise NotFound("任务不存在")
    if branch_id not in task.branch_ids:
        raise InvalidInput("此任务未下达给该支部")
    if not may_report(store, branch_id):
        raise NotPermitted("只有本支部书记、支委才能报告任务进展")
    try:
        new = report_rule(tasks.get_report(store, task_id, branch_id), task, branch_id,
                          progress, done, today)  # fmt: skip
    except TaskRuleError as e:
        raise InvalidInput(str(e)) from e
    return tasks.save_report(store, new)


def _measure(store: Store, task: Task, branch_id: str) -> float | None:
    from domain.tasks import online_share
    from storage import dues

    if task.measure is TaskMeasure.ONLINE_DUES:
        period = task.measure_period()
        return online_share(dues.for_branch(store, branch_id, period.start, period.end), period)
    return None


@service
def branch_tasks(
    store: Store, *, branch_id: str | None = None, general_id: str | None = None
) -> list[BranchTask]:
    """Each (task, branch) pair: of one branch, of one 党总支, or all."""
    from storage import org, tasks

    if branch_id is not None:
        rows = tasks.tasks(store, [branch_id])
    else:
        rows = tasks.tasks(store)
        if general_id is not None:
            rows = [t for t in rows if t.general_id == general_id]
    reports = {(r.task_id, r.branch_id): r for r in tasks.reports(store, [t.id for t in rows])}
    names: dict[str, str] = {}
    out: list[BranchTask] = []
    for t in rows:
        for b in t.branch_ids:
            if branch_id is not None and b != branch_id:
                continue
            if b not in names:
                unit = org.get(store, b)
                names[b] = unit.name if unit else ""
            out.append(BranchTask(t, b, names[b], reports.get((t.id, b)), _measure(store, t, b)))
    return out


@service
def quarterly_scores(
    store: Store, quarter: Period, *, general_id: str | None = None,
    branch_ids: Sequence[str] | None = None, config: TaskScoreConfig = DEFAULT_SCORE,
) -> list[BranchScore]:  # fmt: skip
    """The quarterly check: each branch scored from its tasks due in *quarter*."""
    from domain.tasks import in_quarter, score_branch

    items = [i for i in branch_tasks(store, general_id=general_id) if in_quarter(i.task, quarter)]
    wanted = list(dict.fromkeys(i.branch_id for i in items))
    if branch_ids is not None:
        wanted = [b for b in wanted if b in set(branch_ids)]
    names = {i.branch_id: i.branch_name for i in items}
    return [score_branch(items, b, names[b], config) for b in wanted]


@dataclass(frozen=True)
class DueTask:
    """One task not done, due soon or late, addressed to a branch (its 书记
    in a reminder) and to the 党总支 that assigned it."""

    task_id: str
    title: str
    branch_id: str
    branch_name: str
    general_id: str
    general_name: str
    due: dt.date
    days_late: int
    progress: str


@service
def due_for(store: Store, today: dt.date, *, within_days: int = 7) -> list[DueTask]:
    """Every (task, branch) not done whose due date is within *within_days*
    or past: late first."""
    horizon = today + dt.timedelta(days=within_days)
    out = [
        DueTask(
            task_id=i.task.id, title=i.task.title, branch_id=i.branch_id,
            branch_name=i.branch_name, general_id=i.task.general_id,
            general_name=i.task.general_name, due=i.task.due,
            days_late=i.days_overdue(today), progress=i.report.progress if i.report else "",
        )  # fmt: skip
        for i in branch_tasks(store)
        if not i.done and i.task.due <= horizon
    ]
    out.sort(key=lambda d: (-d.days_late, d.due, d.branch_name))
    return out
