"""Head counts kept by triggers (migration 3): read without scanning a table.

Light on purpose (no models): the home screen's head line reads these at start.
"""

from __future__ import annotations

from storage.db import Store


def count(store: Store, name: str) -> int:
    return int(store.scalar("SELECT n FROM counters WHERE name=?", (name,)) or 0)


def people(store: Store) -> int:
    return count(store, "people")


def branches(store: Store) -> int:
    return count(store, "branches")
