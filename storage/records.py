"""Versioned insert/update shared by every repository.

A save carries the version the user loaded. ``UPDATE … WHERE id=? AND
version=?`` refuses a stale save with who changed the record and when,
instead of silently overwriting (docs/ARCHITECTURE.md#storage).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

from domain.records import Record
from storage import audit
from storage.db import Store, now_iso
from storage.errors import RecordMissingError, StaleRecordError
from storage.sql import Connection

R = TypeVar("R", bound=Record)
META_FIELDS = ("id", "created_at", "updated_at", "updated_by", "version")


def to_db(value: Any) -> Any:
    """Python value -> SQLite value (dates as ISO text, bools as 0/1)."""
    if value is None or isinstance(value, (int, float, str)):
        return int(value) if isinstance(value, bool) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, ensure_ascii=False, default=str)


def save_row(
    store: Store,
    table: str,
    model: R,
    columns: dict[str, Any],
    *,
    conn: Connection | None = None,
    action_detail: str = "",
) -> R:
    """Insert (version 0) or update (version n) *model*; returns the saved copy."""
    now = now_iso()
    actor = store.actor

    def run(c: Connection) -> R:
        values = {k: to_db(v) for k, v in columns.items()}
        if model.version == 0:
            row = {
                **values,
                "id": model.id,
                "created_at": now,
                "updated_at": now,
                "updated_by": actor,
                "version": 1,
            }
            cols = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            c.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", row)
            audit.append(
                c, actor, "create", table, model.id, action_detail or ",".join(columns),
                content=audit.content_hash(c, table, model.id),
            )  # fmt: skip
            return model.model_copy(
                update={"created_at": now, "updated_at": now, "updated_by": actor, "version": 1}
            )
        sets = ", ".join(f"{k}=:{k}" for k in values)
        params = {**values, "_id": model.id, "_v": model.version, "_now": now, "_by": actor}
        cur = c.execute(
            f"UPDATE {table} SET {sets}, updated_at=:_now, updated_by=:_by, version=version+1"
            " WHERE id=:_id AND version=:_v",
            params,
        )
        if cur.rowcount != 1:
            current = c.execute(
                f"SELECT updated_by, updated_at FROM {table} WHERE id=?", (model.id,)
            ).fetchone()
            if current is None:
                raise RecordMissingError("这条记录已被删除。")
            raise StaleRecordError(current[0], current[1])
        audit.append(
            c, actor, "update", table, model.id, action_detail or ",".join(columns),
            content=audit.content_hash(c, table, model.id),
        )  # fmt: skip
        return model.model_copy(
            update={"updated_at": now, "updated_by": actor, "version": model.version + 1}
        )

    if conn is not None:
        return run(conn)
    with store.write() as c:
        return run(c)


def save_document(
    store: Store,
    table: str,
    model: R,
    index_columns: dict[str, Any],
    *,
    conn: Connection | None = None,
) -> R:
    """Aggregates (meetings, follow-ups…) are stored whole as JSON in ``data``,
    with the columns that queries filter on copied alongside."""
    body = model.model_dump(mode="json", exclude=set(META_FIELDS))
    columns = {**index_columns, "data": json.dumps(body, ensure_ascii=False)}
    return save_row(store, table, model, columns, conn=conn, action_detail=",".join(index_columns))


def load_document(row: dict[str, Any], cls: type[R]) -> R:
    body = json.loads(row["data"])
    body.update({k: row[k] for k in META_FIELDS})
    return cls.model_validate(body)
