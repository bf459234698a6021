"""The Meeting aggregate: what happened at one meeting, and when it may be finished.

Names, political status and voting rights are snapshotted into the meeting,
so the minutes stay true after the roster changes.  A finished meeting is
never edited; a correction is a new draft that points back at it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.meeting_kinds import (
    EXCELLENT,
    ContentKind,
    MeetingKind,
    MeetingStatus,
    VoteMethod,
    VoteRule,
    default_vote_method,
    kind_spec,
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
    probation_ended,
)
from domain.people import Person
from domain.procedures import GateCheck, ProcedureTemplate, StepTemplate, default_template
from domain.records import Record, new_id
from domain.sitting_records import Sitting
from domain.text import LONG_MAX, Line, Note, RequiredLine, clean_text


class StepState(StrEnum):
    OPEN = "未完成"
    DONE = "已完成"
    SKIPPED = "已跳过"


class MeetingLocked(ValueError):
    """Raised when a finished meeting is edited instead of corrected."""


class CountsImpossible(ValueError):
    """Raised by record_vote()/record_election(); ``problems`` lists each impossible count."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


class GateFailed(ValueError):
    """Raised by mark_gate_step_done() when the ⚑ step's condition fails."""


class ConfirmationResult(StrEnum):
    """The three resolutions a 预备党员转正 meeting can reach."""

    ON_TIME = "按期转正"
    EXTENDED = "延长预备期"
    CANCELLED = "取消预备党员资格"


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


class PersonRemark(BaseModel):
    """One person's part of a content field: 批评与自我批评 by person."""

    model_config = _CFG

    person_id: str | None = None
    name: RequiredLine = Field(max_length=40)
    remark: Note = Field(default="", max_length=LONG_MAX)


class ContentValue(BaseModel):
    """The value of one of the kind's content fields (domain.meeting_kinds.ContentField)."""

    model_config = _CFG

    text: Note = Field(default="", max_length=LONG_MAX)
    people: list[PersonRemark] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _counts_not_negative(self) -> ContentValue:
        if any(v < 0 for v in self.counts.values()):
            raise ValueError("人数不能为负数")
        return self

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.people or any(self.counts.values()))


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
    # 接收预备党员: the 发展对象 and the two 入党介绍人 (person ids on the sign-in sheet).
    candidate_id: str | None = None
    candidate_name: Line = Field(default="", max_length=40)
    sponsor_ids: list[str] = Field(default_factory=list, max_length=2)
    # 预备党员转正: until the person's record holds it, the meeting is told when
    # the probation began, and what was resolved.
    probation_start: dt.date | None = None
    confirmation_result: ConfirmationResult | None = None
    # 延长预备期: the months this meeting resolves (6–12), and the months the
    # probation was already extended by (from the person's record; at most once).
    extension_months: int | None = Field(default=None, ge=0, le=99)
    probation_extended_months: int = Field(default=0, ge=0, le=99)
    attendance: list[AttendanceEntry] = Field(default_factory=list)
    # Held in several sittings (白班场/夜班场/上站): the sheet above is worked out
    # from them by domain.sittings (docs/SITTINGS.md).
    sittings: list[Sitting] = Field(default_factory=list)
    procedure: ProcedureTemplate
    steps: list[StepRecord] = Field(default_factory=list)
    votes: list[Vote] = Field(default_factory=list)
    elections: list[Election] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    summary: Note = Field(default="", max_length=LONG_MAX)  # 主持人总结
    # The kind's own fields (对照检查, 批评与自我批评, 整改措施, 测评, 等次), by key.
    content: dict[str, ContentValue] = Field(default_factory=dict)
    rule_config: RuleConfig = Field(default_factory=RuleConfig)  # snapshot of the branch's choices
    status: MeetingStatus = MeetingStatus.DRAFT
    finished_at: dt.datetime | None = None
    supersedes_id: str | None = None  # the finished version this one corrects
    revision: int = Field(default=1, ge=1)
    correction_reason: Line = Field(default="", max_length=200)  # 更正原因, printed on 第2版

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
    state: AttendanceState = AttendanceState.NOT_SIGNED,
) -> list[AttendanceEntry]:
    """The sign-in sheet of a new meeting: everyone 未签到 until marked."""
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
    return Vote(subject=subject, **fields)


# -- Attendance and results ------------------------------------------------


def attendance_summary(meeting: Meeting) -> AttendanceCount:
    return count_attendance(meeting.attendance)


def quorum(meeting: Meeting) -> RuleResult:
    """Whether the meeting itself may proceed under its kind's rule.

    While anyone on the sheet is 未签到 the answer is no: 「未签到 n 人」.
    """
    a = attendance_summary(meeting)
    if a.unsigned:
        return RuleResult(ok=False, explanation=f"未签到 {a.unsigned} 人")
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


def sign_in_all(meeting: Meeting) -> tuple[Meeting, int]:
    """Mark everyone still 未签到 as 出席; returns the meeting and how many were marked."""
    _editable(meeting)
    attendance = [e.model_copy() for e in meeting.attendance]
    n = 0
    for e in attendance:
        if e.state is AttendanceState.NOT_SIGNED:
            e.state = AttendanceState.PRESENT
            n += 1
    return meeting.model_copy(update={"attendance": attendance}), n


# -- Counts that add up ----------------------------------------------------


def vote_count_problems(meeting: Meeting, vote: Vote) -> list[str]:
    """Impossible counts of one vote, in Chinese (empty when the counts can be true).

    赞成 + 反对 + 弃权 ≤ entitled voters present; written opinions (赞成, 反对
    and 弃权 together) ≤ entitled voters absent; written opinions only under a
    rule that counts them.
    """
    a = attendance_summary(meeting)
    label = f"表决「{vote.subject}」"
    problems: list[str] = []
    present = a.present_voting if vote.present_voting is None else vote.present_voting
    if vote.present_voting is not None and vote.present_voting > a.expected_voting:
        problems.append(
            f"{label}：在场有表决权 {vote.present_voting} 人，多于应到有表决权 {a.expected_voting} 人"
        )
    if vote.cast > present:
        problems.append(
            f"{label}：赞成 {vote.yes} + 反对 {vote.no} + 弃权 {vote.abstain} = {vote.cast}，"
            f"多于在场有表决权 {present} 人"
        )
    if vote.written:
        if vote.rule not in WRITTEN_OPINIONS_COUNT:
            problems.append(f"{label}：{vote.rule}不计书面意见，不得委托投票")
        elif vote.written > a.expected_voting - present:
            problems.append(
                f"{label}：书面意见 {vote.written} 份，多于缺席的有表决权党员 "
                f"{max(a.expected_voting - present, 0)} 人"
            )
    return problems


def election_count_problems(meeting: Meeting, election: Election) -> list[str]:
    """Impossible counts of one election, in Chinese.

    收回 ≤ 发出 ≤ electors present; 有效 + 无效 = 收回; each candidate's votes ≤
    有效票; all votes ≤ 有效票 × 应选.
    """
    a = attendance_summary(meeting)
    e = election
    label = f"选举「{e.subject}」"
    problems: list[str] = []
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
    over = [c for c in e.candidates if c.votes > e.ballots_valid]
    for c in over:
        problems.append(f"{label}：{c.name} 得票 {c.votes}，多于有效票 {e.ballots_valid}")
    total = sum(c.votes for c in e.candidates)
    if not over and total > e.ballots_valid * e.seats:
        problems.append(f"{label}：得票合计 {total}，多于有效票 {e.ballots_valid} × 应选 {e.seats}")
    return problems


def count_problems(meeting: Meeting) -> list[str]:
    """Every impossible count of every vote and election of the meeting."""
    problems: list[str] = []
    for v in meeting.votes:
        problems += vote_count_problems(meeting, v)
    for e in meeting.elections:
        problems += election_count_problems(meeting, e)
    return problems


def _record_counted(
    meeting: Meeting, field: str, item: Vote | Election, problems: list[str]
) -> Meeting:
    """Add (or replace, by id) *item* in *field*, unless its counts are impossible."""
    _editable(meeting)
    if problems:
        raise CountsImpossible(problems)
    kept = [x for x in getattr(meeting, field) if x.id != item.id]
    return meeting.model_copy(update={field: [*kept, item]})


def record_vote(meeting: Meeting, vote: Vote) -> Meeting:
    """Add (or replace, by id) a vote; raises CountsImpossible instead of saving bad counts."""
    return _record_counted(meeting, "votes", vote, vote_count_problems(meeting, vote))


def record_election(meeting: Meeting, election: Election) -> Meeting:
    """Add (or replace, by id) an election; raises CountsImpossible on impossible counts."""
    problems = election_count_problems(meeting, election)
    return _record_counted(meeting, "elections", election, problems)


# -- 预备党员转正 -------------------------------------------------------------


def set_confirmation_result(meeting: Meeting, result: ConfirmationResult) -> Meeting:
    """Record the 转正 resolution; 按期转正 is refused before a year of probation."""
    _editable(meeting)
    if meeting.kind is not MeetingKind.CONFIRMATION:
        raise ValueError("只有预备党员转正会议才有转正决议")
    problem = _confirmation_problem(meeting.model_copy(update={"confirmation_result": result}))
    if problem:
        raise ValueError(problem)
    return meeting.model_copy(update={"confirmation_result": result})


def _confirmation_problem(meeting: Meeting, *, finishing: bool = False) -> str:
    """What stops this 转正 resolution; the extension's months are asked for
    only when the meeting finishes (they are typed after the choice)."""
    if meeting.confirmation_result is ConfirmationResult.EXTENDED:
        from domain.development import extension_problem

        already = meeting.probation_extended_months
        if already or finishing:
            return extension_problem(meeting.extension_months, already=already)
        return ""
    if meeting.confirmation_result is not ConfirmationResult.ON_TIME:
        return ""
    if meeting.probation_start is None:
        return "按期转正须先填写预备期开始日期"
    r = probation_ended(
        meeting.probation_start, meeting.date, extended_months=meeting.probation_extended_months
    )
    return "" if r.ok else f"不能按期转正：{r.explanation}"


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


StepItem = TypeVar("StepItem", Vote, Decision, Election)


def _for_step(items: Iterable[StepItem], key: str) -> list[StepItem]:
    # Records not tied to any step count for every gate that needs them.
    return [x for x in items if x.step_key in (key, None)]


class GateState(StrEnum):
    PASSED = "✓"
    FAILED = "✗"
    MANUAL = "待确认"  # only a person can confirm it


@dataclass(frozen=True)
class GateStatus:
    """A ⚑ step's condition computed from the record, with the reason in Chinese.

    For a MANUAL gate ``reason`` is exactly what the person has to confirm.
    """

    step_key: str
    title: str
    state: GateState
    reason: str

    @property
    def text(self) -> str:
        """「⚑ 表决 ✗ 还没有记录表决」 — one line for a list of gates."""
        return f"⚑ {self.title} {self.state.value} {self.reason}"


def _named(meeting: Meeting, person_id: str, fallback: str = "") -> str:
    for e in meeting.attendance:
        if e.person_id == person_id:
            return e.name
    return fallback or "（不在签到表中）"


def _attends(meeting: Meeting, person_id: str) -> bool:
    return any(
        e.person_id == person_id and e.state in (AttendanceState.PRESENT, AttendanceState.OBSERVER)
        for e in meeting.attendance
    )


def _development_presence(meeting: Meeting) -> tuple[GateState, str]:
    """接收预备党员: the 发展对象 and both 入党介绍人 must be at the meeting."""
    if meeting.candidate_id is None and not meeting.sponsor_ids:
        return (
            GateState.MANUAL,
            "请确认：发展对象和两名入党介绍人均已到会（填写发展对象和入党介绍人后自动检查）",
        )
    problems: list[str] = []
    if len(meeting.sponsor_ids) != 2:
        problems.append(f"入党介绍人应为两名，已填写 {len(meeting.sponsor_ids)} 名")
    if meeting.candidate_id is None:
        problems.append("未填写发展对象")
    elif not _attends(meeting, meeting.candidate_id):
        name = _named(meeting, meeting.candidate_id, meeting.candidate_name)
        problems.append(f"发展对象{name}未到会")
    for pid in meeting.sponsor_ids:
        if not _attends(meeting, pid):
            problems.append(f"入党介绍人{_named(meeting, pid)}未到会")
    if problems:
        return GateState.FAILED, "；".join(problems)
    return GateState.PASSED, "发展对象和两名入党介绍人均已到会"


def _scrutineer_problem(e: Election) -> str:
    missing = [role for role, names in (("监票人", e.scrutineers), ("计票人", e.counters))
               if not names]  # fmt: skip
    return f"未填写{'、'.join(missing)}" if missing else ""


def _gate(meeting: Meeting, step: StepTemplate) -> tuple[GateState, str]:
    check = step.gate_check
    if check is GateCheck.QUORUM:
        q = quorum(meeting)
        if not q.ok:
            return GateState.FAILED, q.explanation
        if meeting.kind is MeetingKind.ADMISSION:
            state, reason = _development_presence(meeting)
            if state is not GateState.PASSED:
                return state, reason
        return GateState.PASSED, q.explanation
    if check is GateCheck.VOTE:
        votes = _for_step(meeting.votes, step.key)
        if not votes:
            return GateState.FAILED, "还没有记录表决"
        for v in votes:
            problems = vote_count_problems(meeting, v)
            if problems:
                return GateState.FAILED, problems[0]
        return GateState.PASSED, f"已记录表决 {len(votes)} 项"
    if check is GateCheck.DECISION:
        if not _for_step(meeting.decisions, step.key):
            return GateState.FAILED, "还没有记录决议"
        return GateState.PASSED, "已记录决议"
    if check is GateCheck.BALLOTS:
        if not meeting.elections:
            return GateState.FAILED, "还没有记录选票清点"
        for e in meeting.elections:
            b = ballots_valid(e.ballots_returned, e.ballots_issued)
            if not b.ok:
                return GateState.FAILED, b.explanation
            missing = _scrutineer_problem(e)
            if missing:
                return GateState.FAILED, missing
        return GateState.PASSED, "选票已清点，监票人、计票人已填写"
    if check is GateCheck.ELECTION_RESULT:
        if not meeting.elections:
            return GateState.FAILED, "还没有记录选举结果"
        for e in meeting.elections:
            out = election_result(meeting, e)
            if out.void:
                return GateState.FAILED, out.explanation
        return GateState.PASSED, "选举结果已计算"
    if check is GateCheck.PROBATION_ENDED:
        if meeting.probation_start is None:
            return (
                GateState.MANUAL,
                f"请确认：{step.title}（填写预备期开始日期后自动检查）",
            )
        r = probation_ended(
            meeting.probation_start,
            meeting.date,
            extended_months=meeting.probation_extended_months,
        )
        return (GateState.PASSED if r.ok else GateState.FAILED), r.explanation
    return GateState.MANUAL, f"请确认：{step.title}"


def gate_status(meeting: Meeting, key: str) -> GateStatus:
    """The ⚑ step *key*'s condition: ✓ or ✗ computed from the record, or 待确认."""
    step = meeting.procedure.step(key)
    if not step.hard_gate:
        raise ValueError(f"不是 ⚑ 步骤：{step.title}")
    state, reason = _gate(meeting, step)
    return GateStatus(step_key=key, title=step.title, state=state, reason=reason)


def gate_statuses(meeting: Meeting) -> list[GateStatus]:
    """Every ⚑ step of the meeting's procedure, in procedure order."""
    return [gate_status(meeting, s.key) for s in meeting.procedure.gates]


def failing_gates(meeting: Meeting) -> list[GateStatus]:
    """The ⚑ gates that block finishing (✗); a skippable gate skipped with a reason does not."""
    out: list[GateStatus] = []
    for step in meeting.procedure.gates:
        if step.skippable and step_state(meeting, step.key) is StepState.SKIPPED:
            continue
        g = gate_status(meeting, step.key)
        if g.state is GateState.FAILED:
            out.append(g)
    return out


def mark_gate_step_done(
    meeting: Meeting,
    key: str,
    now: dt.datetime,
    *,
    notes: str | None = None,
    speakers: Sequence[Speaker] = (),
    topic_no: int | None = None,
) -> Meeting:
    """mark_step_done(), refused with GateFailed while a ⚑ step's condition is ✗.

    A 待确认 gate may be ticked: ticking it is the person's confirmation.
    """
    step = meeting.procedure.step(key)
    if step.hard_gate:
        g = gate_status(meeting, key)
        if g.state is GateState.FAILED:
            raise GateFailed(f"⚑「{step.title}」未满足：{g.reason}")
    return mark_step_done(meeting, key, now, notes=notes, speakers=speakers, topic_no=topic_no)


def _gate_problems(meeting: Meeting, step: StepTemplate) -> list[str]:
    state, reason = _gate(meeting, step)
    return [f"{_step_label(meeting, step)}：{reason}"] if state is GateState.FAILED else []


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
        problems += vote_count_problems(meeting, v)
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
        problems += election_count_problems(meeting, e)
        nominated = [c for c in e.candidates if not c.write_in]
        if len(nominated) < e.seats:
            problems.append(f"{label}：候选人 {len(nominated)} 名，少于应选 {e.seats} 名")
        elif e.competitive:
            m = competitive_margin_ok(len(nominated), e.seats)
            if not m.ok:
                problems.append(f"{label}：{m.explanation}")
        missing = _scrutineer_problem(e)
        if missing:
            problems.append(f"{label}：{missing}")
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
    if a.unsigned:
        problems.append(f"签到未完成：未签到 {a.unsigned} 人")
    confirmation = _confirmation_problem(meeting, finishing=True)
    if confirmation:
        problems.append(confirmation)
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
    problems += content_problems(meeting)

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


def correction(meeting: Meeting, reason: str = "") -> Meeting:
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
            "correction_reason": reason,
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
        if e.state is AttendanceState.NOT_SIGNED:
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


# -- The kind's content fields (组织生活会, 民主评议党员) ---------------------------


def parse_people(meeting: Meeting, text: str) -> tuple[list[PersonRemark], list[str]]:
    """Lines 「姓名：内容」 -> one remark per person, and what could not be read.

    A name on the sign-in sheet is linked to the person; another name is kept
    as written (a member of another branch, say), so nothing typed is lost."""
    ids = {e.name: e.person_id for e in meeting.attendance}
    out: list[PersonRemark] = []
    problems: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        name, sep, remark = line.replace(":", "：").partition("：")
        name = name.strip()
        if not sep or not name or len(name) > 40:
            problems.append(f"第{n}行应写成「姓名：内容」")
            continue
        out.append(PersonRemark(person_id=ids.get(name), name=name, remark=remark.strip()))
    return out, problems


def people_text(value: ContentValue | None) -> str:
    """The editable text of a PEOPLE field (parse_people reads it back)."""
    if value is None:
        return ""
    return "\n".join(f"{p.name}：{p.remark}" for p in value.people)


def set_content(meeting: Meeting, key: str, value: ContentValue) -> Meeting:
    """Set one content field of the kind; unknown keys are refused."""
    _editable(meeting)
    if key not in {c.key for c in kind_spec(meeting.kind).content}:
        raise ValueError(f"{meeting.kind}没有「{key}」这一项")
    return meeting.model_copy(update={"content": {**meeting.content, key: value}})


@dataclass(frozen=True)
class GradeCheck:
    """民主评议 等次: how many were rated, and whether 优秀 stays within its share."""

    rated: int
    excellent: int
    limit: float  # the configured share, e.g. 1/3
    ok: bool
    text: str  # plain Chinese for the minutes and the screen


def _share_words(share: float) -> str:
    for den, word in ((3, "三分之一"), (2, "二分之一"), (4, "四分之一"), (5, "五分之一")):
        if abs(share - 1 / den) < 1e-9:
            return word
    return f"{share * 100:.0f}%"


def grade_check(meeting: Meeting, key: str = "grades") -> GradeCheck | None:
    """None when no 等次 were recorded (or the kind has none)."""
    field = next((c for c in kind_spec(meeting.kind).content if c.key == key), None)
    value = meeting.content.get(key)
    if field is None or field.kind is not ContentKind.COUNTS or value is None:
        return None
    rated = sum(value.counts.get(o, 0) for o in field.options)
    if not rated:
        return None
    excellent = value.counts.get(EXCELLENT, 0)
    limit = meeting.rule_config.excellent_share_max
    ok = excellent <= limit * rated + 1e-9
    words = _share_words(limit)
    share = f"{excellent * 100 / rated:.1f}%"
    text = f"优秀{excellent}名，占参评党员{rated}名的{share}，" + (
        f"未超过{words}。" if ok else f"超过{words}（一般不超过{words}），请支委会复核。"
    )
    return GradeCheck(rated=rated, excellent=excellent, limit=limit, ok=ok, text=text)


def content_problems(meeting: Meeting) -> list[str]:
    """Counts that cannot be true: more rated than members expected."""
    check = grade_check(meeting)
    if check is None:
        return []
    expected = attendance_summary(meeting).expected
    if expected and check.rated > expected:
        return [f"评定等次共{check.rated}人，多于应参加评议的党员{expected}人"]
    return []
