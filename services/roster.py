"""Roster look-ups the screens and widgets need (the person picker, lists):
they go through here, never to storage directly."""

from __future__ import annotations

from domain.people import Person
from storage import org, people
from storage.db import Store


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
