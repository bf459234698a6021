"""The record's own fields: 组织生活会 (对照检查, 批评与自我批评 by person, 整改措施)
and 民主评议党员 (测评, 等次 counts and the 优秀 share), entered as data beside
the kind and printed in the minutes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from domain.meeting_kinds import APPRAISAL_GRADES, ContentKind, MeetingKind, kind_spec
from domain.meeting_rules import RuleConfig
from domain.meetings import (
    ContentValue,
    Meeting,
    content_problems,
    grade_check,
    mark_step_done,
    new_meeting,
    parse_people,
    people_text,
    set_content,
    sign_in_all,
)
from domain.people import CommitteePost, Person, PoliticalStatus
from exports import minutes

DAY = dt.date(2026, 12, 18)
NAMES = ("王书记", "李组织", "张三", "李四", "赵五", "钱六")


def _meeting(kind: MeetingKind) -> Meeting:
    people = [
        Person(name=n, status=PoliticalStatus.FULL, branch_id="b1",
               post=CommitteePost.SECRETARY if n == "王书记" else None)
        for n in NAMES
    ]  # fmt: skip
    m = new_meeting(kind, "b1", "采油一班党支部", DAY, people=people)
    m, _ = sign_in_all(m)
    at = dt.datetime.combine(DAY, dt.time(9))
    for step in m.procedure.steps:
        m = mark_step_done(m, step.key, at, notes=f"{step.title}。")
    return m.model_copy(update={
        "place": "会议室", "chair_name": "王书记", "recorder_name": "李组织",
        "start_time": dt.time(9), "end_time": dt.time(11), "topics": [kind.value],
    })  # fmt: skip


def _paras(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_the_kinds_table_names_the_content_fields() -> None:
    org_life = {c.key: c for c in kind_spec(MeetingKind.ORG_LIFE).content}
    assert [c.label for c in org_life.values()] == ["对照检查", "批评与自我批评", "整改措施"]
    assert org_life["criticism"].kind is ContentKind.PEOPLE
    appraisal = {c.key: c for c in kind_spec(MeetingKind.APPRAISAL).content}
    assert appraisal["grades"].kind is ContentKind.COUNTS
    assert appraisal["grades"].options == APPRAISAL_GRADES
    assert kind_spec(MeetingKind.COMMITTEE).content == ()


def test_people_lines_round_trip_and_say_what_they_cannot_read() -> None:
    m = _meeting(MeetingKind.ORG_LIFE)
    people, problems = parse_people(m, "张三：学习不够系统。\n\n外支部老刘:提醒张三\n没有冒号的一行")
    assert [(p.name, p.remark) for p in people] == [("张三", "学习不够系统。"), ("外支部老刘", "提醒张三")]
    assert people[0].person_id == next(e.person_id for e in m.attendance if e.name == "张三")
    assert people[1].person_id is None
    assert problems == ["第4行应写成「姓名：内容」"]
    assert people_text(ContentValue(people=people)) == "张三：学习不够系统。\n外支部老刘：提醒张三"


def test_set_content_refuses_a_field_the_kind_does_not_have() -> None:
    with pytest.raises(ValueError, match="没有"):
        set_content(_meeting(MeetingKind.COMMITTEE), "grades", ContentValue())


def test_excellent_share_is_checked_against_the_configured_limit() -> None:
    m = _meeting(MeetingKind.APPRAISAL)
    m = set_content(m, "grades", ContentValue(counts={"优秀": 2, "合格": 4}))
    check = grade_check(m)
    assert check is not None and check.ok
    assert check.text == "优秀2名，占参评党员6名的33.3%，未超过三分之一。"
    m = set_content(m, "grades", ContentValue(counts={"优秀": 3, "合格": 3}))
    check = grade_check(m)
    assert check is not None and not check.ok and "请支委会复核" in check.text
    strict = m.model_copy(update={"rule_config": RuleConfig(excellent_share_max=0.5)})
    assert grade_check(strict).ok  # type: ignore[union-attr]
    too_many = set_content(m, "grades", ContentValue(counts={"合格": 7}))
    assert content_problems(too_many) == ["评定等次共7人，多于应参加评议的党员6人"]


def test_org_life_minutes_print_each_field_by_person(tmp_path: Path) -> None:
    m = _meeting(MeetingKind.ORG_LIFE)
    m = set_content(m, "self_check", ContentValue(text="理论学习不够深入，联系群众不够经常。"))
    people, _ = parse_people(m, "张三：自我批评：学习不够系统。批评意见：李四提出工作方法简单。\n"
                                "李四：自我批评：带头作用不够。")  # fmt: skip
    m = set_content(m, "criticism", ContentValue(people=people))
    m = set_content(m, "rectify", ContentValue(text="每月集中学习一次，责任人王书记，2027年3月底前。"))
    paras = _paras(minutes.export(m, tmp_path))
    text = "\n".join(paras)
    assert "对照检查：理论学习不够深入，联系群众不够经常。" in paras
    at = paras.index("批评与自我批评：")
    assert paras[at + 1] == "张三：自我批评：学习不够系统。批评意见：李四提出工作方法简单。"
    assert paras[at + 2] == "李四：自我批评：带头作用不够。"
    assert "整改措施：每月集中学习一次，责任人王书记，2027年3月底前。" in paras
    # 对照检查 follows the 书记's report, 批评 its step, 整改 comes after both.
    assert text.index("对照检查") < text.index("批评与自我批评：") < text.index("整改措施")


def test_appraisal_minutes_print_rating_grades_and_share(tmp_path: Path) -> None:
    m = _meeting(MeetingKind.APPRAISAL)
    m = set_content(m, "rating", ContentValue(text="无记名测评，党员6人、群众代表2人参加，收回测评表8份。"))
    m = set_content(m, "grades", ContentValue(counts={"优秀": 1, "合格": 4, "基本合格": 1}))
    paras = _paras(minutes.export(m, tmp_path))
    assert "民主测评：无记名测评，党员6人、群众代表2人参加，收回测评表8份。" in paras
    assert "评定等次：优秀1名，合格4名，基本合格1名，不合格0名。" in paras
    assert "优秀1名，占参评党员6名的16.7%，未超过三分之一。" in paras


def test_empty_content_says_it_was_not_recorded(tmp_path: Path) -> None:
    paras = _paras(minutes.export(_meeting(MeetingKind.ORG_LIFE), tmp_path))
    assert "对照检查：未记录。" in paras and "整改措施：未记录。" in paras


async def test_content_is_entered_on_the_run_screen_and_kept_in_the_draft(
    make_demo_app, demo_store
) -> None:
    """基本信息 shows the kind's fields; what is typed reaches the draft in SQLite."""
    from textual.widgets import Input, Static, TextArea

    from screens.meetings.run import MeetingScreen
    from screens.registry import DRAFT_KINDS
    from storage import org, people

    branch = org.branches(demo_store)[0]
    roster = people.list_branch(demo_store, branch.id)
    member = roster[2].name
    m = new_meeting(MeetingKind.APPRAISAL, branch.id, branch.name, DAY, people=roster)
    org_life = new_meeting(MeetingKind.ORG_LIFE, branch.id, branch.name, DAY, people=roster)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(MeetingScreen(m))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#i-c-rating", TextArea).text = "无记名测评，收回测评表20份。"
        screen.query_one("#i-c-grades-0", Input).value = "9"
        screen.query_one("#i-c-grades-1", Input).value = "11"
        await pilot.pause(0.8)
        check = str(screen.query_one("#i-c-grades-check", Static).render())
        assert "优秀9名，占参评党员20名的45.0%，超过三分之一" in check
        await pilot.press("escape", "escape")
        await pilot.pause()
        app.push_screen(MeetingScreen(org_life))
        await pilot.pause()
        app.screen.query_one("#i-c-criticism", TextArea).text = f"{member}：自我批评：学习不够。"
        await pilot.pause(0.8)
        await pilot.press("escape", "escape")
        await pilot.pause()
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, m.id)
        await pilot.pause()
        got = app.screen.meeting.content
        assert got["rating"].text == "无记名测评，收回测评表20份。"
        assert got["grades"].counts == {"优秀": 9, "合格": 11}
        await pilot.press("escape", "escape")
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, org_life.id)
        await pilot.pause()
        people_ = app.screen.meeting.content["criticism"].people
        assert [(p.name, p.remark) for p in people_] == [(member, "自我批评：学习不够。")]
        assert people_[0].person_id == roster[2].id


def test_validity_is_stated_before_the_first_vote_where_no_step_states_it(
    tmp_path: Path,
) -> None:
    # 民主评议 has no quorum step of its own; its record used to state the
    # validity after the chair's summary, long after the vote it governs.
    from domain.meetings import new_vote, record_vote

    m = _meeting(MeetingKind.APPRAISAL)
    m = record_vote(m, new_vote(m, "民主评议党员", yes=6))
    paras = _paras(minutes.export(m, tmp_path))
    valid = next(i for i, p in enumerate(paras) if p.endswith("会议有效。"))
    first_vote = next(i for i, p in enumerate(paras) if p.startswith("表决事项"))
    assert valid < first_vote
    assert sum(p.endswith("会议有效。") for p in paras) == 1
