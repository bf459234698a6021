"""发展党员: the branch pipeline, one person's dossier, recording a stage.

Stages decided by a 支部大会 vote (接收预备党员, 转正, 延长预备期) are recorded
only from a finished meeting whose vote passed (``record_from_meeting``);
every other stage is recorded from the person view (``record``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from services.errors import NotFound, Refused, service
from storage.sql import Connection

if TYPE_CHECKING:

    from domain.development import DevelopmentConfig, DevelopmentRecord, Due, Stage, StageEvent
    from domain.meeting_kinds import MeetingKind
    from domain.meeting_rules import RuleConfig
    from domain.meetings import Meeting
    from domain.people import Person
    from storage.db import Store


@dataclass(frozen=True)
class PipelineRow:
    person_id: str
    name: str
    stage: Stage | None
    next_due: Due | None
    late: tuple[Due, ...]


@dataclass(frozen=True)
class Dossier:
    """What the person view shows."""

    person: Person
    record: DevelopmentRecord
    stage: Stage | None
    due: tuple[Due, ...]
    late: tuple[Due, ...]
    contacts: tuple[str, ...]  # 培养联系人
    sponsors: tuple[str, ...]  # 入党介绍人
    documents: tuple[str, ...]  # documents received, in order
    probation_end: date | None
    party_standing_since: date | None


def pipeline(
    store: Store, branch_id: str, today: date, *, config: DevelopmentConfig | None = None
) -> list[PipelineRow]:
    """Everyone of the branch with a development record, furthest along first.
    *config*: the configuration's [rules.development] (defaults when None)."""
    from domain.development import DEFAULT_CONFIG, current_stage, late, next_due
    from storage import development

    cfg = config or DEFAULT_CONFIG
    return [
        PipelineRow(
            person_id=r.person_id,
            name=r.person_name,
            stage=current_stage(r),
            next_due=next_due(r, today, cfg),
            late=tuple(late(r, today, cfg)),
        )
        for r in development.for_branch(store, branch_id)
    ]


def candidates(store: Store, branch_id: str) -> list[Person]:
    """People of the branch without a record yet who could apply (群众)."""
    from domain.people_codes import PoliticalStatus
    from storage import development, people

    have = {r.person_id for r in development.for_branch(store, branch_id)}
    return [
        p
        for p in people.list_branch(store, branch_id)
        if p.id not in have and p.status is PoliticalStatus.MASSES
    ]


def dossier(
    store: Store, person_id: str, today: date, *, config: DevelopmentConfig | None = None
) -> Dossier:
    from domain import development as dev
    from storage import development, people

    cfg = config or dev.DEFAULT_CONFIG
    person = people.get(store, person_id)
    if person is None:
        raise NotFound("这名人员已不存在。")
    record = development.for_person(store, person)
    activist = record.first(dev.Stage.ACTIVIST)
    admitted = record.first(dev.Stage.ADMITTED)
    return Dossier(
        person=person,
        record=record,
        stage=dev.current_stage(record),
        due=tuple(dev.due(record, today, cfg)),
        late=tuple(dev.late(record, today, cfg)),
        contacts=activist.people if activist else (),
        sponsors=admitted.people if admitted else (),
        documents=tuple(dev.documents_received(record)),
        probation_end=dev.probation_end(record, cfg),
        party_standing_since=dev.party_standing_since(record, cfg),
    )


@service
def record(
    store: Store,
    person_id: str,
    event: StageEvent,
    *,
    expected_version: int | None = None,
    config: DevelopmentConfig | None = None,
) -> DevelopmentRecord:
    """Record a stage from the person view; Refused with the rule's reason.
    *config*: the configuration's [rules.development]; the dates 今日 reads
    are stored with the record, computed by these rules."""
    from domain.development import DEFAULT_CONFIG, MEETING_STAGES, DevelopmentError
    from storage import development

    if event.stage in MEETING_STAGES:
        raise Refused(f"「{event.stage}」须由支部大会表决通过：请从本人页面召开会议。")
    try:
        return development.record(
            store, person_id, event, expected_version=expected_version,
            config=config or DEFAULT_CONFIG,
        )  # fmt: skip
    except DevelopmentError as e:
        raise Refused(str(e)) from e


@service
def check(
    store: Store, person_id: str, event: StageEvent, *, config: DevelopmentConfig | None = None
) -> str:
    """'' when the stage may be recorded, else the Chinese reason."""
    from domain.development import may_record
    from storage import development, people

    person = people.get(store, person_id)
    if person is None:
        raise NotFound("这名人员已不存在。")
    from domain.development import DEFAULT_CONFIG

    verdict = may_record(development.for_person(store, person), event, config or DEFAULT_CONFIG)
    return verdict.reason


@service
def open_meeting(
    store: Store,
    person_id: str,
    kind: MeetingKind,
    day: date,
    *,
    rules: RuleConfig | None = None,
) -> Meeting:
    """A new 接收预备党员 or 转正 meeting draft for the person, with the dossier
    filled in: the 发展对象 and the 入党介绍人 (接收), the probation start taken
    from the recorded admission and any extension already resolved (转正). Refused when the record is not there yet."""
    from domain.development import Stage
    from domain.meeting_kinds import MeetingKind
    from domain.meeting_rules import AttendanceEntry, AttendanceState
    from domain.meetings import new_meeting
    from storage import development, org, people

    person = people.get(store, person_id)
    if person is None:
        raise NotFound("这名人员已不存在。")
    unit = org.get(store, person.branch_id) if person.branch_id else None
    if unit is None:
        raise Refused("此人不在任何支部，无法召开支部大会。")
    rec = development.for_person(store, person)
    members = people.members_of(store, unit.id)
    meeting = new_meeting(kind, unit.id, unit.name, day, people=members, rule_config=rules)
    secretary = people.secretary_of(store, unit.id)
    if secretary is not None:
        meeting = meeting.model_copy(
            update={"chair_id": secretary.id, "chair_name": secretary.name}
        )
    if kind is MeetingKind.ADMISSION:
        if not (rec.has(Stage.PRE_REVIEW) and rec.has(Stage.NOTICE)):
            missing = "上级预审" if not rec.has(Stage.PRE_REVIEW) else "公示"
            raise Refused(f"尚未记录「{missing}」，还不能召开接收预备党员大会。")
        admitted = rec.first(Stage.ADMITTED)
        if admitted is not None:
            raise Refused(f"已于 {admitted.on.isoformat()} 接收为预备党员。")
        attendance = list(meeting.attendance)
        if all(e.person_id != person.id for e in attendance):
            # The 发展对象 is not a member yet, so not on the members' sheet.
            attendance.append(AttendanceEntry.from_person(person, AttendanceState.NOT_SIGNED))
        return meeting.model_copy(
            update={
                "candidate_id": person.id,
                "candidate_name": person.name,
                "attendance": attendance,
                "topics": [f"讨论接收{person.name}同志为中共预备党员"],
            }
        )
    if kind is not MeetingKind.CONFIRMATION:
        raise Refused("只能从本人页面召开接收预备党员或转正大会。")
    if not rec.has(Stage.APPROVED):
        raise Refused("尚未记录「上级党委审批」，还不是预备党员，不能讨论转正。")
    if rec.has(Stage.CONFIRMED):
        raise Refused("已经转正。")
    # The meeting's own 转正 gate counts the year from this recorded date, plus
    # the extension if one was resolved (which also bars a second one).
    extended = rec.first(Stage.EXTENDED)
    return meeting.model_copy(
        update={
            "candidate_id": person.id,
            "candidate_name": person.name,
            "probation_start": rec.date_of(Stage.ADMITTED),
            "probation_extended_months": (extended.months or 0) if extended else 0,
            "topics": [f"讨论{person.name}同志预备党员转正"],
        }
    )


def advance_from_meeting(
    store: Store,
    meeting: Meeting,
    conn: Connection,
    config: DevelopmentConfig | None = None,
) -> Stage | None:
    """After a finished 接收预备党员 or 转正 meeting: record the stage its passed
    vote decided (接收, 转正, or 延长预备期 with its months), in the caller's transaction (the meeting is not finished
    when the rules refuse). None when nothing advances: another kind, no
    person named, no record (a person the pipeline never tracked), or no
    development vote passed."""
    from domain.development import DEFAULT_CONFIG, DevelopmentError, Stage, StageEvent
    from domain.meeting_kinds import MeetingKind, VoteRule
    from domain.meetings import ConfirmationResult
    from storage import development

    if meeting.kind not in (MeetingKind.ADMISSION, MeetingKind.CONFIRMATION):
        return None
    if not meeting.finished or meeting.candidate_id is None:
        return None
    if development.get(store, meeting.candidate_id) is None:
        return None
    votes = [v for v in meeting.votes if v.rule is VoteRule.DEVELOPMENT]
    if not votes or not all(v.outcome is not None and v.outcome.passed for v in votes):
        return None
    if meeting.kind is MeetingKind.ADMISSION:
        names = {e.person_id: e.name for e in meeting.attendance}
        event = StageEvent(
            stage=Stage.ADMITTED,
            on=meeting.date,
            people=tuple(names.get(pid, "") for pid in meeting.sponsor_ids),
            meeting_id=meeting.id,
        )
    elif meeting.confirmation_result is ConfirmationResult.ON_TIME:
        event = StageEvent(stage=Stage.CONFIRMED, on=meeting.date, meeting_id=meeting.id)
    elif meeting.confirmation_result is ConfirmationResult.EXTENDED:
        event = StageEvent(
            stage=Stage.EXTENDED,
            on=meeting.date,
            months=meeting.extension_months,
            meeting_id=meeting.id,
        )
    else:
        return None  # 取消预备党员资格 or undecided: no stage of the pipeline
    try:
        development.record(
            store, meeting.candidate_id, event, conn=conn, config=config or DEFAULT_CONFIG
        )
    except DevelopmentError as e:
        raise Refused(f"会议未完成：{e}") from e
    return event.stage
