"""党费 records: one row per member per month in the ``dues`` table.

The record is domain.dues.DuesRecord stored whole as JSON in ``data``;
person_id, branch_id (the branch that collected it) and month (YYYY-MM-01)
are copied into indexed columns: dues_person_month (unique) serves a member's
history, dues_branch_month a branch's month.

Arrears "now" are counted up to last month and with every payment made up to
today (domain.dues.member_arrears(payments_until=…)): a month's dues are in
arrears once the month is over, and a back payment clears them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.dues import (
    DEFAULT_CONFIG,
    BranchDuesSummary,
    DuesConfig,
    DuesRecord,
    MemberArrears,
    branch_month_summary,
    make_record,
    member_arrears,
)
from domain.people import Person, PoliticalStatus
from domain.periods import add_months, month_start
from storage import audit, drafts
from storage import people as people_store
from storage.db import Store, now_iso
from storage.dues_home import ARREARS_LOOKBACK_MONTHS, TABLE, arrears_month
from storage.dues_sql import unpaid_sql
from storage.in_lists import chunks, marks
from storage.records import META_FIELDS, load_document, save_document
from storage.sql import Connection


def _index(record: DuesRecord, branch_id: str | None) -> dict[str, object]:
    return {"person_id": record.person_id, "branch_id": branch_id, "month": record.month}


def _load(row: dict[str, Any]) -> DuesRecord:
    return load_document(row, DuesRecord)


# -- reads ---------------------------------------------------------------------


def get(store: Store, person_id: str, month: date) -> DuesRecord | None:
    row = store.query_one(
        f"SELECT * FROM {TABLE} WHERE person_id=? AND month=?",
        (person_id, month_start(month).isoformat()),
    )
    return None if row is None else _load(row)


def for_person(store: Store, person_id: str, start: date, end: date) -> list[DuesRecord]:
    """The member's months start..end (inclusive), oldest first."""
    rows = store.query(
        f"SELECT * FROM {TABLE} WHERE person_id=? AND month BETWEEN ? AND ? ORDER BY month",
        (person_id, month_start(start).isoformat(), month_start(end).isoformat()),
    )
    return [_load(r) for r in rows]


def for_people(store: Store, person_ids: Sequence[str], start: date, end: date) -> list[DuesRecord]:
    out: list[DuesRecord] = []
    ids = list(dict.fromkeys(person_ids))
    for part in chunks(ids):
        rows = store.query(
            f"SELECT * FROM {TABLE} WHERE person_id IN ({marks(part)})"
            " AND month BETWEEN ? AND ? ORDER BY month",
            (*part, month_start(start).isoformat(), month_start(end).isoformat()),
        )
        out += [_load(r) for r in rows]
    return out


def for_branch(store: Store, branch_id: str, start: date, end: date) -> list[DuesRecord]:
    """Records the branch collected for months start..end (dues_branch_month)."""
    rows = store.query(
        f"SELECT * FROM {TABLE} WHERE branch_id=? AND month BETWEEN ? AND ? ORDER BY month",
        (branch_id, month_start(start).isoformat(), month_start(end).isoformat()),
    )
    return [_load(r) for r in rows]


def latest_before(store: Store, person_ids: Sequence[str], month: date) -> dict[str, DuesRecord]:
    """Each member's most recent record before *month*: the base is fixed once
    a year and normally carried from month to month (年初核定, docs/RULES.md#dues)."""
    out: dict[str, DuesRecord] = {}
    ids = list(dict.fromkeys(person_ids))
    m = month_start(month).isoformat()
    for part in chunks(ids):
        rows = store.query(
            f"SELECT d.* FROM {TABLE} d WHERE d.person_id IN ({marks(part)}) AND d.month ="
            f" (SELECT max(month) FROM {TABLE} x WHERE x.person_id=d.person_id AND x.month < ?)",
            (*part, m),
        )
        out.update({r["person_id"]: _load(r) for r in rows})
    return out


# -- writes --------------------------------------------------------------------


def save(
    store: Store,
    record: DuesRecord,
    branch_id: str | None,
    *,
    conn: Connection | None = None,
) -> DuesRecord:
    return save_document(store, TABLE, record, _index(record, branch_id), conn=conn)


def save_month(
    store: Store,
    branch_id: str,
    records: Iterable[DuesRecord],
    *,
    draft: drafts.DraftRef | None = None,
) -> list[DuesRecord]:
    """Save a branch's entries in one transaction: all or nothing.

    New records (version 0) are inserted; a member who already has a record
    for that month (entered elsewhere meanwhile) makes the whole save fail
    with a message, as does a record changed by someone else (StaleRecordError).
    *draft* (the grid's draft row) goes in the same transaction.
    """
    with store.write() as c:
        saved = [save(store, r, branch_id, conn=c) for r in records]
        drafts.discard_in(c, draft)
        return saved


def insert_many(
    store: Store, rows: Iterable[tuple[str | None, DuesRecord]], *, conn: Connection
) -> int:
    """Bulk insert new records inside the caller's transaction (demo, imports):
    one audit line for the batch, like people.insert_many."""
    now, actor = now_iso(), store.actor
    params = []
    for branch_id, r in rows:
        body = r.model_dump_json(exclude=set(META_FIELDS))
        params.append((r.id, r.person_id, branch_id, r.month.isoformat(), body, now, now, actor))
    conn.executemany(
        f"INSERT INTO {TABLE} (id, person_id, branch_id, month, data, created_at, updated_at,"
        " updated_by, version) VALUES (?,?,?,?,?,?,?,?,1)",
        params,
    )
    audit.append(conn, actor, "import", TABLE, f"{len(params)} rows", f"{len(params)} dues")
    return len(params)


# -- arrears -------------------------------------------------------------------


def _unpaid_rows(store: Store, where: str, params: tuple[object, ...]) -> list[DuesRecord]:
    """Records still unpaid today (not waived, paid < due): a settled month
    and a missing month both break a run, so only these are needed."""
    rows = store.query(
        f"SELECT * FROM {TABLE} WHERE {where} AND {unpaid_sql(store.dialect)}",
        params,
    )
    return [_load(r) for r in rows]


def arrears_of(
    store: Store, person_ids: Sequence[str], today: date, config: DuesConfig = DEFAULT_CONFIG
) -> dict[str, MemberArrears]:
    """Current arrears of each member (months up to last month, paid by today)."""
    as_of = arrears_month(today)
    start = add_months(as_of, -ARREARS_LOOKBACK_MONTHS)
    by_person: dict[str, list[DuesRecord]] = {pid: [] for pid in person_ids}
    ids = list(by_person)
    for part in chunks(ids):
        for r in _unpaid_rows(
            store,
            f"person_id IN ({marks(part)}) AND month BETWEEN ? AND ?",
            (*part, start.isoformat(), as_of.isoformat()),
        ):
            by_person[r.person_id].append(r)
    return {
        pid: member_arrears(recs, as_of, config, payments_until=today)
        for pid, recs in by_person.items()
    }


def branch_arrears(
    store: Store, branch_ids: Sequence[str], today: date, config: DuesConfig = DEFAULT_CONFIG
) -> list[MemberArrears]:
    """Members with an alert (≥3 consecutive months) among records the
    branches collected, longest run first."""
    as_of = arrears_month(today)
    start = add_months(as_of, -ARREARS_LOOKBACK_MONTHS)
    by_person: dict[str, list[DuesRecord]] = {}
    ids = list(dict.fromkeys(branch_ids))
    for part in chunks(ids):
        for r in _unpaid_rows(
            store,
            f"branch_id IN ({marks(part)}) AND month BETWEEN ? AND ?",
            (*part, start.isoformat(), as_of.isoformat()),
        ):
            by_person.setdefault(r.person_id, []).append(r)
    found = [
        member_arrears(recs, as_of, config, payments_until=today) for recs in by_person.values()
    ]
    alerts = [a for a in found if a.alert is not None]
    return sorted(alerts, key=lambda a: (-a.consecutive_months, a.person_id))


# -- the monthly grid ----------------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    person: Person
    record: DuesRecord  # saved (version ≥ 1) or proposed (version 0)
    base_known: bool  # False: no base on record yet, due is 0 until one is set
    arrears: MemberArrears


def pays_in(person: Person, month: date) -> bool:
    """预备党员 pay from the month the 支部大会 adopted them (docs/RULES.md#dues)."""
    if person.status is PoliticalStatus.PROBATIONARY and person.joined_party:
        return month_start(person.joined_party) <= month_start(month)
    return person.is_member


def month_grid(
    store: Store,
    branch_id: str,
    month: date,
    today: date,
    config: DuesConfig = DEFAULT_CONFIG,
) -> list[GridRow]:
    """Every member who owes dues to the branch for *month*, with their record.

    Members without a record get a proposed one (not saved) carrying their
    latest base and kind; people who left but have a record stay listed.
    """
    m = month_start(month)
    members = [p for p in people_store.members_of(store, branch_id) if pays_in(p, m)]
    # A member who moved in may already have this month's record (unique per
    # person and month): show it rather than propose a second one.
    saved = {r.person_id: r for r in for_branch(store, branch_id, m, m)}
    saved.update({r.person_id: r for r in for_people(store, [p.id for p in members], m, m)})
    listed = {p.id for p in members}
    others = people_store.get_many(store, [i for i in saved if i not in listed])
    everyone = members + sorted(others, key=lambda p: p.name)
    missing = [p.id for p in everyone if p.id not in saved]
    previous = latest_before(store, missing, m)
    arrears = arrears_of(store, [p.id for p in everyone], today, config)
    rows: list[GridRow] = []
    for p in everyone:
        if p.id in saved:
            rec, known = saved[p.id], True
        elif p.id in previous:
            prev = previous[p.id]
            rec, known = make_record(p.id, m, prev.base_fen, prev.kind, config), True
            rec = rec.model_copy(update={"method": prev.method})
        else:
            rec, known = make_record(p.id, m, 0, config=config), False
        rows.append(GridRow(p, rec, known, arrears[p.id]))
    return rows


def months_summary(
    store: Store, branch_ids: Sequence[str], start: date, end: date
) -> list[BranchDuesSummary]:
    """Payment rate per month start..end over the branches' records."""
    records: list[DuesRecord] = []
    for b in dict.fromkeys(branch_ids):
        records += for_branch(store, b, start, end)
    out: list[BranchDuesSummary] = []
    m = month_start(start)
    while m <= month_start(end):
        out.append(branch_month_summary(records, m))
        m = add_months(m, 1)
    return out
