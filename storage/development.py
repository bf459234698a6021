"""发展党员 records: one row per person, one row per dated stage (both audited).

Recording a stage checks the rules (domain.development), inserts the event,
bumps the record's version (a second window recording at the same time is
refused as stale) and updates the person's status, all in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from domain.development import (
    DEFAULT_CONFIG,
    STATUS_AFTER,
    DevelopmentConfig,
    DevelopmentError,
    DevelopmentRecord,
    Stage,
    StageEvent,
    current_stage,
    home_dates,
    probation_end,
    record_stage,
)
from domain.people import Person
from domain.records import Record, new_id
from storage import people
from storage.db import Store
from storage.errors import RecordMissingError, StaleRecordError, StorageError
from storage.records import save_row
from storage.sql import Connection, savepoint

RECORDS = "development_records"
EVENTS = "development_events"

_EVENT_DATA = ("people", "days", "hours", "months", "note")


def _event(row: dict[str, Any]) -> StageEvent:
    body = json.loads(row["data"])
    return StageEvent(
        stage=Stage(row["stage"]),
        on=date.fromisoformat(row["on_date"]),
        meeting_id=row["meeting_id"],
        **{k: body[k] for k in _EVENT_DATA if k in body},
    )


def _record(store: Store | Connection, row: dict[str, Any]) -> DevelopmentRecord:
    sql = f"SELECT * FROM {EVENTS} WHERE record_id=? ORDER BY on_date, created_at"
    if isinstance(store, Store):
        rows = store.query(sql, (row["id"],))
    else:
        cur = store.execute(sql, (row["id"],))
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return DevelopmentRecord(
        id=row["id"],
        person_id=row["person_id"],
        person_name=row["person_name"],
        branch_id=row["branch_id"],
        events=tuple(_event(r) for r in rows),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        version=row["version"],
    )


def get(store: Store, person_id: str) -> DevelopmentRecord | None:
    row = store.query_one(f"SELECT * FROM {RECORDS} WHERE person_id=?", (person_id,))
    return None if row is None else _record(store, row)


def for_person(store: Store, person: Person) -> DevelopmentRecord:
    """The stored record, or a new unsaved one (version 0)."""
    found = get(store, person.id)
    if found is not None:
        return found
    return DevelopmentRecord(
        person_id=person.id, person_name=person.name, branch_id=person.branch_id
    )


def for_branch(store: Store, branch_id: str) -> list[DevelopmentRecord]:
    """Every record of a branch, the furthest along first, then by name."""
    rows = store.query(
        f"SELECT * FROM {RECORDS} WHERE branch_id=? ORDER BY person_name", (branch_id,)
    )
    records = [_record(store, r) for r in rows]
    order = {s: i for i, s in enumerate(Stage)}
    return sorted(records, key=lambda r: -order[current_stage(r) or Stage.APPLIED])


def _record_columns(record: DevelopmentRecord, config: DevelopmentConfig) -> dict[str, Any]:
    stage = current_stage(record)
    return {
        "person_id": record.person_id,
        "person_name": record.person_name,
        "branch_id": record.branch_id,
        "stage": stage.value if stage else None,
        **home_dates(record, config).model_dump(),
    }


def record(
    store: Store,
    person_id: str,
    event: StageEvent,
    *,
    expected_version: int | None = None,
    config: DevelopmentConfig = DEFAULT_CONFIG,
    conn: Connection | None = None,
) -> DevelopmentRecord:
    """Record *event* for the person; DevelopmentError (Chinese reason) when
    the rules refuse it. *expected_version*: the record's version the user saw;
    a different one means someone else recorded in between (StaleRecordError)."""

    def run(c: Connection) -> DevelopmentRecord:
        person = people.get(store, person_id)
        if person is None:
            raise RecordMissingError("这名人员已不存在。")
        cur = c.execute(f"SELECT * FROM {RECORDS} WHERE person_id=?", (person_id,))
        found = cur.fetchone()
        if found is not None:
            cols = [d[0] for d in cur.description]
            current = _record(c, dict(zip(cols, found, strict=True)))
        else:
            current = DevelopmentRecord(
                person_id=person.id, person_name=person.name, branch_id=person.branch_id
            )
        if expected_version is not None and current.version != expected_version:
            raise StaleRecordError(current.updated_by, current.updated_at)
        updated = record_stage(current, event, config).model_copy(
            update={"person_name": person.name, "branch_id": person.branch_id}
        )
        saved = save_row(store, RECORDS, updated, _record_columns(updated, config), conn=c)
        body = event.model_dump(mode="json", include=set(_EVENT_DATA))
        _insert_event(store, c, saved, event, body)
        _update_person(store, c, person, saved, event, config)
        return saved

    try:
        if conn is not None:
            # The caller's transaction: a refusal undoes only this record, so
            # the caller may carry on (PostgreSQL would abort it all).
            with savepoint(conn, "development_record"):
                return run(conn)
        with store.write() as c:
            return run(c)
    except DevelopmentError:
        raise
    except sqlite3.IntegrityError as exc:
        raise StorageError("保存发展党员记录失败，请重试。") from exc


def _insert_event(
    store: Store,
    c: Connection,
    saved: DevelopmentRecord,
    event: StageEvent,
    body: dict[str, Any],
) -> None:
    row = Record(id=new_id())
    save_row(
        store,
        EVENTS,
        row,
        {
            "record_id": saved.id,
            "person_id": saved.person_id,
            "stage": event.stage.value,
            "on_date": event.on,
            "meeting_id": event.meeting_id,
            "data": json.dumps(body, ensure_ascii=False),
        },
        conn=c,
    )


def _update_person(
    store: Store,
    c: Connection,
    person: Person,
    saved: DevelopmentRecord,
    event: StageEvent,
    config: DevelopmentConfig,
) -> None:
    status = STATUS_AFTER.get(event.stage)
    if status is None:
        return
    update: dict[str, Any] = {"status": status}
    if event.stage is Stage.ADMITTED:
        update["joined_party"] = event.on
    if event.stage is Stage.CONFIRMED:
        update["confirmed_on"] = probation_end(saved, config)
    people.save(store, person.model_copy(update=update), conn=c)
