"""Repository for the organisation tree."""

from __future__ import annotations

import sqlite3

from domain.org import OrgKind, OrgUnit
from domain.people_codes import CommitteePost, PoliticalStatus
from storage import counters
from storage.db import Store
from storage.records import save_row

_COLS = ("name", "kind", "parent_id", "shift_pattern", "sort_order")


def _row_to_unit(row: dict) -> OrgUnit:
    return OrgUnit.model_validate(row)


def save(store: Store, unit: OrgUnit, *, conn: sqlite3.Connection | None = None) -> OrgUnit:
    cols = {k: getattr(unit, k) for k in _COLS}
    return save_row(store, "org_units", unit, cols, conn=conn)


def get(store: Store, unit_id: str) -> OrgUnit | None:
    row = store.query_one("SELECT * FROM org_units WHERE id=?", (unit_id,))
    return None if row is None else _row_to_unit(row)


def all_units(store: Store) -> list[OrgUnit]:
    rows = store.query("SELECT * FROM org_units ORDER BY sort_order, name")
    return [_row_to_unit(r) for r in rows]


def children(store: Store, parent_id: str | None) -> list[OrgUnit]:
    if parent_id is None:
        rows = store.query("SELECT * FROM org_units WHERE parent_id IS NULL ORDER BY sort_order")
    else:
        rows = store.query(
            "SELECT * FROM org_units WHERE parent_id=? ORDER BY sort_order, name", (parent_id,)
        )
    return [_row_to_unit(r) for r in rows]


def branches(store: Store) -> list[OrgUnit]:
    rows = store.query(
        "SELECT * FROM org_units WHERE kind=? ORDER BY sort_order, name", (OrgKind.BRANCH.value,)
    )
    return [_row_to_unit(r) for r in rows]


def find_by_name(store: Store, name: str, kind: OrgKind | None = None) -> OrgUnit | None:
    if kind is None:
        row = store.query_one("SELECT * FROM org_units WHERE name=? LIMIT 1", (name,))
    else:
        row = store.query_one(
            "SELECT * FROM org_units WHERE name=? AND kind=? LIMIT 1", (name, kind.value)
        )
    return None if row is None else _row_to_unit(row)


def member_counts(store: Store) -> dict[str, int]:
    """People per branch, from the branch index."""
    rows = store.query("SELECT branch_id, count(*) AS n FROM people GROUP BY branch_id")
    return {r["branch_id"]: r["n"] for r in rows if r["branch_id"]}


def lookup_maps(store: Store) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(branch name → id, (branch id, group name) → id) for imports."""
    units = all_units(store)
    branch_ids = {u.name: u.id for u in units if u.kind is OrgKind.BRANCH}
    group_ids = {
        (u.parent_id, u.name): u.id for u in units if u.kind is OrgKind.GROUP and u.parent_id
    }
    return branch_ids, group_ids


def branch_overview(store: Store, *, limit: int = 50) -> list[dict]:
    """The first page of branches with head counts and secretary, in one query
    (the people_branch index answers the counts; no per-branch round trips)."""
    return store.query(
        "WITH b AS (SELECT id, name, shift_pattern, sort_order FROM org_units WHERE kind=?"
        " ORDER BY sort_order, name LIMIT ?)"
        " SELECT b.id, b.name, b.shift_pattern,"
        " (SELECT count(*) FROM people p WHERE p.branch_id=b.id) AS n,"
        " (SELECT count(*) FROM people p WHERE p.branch_id=b.id AND p.status=?) AS full,"
        " (SELECT count(*) FROM people p WHERE p.branch_id=b.id AND p.status=?) AS prob,"
        " (SELECT name FROM people p WHERE p.branch_id=b.id AND p.post=? LIMIT 1) AS secretary"
        " FROM b ORDER BY b.sort_order, b.name",
        (
            OrgKind.BRANCH.value,
            limit,
            PoliticalStatus.FULL.value,
            PoliticalStatus.PROBATIONARY.value,
            CommitteePost.SECRETARY.value,
        ),
    )


def count_branches(store: Store) -> int:
    """Kept by triggers (migration 3)."""
    return counters.branches(store)
