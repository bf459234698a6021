"""党课 and its courseware review (课件审核, docs/RULES.md#courseware-review).

A lecture moves through review states by ``transition``, which checks the
move against ``TRANSITIONS``, appends a ``ReviewEvent`` and returns a new
``Lecture`` (models are never mutated in place, so the screen can discard an
edit). Approval locks the courseware version (file name + sha256), so the day
of the lecture can verify that the approved file is the one being shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from domain.lecture_deadlines import (
    DEFAULT_DEADLINES,
    DeadlineConfig,
    OverdueStep,
    ReviewState,
    late_steps,
)
from domain.records import Record
from domain.text import Line, Note, RequiredLine, clean_text


class LectureCategory(StrEnum):
    THEORY = "理论学习"
    PARTY_HISTORY = "党史"
    RULES = "党章党规党纪"
    POLICY = "形势政策"
    INTEGRITY = "廉政"
    SAFETY = "安全生产与岗位实践"
    CAMPAIGN = "专题教育"


class LectureFormat(StrEnum):
    IN_PERSON = "集中授课"
    MICRO = "微党课"
    ON_SITE = "现场教学"
    ONLINE = "线上"


_S = ReviewState

# Allowed moves. A revision returned by the higher level goes back through
# branch review: the content changed, and 先审后办 applies to every version.
TRANSITIONS: dict[ReviewState, frozenset[ReviewState]] = {
    _S.NOT_SUBMITTED: frozenset({_S.TOPIC_FILED}),
    _S.TOPIC_FILED: frozenset({_S.SUBMITTED}),
    _S.SUBMITTED: frozenset({_S.BRANCH_RETURNED, _S.AWAITING_HIGHER, _S.APPROVED}),
    _S.BRANCH_RETURNED: frozenset({_S.SUBMITTED}),
    _S.AWAITING_HIGHER: frozenset({_S.HIGHER_RETURNED, _S.APPROVED}),
    _S.HIGHER_RETURNED: frozenset({_S.SUBMITTED}),
    _S.APPROVED: frozenset({_S.FILED}),
    _S.FILED: frozenset(),
}

RETURN_STATES = frozenset({_S.BRANCH_RETURNED, _S.HIGHER_RETURNED})


class ReviewCheck(StrEnum):
    """支部初审 checklist (docs/RULES.md#courseware-review)."""

    POLITICAL = "政治方向"
    ON_THEME = "主题契合"
    ACCURATE = "事实准确"
    RELEVANT = "针对性"
    CONFIDENTIAL = "保密"
    FORM = "形式"


class ReviewError(ValueError):
    """An illegal review step, with a Chinese message the UI shows as is."""


class ReviewEvent(BaseModel):
    from_state: ReviewState
    to_state: ReviewState
    actor: RequiredLine = Field(max_length=40)
    at: datetime
    comment: Note = Field(default="", max_length=2000)
    checklist: dict[ReviewCheck, bool] | None = None


class CoursewareVersion(BaseModel):
    """The approved file, locked at 审核通过."""

    file_name: str
    sha256: str
    size: int
    locked_at: datetime
    locked_by: str


class Lecture(Record):
    lecture_date: date  # the rota slot's date
    slot_index: int | None = None  # 0-based slot in the rota plan, if planned
    lecturer_id: str = ""
    lecturer_name: RequiredLine = Field(max_length=40)
    lecturer_post: Line = Field(default="", max_length=40)
    branch_name: Line = Field(default="", max_length=60)
    topic: Line = Field(default="", max_length=200)
    category: LectureCategory = LectureCategory.THEORY
    audience: Line = Field(default="本支部党员", max_length=100)
    place: Line = Field(default="", max_length=100)
    format: LectureFormat = LectureFormat.IN_PERSON
    hours: float = Field(default=1.0, ge=0, le=24)  # 学时
    themed: bool = False
    needs_higher_review: bool = False  # e.g. secretaries' lectures, outside speakers
    courseware_path: Line = Field(default="", max_length=500)
    state: ReviewState = ReviewState.NOT_SUBMITTED
    events: list[ReviewEvent] = Field(default_factory=list)
    locked: CoursewareVersion | None = None
    # Set once the lecture is held and recorded as a 党课 meeting (workflow 2).
    meeting_id: str | None = None
    given_on: date | None = None
    attendance: Line = Field(default="", max_length=200)  # e.g. "应到 20 人，实到 18 人"

    @property
    def given(self) -> bool:
        return self.meeting_id is not None


# --- courseware checksum ---------------------------------------------------


def sha256_of(source: bytes | str | Path) -> str:
    """sha256 hex of raw bytes, or of the file at a path."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    h = hashlib.sha256()
    with Path(source).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def lock_version(
    source: bytes | str | Path, *, actor: str, at: datetime, file_name: str = ""
) -> CoursewareVersion:
    if isinstance(source, bytes):
        size = len(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise ReviewError(f"找不到课件文件：{path}")
        size = path.stat().st_size
        file_name = file_name or path.name
    return CoursewareVersion(
        file_name=file_name, sha256=sha256_of(source), size=size, locked_at=at, locked_by=actor
    )


def verify_courseware(lecture: Lecture, source: bytes | str | Path) -> bool:
    """True if *source* is exactly the approved, locked version."""
    return lecture.locked is not None and sha256_of(source) == lecture.locked.sha256


# --- transitions -----------------------------------------------------------


def allowed_next(lecture: Lecture) -> list[ReviewState]:
    allowed = TRANSITIONS[lecture.state]
    return [s for s in ReviewState if s in allowed]


def _normalise_checklist(
    checklist: Mapping[ReviewCheck | str, bool] | Iterable[ReviewCheck | str] | None,
) -> dict[ReviewCheck, bool] | None:
    if checklist is None:
        return None
    try:
        if isinstance(checklist, Mapping):
            ticked = {ReviewCheck(k) for k, v in checklist.items() if v}
        else:
            ticked = {ReviewCheck(k) for k in checklist}
    except ValueError as e:
        raise ReviewError(f"初审清单中有未知项目：{e}") from None
    return {item: item in ticked for item in ReviewCheck}


def transition(
    lecture: Lecture,
    to_state: ReviewState,
    actor: str,
    at: datetime,
    comment: str = "",
    checklist: Mapping[ReviewCheck | str, bool] | Iterable[ReviewCheck | str] | None = None,
    *,
    courseware: bytes | str | Path | None = None,
) -> Lecture:
    """Move *lecture* to *to_state*, or raise ReviewError saying why not.

    ``checklist`` is required when the branch review passes (已提交 → 待上级审核
    or 审核通过): every item must be ticked. At 审核通过 the courseware
    (``courseware`` bytes/path, else ``lecture.courseware_path``) is locked.
    """
    to_state = ReviewState(to_state)
    actor = clean_text(actor)
    comment = clean_text(comment, multiline=True).strip()
    if not actor:
        raise ReviewError("请填写操作人")
    if to_state not in TRANSITIONS[lecture.state]:
        nxt = "、".join(allowed_next(lecture)) or "无（流程已结束）"
        raise ReviewError(f"不能从「{lecture.state}」转为「{to_state}」；可转为：{nxt}")
    if to_state in RETURN_STATES and not comment:
        raise ReviewError(f"「{to_state}」须填写退回意见")
    if to_state is _S.TOPIC_FILED and not lecture.topic:
        raise ReviewError("报题前请先填写党课题目")
    if lecture.state is _S.SUBMITTED and to_state is _S.APPROVED and lecture.needs_higher_review:
        raise ReviewError("本次党课需上级审核：初审通过后应转为「待上级审核」")
    marks = _normalise_checklist(checklist)
    branch_pass = lecture.state is _S.SUBMITTED and to_state in {_S.AWAITING_HIGHER, _S.APPROVED}
    if branch_pass:
        if marks is None:
            raise ReviewError("初审通过须逐项勾选初审清单")
        missing = [item.value for item, ok in marks.items() if not ok]
        if missing:
            raise ReviewError(f"初审清单未全部通过：{'、'.join(missing)}")
    update: dict[str, object] = {"state": to_state}
    if to_state is _S.APPROVED:
        source = courseware if courseware is not None else lecture.courseware_path or None
        if source is not None:
            name = Path(lecture.courseware_path).name if lecture.courseware_path else ""
            update["locked"] = lock_version(source, actor=actor, at=at, file_name=name)
    event = ReviewEvent(
        from_state=lecture.state,
        to_state=to_state,
        actor=actor,
        at=at,
        comment=comment,
        checklist=marks,
    )
    update["events"] = [*lecture.events, event]
    return lecture.model_copy(update=update)


# --- deadlines -------------------------------------------------------------


def overdue_steps(
    lecture: Lecture, today: date, config: DeadlineConfig = DEFAULT_DEADLINES
) -> list[OverdueStep]:
    """Steps not done whose due date has passed, earliest first."""
    return late_steps(lecture.lecture_date, lecture.state, today, config)
