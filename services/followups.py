"""一人一事: file a case from the quick form, log a contact, take a step
(escalate, resolve, return visit, close, reopen, long term), edit a
branch's trigger catalogue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from services.errors import Refused, service

if TYPE_CHECKING:
    from domain.followups import (
        Actor,
        Contact,
        FollowUp,
        FollowUpConfig,
        QuickForm,
        TriggerCatalogue,
    )
    from domain.people import Person
    from storage.db import Store


def check_quick_form(
    store: Store, form: QuickForm, catalogue: TriggerCatalogue, *, branch_id: str, today: date
) -> dict[str, str]:
    """Field name → Chinese error for the quick form ({} when it can be filed)."""
    from domain.followups import validate_quick_form
    from storage import people

    member_ids = {p.id for p in people.members_of(store, branch_id)}
    return validate_quick_form(form, catalogue, today=today, member_ids=member_ids)


@service
def file_quick(
    store: Store,
    form: QuickForm,
    catalogue: TriggerCatalogue,
    *,
    branch_id: str,
    today: date,
    new_person: Person | None = None,
) -> FollowUp:
    """File a new case with the branch's intervals; a worker typed in as new
    joins the roster in the same transaction. Refused with every form error."""
    from domain.followups import FollowUpError, quick_file
    from storage import followups as fu_store
    from storage import people

    member_ids = {p.id for p in people.members_of(store, branch_id)}
    try:
        fu = quick_file(
            form,
            catalogue,
            today=today,
            config=fu_store.config(store, branch_id),
            member_ids=member_ids,
        )
    except FollowUpError as e:
        raise Refused(str(e)) from e
    saved, _ = fu_store.file_new(store, fu, new_person=new_person)
    return saved


@service
def log_contact(
    store: Store, fu: FollowUp, contact: Contact, config: FollowUpConfig
) -> FollowUp:
    """Record a talk; the next contact date moves by the case's interval."""
    from domain.followups import FollowUpError
    from domain.followups import log_contact as add_contact
    from storage import followups as fu_store

    try:
        changed = add_contact(fu, contact, config)
    except FollowUpError as e:
        raise Refused(str(e)) from e
    return fu_store.save(store, changed)


Step = Callable[["FollowUp", dict[str, Any], "Actor", "FollowUpConfig"], "FollowUp"]


@service
def take_step(
    store: Store,
    fu: FollowUp,
    step: Step,
    values: dict[str, Any],
    actor: Actor,
    config: FollowUpConfig,
) -> FollowUp:
    """Apply one domain step (e.g. domain.followups.escalate wrapped as the
    step screen's StepSpec.apply) and save the result, version-checked."""
    from domain.followups import FollowUpError
    from storage import followups as fu_store

    try:
        changed = step(fu, values, actor, config)
    except FollowUpError as e:
        raise Refused(str(e)) from e
    return fu_store.save(store, changed)


@service
def save_catalogue(store: Store, catalogue: TriggerCatalogue) -> TriggerCatalogue:
    """An edited trigger catalogue, version-checked and audited."""
    from storage import followups as fu_store

    return fu_store.save_catalogue(store, catalogue)
