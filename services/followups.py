"""一人一事: file a case from the quick form, log a contact, take a step
(escalate, resolve, return visit, close, reopen, long term), edit a
branch's trigger catalogue. Cases are read through services.private_details.

Saves take the form's draft (``draft``) so it is discarded in the same
transaction as the record it became."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from services.errors import Refused, service
from storage.followups import ListQuery, Scope

__all__ = ["ListQuery", "Scope"]

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
    from storage.drafts import DraftRef


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
    draft: DraftRef | None = None,
    default_config: FollowUpConfig | None = None,
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
            config=fu_store.config(store, branch_id, default_config),
            member_ids=member_ids,
        )
    except FollowUpError as e:
        raise Refused(str(e)) from e
    saved, _ = fu_store.file_new(store, fu, new_person=new_person, draft=draft)
    return saved


@service
def log_contact(
    store: Store,
    fu: FollowUp,
    contact: Contact,
    config: FollowUpConfig,
    *,
    draft: DraftRef | None = None,
) -> FollowUp:
    """Record a talk; the next contact date moves by the case's interval."""
    from domain.followups import FollowUpError
    from domain.followups import log_contact as add_contact
    from storage import followups as fu_store

    try:
        changed = add_contact(fu, contact, config)
    except FollowUpError as e:
        raise Refused(str(e)) from e
    return fu_store.save(store, changed, draft=draft)


Step = Callable[["FollowUp", dict[str, Any], "Actor", "FollowUpConfig"], "FollowUp"]


@service
def take_step(
    store: Store,
    fu: FollowUp,
    step: Step,
    values: dict[str, Any],
    actor: Actor,
    config: FollowUpConfig,
    *,
    draft: DraftRef | None = None,
) -> FollowUp:
    """Apply one domain step (e.g. domain.followups.escalate wrapped as the
    step screen's StepSpec.apply) and save the result, version-checked."""
    from domain.followups import FollowUpError
    from storage import followups as fu_store

    try:
        changed = step(fu, values, actor, config)
    except FollowUpError as e:
        raise Refused(str(e)) from e
    return fu_store.save(store, changed, draft=draft)


@service
def save_catalogue(
    store: Store, catalogue: TriggerCatalogue, *, draft: DraftRef | None = None
) -> TriggerCatalogue:
    """An edited trigger catalogue, version-checked and audited; *draft* (the
    typed wording's) goes in the same transaction."""
    from storage import drafts
    from storage import followups as fu_store

    with store.write() as c:
        saved = fu_store.save_catalogue(store, catalogue, conn=c)
        drafts.discard_in(c, draft)
    return saved


# -- reads ----------------------------------------------------------------


@service
def branch_config(
    store: Store, branch_id: str, default: FollowUpConfig | None = None
) -> FollowUpConfig:
    """The branch's contact intervals (*default*, the configuration's
    [rules.followups], until it sets its own)."""
    from storage import followups as fu_store

    return fu_store.config(store, branch_id, default)


@service
def branch_catalogue(store: Store, branch_id: str) -> TriggerCatalogue:
    """The branch's trigger catalogue (seeded from the defaults on first use)."""
    from storage import followups as fu_store

    return fu_store.catalogue(store, branch_id)


# Reading a case (a list page, one case, the record to act on) is
# services.private_details: the one place the privacy rule is applied.



@service
def open_case_like(store: Store, person_id: str, trigger_code: str) -> FollowUp | None:
    """An open case (not 销号) of the person for the reason *trigger_code*
    means, newest first; redacted when the one acting may not see it."""
    from services import private_details

    return private_details.open_case_like(
        store, person_id, trigger_code, private_details.reader(store)
    )


def describe_open_case(fu: FollowUp) -> str:
    """「2026-11-02 发现，夜班后情绪低落（跟进中，责任人 李四）」 for the warning."""
    what = fu.trigger_text or str(fu.category)
    if fu.is_redacted:
        return f"{fu.found_on.isoformat()} 发现的一件保密事项（{fu.status}）"
    return f"{fu.found_on.isoformat()} 发现，{what}（{fu.status}，责任人 {fu.responsible_name}）"
