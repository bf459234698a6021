"""Repository for 一人一事 follow-ups and the per-branch trigger catalogue.

A follow-up is stored whole as JSON (``data``) with the columns queries
filter on copied alongside (status, level, dates, branch, responsible,
private). Every list is paged in SQL on those index columns.

Privacy (docs/SECURITY.md#private-details-and-exports): the readers here
return full records. Nothing outside services.private_details may call
them; that module applies the one rule for private details (a test
enumerates the callers).

On PostgreSQL the database holds to the rule as well
(docs/SECURITY.md#postgresql): a private case's full record is saved to
followup_private, under row-level security, and ``data`` keeps the redacted
copy; the readers read the view followups_full, which gives the full record
only where the connection's role may read it. So a caller that bypassed
services.private_details still gets the redacted case.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.followups import FollowUp, FollowUpConfig, Level, Status
from domain.people import Person
from domain.triggers import TriggerCatalogue, default_catalogue
from storage import audit, drafts
from storage import people as people_store
from storage.accounts import Viewer
from storage.db import Store
from storage.errors import StorageError
from storage.followup_home import OPEN_SQL, TABLE, full_source
from storage.records import META_FIELDS, load_document, save_document, to_db
from storage.sql import Connection, dialect_of, savepoint

TEMPLATES = "branch_templates"
TRIGGERS_KIND = "triggers"
CONFIG_KIND = "followup_config"
PAGE = 100
PRIVATE = "followup_private"
INTEGRITY_MESSAGE = "未能保存：对象、责任人或支部已不在花名册中，请重新选择后再保存。"


class Scope(StrEnum):
    MINE = "我的"
    BRANCH = "本支部"
    OVERDUE = "逾期"


@dataclass(frozen=True)
class ListQuery:
    """What a list shows. ``branch_id`` None means every branch; ``open_only``
    keeps the statuses still being worked on (OPEN_STATUSES)."""

    scope: Scope = Scope.BRANCH
    branch_id: str | None = None
    status: Status | None = None
    open_only: bool = False
    level: Level | None = None
    responsible_id: str | None = None


# --- saving -----------------------------------------------------------------


def _index_columns(fu: FollowUp) -> dict[str, object]:
    return {
        "branch_id": fu.branch_id,
        "person_id": fu.person_id,
        "responsible_id": fu.responsible_id,
        "status": fu.status.value,
        "level": fu.level.value,
        "found_on": fu.found_on,
        "next_contact": fu.next_contact,
        "private": fu.private,
    }


def save(
    store: Store,
    fu: FollowUp,
    *,
    conn: Connection | None = None,
    draft: drafts.DraftRef | None = None,
) -> FollowUp:
    """Insert (version 0) or update with the optimistic version check; *draft*
    is discarded in the same transaction."""
    if fu.is_redacted:
        # A redacted copy has blanked fields; saving it would destroy the case.
        raise StorageError("保密事项的隐去版本不能保存。")
    try:
        with store.write() if conn is None else nullcontext(conn) as c:
            with savepoint(conn, "followup_save"):  # a caller may carry on after a refusal
                if dialect_of(c) == "postgresql":
                    saved = _save_pg(store, fu, c)
                else:
                    saved = save_document(store, TABLE, fu, _index_columns(fu), conn=c)
                drafts.discard_in(c, draft)
            return saved
    except sqlite3.IntegrityError:
        # A foreign key: the worker, member or branch left the roster meanwhile.
        raise StorageError(INTEGRITY_MESSAGE) from None


def _save_pg(store: Store, fu: FollowUp, c: Connection) -> FollowUp:
    """PostgreSQL: followups gets the redacted copy of a private case and
    followup_private the full record (the policy's branch and responsible
    member with it); a case no longer private leaves followup_private."""
    from domain.followups import redacted

    if not fu.private:
        saved = save_document(store, TABLE, fu, _index_columns(fu), conn=c)
        c.execute(f"DELETE FROM {PRIVATE} WHERE id=?", (fu.id,))
        return saved
    # The worker's id stays out of followups too: redacted() blanks it.
    columns = {**_index_columns(fu), "person_id": None}
    shell = save_document(store, TABLE, redacted(fu), columns, conn=c)
    body = fu.model_dump(mode="json", exclude=set(META_FIELDS))
    # A row this role may not read cannot be updated (the policy's USING):
    # the upsert then fails and the whole save rolls back.
    c.execute(
        f"INSERT INTO {PRIVATE}(id, branch_id, responsible_id, person_id, data)"
        " VALUES (?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET branch_id=excluded.branch_id,"
        " responsible_id=excluded.responsible_id, person_id=excluded.person_id,"
        " data=excluded.data",
        (fu.id, fu.branch_id, fu.responsible_id or None, fu.person_id or None,
         json.dumps(body, ensure_ascii=False)),
    )  # fmt: skip
    return fu.model_copy(update={k: getattr(shell, k) for k in META_FIELDS})


def file_new(
    store: Store,
    fu: FollowUp,
    *,
    new_person: Person | None = None,
    draft: drafts.DraftRef | None = None,
) -> tuple[FollowUp, Person | None]:
    """File a new case; when the worker was typed in as new, add them to the
    roster in the same transaction (both or neither)."""
    try:
        with store.write() as c:
            person = people_store.save(store, new_person, conn=c) if new_person else None
            return save(store, fu, conn=c, draft=draft), person
    except sqlite3.IntegrityError:
        raise StorageError(INTEGRITY_MESSAGE) from None


# --- reading ----------------------------------------------------------------


def _load(row: dict[str, Any]) -> FollowUp:
    return load_document(row, FollowUp)


def outward_row(row: dict[str, Any]) -> dict[str, Any]:
    """A stored followups row with the redacted case in it (domain.followups.
    redacted): what leaves the site when private details stay there. Only
    services.private_details.for_hub calls it (docs/SYNC.md#private-details)."""
    from domain.followups import redacted

    fu = redacted(_load(row))
    out = dict(row)
    out.update({k: to_db(v) for k, v in _index_columns(fu).items()})
    out["person_id"] = None  # blanked; the column references people
    body = fu.model_dump(mode="json", exclude=set(META_FIELDS))
    out["data"] = json.dumps(body, ensure_ascii=False)
    return out


def get(store: Store, fu_id: str) -> FollowUp | None:
    """The full record (callers: services.private_details only)."""
    row = store.query_one(f"SELECT * FROM {full_source(store)} WHERE id=?", (fu_id,))
    return None if row is None else _load(row)


def _where(
    query: ListQuery, today: date, viewer: Viewer
) -> tuple[list[str], dict[str, Any]] | None:
    where: list[str] = []
    params: dict[str, object] = {"today": today.isoformat()}
    if query.scope is Scope.MINE:
        if not viewer.mapped:
            return None  # nobody to be "mine"; the screen explains how to map
        where.append("responsible_id = :me")
        params["me"] = viewer.person_id
    if query.scope is Scope.OVERDUE:
        where += [f"status IN {OPEN_SQL}", "next_contact < :today"]
    if query.branch_id:
        where.append("branch_id = :branch")
        params["branch"] = query.branch_id
    if query.status is not None:
        where.append("status = :status")
        params["status"] = query.status.value
    elif query.open_only and query.scope is not Scope.OVERDUE:
        where.append(f"status IN {OPEN_SQL}")
    if query.level is not None:
        where.append("level = :level")
        params["level"] = query.level.value
    if query.responsible_id and query.scope is not Scope.MINE:
        where.append("responsible_id = :resp")
        params["resp"] = query.responsible_id
    return where, params


_ORDER = {
    # Most pressing first; closed cases (no next date) after open ones.
    Scope.MINE: "next_contact IS NULL, next_contact, found_on DESC, id",
    Scope.OVERDUE: "next_contact, found_on, id",
    Scope.BRANCH: "found_on DESC, id",
}


def list_page(
    store: Store,
    query: ListQuery,
    *,
    today: date,
    viewer: Viewer,
    offset: int = 0,
    limit: int = PAGE,
) -> list[FollowUp]:
    """One page of full records; *viewer* only says whose 我的 is."""
    built = _where(query, today, viewer)
    if built is None:
        return []
    where, params = built
    sql = f"SELECT * FROM {full_source(store)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {_ORDER[query.scope]} LIMIT :limit OFFSET :offset"
    rows = store.query(sql, {**params, "limit": limit, "offset": max(0, offset)})
    return [_load(r) for r in rows]


def count(store: Store, query: ListQuery, *, today: date, viewer: Viewer) -> int:
    built = _where(query, today, viewer)
    if built is None:
        return 0
    where, params = built
    sql = f"SELECT count(*) FROM {TABLE}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return int(store.scalar(sql, params) or 0)


def for_ledger(store: Store, branch_id: str, end: date) -> list[FollowUp]:
    """Full records of a branch found by *end*, oldest first, for
    exports.ledger.for_period to trim (callers: services.private_details)."""
    rows = store.query(
        f"SELECT * FROM {full_source(store)} WHERE branch_id=? AND found_on<=?"
        " ORDER BY found_on, id",
        (branch_id, end.isoformat()),
    )
    return [_load(r) for r in rows]


def not_closed_for_person(store: Store, person_id: str) -> list[FollowUp]:
    """Full records of the person's cases not yet 销号, newest first
    (callers: services.private_details only)."""
    rows = store.query(
        f"SELECT * FROM {full_source(store)} WHERE person_id=? AND status<>?"
        " ORDER BY found_on DESC, id",
        (person_id, Status.CLOSED.value),
    )
    return [_load(r) for r in rows]


def branches_with_cases(store: Store, end: date) -> list[str]:
    """Ids of branches with at least one case found by *end*."""
    rows = store.query(
        f"SELECT DISTINCT branch_id FROM {TABLE} WHERE found_on<=? AND branch_id IS NOT NULL",
        (end.isoformat(),),
    )
    return [r["branch_id"] for r in rows]


# --- per-branch catalogue and settings --------------------------------------


def _template_row(
    c: Connection | Store, branch_id: str, kind: str
) -> dict[str, Any] | None:
    sql = f"SELECT * FROM {TEMPLATES} WHERE org_id=? AND kind=?"
    if isinstance(c, Store):
        return c.query_one(sql, (branch_id, kind))
    cur = c.execute(sql, (branch_id, kind))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))


def catalogue(
    store: Store, branch_id: str, *, conn: Connection | None = None
) -> TriggerCatalogue:
    """The branch's 必谈/必访 list, seeded with the V2 defaults on first use."""
    row = _template_row(conn or store, branch_id, TRIGGERS_KIND)
    if row is not None:
        return load_document(row, TriggerCatalogue)

    def seed(c: Connection) -> TriggerCatalogue:
        # Checked again inside BEGIN IMMEDIATE: another process may have seeded it.
        again = _template_row(c, branch_id, TRIGGERS_KIND)
        if again is not None:
            return load_document(again, TriggerCatalogue)
        return save_catalogue(store, default_catalogue(branch_id), conn=c)

    if conn is not None:
        return seed(conn)
    with store.write() as c:
        return seed(c)


def save_catalogue(
    store: Store, cat: TriggerCatalogue, *, conn: Connection | None = None
) -> TriggerCatalogue:
    """Save an edited catalogue (version-checked, audited)."""
    return save_document(
        store, TEMPLATES, cat, {"org_id": cat.branch_id, "kind": TRIGGERS_KIND}, conn=conn
    )


def config(
    store: Store, branch_id: str, default: FollowUpConfig | None = None
) -> FollowUpConfig:
    """The branch's intervals: a stored override (kind 'followup_config',
    the FollowUpConfig fields as JSON) or *default* (the configuration
    file's [rules.followups]), else the defaults (docs/RULES.md#follow-ups)."""
    row = _template_row(store, branch_id, CONFIG_KIND)
    if row is None:
        return default or FollowUpConfig()
    return FollowUpConfig.model_validate(json.loads(row["data"]))


# --- access log -------------------------------------------------------------


def log_access(store: Store, action: str, record_id: str, detail: str = "") -> None:
    """Audit a read of sensitive data (opening a private case, exporting a
    ledger): docs/ARCHITECTURE.md#storage. Detail names fields, never values."""
    with store.write() as c:
        audit.append(c, store.actor, action, TABLE, record_id, detail)
