"""Private 一人一事 details: the one place that decides who reads them.

A case marked private (health, family hardship: sensitive personal
information) shows its details only to the 书记 of its branch and to its
responsible member, and only once the person has proved who they are
(``pin_ok``). Everyone else sees that the case exists, its level, status,
dates and who carries it. docs/SECURITY.md#private-details-and-exports.

Every screen, export and command that reads follow-ups comes through this
module: storage.followups and storage.followup_home hand back full records
and apply no rule of their own (tests/test_private_details.py enumerates the
readers and fails on one that bypasses this module).

Who is acting comes from ``reader(store)``: the person, the roles granted to
them (role, branch id) and whether their PIN was checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from services.errors import Refused

if TYPE_CHECKING:
    from domain.dashboard import DueItem
    from domain.followups import FollowUp
    from storage.accounts import Viewer
    from storage.db import Store
    from storage.followups import ListQuery

SECRETARY = "书记"


class ActingRoles(Protocol):
    """What the privacy rule needs to know about whoever is acting."""

    @property
    def person_id(self) -> str: ...

    @property
    def roles(self) -> AbstractSet[tuple[str, str]]: ...

    @property
    def pin_ok(self) -> bool: ...


@dataclass(frozen=True)
class Reader:
    """An ActingRoles value: the person ('' if none), the granted (role,
    branch id) pairs, and whether the PIN was checked this session."""

    person_id: str = ""
    roles: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    pin_ok: bool = False


def from_acting_identity(acting: object) -> Reader:
    """A Reader from an identity with ``acting_person_id`` (None until proved),
    ``grants`` (each with ``role`` and ``branch_id``) and ``proven``: the shape
    of services.identity's ActingIdentity (kept duck-typed so the rule does
    not depend on the identity module's types)."""
    person = getattr(acting, "acting_person_id", None) or ""
    grants = getattr(acting, "grants", ())
    roles = frozenset((str(g.role), g.branch_id or "") for g in grants)
    return Reader(person, roles, pin_ok=bool(getattr(acting, "proven", False)) and bool(person))


def reader(store: Store) -> ActingRoles:
    """Who is acting in this process, for the rule: the approved person, the
    granted roles and the PIN state (services.identity, granted data only)."""
    from services.identity import acting_roles

    return from_acting_identity(acting_roles(store))


# --- the rule -----------------------------------------------------------------


def is_secretary(who: ActingRoles, branch_id: str | None) -> bool:
    """*who* holds the 书记 role of *branch_id* and has proved it."""
    return bool(branch_id) and who.pin_ok and (SECRETARY, branch_id) in who.roles


def may_see(who: ActingRoles, *, private: bool, branch_id: str | None, responsible_id: str) -> bool:
    """THE rule: a private case's details are for the 书记 of its branch and its
    responsible member only, each after proving who they are."""
    if not private:
        return True
    if not who.person_id or not who.pin_ok:
        return False
    return who.person_id == responsible_id or is_secretary(who, branch_id)


def may_see_case(who: ActingRoles, fu: FollowUp) -> bool:
    return may_see(
        who, private=fu.private, branch_id=fu.branch_id, responsible_id=fu.responsible_id
    )


def shown(cases: Iterable[FollowUp], who: ActingRoles) -> list[FollowUp]:
    """*cases* as *who* may see them: private ones not theirs are redacted copies."""
    from domain.followups import redacted

    return [fu if may_see_case(who, fu) else redacted(fu) for fu in cases]


def for_hub(row: dict[str, object], *, send_private: bool) -> dict[str, object]:
    """A stored follow-up row as the 党委 hub receives it: a private case goes
    redacted unless the site's ``[sync] send_private_details`` is true
    (docs/SYNC.md#private-details)."""
    if send_private or not row.get("private"):
        return row
    from storage import followups as fu_store

    return fu_store.outward_row(dict(row))


# --- readers for screens ------------------------------------------------------


def page(
    store: Store,
    query: ListQuery,
    *,
    today: date,
    viewer: Viewer,
    who: ActingRoles,
    offset: int = 0,
    limit: int | None = None,
) -> list[FollowUp]:
    """One page of the follow-up list, redacted for *who*."""
    from storage import followups as fu_store

    rows = fu_store.list_page(
        store, query, today=today, viewer=viewer, offset=offset, limit=limit or fu_store.PAGE
    )
    return shown(rows, who)


def count(store: Store, query: ListQuery, *, today: date, viewer: Viewer) -> int:
    """How many cases the list holds (a number says nothing private)."""
    from storage import followups as fu_store

    return fu_store.count(store, query, today=today, viewer=viewer)


def one(store: Store, fu_id: str, who: ActingRoles) -> FollowUp | None:
    """One case as *who* may see it; opening a private one in full is audited."""
    from storage import followups as fu_store

    fu = fu_store.get(store, fu_id)
    if fu is None:
        return None
    if not may_see_case(who, fu):
        return shown([fu], who)[0]
    return fu


def log_view(store: Store, fu: FollowUp) -> None:
    """Audit that a private case was opened in full (fields, never values)."""
    from storage import followups as fu_store

    if fu.private and not fu.is_redacted:
        fu_store.log_access(store, "view", fu.id, "private")


def to_act_on(store: Store, fu_id: str, who: ActingRoles) -> FollowUp | None:
    """The stored record to change (log a talk, take a step): None when *who*
    may not see it, so nobody writes to a case they cannot read."""
    from storage import followups as fu_store

    fu = fu_store.get(store, fu_id)
    return fu if fu is not None and may_see_case(who, fu) else None


def home_items(
    store: Store, today: date, who: ActingRoles, *, cap: int | None = None
) -> list[DueItem]:
    """The 一人一事 lines of the home screen; private ones not *who*'s say
    only 保密事项. *cap*: at most this many (default: the home screen's)."""
    from storage import followup_home

    def rule(private: bool, branch_id: str | None, responsible_id: str) -> bool:
        return may_see(who, private=private, branch_id=branch_id, responsible_id=responsible_id)

    if cap is None:
        return followup_home.home_items(store, today, may_see=rule)
    return followup_home.home_items(store, today, may_see=rule, cap=cap)


# --- readers for exports ------------------------------------------------------


def check_internal(who: ActingRoles, branches: Iterable[tuple[str, str]]) -> None:
    """Refuse the 内部版 (full details) unless *who* is 书记 of every branch
    (id, name) being exported."""
    others = [name for bid, name in branches if not is_secretary(who, bid)]
    if others:
        raise Refused(
            f"内部版（含保密内容）只能由本支部书记导出；您不是{'、'.join(others)}的书记。"
            "请勾选「外发版」导出隐去保密内容的版本。"
        )


def ledger_cases(
    store: Store, branch_id: str, start: date, end: date, who: ActingRoles, *, internal: bool
) -> list[FollowUp]:
    """A branch's cases for a ledger of start..end. The 外发版 (internal False)
    redacts every private case; the 内部版 shows what *who* may see."""
    from domain.followups import redacted
    from exports import ledger
    from storage import followups as fu_store

    cases = ledger.for_period(fu_store.for_ledger(store, branch_id, end), start, end)
    if not internal:
        return [redacted(fu) if fu.private else fu for fu in cases]
    return shown(cases, who)


def open_case_like(
    store: Store, person_id: str, trigger_code: str, who: ActingRoles
) -> FollowUp | None:
    """The newest open case (not 销号) of the person for the reason
    *trigger_code* means, as *who* may see it; None when there is none."""
    from domain.followups import open_same_reason, quick_category
    from storage import followups as fu_store

    if not person_id or not trigger_code:
        return None
    same = open_same_reason(
        fu_store.not_closed_for_person(store, person_id), person_id, quick_category(trigger_code)
    )
    return shown(same[:1], who)[0] if same else None
