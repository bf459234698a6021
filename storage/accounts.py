"""OS account → roster person: who is looking, for the follow-up privacy rule.

The identity is the real OS account (storage.identity, already the audit
actor), never something typed into the app. A person can be claimed by one
account only, so once the secretary has mapped their own account nobody
else can map theirs to the secretary and read private cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage import audit
from storage.db import Store, now_iso
from storage.errors import StorageError


class AccountError(StorageError):
    """Raised with a Chinese message the UI can show as is."""


@dataclass(frozen=True)
class Viewer:
    """The person behind an OS account ('' when the account is not mapped)."""

    os_user: str
    person_id: str = ""
    name: str = ""
    branch_id: str | None = None

    @property
    def mapped(self) -> bool:
        return bool(self.person_id)

    @property
    def display_name(self) -> str:
        """For 'by whom' fields: the person's name, else the account name."""
        return self.name or self.os_user


def lookup(store: Store, os_user: str) -> str | None:
    """The person id mapped to *os_user*, or None."""
    value = store.scalar("SELECT person_id FROM accounts WHERE os_user=?", (os_user,))
    return None if value is None else str(value)


def account_of(store: Store, person_id: str) -> str | None:
    """The OS account that claimed *person_id*, or None."""
    value = store.scalar("SELECT os_user FROM accounts WHERE person_id=? LIMIT 1", (person_id,))
    return None if value is None else str(value)


def viewer(store: Store, os_user: str | None = None) -> Viewer:
    """The viewer for *os_user* (default: the account running this process)."""
    from storage.identity import claimed_account

    # root acting through sudo is looked up as the account it acts for; the
    # audit still names both (storage.identity.current_actor).
    os_user = claimed_account(os_user or store.actor)
    # Three columns, not a Person: the home screen asks this at start-up.
    row = store.query_one(
        "SELECT p.id, p.name, p.branch_id FROM accounts a JOIN people p ON p.id = a.person_id"
        " WHERE a.os_user=?",
        (os_user,),
    )
    if row is None:  # unmapped, or the person was removed from the roster
        return Viewer(os_user)
    return Viewer(os_user, row["id"], row["name"], row["branch_id"])


def map_account(store: Store, os_user: str, person_id: str) -> None:
    """Map *os_user* to *person_id* (insert or replace), audited.

    Refused when the person is already claimed by another account: one
    person, one account.
    """
    os_user = os_user.strip()
    if not os_user:
        raise AccountError("系统账户名不能为空")
    with store.write() as c:
        person = c.execute("SELECT name FROM people WHERE id=?", (person_id,)).fetchone()
        if person is None:
            raise AccountError("花名册中没有这个人")
        other = c.execute(
            "SELECT os_user FROM accounts WHERE person_id=? AND os_user<>?", (person_id, os_user)
        ).fetchone()
        if other is not None:
            raise AccountError(
                f"{person[0]} 已对应系统账户 {other[0]}；一人只能对应一个账户，"
                "如需更改请该账户先解除对应"
            )
        now = now_iso()
        c.execute(
            "INSERT INTO accounts(os_user, person_id, created_at, updated_at, updated_by, version)"
            " VALUES (?,?,?,?,?,1) ON CONFLICT(os_user) DO UPDATE SET"
            " person_id=excluded.person_id, updated_at=excluded.updated_at,"
            " updated_by=excluded.updated_by, version=accounts.version+1",
            (os_user, person_id, now, now, store.actor),
        )
        audit.append(c, store.actor, "map", "accounts", os_user, "person_id")


def unmap_account(store: Store, os_user: str) -> bool:
    """Remove the mapping; True when there was one."""
    with store.write() as c:
        cur = c.execute("DELETE FROM accounts WHERE os_user=?", (os_user,))
        if cur.rowcount:
            audit.append(c, store.actor, "unmap", "accounts", os_user)
        return bool(cur.rowcount)
