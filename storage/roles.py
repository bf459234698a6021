"""Granted roles, mapping requests and PIN hashes (tables of migration 8).

Every change is written with its audit row in one transaction. A revoked
grant keeps its row (revoked_at/revoked_by): who held what, when, stays
readable. Rules (who may grant, one 书记 per branch) are checked in
services.identity; the unique indexes are the last line if two sessions race.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from domain.roles import Role, RoleGrant
from storage import audit
from storage.db import Store, now_iso
from storage.errors import StorageError
from storage.in_lists import marks
from storage.sql import Connection


def new_id() -> str:
    # domain.records.new_id, without importing pydantic at start-up (the app
    # reads the idle limit here before the home screen).
    return uuid.uuid4().hex


GRANTS = "role_grants"
REQUESTS = "account_requests"
PINS = "account_pins"
ACCOUNTS = "accounts"
SHARED = "shared_accounts"

PENDING = "待批准"
APPROVED = "已批准"
REJECTED = "已拒绝"
WITHDRAWN = "已撤回"


class RoleConflict(StorageError):
    """A unique index refused the grant (another session granted it first)."""


def _audit(c: Connection, actor: str, action: str, table: str, rid: str,
           detail: str = "") -> None:  # fmt: skip
    audit.append(c, actor, action, table, rid, detail, content=audit.content_hash(c, table, rid))


# --- grants -----------------------------------------------------------------


def _live(store: Store, column: str, value: str) -> tuple[RoleGrant, ...]:
    rows = store.query(
        f"SELECT role, branch_id FROM {GRANTS} WHERE {column}=? AND revoked_at IS NULL"
        " ORDER BY granted_at, id",
        (value,),
    )
    out: list[RoleGrant] = []
    for r in rows:
        try:
            out.append(RoleGrant(Role(r["role"]), r["branch_id"]))
        except ValueError:
            continue  # a role name this version does not know grants nothing
    return tuple(dict.fromkeys(out))


def live_grants(store: Store, account: str) -> tuple[RoleGrant, ...]:
    return _live(store, "account", account)


def person_grants(store: Store, person_id: str) -> tuple[RoleGrant, ...]:
    """The live grants naming *person_id*, whichever account they were given
    to: what a person signed in on a shared account acts with."""
    return _live(store, "person_id", person_id)


def admin_granted(store: Store) -> bool:
    """Whether any live 管理员 grant exists (then the file owner is no longer
    administrator by owning the file)."""
    return (
        store.scalar(
            f"SELECT 1 FROM {GRANTS} WHERE role=? AND revoked_at IS NULL LIMIT 1",
            (Role.ADMIN.value,),
        )
        is not None
    )


def secretary_grant(store: Store, branch_id: str) -> dict[str, Any] | None:
    """The live 书记 grant of *branch_id* (account, person_id), if any."""
    return store.query_one(
        f"SELECT id, account, person_id FROM {GRANTS}"
        " WHERE role=? AND branch_id=? AND revoked_at IS NULL",
        (Role.SECRETARY.value, branch_id),
    )


def secretary_person_ids(store: Store, branch_ids: list[str]) -> dict[str, str]:
    """branch id → the person id of its granted 书记 (absent when none)."""
    if not branch_ids:
        return {}
    rows = store.query(
        f"SELECT branch_id, person_id FROM {GRANTS} WHERE role=? AND revoked_at IS NULL"
        f" AND person_id IS NOT NULL AND branch_id IN ({marks(branch_ids)})",
        (Role.SECRETARY.value, *branch_ids),
    )
    return {r["branch_id"]: r["person_id"] for r in rows}


def _map_in(c: Connection, actor: str, account: str, person_id: str) -> None:
    """Map *account* to *person_id* inside an open write (one person, one account)."""
    other = c.execute(
        f"SELECT os_user FROM {ACCOUNTS} WHERE person_id=? AND os_user<>?",
        (person_id, account),
    ).fetchone()
    if other is not None:
        raise RoleConflict(f"此人已对应账户 {other[0]}；一人只能对应一个账户，请先撤销那个账户")
    now = now_iso()
    c.execute(
        f"INSERT INTO {ACCOUNTS}(os_user, person_id, created_at, updated_at, updated_by, version)"
        " VALUES (?,?,?,?,?,1) ON CONFLICT(os_user) DO UPDATE SET"
        " person_id=excluded.person_id, updated_at=excluded.updated_at,"
        " updated_by=excluded.updated_by, version=accounts.version+1",
        (account, person_id, now, now, actor),
    )
    audit.append(c, actor, "map", ACCOUNTS, account, "person_id")


def grant(
    store: Store, account: str, role: Role, *, person_id: str | None, branch_id: str | None
) -> str:
    """Add a live grant (mapping *account* to *person_id* too); its id."""
    gid = new_id()
    try:
        with store.write() as c:
            if person_id:
                _map_in(c, store.actor, account, person_id)
            c.execute(
                f"INSERT INTO {GRANTS}(id, account, person_id, role, branch_id, granted_by,"
                " granted_at) VALUES (?,?,?,?,?,?,?)",
                (gid, account, person_id, role.value, branch_id, store.actor, now_iso()),
            )
            _audit(c, store.actor, "grant", GRANTS, gid, f"role={role.value}")
    except StorageError as e:
        if isinstance(e.__cause__, sqlite3.IntegrityError):
            raise RoleConflict(
                "这个角色已被授予（可能是另一处刚刚授予的），请先查看 admin list"
            ) from e
        raise
    return gid


def revoke(store: Store, account: str, role: Role, branch_id: str | None) -> int:
    """Revoke the live grants matching (all branches when *branch_id* is None)."""
    sql = f"SELECT id FROM {GRANTS} WHERE account=? AND role=? AND revoked_at IS NULL"
    params: list[Any] = [account, role.value]
    if branch_id is not None:
        sql += " AND branch_id=?"
        params.append(branch_id)
    with store.write() as c:
        ids = [r[0] for r in c.execute(sql, params)]
        now = now_iso()
        for gid in ids:
            c.execute(
                f"UPDATE {GRANTS} SET revoked_at=?, revoked_by=? WHERE id=?",
                (now, store.actor, gid),
            )
            _audit(c, store.actor, "revoke", GRANTS, gid, f"role={role.value}")
        return len(ids)


@dataclass(frozen=True)
class GrantRow:
    account: str
    role: str
    person_name: str
    branch_name: str
    granted_by: str
    granted_at: str
    revoked_by: str
    revoked_at: str


def all_grants(store: Store, *, include_revoked: bool = False) -> list[GrantRow]:
    where = "" if include_revoked else " WHERE g.revoked_at IS NULL"
    rows = store.query(
        "SELECT g.account, g.role, coalesce(p.name, '') AS person_name,"
        " coalesce(o.name, '') AS branch_name, g.granted_by, g.granted_at,"
        " coalesce(g.revoked_by, '') AS revoked_by, coalesce(g.revoked_at, '') AS revoked_at"
        f" FROM {GRANTS} g LEFT JOIN people p ON p.id = g.person_id"
        f" LEFT JOIN org_units o ON o.id = g.branch_id{where}"
        " ORDER BY g.account, g.granted_at",
    )
    return [GrantRow(**r) for r in rows]


def mapped_person(store: Store, account: str) -> str | None:
    value = store.scalar(f"SELECT person_id FROM {ACCOUNTS} WHERE os_user=?", (account,))
    return None if value is None else str(value)


def unmap(store: Store, account: str) -> bool:
    with store.write() as c:
        cur = c.execute(f"DELETE FROM {ACCOUNTS} WHERE os_user=?", (account,))
        if cur.rowcount:
            audit.append(c, store.actor, "unmap", ACCOUNTS, account)
        return bool(cur.rowcount)


# --- mapping requests -------------------------------------------------------


@dataclass(frozen=True)
class Request:
    id: str
    account: str
    person_id: str
    person_name: str
    branch_id: str | None
    branch_name: str
    status: str
    requested_at: str


_REQ_SELECT = (
    "SELECT r.id, r.account, r.person_id, coalesce(p.name, '') AS person_name, r.branch_id,"
    " coalesce(o.name, '') AS branch_name, r.status, r.requested_at"
    f" FROM {REQUESTS} r LEFT JOIN people p ON p.id = r.person_id"
    " LEFT JOIN org_units o ON o.id = r.branch_id"
)


def file_request(store: Store, account: str, person_id: str, branch_id: str | None) -> str:
    """A pending request (replacing this account's earlier pending one)."""
    rid = new_id()
    with store.write() as c:
        for (old,) in c.execute(
            f"SELECT id FROM {REQUESTS} WHERE account=? AND status=?", (account, PENDING)
        ).fetchall():
            c.execute(
                f"UPDATE {REQUESTS} SET status=?, decided_by=?, decided_at=? WHERE id=?",
                (WITHDRAWN, store.actor, now_iso(), old),
            )
            _audit(c, store.actor, "withdraw", REQUESTS, old)
        c.execute(
            f"INSERT INTO {REQUESTS}(id, account, person_id, branch_id, status, requested_at)"
            " VALUES (?,?,?,?,?,?)",
            (rid, account, person_id, branch_id, PENDING, now_iso()),
        )
        _audit(c, store.actor, "request", REQUESTS, rid, "person_id")
    return rid


def pending(store: Store, account: str) -> Request | None:
    row = store.query_one(_REQ_SELECT + " WHERE r.account=? AND r.status=?", (account, PENDING))
    return None if row is None else Request(**row)


def pending_requests(store: Store, branch_ids: frozenset[str] | None = None) -> list[Request]:
    """Pending requests (only those of *branch_ids* when given)."""
    rows = store.query(_REQ_SELECT + " WHERE r.status=? ORDER BY r.requested_at", (PENDING,))
    out = [Request(**r) for r in rows]
    if branch_ids is not None:
        out = [r for r in out if r.branch_id in branch_ids]
    return out


def get_request(store: Store, request_id: str) -> Request | None:
    row = store.query_one(_REQ_SELECT + " WHERE r.id=?", (request_id,))
    return None if row is None else Request(**row)


def decide(store: Store, req: Request, *, approve: bool) -> None:
    """Approve (map the account, grant 党员 of the branch) or reject, audited."""
    with store.write() as c:
        cur = c.execute(
            f"UPDATE {REQUESTS} SET status=?, decided_by=?, decided_at=? WHERE id=? AND status=?",
            (APPROVED if approve else REJECTED, store.actor, now_iso(), req.id, PENDING),
        )
        if not cur.rowcount:
            raise StorageError("这条申请已被处理（可能是另一处刚刚处理的）")
        _audit(c, store.actor, "approve" if approve else "reject", REQUESTS, req.id)
        if not approve:
            return
        _map_in(c, store.actor, req.account, req.person_id)
        live = c.execute(
            f"SELECT 1 FROM {GRANTS} WHERE account=? AND role=? AND coalesce(branch_id,'')=?"
            " AND revoked_at IS NULL",
            (req.account, Role.MEMBER.value, req.branch_id or ""),
        ).fetchone()
        if live is None:
            gid = new_id()
            c.execute(
                f"INSERT INTO {GRANTS}(id, account, person_id, role, branch_id, granted_by,"
                " granted_at) VALUES (?,?,?,?,?,?,?)",
                (gid, req.account, req.person_id, Role.MEMBER.value, req.branch_id,
                 store.actor, now_iso()),
            )  # fmt: skip
            _audit(c, store.actor, "grant", GRANTS, gid, f"role={Role.MEMBER.value}")


# --- PINs -------------------------------------------------------------------


@dataclass(frozen=True)
class PinRow:
    salt: bytes
    hash: bytes
    params: str
    failures: int
    locked_until: str | None


def pin_row(store: Store, account: str) -> PinRow | None:
    row = store.query_one(
        f"SELECT salt, hash, params, failures, locked_until FROM {PINS} WHERE account=?",
        (account,),
    )
    return None if row is None else PinRow(**row)


def person_key(person_id: str) -> str:
    """The account_pins key of a personal PIN. Account names never contain
    parentheses (services.identity refuses them), so it cannot collide."""
    return f"(person {person_id})"


def has_pin(store: Store, account: str) -> bool:
    return store.scalar(f"SELECT 1 FROM {PINS} WHERE account=?", (account,)) is not None


def set_pin(store: Store, account: str, salt: bytes, digest: bytes, params: str) -> None:
    """Set or reset; a reset also clears failures and any lockout."""
    with store.write() as c:
        c.execute(
            f"INSERT INTO {PINS}(account, salt, hash, params, set_by, set_at, failures,"
            " locked_until) VALUES (?,?,?,?,?,?,0,NULL) ON CONFLICT(account) DO UPDATE SET"
            " salt=excluded.salt, hash=excluded.hash, params=excluded.params,"
            " set_by=excluded.set_by, set_at=excluded.set_at, failures=0, locked_until=NULL",
            (account, salt, digest, params, store.actor, now_iso()),
        )
        audit.append(c, store.actor, "pin_set", PINS, account)  # never the PIN or its hash


def record_attempt(
    store: Store, account: str, *, ok: bool, failures: int, locked_until: str | None
) -> None:
    """Store the attempt's outcome (failure count, lockout) and audit it."""
    with store.write() as c:
        c.execute(
            f"UPDATE {PINS} SET failures=?, locked_until=? WHERE account=?",
            (failures, locked_until, account),
        )
        action = "pin_ok" if ok else ("pin_lockout" if locked_until else "pin_fail")
        audit.append(c, store.actor, action, PINS, account, f"failures={failures}")


# --- shared accounts ------------------------------------------------------


def is_shared(store: Store, account: str) -> bool:
    return store.scalar(f"SELECT 1 FROM {SHARED} WHERE account=?", (account,)) is not None


def set_shared(store: Store, account: str, on: bool) -> bool:
    """Mark or unmark *account* as shared, audited; whether anything changed."""
    with store.write() as c:
        if on:
            cur = c.execute(
                f"INSERT INTO {SHARED}(account, set_by, set_at) VALUES (?,?,?)"
                " ON CONFLICT(account) DO NOTHING",
                (account, store.actor, now_iso()),
            )
        else:
            cur = c.execute(f"DELETE FROM {SHARED} WHERE account=?", (account,))
        if cur.rowcount:
            audit.append(c, store.actor, "shared_on" if on else "shared_off", SHARED, account)
        return bool(cur.rowcount)


IDLE_KEY = "pin_idle_minutes"


def idle_minutes(store: Store, default: float) -> float:
    """The administrator's idle limit (settings row 'pin_idle_minutes', a JSON
    number) or *default*; an unreadable value falls back to the default."""
    import json

    raw = store.scalar("SELECT data FROM settings WHERE key=?", (IDLE_KEY,))
    try:
        value = float(json.loads(str(raw))) if raw is not None else default
    except (ValueError, TypeError):
        return default
    return value if value > 0 else default


def set_idle_minutes(store: Store, minutes: float) -> None:
    import json

    now = now_iso()
    with store.write() as c:
        c.execute(
            "INSERT INTO settings(key, data, created_at, updated_at, updated_by, version)"
            " VALUES (?,?,?,?,?,1) ON CONFLICT(key) DO UPDATE SET data=excluded.data,"
            " updated_at=excluded.updated_at, updated_by=excluded.updated_by,"
            " version=settings.version+1",
            (IDLE_KEY, json.dumps(minutes), now, now, store.actor),
        )
        audit.append(c, store.actor, "set", "settings", IDLE_KEY)
