"""Tasks the 党总支 assigns to its branches, their progress reports, and the
quarterly 工作检查 score computed from them (docs/RULES.md#党总支任务).

A task may carry a measure computed from the records (线上缴纳党费比例 from
the dues records); the score weights are [综合] and live in TaskScoreConfig.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from domain.dues import DuesRecord
from domain.periods import Period, quarter_of
from domain.records import Record
from domain.text import Line, Note, RequiredLine


class TaskMeasure(StrEnum):
    ONLINE_DUES = "线上缴纳党费比例"


class TaskRuleError(ValueError):
    """A task or report the rules refuse (Chinese message for the user)."""


class Task(Record):
    general_id: str  # the 党总支 that assigned it
    general_name: Line = Field(default="", max_length=60)
    title: RequiredLine = Field(max_length=200)
    detail: Note = Field(default="", max_length=4000)
    assigned_on: dt.date
    due: dt.date
    branch_ids: list[str] = Field(min_length=1)
    measure: TaskMeasure | None = None
    threshold_pct: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _measure_has_threshold(self) -> Task:
        if (self.measure is None) != (self.threshold_pct is None):
            raise ValueError("考核指标与目标值须同时填写")
        if self.due < self.assigned_on:
            raise ValueError("完成时限不能早于下达日期")
        return self

    def measure_text(self) -> str:
        if self.measure is None or self.threshold_pct is None:
            return ""
        return f"{self.measure} ≥ {self.threshold_pct:g}%"

    def measure_period(self) -> Period:
        """The dues months a measure is computed over: the due date's quarter."""
        return quarter_of(self.due)


class TaskReport(Record):
    """One branch's progress on one task (one row per task and branch)."""

    task_id: str
    branch_id: str
    progress: Note = Field(default="", max_length=4000)
    done: bool = False
    done_on: dt.date | None = None
    reported_on: dt.date | None = None


def report(
    existing: TaskReport | None, task: Task, branch_id: str, progress: str, done: bool,
    today: dt.date,
) -> TaskReport:  # fmt: skip
    """The branch's report updated with *progress* (and done, dated today)."""
    if branch_id not in task.branch_ids:
        raise TaskRuleError("此任务未下达给该支部")
    if not progress.strip():
        raise TaskRuleError("请填写进展情况")
    base = existing or TaskReport(task_id=task.id, branch_id=branch_id)
    done_on = (base.done_on or today) if done else None
    return base.model_copy(
        update={"progress": progress.strip(), "done": done, "done_on": done_on,
                "reported_on": today}
    )  # fmt: skip


def online_share(records: Iterable[DuesRecord], period: Period) -> float | None:
    """Percent of the paid dues months in *period* paid online (None: none paid)."""
    paid = [
        r for r in records
        if period.start <= r.month <= period.end and r.paid_fen > 0 and not r.waived
    ]  # fmt: skip
    if not paid:
        return None
    return round(100 * sum(1 for r in paid if r.online) / len(paid), 1)


class TaskScoreConfig(BaseModel):
    """Points of the quarterly check ([综合]: set by the 党总支).

    Each task is worth ``on_time_points`` when done by its due date and, when
    it has a measure, ``measure_points`` more when the measure is met. The
    score is the share of the points available, out of 100."""

    on_time_points: int = Field(default=60, ge=0)
    measure_points: int = Field(default=40, ge=0)


DEFAULT_SCORE = TaskScoreConfig()


@dataclass(frozen=True)
class BranchTask:
    """One task as one branch sees it."""

    task: Task
    branch_id: str
    branch_name: str
    report: TaskReport | None = None
    measure_value: float | None = None

    @property
    def done(self) -> bool:
        return self.report is not None and self.report.done

    @property
    def on_time(self) -> bool:
        r = self.report
        return r is not None and r.done and r.done_on is not None and r.done_on <= self.task.due

    @property
    def measure_met(self) -> bool | None:
        """None when the task has no measure."""
        if self.task.measure is None or self.task.threshold_pct is None:
            return None
        return self.measure_value is not None and self.measure_value >= self.task.threshold_pct

    def overdue(self, today: dt.date) -> bool:
        return not self.done and today > self.task.due

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.task.due).days if self.overdue(today) else 0

    def state(self, today: dt.date) -> str:
        if self.done:
            return "按时完成" if self.on_time else "逾期完成"
        if self.overdue(today):
            return f"逾期{self.days_overdue(today)}天"
        return "进行中" if self.report else "未报告"


@dataclass(frozen=True)
class BranchScore:
    branch_id: str
    branch_name: str
    tasks: int
    on_time: int
    measures: int
    measures_met: int
    points: int
    max_points: int

    @property
    def score(self) -> float | None:
        """Out of 100, one decimal; None when the branch had no task."""
        if self.max_points == 0:
            return None
        return round(100 * self.points / self.max_points, 1)


def score_branch(
    items: Iterable[BranchTask], branch_id: str, branch_name: str,
    config: TaskScoreConfig = DEFAULT_SCORE,
) -> BranchScore:  # fmt: skip
    tasks = on_time = measures = met = points = max_points = 0
    for it in items:
        if it.branch_id != branch_id:
            continue
        tasks += 1
        max_points += config.on_time_points
        if it.on_time:
            on_time += 1
            points += config.on_time_points
        if it.measure_met is not None:
            measures += 1
            max_points += config.measure_points
            if it.measure_met:
                met += 1
                points += config.measure_points
    return BranchScore(branch_id, branch_name, tasks, on_time, measures, met, points, max_points)


def in_quarter(task: Task, quarter: Period) -> bool:
    """A task counts in the quarter its due date falls in."""
    return quarter.start <= task.due <= quarter.end
