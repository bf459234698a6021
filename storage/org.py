"""Repository for the organisation tree."""

from __future__ import annotations

from typing import Any

from domain.org import OrgKind, OrgUnit
from storage.db import Store
from storage.records import save_row
from storage.sql import Connection

_COLS = ("name", "kind", "parent_id", "shift_pattern", "sort_order")


def _row_to_unit(row: dict[str, Any]) -> OrgUnit:
    return OrgUnit.model_validate(row)


def save(store: Store, unit: OrgUnit, *, conn: Connection | None = None) -> OrgUnit:
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


def lookup_maps(store: Store) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(branch name → id, (branch id, group name) → id) for imports."""
    units = all_units(store)
    branch_ids = {u.name: u.id for u in units if u.kind is OrgKind.BRANCH}
    group_ids = {
        (u.parent_id, u.name): u.id for u in units if u.kind is OrgKind.GROUP and u.parent_id
    }
    return branch_ids, group_ids
