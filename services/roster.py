"""The roster: look-ups the screens and widgets need (the person picker,
lists), saving a person, moving one to another branch. They go through here,
never to storage directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.people import Person
from services.errors import service
from storage import org, people
from storage.db import Store

if TYPE_CHECKING:
    from storage.drafts import DraftRef


def branch_names(store: Store) -> dict[str, str]:
    """Branch id → name, for labelling people in pickers and lists."""
    return {u.id: u.name for u in org.branches(store)}


def find_people(
    store: Store,
    query: str,
    *,
    branch_id: str | None = None,
    members_only: bool = False,
    limit: int = 20,
) -> list[Person]:
    """Pinyin / name search, best match first; nothing for a blank query."""
    if not query.strip():
        return []
    return people.search(
        store, query, branch_id=branch_id, members_only=members_only, limit=limit
    )


def get_person(store: Store, person_id: str) -> Person | None:
    return people.get(store, person_id)


def members_of(store: Store, branch_id: str) -> list[Person]:
    """A branch's party members (正式 and 预备), in roster order."""
    return people.members_of(store, branch_id)


def secretary_of(store: Store, branch_id: str) -> Person | None:
    return people.secretary_of(store, branch_id)


def branch_page(store: Store, branch_id: str, *, offset: int, limit: int) -> list[Person]:
    """One page of a branch's people, in roster order."""
    return people.list_branch(store, branch_id, offset=offset, limit=limit)


def count_branch(store: Store, branch_id: str) -> int:
    return people.count_branch(store, branch_id)


@service
def save_person(store: Store, person: Person, *, draft: DraftRef | None = None) -> Person:
    """Insert or update (version-checked); the form's draft is discarded in the
    same transaction. StorageFailed / Stale say why it was refused."""
    return people.save(store, person, draft=draft)


@service
def move_person(store: Store, person: Person, branch_id: str, group_id: str | None) -> Person:
    """Move *person* to *branch_id* (and a party group of it, or none)."""
    return people.move(store, person, branch_id, group_id)
