"""Action items (决议 / 补学) that finished meetings create, until closed.

Kept apart from storage.meetings so the home screen lists them without
loading the meeting models.
"""

from __future__ import annotations

from typing import Any

from domain.action_items import ActionItem
from storage.db import Store, now_iso
from storage.records import save_row
from storage.sql import Connection

_ACTION_COLS = (
    "source",
    "meeting_id",
    "kind",
    "text",
    "owner_id",
    "owner_name",
    "deadline",
    "closed_at",
)


def save_action(
    store: Store, item: ActionItem, *, conn: Connection | None = None
) -> ActionItem:
    return save_row(
        store, "action_items", item, {k: getattr(item, k) for k in _ACTION_COLS}, conn=conn
    )


def _action(row: dict[str, Any]) -> ActionItem:
    return ActionItem.model_validate(row)


def get(store: Store, item_id: str) -> ActionItem | None:
    row = store.query_one("SELECT * FROM action_items WHERE id=?", (item_id,))
    return None if row is None else _action(row)


def open_actions(store: Store, *, limit: int = 50, offset: int = 0) -> list[ActionItem]:
    rows = store.query(
        "SELECT * FROM action_items WHERE closed_at IS NULL"
        " ORDER BY deadline IS NULL, deadline LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [_action(r) for r in rows]


def actions_for_meeting(store: Store, meeting_id: str) -> list[ActionItem]:
    rows = store.query(
        # NULL deadlines first, as SQLite sorts them; PostgreSQL puts them last.
        "SELECT * FROM action_items WHERE meeting_id=?"
        " ORDER BY kind, deadline IS NOT NULL, deadline",
        (meeting_id,),
    )
    return [_action(r) for r in rows]


def close_action(store: Store, item: ActionItem) -> ActionItem:
    return save_action(store, item.model_copy(update={"closed_at": now_iso()}))
