"""发展党员: the branch pipeline, one person's dossier, recording a stage.

Stages decided by a 支部大会 vote (接收预备党员, 转正, 延长预备期) are recorded
only from a finished meeting whose vote passed (``record_from_meeting``);
every other stage is recorded from the person view (``record``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from services.errors import NotFound, Refused, service

if TYPE_CHECKING:
    from domain.development import DevelopmentRecord, Due, Stage, StageEvent
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


def pipeline(store: Store, branch_id: str, today: date) -> list[PipelineRow]:
    """Everyone of the branch with a development record, furthest along first."""
    from domain.development import current_stage, late, next_due
    from storage import development

    return [
        PipelineRow(
            person_id=r.person_id,
            name=r.person_name,
            stage=current_stage(r),
            next_due=next_due(r, today),
            late=tuple(late(r, today)),
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


def dossier(store: Store, person_id: str, today: date) -> Dossier:
    from domain import development as dev
    from storage import development, people

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
        due=tuple(dev.due(record, today)),
        late=tuple(dev.late(record, today)),
        contacts=activist.people if activist else (),
        sponsors=admitted.people if admitted else (),
        documents=tuple(dev.documents_received(record)),
        probation_end=dev.probation_end(record),
        party_standing_since=dev.party_standing_since(record),
    )


@service
def record(
    store: Store, person_id: str, event: StageEvent, *, expected_version: int | None = None
) -> DevelopmentRecord:
    """Record a stage from the person view; Refused with the rule's reason."""
    from domain.development import MEETING_STAGES, DevelopmentError
    from storage import development

    if event.stage in MEETING_STAGES:
        raise Refused(f"「{event.stage}」须由支部大会表决通过：请从本人页面召开会议。")
    try:
        return development.record(store, person_id, event, expected_version=expected_version)
    except DevelopmentError as e:
        raise Refused(str(e)) from e


@service
def check(store: Store, person_id: str, event: StageEvent) -> str:
    """'' when the stage may be recorded, else the Chinese reason."""
    from domain.development import may_record
    from storage import development, people

    person = people.get(store, person_id)
    if person is None:
        raise NotFound("这名人员已不存在。")
    verdict = may_record(development.for_person(store, person), event)
    return verdict.reason
