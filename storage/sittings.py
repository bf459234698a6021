"""Shift patterns, stations and 交接班活动 (docs/SITTINGS.md).

A branch's pattern is its org unit's ``shift_pattern`` and each member's shift
is the person's ``shift``; what this module adds is the stations a 支委 visits
(branch_stations) and the handover records (handovers), plus the sign-in lines
participation reads from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.org import OrgUnit
from domain.org_codes import ShiftPattern
from domain.people import Person
from domain.people_codes import Shift
from domain.periods import Period
from domain.sittings import BranchShifts, Handover, Station
from storage import audit
from storage import org as org_store
from storage import people as people_store
from storage.db import Store
from storage.errors import RecordMissingError
from storage.in_lists import chunks, marks
from storage.records import load_document, save_document
from storage.sql import Connection

HANDOVER_KIND = "交接班活动"


# -- pattern and stations ---------------------------------------------------------


def stations_of(store: Store, branch_id: str) -> BranchShifts:
    row = store.query_one("SELECT * FROM branch_stations WHERE id=?", (branch_id,))
    if row is None:
        return BranchShifts(id=branch_id)
    return load_document(row, BranchShifts)


def save_shifts(
    store: Store,
    branch: OrgUnit,
    pattern: ShiftPattern | None,
    shifts: dict[str, Shift | None],
    stations: Sequence[Station],
    *,
    loaded: BranchShifts,
) -> BranchShifts:
    """The branch's pattern, its members' shifts (person id → shift) and its
    stations, in one transaction; a stale branch, person or station record is
    refused by its version (storage.records.save_row)."""
    with store.write() as c:
        if branch.shift_pattern != pattern:
            org_store.save(store, branch.model_copy(update={"shift_pattern": pattern}), conn=c)
        for pid, shift in shifts.items():
            person = _person(c, store, pid)
            if person.shift != shift:
                people_store.save(store, person.model_copy(update={"shift": shift}), conn=c)
        doc = loaded.model_copy(update={"stations": list(stations)})
        return save_document(store, "branch_stations", doc, {}, conn=c)


def _person(c: Connection, store: Store, person_id: str) -> Person:
    person = people_store.get(store, person_id)
    if person is None:
        raise RecordMissingError("人员记录已不存在")
    return person


# -- 交接班活动 -------------------------------------------------------------------


def save_handover(store: Store, handover: Handover) -> Handover:
    cols = {"branch_id": handover.branch_id, "date": handover.date, "shift": handover.shift}
    return save_document(store, "handovers", handover, cols)


def handovers_of(
    store: Store, branch_id: str, *, since: date | None = None, limit: int = 200
) -> list[Handover]:
    rows = store.query(
        "SELECT * FROM handovers WHERE branch_id=? AND date>=? ORDER BY date DESC, created_at DESC"
        " LIMIT ?",
        (branch_id, (since or date.min).isoformat(), limit),
    )
    return [load_document(r, Handover) for r in rows]


def delete_handover(store: Store, handover_id: str) -> None:
    with store.write() as c:
        c.execute("DELETE FROM handovers WHERE id=?", (handover_id,))
        audit.append(c, store.actor, "delete", "handovers", handover_id)


@dataclass(frozen=True)
class HandoverLine:
    """One attendee of one handover, as participation counts it (出席)."""

    handover_id: str
    on: date
    branch_id: str
    branch_name: str
    topic: str
    person_id: str
    name: str
    created_at: str


def handover_lines(
    store: Store, branch_ids: Sequence[str], period: Period, *, person_id: str | None = None
) -> list[HandoverLine]:
    out: list[HandoverLine] = []
    for part in chunks(list(dict.fromkeys(branch_ids))):
        rows = store.query(
            f"SELECT * FROM handovers WHERE branch_id IN ({marks(part)}) AND date BETWEEN ? AND ?",
            (*part, period.start.isoformat(), period.end.isoformat()),
        )
        for r in rows:
            h = load_document(r, Handover)
            for pid, name in zip(h.attendee_ids, h.attendee_names, strict=False):
                if person_id and pid != person_id:
                    continue
                out.append(
                    HandoverLine(
                        h.id, h.date, h.branch_id, h.branch_name, h.topic, pid, name, h.created_at
                    )  # fmt: skip
                )
    return out


def branches_with_pattern(store: Store, pattern: ShiftPattern) -> list[OrgUnit]:
    return [b for b in org_store.branches(store) if b.shift_pattern is pattern]
