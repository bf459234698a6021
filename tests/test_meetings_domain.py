"""The Meeting aggregate: attendees, finish gates, corrections, make-up items."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from domain.meeting_kinds import MeetingKind, VoteMethod, VoteRule
from domain.meeting_rules import (
    AttendanceEntry,
    AttendanceState,
    ExclusionReason,
    RuleConfig,
)
from domain.meetings import (
    Candidate,
    Decision,
    Election,
    Meeting,
    MeetingLocked,
    MeetingNotReady,
    MeetingStatus,
    Speaker,
    StepRecord,
    StepState,
    attendance_summary,
    correction,
    default_attendees,
    finish,
    make_up_items,
    mark_step_done,
    new_meeting,
    new_vote,
    quorum,
    sign_in_all,
    skip_step,
    step_state,
    validate_for_finish,
)
from domain.people import CommitteePost, Person, PoliticalStatus

NOW = dt.datetime(2026, 3, 15, 16, 5)
DAY = dt.date(2026, 3, 15)


def roster() -> list[Person]:
    """Branch b1: 10 正式 (5 on the committee, one under 留党察看), 2 预备, 1 群众."""
    posts = [
        CommitteePost.SECRETARY,
        CommitteePost.DEPUTY,
        CommitteePost.ORGANISATION,
        CommitteePost.PUBLICITY,
        CommitteePost.DISCIPLINE,
    ]
    people = [
        Person(
            name=f"正式{i}",
            status=PoliticalStatus.FULL,
            branch_id="b1",
            group_id="g1" if i < 4 else "g2",
            post=posts[i] if i < 5 else (CommitteePost.GROUP_LEADER if i == 5 else None),
            on_party_probation=(i == 9),
        )
        for i in range(10)
    ]
    people += [
        Person(name="预备甲", status=PoliticalStatus.PROBATIONARY, branch_id="b1", group_id="g1"),
        Person(name="预备乙", status=PoliticalStatus.PROBATIONARY, branch_id="b1", group_id="g2"),
        Person(name="群众丙", status=PoliticalStatus.MASSES, branch_id="b1", group_id="g1"),
        Person(name="别支部", status=PoliticalStatus.FULL, branch_id="b2"),
    ]
    return people


def complete(m: Meeting) -> Meeting:
    """Sign everyone in, fill the header and tick every step."""
    m, _ = sign_in_all(m)
    m = m.model_copy(
        update={
            "chair_id": m.attendance[0].person_id,
            "chair_name": m.attendance[0].name,
            "recorder_id": m.attendance[2].person_id,
            "recorder_name": m.attendance[2].name,
            "place": "作业区会议室",
            "start_time": dt.time(14, 30),
            "end_time": dt.time(16, 0),
            "topics": ["学习上级文件", "研究主题党日安排"],
        }
    )
    for step in m.procedure.steps:
        m = mark_step_done(m, step.key, NOW)
    return m


def ready_assembly() -> Meeting:
    m = complete(new_meeting(MeetingKind.MEMBER_ASSEMBLY, "b1", "第一党支部", DAY, people=roster()))
    m.attendance[6].state = AttendanceState.LEAVE
    m.attendance[6].reason = "病假"
    m.votes.append(new_vote(m, "通过主题党日安排", yes=7, no=1, topic_no=2))
    m.decisions.append(
        Decision(text="组织志愿服务", owner_name="正式3", deadline=dt.date(2026, 4, 30))
    )
    return m


# -- Expected attendees ----------------------------------------------------


def test_default_attendees_by_kind() -> None:
    people = roster()
    names = lambda entries: [e.name for e in entries]  # noqa: E731
    assembly = default_attendees(MeetingKind.MEMBER_ASSEMBLY, "b1", people)
    assert names(assembly) == [f"正式{i}" for i in range(10)] + ["预备甲", "预备乙"]
    committee = default_attendees(MeetingKind.COMMITTEE, "b1", people)
    assert names(committee) == [f"正式{i}" for i in range(5)]  # 党小组长 is not a 委员
    group = default_attendees(MeetingKind.GROUP, "g1", people)
    assert names(group) == ["正式0", "正式1", "正式2", "正式3", "预备甲"]
    admission = default_attendees(MeetingKind.ADMISSION, "b1", people)
    assert len(admission) == 12
    by_name = {e.name: e for e in assembly}
    assert by_name["正式0"].has_vote and by_name["正式0"].post == "书记"
    assert not by_name["正式9"].has_vote  # 留党察看
    assert not by_name["预备甲"].has_vote


def test_new_meeting_copies_the_procedure() -> None:
    m = new_meeting(MeetingKind.COMMITTEE, "b1", "第一党支部", DAY, people=roster())
    assert m.status is MeetingStatus.DRAFT and m.version == 0
    assert m.procedure.kind is MeetingKind.COMMITTEE
    assert m.rule is VoteRule.COMMITTEE
    a = attendance_summary(m)
    # A new sign-in sheet starts 未签到: nobody is present until marked.
    assert (a.expected, a.expected_voting, a.present_voting, a.unsigned) == (5, 5, 0, 5)
    from domain.procedures import default_template

    with pytest.raises(ValueError):
        new_meeting(
            MeetingKind.COMMITTEE, "b1", "x", DAY, procedure=default_template(MeetingKind.GROUP)
        )


def test_new_vote_uses_the_kind_defaults() -> None:
    m = new_meeting(MeetingKind.ADMISSION, "b1", "第一党支部", DAY, people=roster())
    v = new_vote(m, "接收预备甲为预备党员", yes=5)
    assert v.rule is VoteRule.DEVELOPMENT and v.method is VoteMethod.SECRET


# -- validate_for_finish ---------------------------------------------------


def test_fresh_draft_lists_every_problem_at_once() -> None:
    m = new_meeting(MeetingKind.MEMBER_ASSEMBLY, "b1", "第一党支部", DAY, people=roster())
    problems = validate_for_finish(m)
    for expected in (
        "未填写主持人",
        "未填写记录人",
        "未填写会议地点",
        "未填写会议起止时间",
        "未填写会议议题",
    ):
        assert expected in problems
    for i, step in enumerate(m.procedure.steps, 1):
        assert any(f"第{i}步" in p and step.title in p and "未完成" in p for p in problems)
    assert "⚑ 第9步（会中）「表决」：还没有记录表决" in problems
    assert "签到未完成：未签到 12 人" in problems
    assert "⚑ 第5步（会中）「宣布到会情况和会议是否有效」：未签到 12 人" in problems
    assert len(problems) == 5 + len(m.procedure.steps) + 3


def test_ready_meeting_has_no_problems_and_finishes() -> None:
    m = ready_assembly()
    assert validate_for_finish(m) == []
    done = finish(m, NOW)
    assert done.status is MeetingStatus.FINISHED and done.finished_at == NOW
    assert done.votes[0].outcome is not None and done.votes[0].outcome.passed
    # 应到有表决权 9 (正式9 under 留党察看 has none); 7×2=14 > 9
    assert "7×2=14 > 应到有表决权 9" in done.votes[0].outcome.explanation
    assert m.status is MeetingStatus.DRAFT and m.votes[0].outcome is None  # input untouched
    assert Meeting.model_validate_json(done.model_dump_json()) == done


def test_finished_meeting_is_locked() -> None:
    done = finish(ready_assembly(), NOW)
    with pytest.raises(MeetingNotReady) as err:
        finish(done, NOW)
    assert "会议已完成；如需修改请生成更正版本" in err.value.problems
    with pytest.raises(MeetingLocked):
        mark_step_done(done, "close", NOW)
    with pytest.raises(MeetingLocked):
        skip_step(done, "materials", "无")


def test_finish_raises_with_the_full_list() -> None:
    m = ready_assembly()
    m.place = ""
    m.votes.clear()
    with pytest.raises(MeetingNotReady) as err:
        finish(m, NOW)
    assert err.value.problems == validate_for_finish(m)
    assert "未填写会议地点" in err.value.problems
    assert "⚑ 第9步（会中）「表决」：还没有记录表决" in err.value.problems
    assert "未填写会议地点" in str(err.value)


def test_no_quorum_blocks_finish_and_votes() -> None:
    m = ready_assembly()
    for e in m.attendance[:6]:
        e.state = AttendanceState.ABSENT
        e.reason = "出差"
    a = attendance_summary(m)
    assert (a.present_voting, a.expected_voting) == (2, 9)
    assert not quorum(m).ok
    problems = validate_for_finish(m)
    assert any(p.startswith("⚑ 第5步") and "到会人数未过半" in p for p in problems)
    assert any(p.startswith("表决「通过主题党日安排」") and "不能表决" in p for p in problems)
    assert any("主持人正式0签到为缺席" in p for p in problems)


def test_vote_count_problems() -> None:
    m = ready_assembly()
    # 8 voters present; 1 entitled voter absent.
    m.votes[0] = new_vote(m, "超票", yes=6, no=2, abstain=1, written_yes=2)
    problems = validate_for_finish(m)
    assert "表决「超票」：赞成 6 + 反对 2 + 弃权 1 = 9，多于在场有表决权 8 人" in problems
    assert "表决「超票」：书面意见 2 份，多于缺席的有表决权党员 1 人" in problems
    m.votes[0] = new_vote(m, "提前离场", yes=5, present_voting=10)
    assert "表决「提前离场」：在场有表决权 10 人，多于应到有表决权 9 人" in validate_for_finish(m)


def test_present_at_vote_override_changes_the_quorum() -> None:
    m = ready_assembly()
    m.votes[0] = new_vote(m, "部分离场后表决", yes=4, present_voting=4)
    problems = validate_for_finish(m)
    assert any("部分离场后表决" in p and "4×2=8 < 应到有表决权 9" in p for p in problems)


def test_committee_votes_do_not_take_written_opinions() -> None:
    m = complete(new_meeting(MeetingKind.COMMITTEE, "b1", "第一党支部", DAY, people=roster()))
    m.attendance[4].state = AttendanceState.LEAVE
    m.votes.append(new_vote(m, "研究发展对象", yes=3, written_yes=1))
    problems = validate_for_finish(m)
    assert "表决「研究发展对象」：支委会表决不计书面意见，不得委托投票" in problems
    m.votes[0] = new_vote(m, "研究发展对象", yes=3)
    assert validate_for_finish(m) == []
    done = finish(m, NOW)
    assert done.votes[0].outcome is not None
    assert done.votes[0].outcome.result.explanation == "赞成 3，3×2=6 > 到会委员 4 → 通过"


def test_admission_needs_a_secret_ballot_and_a_resolution() -> None:
    m = complete(new_meeting(MeetingKind.ADMISSION, "b1", "第一党支部", DAY, people=roster()))
    m.votes.append(new_vote(m, "接收预备", yes=8, method=VoteMethod.HANDS))
    problems = validate_for_finish(m)
    assert "表决「接收预备」：接收预备党员应采用无记名投票" in problems
    assert any("「形成支部大会决议」：还没有记录决议" in p for p in problems)
    m.votes[0] = new_vote(m, "接收预备", yes=8)
    m.decisions.append(Decision(text="同意接收预备甲为中共预备党员"))
    assert validate_for_finish(m) == []


def test_confirmation_show_of_hands_only_when_configured() -> None:
    m = complete(new_meeting(MeetingKind.CONFIRMATION, "b1", "第一党支部", DAY, people=roster()))
    m.votes.append(new_vote(m, "预备甲按期转正", yes=8, method=VoteMethod.HANDS))
    assert "表决「预备甲按期转正」：预备党员转正应采用无记名投票" in validate_for_finish(m)
    m.rule_config = RuleConfig(confirmation_allow_show_of_hands=True)
    assert validate_for_finish(m) == []


def test_written_opinions_count_for_admission() -> None:
    m = complete(new_meeting(MeetingKind.ADMISSION, "b1", "第一党支部", DAY, people=roster()))
    for e in m.attendance[4:8]:
        e.state = AttendanceState.LEAVE
        e.written_opinion = True
    m.votes.append(new_vote(m, "接收预备甲", yes=4, written_yes=1))
    m.decisions.append(Decision(text="同意接收"))
    a = attendance_summary(m)
    assert (a.present_voting, a.expected_voting, a.absent_voting_written) == (5, 9, 4)
    done = finish(m, NOW)
    out = done.votes[0].outcome
    assert out is not None and out.passed
    assert out.result.explanation == "赞成 4 + 书面 1 = 5，5×2=10 > 应到有表决权正式党员 9 → 通过"


# -- Steps: done and skipped -----------------------------------------------


def test_skip_needs_a_reason_and_gates_cannot_be_skipped() -> None:
    m = new_meeting(MeetingKind.MEMBER_ASSEMBLY, "b1", "第一党支部", DAY, people=roster())
    with pytest.raises(ValueError, match="原因"):
        skip_step(m, "materials", "   ")
    with pytest.raises(ValueError, match="⚑"):
        skip_step(m, "quorum", "来不及")
    m2 = skip_step(m, "materials", "无需材料")
    assert step_state(m2, "materials") is StepState.SKIPPED
    assert step_state(m, "materials") is StepState.OPEN  # pure function
    m3 = mark_step_done(m2, "materials", NOW, notes="后来还是准备了")
    assert step_state(m3, "materials") is StepState.DONE
    with pytest.raises(ValueError, match="已完成"):
        skip_step(m3, "materials", "x")
    with pytest.raises(KeyError):
        skip_step(m, "no_such_step", "x")


def test_skippable_gate_skipped_with_reason_needs_no_vote() -> None:
    m = ready_assembly()
    m.votes.clear()
    m.steps = [r for r in m.steps if r.step_key != "vote"]
    m = skip_step(m, "vote", "本次会议为学习，无需表决")
    assert validate_for_finish(m) == []


def test_records_edited_by_hand_are_still_checked() -> None:
    m = ready_assembly()
    m.steps = [r for r in m.steps if r.step_key not in ("quorum", "notify")]
    m.steps.append(StepRecord(step_key="quorum", skipped=True, skip_reason="忘了"))
    m.steps.append(StepRecord(step_key="notify", skipped=True))
    m.steps.append(StepRecord(step_key="ghost", done_at=NOW))
    problems = validate_for_finish(m)
    assert "⚑ 第5步（会中）「宣布到会情况和会议是否有效」是必须完成的步骤，不能跳过" in problems
    assert "第2步（会前）「提前通知全体党员」已跳过但未注明原因" in problems
    assert "记录了程序中没有的步骤：ghost" in problems
    with pytest.raises(ValidationError):
        StepRecord(step_key="x", skipped=True, skip_reason="r", done_at=NOW)


def test_mark_step_done_per_topic_with_speakers() -> None:
    m = new_meeting(MeetingKind.MEMBER_ASSEMBLY, "b1", "第一党支部", DAY, people=roster())
    m = mark_step_done(
        m,
        "discuss",
        NOW,
        notes="讨论安排",
        speakers=[
            Speaker(name="正式1", remark="同意"),
            Speaker(name="正式4", remark="不同意", dissent=True),
        ],
        topic_no=1,
    )
    m = mark_step_done(
        m, "discuss", NOW, speakers=[Speaker(name="正式5", remark="补充")], topic_no=1
    )
    recs = [r for r in m.steps if r.step_key == "discuss"]
    assert len(recs) == 1 and recs[0].notes == "讨论安排"
    assert [s.name for s in recs[0].speakers] == ["正式1", "正式4", "正式5"]
    assert recs[0].speakers[1].dissent


def test_topic_and_deadline_problems() -> None:
    m = ready_assembly()
    m.decisions.append(Decision(text="补办事项", deadline=dt.date(2026, 3, 1), topic_no=5))
    problems = validate_for_finish(m)
    assert "决定事项「补办事项」的完成时限早于会议日期" in problems
    assert "记录中引用了不存在的议题 5" in problems


def test_header_problems() -> None:
    m = ready_assembly()
    m.end_time = dt.time(14, 0)
    m.attendance.append(m.attendance[1].model_copy())
    problems = validate_for_finish(m)
    assert "会议结束时间不晚于开始时间" in problems
    assert "正式1 在签到表中重复" in problems


# -- Elections -------------------------------------------------------------


def election_meeting() -> Meeting:
    m = complete(new_meeting(MeetingKind.ELECTION, "b1", "第一党支部", DAY, people=roster()))
    m.votes.append(new_vote(m, "通过选举办法", yes=9))
    m.elections.append(
        Election(
            subject="选举支部委员会委员",
            seats=3,
            candidates=[
                Candidate(name="正式0", votes=9),
                Candidate(name="正式1", votes=8),
                Candidate(name="正式2", votes=5),
                Candidate(name="正式3", votes=4),
                Candidate(name="正式5", votes=1, write_in=True),
            ],
            ballots_issued=9,
            ballots_returned=9,
            ballots_valid=9,
            scrutineers=["正式6"],
            counters=["正式7"],
        )
    )
    return m


def test_election_meeting_finishes_with_the_elected() -> None:
    m = election_meeting()
    assert validate_for_finish(m) == []
    done = finish(m, NOW)
    e = done.elections[0]
    assert e.outcome is not None
    # 9 electors present: 正式2 with 5 votes (10 > 9) is elected; 4 votes is not.
    assert [e.candidate_name(k) for k in e.outcome.elected] == ["正式0", "正式1", "正式2"]
    assert e.outcome.shortfall == 0


def test_election_problems_are_listed() -> None:
    m = election_meeting()
    e = m.elections[0]
    e.ballots_returned = 10
    e.ballots_invalid = 2
    e.candidates[0].votes = 12
    e.candidates = e.candidates[:3] + [e.candidates[4]]  # 3 nominated for 3 seats: no margin
    e.scrutineers = []
    problems = validate_for_finish(m)
    label = "选举「选举支部委员会委员」"
    assert f"{label}：收回 10 > 发出 9 → 选举无效，应重新投票" in problems
    assert f"{label}：有效票 9 + 无效票 2 ≠ 收回 10" in problems
    assert f"{label}：正式0 得票 12，多于有效票 9" in problems
    assert any(p.startswith(label) and "差额不足20%" in p for p in problems)
    assert f"{label}：未填写监票人" in problems


def test_election_quorum_is_four_fifths() -> None:
    m = election_meeting()
    for e in m.attendance[6:8]:
        e.state = AttendanceState.LEAVE  # 7 of 9 electors: 35 < 36
    m.elections[0].ballots_issued = m.elections[0].ballots_returned = 7
    m.elections[0].ballots_valid = 7
    for c, votes in zip(m.elections[0].candidates, (7, 6, 4, 3, 1), strict=True):
        c.votes = votes
    m.votes[0] = new_vote(m, "通过选举办法", yes=7)
    problems = validate_for_finish(m)
    assert any(p.startswith("⚑ 第5步") and "不足五分之四" in p for p in problems)
    m.attendance[6].excluded_reason = ExclusionReason.ABROAD
    m.attendance[6].state = AttendanceState.ABSENT
    a = attendance_summary(m)
    assert (a.present_voting, a.expected_voting) == (7, 8)  # 35 > 32
    assert validate_for_finish(m) == []
    out = finish(m, NOW).elections[0].outcome
    assert out is not None and len(out.elected) == 3  # 4 votes of 7 present: 8 > 7


def test_election_gates_need_an_election() -> None:
    m = election_meeting()
    m.elections.clear()
    problems = validate_for_finish(m)
    assert any("「清点收回选票」：还没有记录选票清点" in p for p in problems)
    assert any("「宣布选举结果」：还没有记录选举结果" in p for p in problems)


# -- Corrections and make-up items -----------------------------------------


def test_correction_is_a_new_draft_linked_to_the_old() -> None:
    done = finish(ready_assembly(), NOW)
    done = done.model_copy(update={"version": 3, "created_at": "2026-03-15T16:05:00"})
    fix = correction(done)
    assert fix.id != done.id and fix.supersedes_id == done.id
    assert fix.status is MeetingStatus.DRAFT and fix.finished_at is None
    assert fix.version == 0 and fix.created_at == "" and fix.revision == 2
    assert fix.topics == done.topics and fix.votes[0].subject == done.votes[0].subject
    fix.topics.append("补充议题")
    assert done.topics == ["学习上级文件", "研究主题党日安排"]  # deep copy
    assert done.status is MeetingStatus.FINISHED
    again = finish(fix.model_copy(update={"topics": done.topics}), NOW)
    assert correction(again).revision == 3
    with pytest.raises(ValueError):
        correction(fix)


def test_make_up_items_for_absent_members_only() -> None:
    m = ready_assembly()  # 正式6 on sick leave
    m.attendance[7].state = AttendanceState.ABSENT
    m.attendance[7].reason = "出差"
    m.attendance[8].state = AttendanceState.ABSENT
    m.attendance[8].excluded_reason = ExclusionReason.AWAY  # not counted: no item
    m.attendance.append(
        AttendanceEntry(
            name="列席人", status=PoliticalStatus.ACTIVIST, state=AttendanceState.OBSERVER
        )
    )
    m.attendance.append(AttendanceEntry(name="客人", state=AttendanceState.ABSENT))
    items = make_up_items(m)
    assert [(i.name, i.absence) for i in items] == [
        ("正式6", "请假（病假）"),
        ("正式7", "缺席（出差）"),
    ]
    item = items[0]
    assert item.person_id == m.attendance[6].person_id and item.meeting_id == m.id
    assert item.title == "补学：2026-03-15 支部党员大会"
    assert "1. 学习上级文件；2. 研究主题党日安排" in item.content
    assert "组织志愿服务" in item.content
