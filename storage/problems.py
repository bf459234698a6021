"""问题清单 rows (storage of domain.problems.Problem) and the union with the
决议 action items, so the list, the agenda and the 整改台账 read one shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from domain.action_codes import ActionKind
from domain.problems import Entry, Problem, ProblemSource, ProblemState, entry_of
from storage.db import Store
from storage.records import load_document, save_document
from storage.sql import Connection

TABLE = "problems"


def _index(p: Problem) -> dict[str, object]:
    return {
        "branch_id": p.branch_id,
        "state": p.state.value,
        "deadline": p.deadline,
        "found_on": p.found_on,
        "meeting_id": p.meeting_id,
    }


def save(store: Store, p: Problem, *, conn: Connection | None = None) -> Problem:
    return save_document(store, TABLE, p, _index(p), conn=conn)


def get(store: Store, problem_id: str) -> Problem | None:
    row = store.query_one(f"SELECT * FROM {TABLE} WHERE id=?", (problem_id,))
    return None if row is None else load_document(row, Problem)


def problems(
    store: Store, branch_ids: Sequence[str] | None = None, *, open_only: bool = False
) -> list[Problem]:
    where, params = _where(branch_ids, "branch_id")
    if open_only:
        where.append("state != ?")
        params.append(ProblemState.CLOSED.value)
    sql = f"SELECT * FROM {TABLE}" + (f" WHERE {' AND '.join(where)}" if where else "")
    rows = store.query(sql + " ORDER BY deadline IS NULL, deadline, rowid", tuple(params))
    return [load_document(r, Problem) for r in rows]


def _where(branch_ids: Sequence[str] | None, column: str) -> tuple[list[str], list[Any]]:
    if branch_ids is None:
        return [], []
    marks = ",".join("?" * len(branch_ids)) or "NULL"
    return [f"{column} IN ({marks})"], list(branch_ids)


def _decision_branch_sql() -> str:
    # A 党小组's meeting belongs to its branch.
    return (
        "CASE WHEN o.kind = '党小组' THEN o.parent_id ELSE o.id END"
    )


def decisions(
    store: Store, branch_ids: Sequence[str] | None = None, *, open_only: bool = False
) -> list[Entry]:
    """The 决议 action items as entries of the list (state: open or closed)."""
    branch = _decision_branch_sql()
    sql = (
        "SELECT a.id, a.text, a.source, a.owner_id, a.owner_name, a.deadline, a.closed_at,"
        f" a.meeting_id,"
        f" m.date AS meeting_date, {branch} AS branch_id,"
        f" coalesce(b.name, o.name, '') AS branch_name"
        " FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
        " LEFT JOIN org_units o ON o.id = m.org_id"
        f" LEFT JOIN org_units b ON b.id = ({branch})"
        " WHERE a.kind = ? AND m.superseded = 0"  # a corrected record's 决议 live on its new version
    )
    params: list[Any] = [ActionKind.DECISION.value]
    if open_only:
        sql += " AND a.closed_at IS NULL"
    rows = store.query(sql + " ORDER BY a.deadline IS NULL, a.deadline, a.rowid", tuple(params))
    wanted = None if branch_ids is None else set(branch_ids)
    out: list[Entry] = []
    for r in rows:
        if wanted is not None and r["branch_id"] not in wanted:
            continue
        closed = r["closed_at"]
        out.append(
            Entry(
                id=r["id"], is_decision=True, branch_id=r["branch_id"] or "",
                branch_name=r["branch_name"], source=ProblemSource.DECISION,
                source_text=r["source"] or "",
                found_on=dt.date.fromisoformat(r["meeting_date"]) if r["meeting_date"] else None,
                text=r["text"], measures="", owner_name=r["owner_name"] or "",
                deadline=dt.date.fromisoformat(r["deadline"]) if r["deadline"] else None,
                verifier_name="",
                state=ProblemState.CLOSED if closed else ProblemState.OPEN,
                meeting_id=r["meeting_id"],
                verified_on=dt.date.fromisoformat(closed[:10]) if closed else None,
                owner_id=r["owner_id"],
            )
        )  # fmt: skip
    return out


def entries(
    store: Store, branch_ids: Sequence[str] | None = None, *, open_only: bool = False
) -> list[Entry]:
    """The one 问题清单: filed problems and 决议, unsorted."""
    filed = [entry_of(p) for p in problems(store, branch_ids, open_only=open_only)]
    return filed + decisions(store, branch_ids, open_only=open_only)
