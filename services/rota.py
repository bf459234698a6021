"""The lecture rota: gather a plan's inputs (units, lecturers, the previous
plan), confirm a plan, read plans and their lectures, save a lecture's
courseware, move a lecture through review. Planning itself is pure
(domain.rota)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from services.errors import NotFound, Refused, service
from storage.rota import RotaPlanRecord

__all__ = ["RotaPlanRecord"]

if TYPE_CHECKING:
    from domain.courseware import Lecture, ReviewCheck, ReviewState
    from domain.org import OrgUnit
    from domain.people import Person
    from domain.rota import Lecturer, PlanPeriod, RotaPlan
    from storage.db import Store
    from storage.drafts import DraftRef


@service
def confirm_plan(
    store: Store,
    org_id: str,
    plan: RotaPlan,
    *,
    needs_higher_review: bool = True,
    draft: DraftRef | None = None,
) -> tuple[RotaPlanRecord, list[Lecture]]:
    """Store the plan and one lecture per slot, all or nothing, and discard
    *draft* (the wizard's) in the same transaction. A slot with no lecturer,
    or months overlapping another plan of the unit, is refused
    (StorageFailed with the reason)."""
    from storage import drafts, rota

    with store.write() as c:
        saved = rota.confirm_plan(
            store, org_id, plan, needs_higher_review=needs_higher_review, conn=c
        )
        drafts.discard_in(c, draft)
    return saved


# -- a plan's inputs ------------------------------------------------------------


@service
def planning_units(store: Store) -> list[OrgUnit]:
    """Units a rota can be planned for (党总支 first, then branches)."""
    from storage import rota

    return rota.planning_units(store)


@service
def default_lecturers(store: Store, org_id: str) -> list[Lecturer]:
    """The lecturers a new plan of *org_id* starts with."""
    from storage import rota

    return rota.default_lecturers(store, org_id)


@service
def lecturer_for(store: Store, person: Person) -> Lecturer:
    """A roster person as a lecturer (name, branch and post snapshotted)."""
    from storage import rota

    return rota.lecturer_for(store, person)


@service
def previous_lecturer_ids(store: Store, org_id: str, period: PlanPeriod) -> list[str]:
    """Lecturers of the latest earlier plan of *org_id*, oldest first (the
    rotation continues from there)."""
    from storage import rota

    return rota.previous_lecturer_ids(store, org_id, period)


@service
def overlapping_plan(store: Store, org_id: str, period: PlanPeriod) -> RotaPlanRecord | None:
    """An existing plan of *org_id* sharing a month with *period*, if any."""
    from storage import rota

    return rota.overlapping_plan(store, org_id, period)


# -- reading plans and lectures ----------------------------------------------------


@service
def list_plans(store: Store) -> list[RotaPlanRecord]:
    """Every confirmed plan, newest period first."""
    from storage import rota

    return rota.list_plans(store)


@service
def plan_with_lectures(
    store: Store, plan_id: str | None
) -> tuple[RotaPlanRecord | None, list[Lecture]]:
    """The plan *plan_id* and its lectures by date ((None, []) when it is gone)."""
    from storage import rota

    record = rota.get_plan(store, plan_id) if plan_id else None
    return record, rota.lectures_of_plan(store, record.id) if record else []


@service
def find_lecture(store: Store, lecture_id: str) -> Lecture | None:
    from storage import rota

    return rota.get_lecture(store, lecture_id)


@service
def get_lecture(store: Store, lecture_id: str) -> Lecture:
    from storage import rota

    lecture = rota.get_lecture(store, lecture_id)
    if lecture is None:
        raise NotFound("找不到这次党课（可能已被删除）")
    return lecture


@service
def save_lecture(store: Store, lecture: Lecture, *, draft: DraftRef | None = None) -> Lecture:
    """Versioned save of a lecture's fields; Stale if someone saved first.
    *draft* (the review screen's) is discarded in the same transaction."""
    from storage import drafts, rota

    with store.write() as c:
        saved = rota.save_lecture(store, lecture, conn=c)
        drafts.discard_in(c, draft)
    return saved


@service
def move_lecture(
    store: Store,
    lecture: Lecture,
    to: ReviewState,
    *,
    actor: str,
    at: datetime,
    comment: str = "",
    checklist: Mapping[ReviewCheck | str, bool] | Iterable[ReviewCheck | str] | None = None,
) -> Lecture:
    """One review step saved with its event; Refused for a step the review
    rules do not allow from the lecture's state."""
    from domain.courseware import ReviewError
    from storage import rota

    try:
        return rota.apply_transition(
            store, lecture, to, actor=actor, at=at, comment=comment, checklist=checklist
        )
    except ReviewError as e:
        raise Refused(str(e)) from e
