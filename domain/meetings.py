"""The Meeting aggregate: what happened at one meeting, and when it may be finished.

Names, political status and voting rights are snapshotted into the meeting,
so the minutes stay true after the roster changes.  A finished meeting is
never edited; a correction is a new draft that points back at it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.meeting_kinds import (
    MeetingKind,
    MeetingStatus,
    VoteMethod,
    VoteRule,
    default_vote_method,
    vote_rule_for,
)
from domain.meeting_rules import (
    WRITTEN_OPINIONS_COUNT,
    AttendanceCount,
    AttendanceEntry,
    AttendanceState,
    ElectionOutcome,
    RuleConfig,
    RuleResult,
    Tally,
    VoteOutcome,
    ballots_valid,
    competitive_margin_ok,
    count_attendance,
    election_outcome,
    evaluate_vote,
    meeting_quorum,
)
from domain.people import Person
from domain.procedures import GateCheck, ProcedureTemplate, StepTemplate, default_template
from domain.records import Record, new_id
from domain.text import LONG_MAX, Line, Note, RequiredLine, clean_text


class StepState(StrEnum):
    OPEN = "未完成"
    DONE = "已完成"
    SKIPPED = "已跳过"


class MeetingLocked(ValueError):
    """Raised when a finished meeting is edited instead of corrected."""


class MeetingNotReady(ValueError):
    """Raised by finish(); ``problems`` lists every reason, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


_CFG = ConfigDict(hide_input_in_errors=True)


class Speaker(BaseModel):
    model_config = _CFG

    person_id: str | None = None
    name: RequiredLine = Field(max_length=40)
    remark: Note = Field(default="", max_length=LONG_MAX)
    dissent: bool = False  # 不同意见: kept and marked in the minutes


class StepRecord(BaseModel):
    """What was recorded for one procedure step (optionally for one topic)."""

    model_config = _CFG

    step_key: RequiredLine
    topic_no: int | None = Field(default=None, ge=1)  # 1-based index into Meeting.topics
    done_at: dt.datetime | None = None
    notes: Note = Field(default="", max_length=LONG_MAX)
    speakers: list[Speaker] = Field(default_factory=list)
    skipped: bool = False
    skip_reason: Line = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _done_or_skipped(self) -> StepRecord:
        if self.skipped and self.done_at is not None:
            raise ValueError("步骤不能既已完成又被跳过")
        return self


class Vote(BaseModel):
    model_config = _CFG

    id: str = Field(default_factory=new_id)
    step_key: str | None = None
    topic_no: int | None = Field(default=None, ge=1)
    subject: RequiredLine = Field(max_length=200)
    method: VoteMethod = VoteMethod.HANDS
    rule: VoteRule = VoteRule.ASSEMBLY
    yes: int = Field(default=0, ge=0)
    no: int = Field(default=0, ge=0)
    abstain: int = Field(default=0, ge=0)
    written_yes: int = Field(default=0, ge=0)  # absentees' formal written opinions
    written_no: int = Field(default=0, ge=0)
    written_abstain: int = Field(default=0, ge=0)
    # Voters in the room at the time of this vote, when it differs from the
    # sign-in (someone left early); None means "as signed in".
    present_voting: int | None = Field(default=None, ge=0)
    outcome: VoteOutcome | None = None  # filled in by finish()

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def written(self) -> int:
        return self.written_yes + self.written_no + self.written_abstain


class Candidate(BaseModel):
    model_config = _CFG

    id: str = Field(default_factory=new_id)
    person_id: str | None = None
    name: RequiredLine = Field(max_length=40)
    votes: int = Field(default=0, ge=0)
    write_in: bool = False  # 另选他人


class Election(BaseModel):
    model_config = _CFG

    id: str = Field(default_factory=new_id)
    step_key: str | None = None
    topic_no: int | None = Field(default=None, ge=1)
    subject: RequiredLine = Field(max_length=200)  # e.g. 选举支部委员会委员
    seats: int = Field(default=1, ge=1)
    competitive: bool = True  # 差额选举 (委员); 书记/副书记 are 等额
    candidates: list[Candidate] = Field(default_factory=list)
    ballots_issued: int = Field(default=0, ge=0)
    ballots_returned: int = Field(default=0, ge=0)
    ballots_valid: int = Field(default=0, ge=0)
    ballots_invalid: int = Field(default=0, ge=0)
    scrutineers: list[RequiredLine] = Field(default_factory=list)  # 监票人
    counters: list[RequiredLine] = Field(default_factory=list)  # 计票人
    outcome: ElectionOutcome | None = None  # filled in by finish()

    def candidate_name(self, candidate_id: str) -> str:
        for c in self.candidates:
            if c.id == candidate_id:
                return c.name
        raise KeyError(candidate_id)


class Decision(BaseModel):
    model_config = _CFG

    id: str = Field(default_factory=new_id)
    step_key: str | None = None
    topic_no: int | None = Field(default=None, ge=1)
    text: RequiredLine = Field(max_length=2000)
    owner_id: str | None = None
    owner_name: Line = Field(default="", max_length=40)  # 责任人
    deadline: dt.date | None = None  # 完成时限


class Meeting(Record):
    kind: MeetingKind
    org_id: str
    org_name: RequiredLine = Field(max_length=60)  # snapshot
    title: Line = Field(default="", max_length=100)  # 会议名称, e.g. 2026年第1次支部党员大会
    sequence: int | None = Field(default=None, ge=1)  # 第×次
    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: Line = Field(default="", max_length=100)
    chair_id: str | None = None
    chair_name: Line = Field(default="", max_length=40)
    recorder_id: str | None = None
    recorder_name: Line = Field(default="", max_length=40)
    topics: list[RequiredLine] = Field(default_factory=list)
    lecturer_id: str | None = None  # 党课: who lectured (counts for the secretary rule)
    lecturer_name: Line = Field(default="", max_length=40)
    lecture_id: str | None = None  # the rota lecture this 党课 delivered
    attendance: list[AttendanceEntry] = Field(default_factory=list)
    procedure: ProcedureTemplate
    steps: list[StepRecord] = Field(default_factory=list)
    votes: list[Vote] = Field(default_factory=list)
    elections: list[Election] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    summary: Note = Field(default="", max_length=LONG_MAX)  # 主持人总结
    rule_config: RuleConfig = Field(default_factory=RuleConfig)  # snapshot of the branch's choices
    status: MeetingStatus = MeetingStatus.DRAFT
    finished_at: dt.datetime | None = None
    supersedes_id: str | None = None  # the finished version this one corrects
    revision: int = Field(default=1, ge=1)

    @property
    def rule(self) -> VoteRule:
        return vote_rule_for(self.kind)

    @property
    def finished(self) -> bool:
        return self.status is MeetingStatus.FINISHED


# -- Building a meeting ----------------------------------------------------


def expected_people(kind: MeetingKind, org_id: str, people: Iterable[Person]) -> list[Person]:
    """Who is expected: the group for 党小组会, 委员 for 支委会, else all members."""
    if kind is MeetingKind.GROUP:
        return [p for p in people if p.group_id == org_id and p.is_member]
    if kind is MeetingKind.COMMITTEE:
        return [p for p in people if p.branch_id == org_id and p.on_committee]
    return [p for p in people if p.branch_id == org_id and p.is_member]


def default_attendees(
    kind: MeetingKind,
    org_id: str,
    people: Iterable[Person],
    *,
    state: AttendanceState = AttendanceState.PRESENT,
) -> list[AttendanceEntry]:
    return [AttendanceEntry.from_person(p, state) for p in expected_people(kind, org_id, people)]


def new_meeting(
    kind: MeetingKind,
    org_id: str,
    org_name: str,
    date: dt.date,
    *,
    people: Iterable[Person] = (),
    procedure: ProcedureTemplate | None = None,
    rule_config: RuleConfig | None = None,
) -> Meeting:
    """A draft with the default attendees and a copy of the kind's procedure."""
    procedure = procedure or default_template(kind)
    if procedure.kind is not kind:
        raise ValueError("程序模板与会议类型不符")
    return Meeting(
        kind=kind,
        org_id=org_id,
        org_name=org_name,
        date=date,
        attendance=default_attendees(kind, org_id, people),
        procedure=procedure,
        rule_config=rule_config or RuleConfig(),
    )


def new_vote(meeting: Meeting, subject: str, **fields: object) -> Vote:
    """A vote with the rule and method the meeting kind calls for."""
    fields.setdefault("rule", meeting.rule)
    fields.setdefault("method", default_vote_method(meeting.kind))
    return Vote(subject=subject, **fields)  # type: ignore[arg-type]


# -- Attendance and results ------------------------------------------------


def attendance_summary(meeting: Meeting) -> AttendanceCount:
    return count_attendance(meeting.attendance)


def quorum(meeting: Meeting) -> RuleResult:
    """Whether the meeting itself may proceed under its kind's rule."""
    a = attendance_summary(meeting)
    return meeting_quorum(meeting.rule, a.present_voting, a.expected_voting, meeting.rule_config)


def vote_outcome(meeting: Meeting, vote: Vote) -> VoteOutcome:
    a = attendance_summary(meeting)
    present = a.present_voting if vote.present_voting is None else vote.present_voting
    return evaluate_vote(
        vote.rule,
        yes=vote.yes,
        written_yes=vote.written_yes,
        present_voting=present,
        expected_voting=a.expected_voting,
        config=meeting.rule_config,
    )


def election_result(meeting: Meeting, election: Election) -> ElectionOutcome:
    a = attendance_summary(meeting)
    return election_outcome(
        [Tally(c.id, c.name, c.votes) for c in election.candidates],
        election.seats,
        a.present_voting,
        expected_electors=a.expected_voting,
        ballots_issued=election.ballots_issued,
        ballots_returned=election.ballots_returned,
        config=meeting.rule_config,
    )


# -- Walking the steps -----------------------------------------------------


def step_records(meeting: Meeting, key: str) -> list[StepRecord]:
    return [r for r in meeting.steps if r.step_key == key]


def step_state(meeting: Meeting, key: str) -> StepState:
    records = step_records(meeting, key)
    if any(r.done_at is not None for r in records):
        return StepState.DONE
    if any(r.skipped and r.skip_reason for r in records):
        return StepState.SKIPPED
    return StepState.OPEN


def _editable(meeting: Meeting) -> None:
    if meeting.finished:
        raise MeetingLocked("会议已完成，不能修改；如需更正请生成更正版本")


def mark_step_done(
    meeting: Meeting,
    key: str,
    now: dt.datetime,
    *,
    notes: str | None = None,
    speakers: Sequence[Speaker] = (),
    topic_no: int | None = None,
) -> Meeting:
    """Tick a step off (per topic if given), adding notes and speakers."""
    _editable(meeting)
    meeting.procedure.step(key)
    steps = [
        r.model_copy(deep=True) for r in meeting.steps if not (r.step_key == key and r.skipped)
    ]
    for r in steps:
        if r.step_key == key and r.topic_no == topic_no:
            r.done_at = now
            if notes is not None:
                r.notes = clean_text(notes, multiline=True)
            r.speakers.extend(speakers)
            break
    else:
        steps.append(
            StepRecord(
                step_key=key,
                topic_no=topic_no,
                done_at=now,
                notes=notes or "",
                speakers=list(speakers),
            )
        )
    return meeting.model_copy(update={"steps": steps})


def record_step(
    meeting: Meeting,
    key: str,
    *,
    notes: str | None = None,
    speakers: Sequence[Speaker] = (),
    topic_no: int | None = None,
) -> Meeting:
    """Add notes or speakers to a step without ticking it off."""
    _editable(meeting)
    meeting.procedure.step(key)
    steps = [r.model_copy(deep=True) for r in meeting.steps]
    for r in steps:
        if r.step_key == key and r.topic_no == topic_no and not r.skipped:
            if notes is not None:
                r.notes = clean_text(notes, multiline=True)
            r.speakers.extend(speakers)
            break
    else:
        steps.append(
            StepRecord(step_key=key, topic_no=topic_no, notes=notes or "", speakers=list(speakers))
        )
    return meeting.model_copy(update={"steps": steps})


def reopen_step(meeting: Meeting, key: str) -> Meeting:
    """Undo a tick or a skip; notes and speakers stay."""
    _editable(meeting)
    steps = []
    for r in meeting.steps:
        if r.step_key != key:
            steps.append(r)
        elif not r.skipped:
            steps.append(r.model_copy(update={"done_at": None}))
    return meeting.model_copy(update={"steps": steps})


def skip_step(meeting: Meeting, key: str, reason: str) -> Meeting:
    _editable(meeting)
    step = meeting.procedure.step(key)
    rec = StepRecord(step_key=key, skipped=True, skip_reason=reason)
    if not rec.skip_reason:
        raise ValueError("跳过步骤须注明原因")
    if step.hard_gate and not step.skippable:
        raise ValueError(f"⚑ 步骤不能跳过：{step.title}")
    if step_state(meeting, key) is StepState.DONE:
        raise ValueError(f"步骤已完成，不能跳过：{step.title}")
    steps = [r for r in meeting.steps if r.step_key != key] + [rec]
    return meeting.model_copy(update={"steps": steps})


# -- Validation and finishing ----------------------------------------------


def _step_label(meeting: Meeting, step: StepTemplate) -> str:
    n = meeting.procedure.index(step.key) + 1
    flag = "⚑ " if step.hard_gate else ""
    return f"{flag}第{n}步（{step.phase}）「{step.title}」"


def _for_step(
    items: Iterable[Vote | Decision | Election], key: str
) -> list[Vote | Decision | Election]:
    # Records not tied to any step count for every gate that needs them.
    return [x for x in items if x.step_key in (key, None)]


def _gate_problems(meeting: Meeting, step: StepTemplate) -> list[str]:
    label = _step_label(meeting, step)
    check = step.gate_check
    if check is GateCheck.QUORUM:
        q = quorum(meeting)
        return [] if q.ok else [f"{label}：{q.explanation}"]
    if check is GateCheck.VOTE and not _for_step(meeting.votes, step.key):
        return [f"{label}：还没有记录表决"]
    if check is GateCheck.DECISION and not _for_step(meeting.decisions, step.key):
        return [f"{label}：还没有记录决议"]
    if check is GateCheck.BALLOTS and not meeting.elections:
        return [f"{label}：还没有记录选票清点"]
    if check is GateCheck.ELECTION_RESULT and not meeting.elections:
        return [f"{label}：还没有记录选举结果"]
    return []


def _step_problems(meeting: Meeting) -> list[str]:
    problems: list[str] = []
    for step in meeting.procedure.steps:
        label = _step_label(meeting, step)
        records = step_records(meeting, step.key)
        state = step_state(meeting, step.key)
        if state is StepState.SKIPPED and not step.skippable:
            problems.append(f"{label}是必须完成的步骤，不能跳过")
        elif state is StepState.OPEN:
            if any(r.skipped for r in records):
                problems.append(f"{label}已跳过但未注明原因")
            else:
                problems.append(f"{label}未完成，也未注明跳过原因")
        if step.hard_gate and not (state is StepState.SKIPPED and step.skippable):
            problems += _gate_problems(meeting, step)
    known = {s.key for s in meeting.procedure.steps}
    for key in sorted({r.step_key for r in meeting.steps} - known):
        problems.append(f"记录了程序中没有的步骤：{key}")
    return problems


def _vote_problems(meeting: Meeting, a: AttendanceCount) -> list[str]:
    problems: list[str] = []
    cfg = meeting.rule_config
    for v in meeting.votes:
        label = f"表决「{v.subject}」"
        present = a.present_voting if v.present_voting is None else v.present_voting
        if v.present_voting is not None and v.present_voting > a.expected_voting:
            problems.append(
                f"{label}：在场有表决权 {v.present_voting} 人，多于应到有表决权 {a.expected_voting} 人"
            )
        if v.cast > present:
            problems.append(
                f"{label}：赞成 {v.yes} + 反对 {v.no} + 弃权 {v.abstain} = {v.cast}，"
                f"多于在场有表决权 {present} 人"
            )
        if v.written:
            if v.rule not in WRITTEN_OPINIONS_COUNT:
                problems.append(f"{label}：{v.rule}不计书面意见，不得委托投票")
            elif v.written > a.expected_voting - present:
                problems.append(
                    f"{label}：书面意见 {v.written} 份，多于缺席的有表决权党员 "
                    f"{a.expected_voting - present} 人"
                )
        if v.rule is VoteRule.DEVELOPMENT and v.method is VoteMethod.HANDS:
            allowed = (
                meeting.kind is MeetingKind.CONFIRMATION and cfg.confirmation_allow_show_of_hands
            )
            if not allowed:
                problems.append(f"{label}：{meeting.kind}应采用无记名投票")
        q = vote_outcome(meeting, v).quorum
        if not q.ok:
            problems.append(f"{label}：{q.explanation}")
    return problems


def _election_problems(meeting: Meeting, a: AttendanceCount) -> list[str]:
    problems: list[str] = []
    for e in meeting.elections:
        label = f"选举「{e.subject}」"
        b = ballots_valid(e.ballots_returned, e.ballots_issued)
        if not b.ok:
            problems.append(f"{label}：{b.explanation}")
        if e.ballots_issued > a.present_voting:
            problems.append(
                f"{label}：发出选票 {e.ballots_issued} 张，多于实到有选举权 {a.present_voting} 人"
            )
        if e.ballots_valid + e.ballots_invalid != e.ballots_returned:
            problems.append(
                f"{label}：有效票 {e.ballots_valid} + 无效票 {e.ballots_invalid} "
                f"≠ 收回 {e.ballots_returned}"
            )
        nominated = [c for c in e.candidates if not c.write_in]
        if len(nominated) < e.seats:
            problems.append(f"{label}：候选人 {len(nominated)} 名，少于应选 {e.seats} 名")
        elif e.competitive:
            m = competitive_margin_ok(len(nominated), e.seats)
            if not m.ok:
                problems.append(f"{label}：{m.explanation}")
        for c in e.candidates:
            if c.votes > e.ballots_valid:
                problems.append(f"{label}：{c.name} 得票 {c.votes}，多于有效票 {e.ballots_valid}")
        total = sum(c.votes for c in e.candidates)
        if total > e.ballots_valid * e.seats:
            problems.append(
                f"{label}：得票合计 {total}，多于有效票 {e.ballots_valid} × 应选 {e.seats}"
            )
        if not e.scrutineers:
            problems.append(f"{label}：未填写监票人")
        out = election_result(meeting, e)
        if out.void and b.ok:
            problems.append(f"{label}：{out.explanation}")
    return problems


def validate_for_finish(meeting: Meeting) -> list[str]:
    """Every reason the meeting cannot be finished yet, in one list (Chinese)."""
    problems: list[str] = []
    if meeting.finished:
        problems.append("会议已完成；如需修改请生成更正版本")
    if meeting.procedure.kind is not meeting.kind:
        problems.append(f"程序模板（{meeting.procedure.kind}）与会议类型（{meeting.kind}）不符")
    if not meeting.chair_name:
        problems.append("未填写主持人")
    if not meeting.recorder_name:
        problems.append("未填写记录人")
    if not meeting.place:
        problems.append("未填写会议地点")
    if meeting.start_time is None or meeting.end_time is None:
        problems.append("未填写会议起止时间")
    elif meeting.end_time <= meeting.start_time:
        problems.append("会议结束时间不晚于开始时间")
    if not meeting.topics:
        problems.append("未填写会议议题")

    a = attendance_summary(meeting)
    if a.expected == 0:
        problems.append("签到表中没有应到人员")
    ids = Counter(e.person_id for e in meeting.attendance if e.person_id)
    for e in meeting.attendance:
        if e.person_id and ids[e.person_id] > 1:
            problems.append(f"{e.name} 在签到表中重复")
            ids[e.person_id] = 0
    for role, pid in (("主持人", meeting.chair_id), ("记录人", meeting.recorder_id)):
        for e in meeting.attendance:
            if (
                pid
                and e.person_id == pid
                and e.state
                in (
                    AttendanceState.LEAVE,
                    AttendanceState.ABSENT,
                )
            ):
                problems.append(f"{role}{e.name}签到为{e.state}")

    problems += _step_problems(meeting)
    problems += _vote_problems(meeting, a)
    problems += _election_problems(meeting, a)

    n_topics = len(meeting.topics)
    items: list[StepRecord | Vote | Election | Decision] = [
        *meeting.steps,
        *meeting.votes,
        *meeting.elections,
        *meeting.decisions,
    ]
    bad_topics = sorted({x.topic_no for x in items if x.topic_no and x.topic_no > n_topics})
    for t in bad_topics:
        problems.append(f"记录中引用了不存在的议题 {t}")
    for d in meeting.decisions:
        if d.deadline is not None and d.deadline < meeting.date:
            problems.append(f"决定事项「{d.text}」的完成时限早于会议日期")
    return problems


def finish(meeting: Meeting, now: dt.datetime) -> Meeting:
    """Lock the meeting with its results computed; raises MeetingNotReady."""
    problems = validate_for_finish(meeting)
    if problems:
        raise MeetingNotReady(problems)
    votes = [v.model_copy(update={"outcome": vote_outcome(meeting, v)}) for v in meeting.votes]
    elections = [
        e.model_copy(update={"outcome": election_result(meeting, e)}) for e in meeting.elections
    ]
    return meeting.model_copy(
        update={
            "votes": votes,
            "elections": elections,
            "status": MeetingStatus.FINISHED,
            "finished_at": now,
        },
        deep=True,
    )


def correction(meeting: Meeting) -> Meeting:
    """A new draft copied from a finished meeting; the old one stays as it was."""
    if not meeting.finished:
        raise ValueError("草稿可以直接修改，无需生成更正版本")
    return meeting.model_copy(
        update={
            "id": new_id(),
            "version": 0,
            "created_at": "",
            "updated_at": "",
            "updated_by": "",
            "status": MeetingStatus.DRAFT,
            "finished_at": None,
            "supersedes_id": meeting.id,
            "revision": meeting.revision + 1,
        },
        deep=True,
    )


# -- Follow-ups ------------------------------------------------------------


class MakeUpItem(BaseModel):
    """补学: an absent member must be told what the meeting studied and decided."""

    model_config = _CFG

    person_id: str
    name: str
    meeting_id: str
    kind: MeetingKind
    meeting_date: dt.date
    absence: str  # 请假/缺席 and the reason
    title: str
    content: str


def make_up_items(meeting: Meeting) -> list[MakeUpItem]:
    topics = "；".join(f"{i}. {t}" for i, t in enumerate(meeting.topics, 1))
    decided = "；".join(d.text for d in meeting.decisions)
    content = f"会议议题：{topics}" if topics else "会议内容"
    if decided:
        content += f"。决定事项：{decided}"
    items: list[MakeUpItem] = []
    for e in meeting.attendance:
        if e.person_id is None or not e.is_member or not e.counts or e.present:
            continue
        items.append(
            MakeUpItem(
                person_id=e.person_id,
                name=e.name,
                meeting_id=meeting.id,
                kind=meeting.kind,
                meeting_date=meeting.date,
                absence=f"{e.state}（{e.reason}）" if e.reason else str(e.state),
                title=f"补学：{meeting.date.isoformat()} {meeting.kind}",
                content=content,
            )
        )
    return items
