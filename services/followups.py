"""一人一事: file a case from the quick form, log a contact, take a step
(escalate, resolve, return visit, close, reopen, long term), edit a
branch's trigger catalogue; list and open cases, redacted for the viewer.

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
    from storage.accounts import Viewer
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
def save_catalogue(store: Store, catalogue: TriggerCatalogue) -> TriggerCatalogue:
    """An edited trigger catalogue, version-checked and audited."""
    from storage import followups as fu_store

    return fu_store.save_catalogue(store, catalogue)


# -- reads ----------------------------------------------------------------


@service
def branch_config(store: Store, branch_id: str) -> FollowUpConfig:
    """The branch's contact intervals (defaults until it sets its own)."""
    from storage import followups as fu_store

    return fu_store.config(store, branch_id)


@service
def branch_catalogue(store: Store, branch_id: str) -> TriggerCatalogue:
    """The branch's trigger catalogue (seeded from the defaults on first use)."""
    from storage import followups as fu_store

    return fu_store.catalogue(store, branch_id)


@service
def count_cases(store: Store, query: ListQuery, *, today: date, viewer: Viewer) -> int:
    from storage import followups as fu_store

    return fu_store.count(store, query, today=today, viewer=viewer)


@service
def list_cases(
    store: Store, query: ListQuery, *, today: date, viewer: Viewer, offset: int, limit: int
) -> list[FollowUp]:
    """One page of cases, already redacted for *viewer*."""
    from storage import followups as fu_store

    return fu_store.list_page(
        store, query, today=today, viewer=viewer, offset=offset, limit=limit
    )


@service
def visible_case(store: Store, fu_id: str, viewer: Viewer) -> FollowUp | None:
    """The case as *viewer* may see it (redacted when private), or None."""
    from storage import followups as fu_store

    return fu_store.get_visible(store, fu_id, viewer)


@service
def log_private_view(store: Store, fu_id: str) -> None:
    """Audit that a private case was opened in full (fields, never values)."""
    from storage import followups as fu_store

    fu_store.log_access(store, "view", fu_id, "private")


@service
def get_case(store: Store, fu_id: str) -> FollowUp | None:
    """The full stored record, for a writer that already checked it may act."""
    from storage import followups as fu_store

    return fu_store.get(store, fu_id)


@service
def open_case_like(
    store: Store, person_id: str, trigger_code: str, viewer: Viewer
) -> FollowUp | None:
    """An open case (not 销号) of the person for the reason *trigger_code*
    means, newest first; redacted when the viewer may not see it."""
    from domain.followups import open_same_reason, quick_category
    from storage import followups as fu_store

    if not person_id or not trigger_code:
        return None
    same = open_same_reason(
        fu_store.not_closed_for_person(store, person_id), person_id, quick_category(trigger_code)
    )
    return fu_store.visible_for(store, same[:1], viewer)[0] if same else None


def describe_open_case(fu: FollowUp) -> str:
    """「2026-11-02 发现，夜班后情绪低落（跟进中，责任人 李四）」 for the warning."""
    what = fu.trigger_text or str(fu.category)
    if fu.is_redacted:
        return f"{fu.found_on.isoformat()} 发现的一件保密事项（{fu.status}）"
    return f"{fu.found_on.isoformat()} 发现，{what}（{fu.status}，责任人 {fu.responsible_name}）"
