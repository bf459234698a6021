"""补学 records: recording one closes the member's 补学 item, in one transaction."""

from __future__ import annotations

import datetime as dt

from domain.action_codes import ActionKind, MakeUpMethod
from domain.make_up import MakeUpRecord
from storage import audit
from storage.db import Store, now_iso
from storage.errors import RecordMissingError, StorageError
from storage.records import load_document, save_document

_TABLE = "make_ups"


def record_make_up(
    store: Store,
    action_id: str,
    *,
    done_on: dt.date,
    method: MakeUpMethod,
    checked_by: str,
    note: str = "",
) -> MakeUpRecord:
    """Record that the 补学 item *action_id* was done, and close the item.

    Refused (StorageError) for an item that is not a 补学, or is already closed.
    The model refuses a date before the meeting (ValidationError).
    """
    with store.write() as c:
        row = c.execute(
            "SELECT a.kind, a.closed_at, a.meeting_id, a.owner_id, a.owner_name, m.date"
            " FROM action_items a JOIN meetings m ON m.id = a.meeting_id WHERE a.id=?",
            (action_id,),
        ).fetchone()
        if row is None:
            raise RecordMissingError("这条补学事项已不存在。")
        kind, closed_at, meeting_id, person_id, name, meeting_date = row
        if kind != ActionKind.MAKE_UP.value:
            raise StorageError("这不是补学事项。")
        if closed_at is not None:
            raise StorageError("这条补学事项已办结，无需再次登记。")
        record = MakeUpRecord(
            action_id=action_id,
            meeting_id=meeting_id,
            person_id=person_id or "",
            name=name or "（未记姓名）",
            meeting_date=dt.date.fromisoformat(meeting_date),
            done_on=done_on,
            method=method,
            checked_by=checked_by,
            note=note,
        )
        saved = save_document(
            store,
            _TABLE,
            record,
            {
                "action_id": action_id,
                "meeting_id": meeting_id,
                "person_id": record.person_id,
                "done_on": done_on,
                "method": method.value,
                "checked_by": record.checked_by,
            },
            conn=c,
        )
        c.execute(
            "UPDATE action_items SET closed_at=?, updated_at=?, updated_by=?, version=version+1"
            " WHERE id=?",
            (now_iso(), now_iso(), store.actor, action_id),
        )
        audit.append(c, store.actor, "close", "action_items", action_id, saved.id)
    return saved


def make_ups_for_meeting(store: Store, meeting_id: str) -> list[MakeUpRecord]:
    """The recorded make-ups of one meeting, by date."""
    rows = store.query(f"SELECT * FROM {_TABLE} WHERE meeting_id=? ORDER BY done_on", (meeting_id,))
    return [load_document(r, MakeUpRecord) for r in rows]


def get(store: Store, record_id: str) -> MakeUpRecord | None:
    row = store.query_one(f"SELECT * FROM {_TABLE} WHERE id=?", (record_id,))
    return None if row is None else load_document(row, MakeUpRecord)
