"""The lecture rota: confirm a plan, save a lecture's courseware, move a
lecture through review. Planning itself is pure (domain.rota)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from services.errors import NotFound, Refused, service

if TYPE_CHECKING:
    from domain.courseware import Lecture, ReviewCheck, ReviewState
    from domain.rota import RotaPlan
    from storage.db import Store
    from storage.rota import RotaPlanRecord


@service
def confirm_plan(
    store: Store, org_id: str, plan: RotaPlan, *, needs_higher_review: bool = True
) -> tuple[RotaPlanRecord, list[Lecture]]:
    """Store the plan and one lecture per slot, all or nothing. A slot with
    no lecturer, or months overlapping another plan of the unit, is refused
    (StorageFailed with the reason)."""
    from storage import rota

    return rota.confirm_plan(store, org_id, plan, needs_higher_review=needs_higher_review)


@service
def get_lecture(store: Store, lecture_id: str) -> Lecture:
    from storage import rota

    lecture = rota.get_lecture(store, lecture_id)
    if lecture is None:
        raise NotFound("找不到这次党课（可能已被删除）")
    return lecture


@service
def save_lecture(store: Store, lecture: Lecture) -> Lecture:
    """Versioned save of a lecture's fields; Stale if someone saved first."""
    from storage import rota

    return rota.save_lecture(store, lecture)


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
