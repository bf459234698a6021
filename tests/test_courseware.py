"""Courseware review: state machine, checklist gate, version lock, deadlines."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.courseware import (
    TRANSITIONS,
    DeadlineConfig,
    Lecture,
    LectureCategory,
    ReviewCheck,
    ReviewError,
    ReviewState,
    overdue_steps,
    sha256_of,
    transition,
    verify_courseware,
)
from domain.lecture_deadlines import Step, deadlines_for

S = ReviewState
AT = datetime(2026, 9, 1, 9, 30)
ALL_TICKED = {item: True for item in ReviewCheck}


def lecture(**kw) -> Lecture:
    kw.setdefault("lecture_date", date(2026, 10, 9))
    kw.setdefault("lecturer_name", "张三")
    kw.setdefault("topic", "学习贯彻党的二十届四中全会精神")
    return Lecture(**kw)


def walk(lec: Lecture, *states: ReviewState, **kw) -> Lecture:
    for st in states:
        checklist = ALL_TICKED if lec.state is S.SUBMITTED else None
        comment = "请补充数据来源" if st in {S.BRANCH_RETURNED, S.HIGHER_RETURNED} else ""
        lec = transition(lec, st, "李书记", AT, comment, checklist, **kw)
    return lec


def test_model_fields() -> None:
    lec = lecture(category="廉政", hours=1.5, branch_name="采油一队党支部")
    assert lec.category is LectureCategory.INTEGRITY
    assert lec.state is S.NOT_SUBMITTED and lec.events == [] and lec.version == 0
    assert [c.value for c in LectureCategory] == [
        "理论学习",
        "党史",
        "党章党规党纪",
        "形势政策",
        "廉政",
        "安全生产与岗位实践",
        "专题教育",
    ]
    with pytest.raises(ValidationError):
        lecture(hours=-1)
    with pytest.raises(ValidationError):
        lecture(category="闲聊")


def test_happy_path_with_higher_review_records_events() -> None:
    lec = walk(
        lecture(needs_higher_review=True),
        S.TOPIC_FILED,
        S.SUBMITTED,
        S.AWAITING_HIGHER,
        S.APPROVED,
        S.FILED,
    )
    assert lec.state is S.FILED
    assert [(e.from_state, e.to_state) for e in lec.events] == [
        (S.NOT_SUBMITTED, S.TOPIC_FILED),
        (S.TOPIC_FILED, S.SUBMITTED),
        (S.SUBMITTED, S.AWAITING_HIGHER),
        (S.AWAITING_HIGHER, S.APPROVED),
        (S.APPROVED, S.FILED),
    ]
    assert all(e.actor == "李书记" and e.at == AT for e in lec.events)
    assert lec.events[2].checklist == ALL_TICKED


def test_transition_does_not_mutate_input() -> None:
    before = lecture()
    after = transition(before, S.TOPIC_FILED, "张三", AT)
    assert before.state is S.NOT_SUBMITTED and before.events == []
    assert after.state is S.TOPIC_FILED and len(after.events) == 1


def test_illegal_transition_message() -> None:
    with pytest.raises(ReviewError) as e:
        transition(lecture(), S.APPROVED, "李书记", AT)
    assert str(e.value) == "不能从「未提交」转为「审核通过」；可转为：已报题"
    filed = walk(lecture(), S.TOPIC_FILED, S.SUBMITTED, S.APPROVED, S.FILED)
    with pytest.raises(ReviewError, match="流程已结束"):
        transition(filed, S.SUBMITTED, "李书记", AT)


def test_every_state_rejects_moves_outside_table() -> None:
    for state in ReviewState:
        lec = lecture(state=state)
        for target in ReviewState:
            if target not in TRANSITIONS[state]:
                with pytest.raises(ReviewError, match="不能从"):
                    transition(lec, target, "李书记", AT, "意见", ALL_TICKED)


@pytest.mark.parametrize("returned", [S.BRANCH_RETURNED, S.HIGHER_RETURNED])
def test_return_needs_comment(returned: ReviewState) -> None:
    start = S.SUBMITTED if returned is S.BRANCH_RETURNED else S.AWAITING_HIGHER
    lec = lecture(state=start)
    for blank in ("", "   \n "):
        with pytest.raises(ReviewError, match="须填写退回意见"):
            transition(lec, returned, "王部长", AT, blank)
    back = transition(lec, returned, "王部长", AT, "第3页数据涉及产量，删去")
    assert back.events[-1].comment == "第3页数据涉及产量，删去"
    # The revision goes back through branch review.
    assert transition(back, S.SUBMITTED, "张三", AT).state is S.SUBMITTED


def test_branch_pass_needs_full_checklist() -> None:
    lec = lecture(state=S.SUBMITTED)
    with pytest.raises(ReviewError, match="须逐项勾选"):
        transition(lec, S.APPROVED, "李书记", AT)
    partial = {**ALL_TICKED, ReviewCheck.CONFIDENTIAL: False, ReviewCheck.FORM: False}
    with pytest.raises(ReviewError) as e:
        transition(lec, S.APPROVED, "李书记", AT, checklist=partial)
    assert str(e.value) == "初审清单未全部通过：保密、形式"
    # A list of ticked item names works too.
    ok = transition(lec, S.APPROVED, "李书记", AT, checklist=[c.value for c in ReviewCheck])
    assert ok.state is S.APPROVED
    with pytest.raises(ReviewError, match="未知项目"):
        transition(lec, S.APPROVED, "李书记", AT, checklist=["政治方向", "好看"])


def test_higher_review_cannot_be_skipped_when_required() -> None:
    lec = lecture(state=S.SUBMITTED, needs_higher_review=True)
    with pytest.raises(ReviewError, match="需上级审核"):
        transition(lec, S.APPROVED, "李书记", AT, checklist=ALL_TICKED)


def test_topic_filing_needs_topic_and_actor() -> None:
    with pytest.raises(ReviewError, match="党课题目"):
        transition(lecture(topic=""), S.TOPIC_FILED, "张三", AT)
    with pytest.raises(ReviewError, match="操作人"):
        transition(lecture(), S.TOPIC_FILED, "  ", AT)


def test_approval_locks_file_version(tmp_path: Path) -> None:
    f = tmp_path / "党课课件.pptx"
    content = "课件内容 v3".encode()
    f.write_bytes(content)
    lec = walk(lecture(courseware_path=str(f)), S.TOPIC_FILED, S.SUBMITTED, S.APPROVED)
    assert lec.locked is not None
    assert lec.locked.file_name == "党课课件.pptx"
    assert lec.locked.sha256 == hashlib.sha256(content).hexdigest()
    assert lec.locked.size == len(content) and lec.locked.locked_by == "李书记"
    assert verify_courseware(lec, f)
    f.write_bytes(b"changed after approval")
    assert not verify_courseware(lec, f)


def test_approval_locks_given_bytes_and_missing_file_errors(tmp_path: Path) -> None:
    lec = walk(lecture(), S.TOPIC_FILED, S.SUBMITTED)
    approved = transition(lec, S.APPROVED, "李书记", AT, checklist=ALL_TICKED, courseware=b"abc")
    assert approved.locked is not None
    assert approved.locked.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert verify_courseware(approved, b"abc") and not verify_courseware(approved, b"abd")
    gone = lec.model_copy(update={"courseware_path": str(tmp_path / "none.pptx")})
    with pytest.raises(ReviewError, match="找不到课件文件"):
        transition(gone, S.APPROVED, "李书记", AT, checklist=ALL_TICKED)
    # No file at all: approval still works, nothing is locked.
    assert transition(lec, S.APPROVED, "李书记", AT, checklist=ALL_TICKED).locked is None


def test_sha256_of_bytes_and_path(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    p = tmp_path / "x.bin"
    p.write_bytes(data)
    assert sha256_of(data) == sha256_of(p) == sha256_of(str(p)) == hashlib.sha256(data).hexdigest()


def test_deadlines_default_and_configurable() -> None:
    lec = lecture(lecture_date=date(2026, 10, 9))
    assert deadlines_for(lec.lecture_date) == {
        Step.TOPIC: date(2026, 9, 25),
        Step.DRAFT: date(2026, 9, 29),
        Step.REVIEW: date(2026, 10, 4),
    }
    cfg = DeadlineConfig(topic_days=21, draft_days=14, review_days=7)
    assert deadlines_for(lec.lecture_date, cfg)[Step.TOPIC] == date(2026, 9, 18)


def test_overdue_steps() -> None:
    lec = lecture(lecture_date=date(2026, 10, 9))
    assert overdue_steps(lec, date(2026, 9, 25)) == []  # due today is not overdue
    late = overdue_steps(lec, date(2026, 10, 1))
    assert [(o.step, o.due, o.days_overdue) for o in late] == [
        (Step.TOPIC, date(2026, 9, 25), 6),
        (Step.DRAFT, date(2026, 9, 29), 2),
    ]
    filed = walk(lec, S.TOPIC_FILED)
    assert [o.step for o in overdue_steps(filed, date(2026, 10, 5))] == [Step.DRAFT, Step.REVIEW]
    returned = walk(lec, S.TOPIC_FILED, S.SUBMITTED, S.BRANCH_RETURNED)
    assert [o.step for o in overdue_steps(returned, date(2026, 10, 5))] == [Step.REVIEW]
    approved = walk(lec, S.TOPIC_FILED, S.SUBMITTED, S.APPROVED)
    assert overdue_steps(approved, date(2026, 10, 8)) == []
