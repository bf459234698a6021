"""Per-user drafts: the typed-but-unsaved state of a workflow, as JSON.

Written on every (debounced) change and on hang-up, so a dropped SSH link,
a crash or Esc loses nothing. Small, single-statement transactions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Store, now_iso


@dataclass(frozen=True)
class DraftInfo:
    workflow: str
    key: str
    title: str
    updated_at: str


def save(store: Store, workflow: str, key: str, data: dict[str, Any], title: str = "") -> None:
    payload = json.dumps(data, ensure_ascii=False, default=str)
    with store.write() as c:
        c.execute(
            "INSERT INTO drafts(owner, workflow, key, title, data, updated_at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(owner, workflow, key) DO UPDATE SET title=excluded.title,"
            " data=excluded.data, updated_at=excluded.updated_at",
            (store.actor, workflow, key, title, payload, now_iso()),
        )


def load(store: Store, workflow: str, key: str) -> dict[str, Any] | None:
    row = store.query_one(
        "SELECT data FROM drafts WHERE owner=? AND workflow=? AND key=?",
        (store.actor, workflow, key),
    )
    return None if row is None else json.loads(row["data"])


def discard(store: Store, workflow: str, key: str) -> None:
    with store.write() as c:
        c.execute(
            "DELETE FROM drafts WHERE owner=? AND workflow=? AND key=?",
            (store.actor, workflow, key),
        )


def list_mine(store: Store, limit: int = 20) -> list[DraftInfo]:
    rows = store.query(
        "SELECT workflow, key, title, updated_at FROM drafts WHERE owner=?"
        " ORDER BY updated_at DESC LIMIT ?",
        (store.actor, limit),
    )
    return [DraftInfo(**r) for r in rows]
