"""Courseware review states and the deadlines before each lecture.

Pure and light (dataclasses, no pydantic): the home screen lists late steps
at start-up from the lectures table's date and state columns alone;
domain.courseware builds its Lecture rules on the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class ReviewState(StrEnum):
    NOT_SUBMITTED = "未提交"
    TOPIC_FILED = "已报题"
    SUBMITTED = "已提交"  # draft in, awaiting branch first review (待初审)
    BRANCH_RETURNED = "初审退回"
    AWAITING_HIGHER = "待上级审核"
    HIGHER_RETURNED = "退回修改"
    APPROVED = "审核通过"
    FILED = "已备案"


class Step(StrEnum):
    TOPIC = "选题报备"
    DRAFT = "提交讲稿/课件"
    REVIEW = "审核完成"


@dataclass(frozen=True)
class DeadlineConfig:
    """Days before the lecture each step is due [综合 defaults, docs/RULES.md#courseware-review]."""

    topic_days: int = 14
    draft_days: int = 10
    review_days: int = 5

    def __post_init__(self) -> None:
        for name in ("topic_days", "draft_days", "review_days"):
            if not 0 <= getattr(self, name) <= 120:
                raise ValueError(f"{name} 应在 0 到 120 天之间")


DEFAULT_DEADLINES = DeadlineConfig()

_S = ReviewState
# The states in which each step counts as done. A returned draft still counts
# as submitted; the review step then carries the delay.
DONE_IN: dict[Step, frozenset[ReviewState]] = {
    Step.TOPIC: frozenset(ReviewState) - {_S.NOT_SUBMITTED},
    Step.DRAFT: frozenset(ReviewState) - {_S.NOT_SUBMITTED, _S.TOPIC_FILED},
    Step.REVIEW: frozenset({_S.APPROVED, _S.FILED}),
}


@dataclass(frozen=True)
class OverdueStep:
    step: Step
    due: date
    days_overdue: int


def deadlines_for(
    lecture_date: date, config: DeadlineConfig = DEFAULT_DEADLINES
) -> dict[Step, date]:
    return {
        Step.TOPIC: lecture_date - timedelta(days=config.topic_days),
        Step.DRAFT: lecture_date - timedelta(days=config.draft_days),
        Step.REVIEW: lecture_date - timedelta(days=config.review_days),
    }


def step_done_in(state: ReviewState | str, step: Step) -> bool:
    return ReviewState(state) in DONE_IN[step]


def late_steps(
    lecture_date: date,
    state: ReviewState | str,
    today: date,
    config: DeadlineConfig = DEFAULT_DEADLINES,
) -> list[OverdueStep]:
    """Steps not done whose due date has passed, earliest first."""
    return [
        OverdueStep(step=step, due=due, days_overdue=(today - due).days)
        for step, due in deadlines_for(lecture_date, config).items()
        if today > due and not step_done_in(state, step)
    ]
