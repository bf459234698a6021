"""Append-only audit trail with a hash chain.

Rows are written in the same transaction as the change they describe.
Triggers refuse UPDATE/DELETE; the chain lets ``zhibu check`` detect a row
altered with the triggers dropped. Details name fields, never their values
(follow-up notes are sensitive personal information).
"""

from __future__ import annotations

import hashlib
import sqlite3

from storage.db import now_iso

GENESIS = "0" * 64


def _digest(prev: str, at: str, actor: str, action: str, table: str, rid: str, detail: str) -> str:
    payload = "\x1f".join((prev, at, actor, action, table, rid, detail))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection, actor: str, action: str, table: str, record_id: str, detail: str = ""
) -> None:
    row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    at = now_iso()
    digest = _digest(prev, at, actor, action, table, record_id, detail)
    conn.execute(
        "INSERT INTO audit(at, actor, action, table_name, record_id, detail, prev_hash, hash)"
        " VALUES (?,?,?,?,?,?,?,?)",
        (at, actor, action, table, record_id, detail, prev, digest),
    )


def verify_chain(conn: sqlite3.Connection) -> list[int]:
    """Return the seq numbers whose hash does not match; [] when intact."""
    bad: list[int] = []
    prev = GENESIS
    for seq, at, actor, action, table, rid, detail, prev_hash, digest in conn.execute(
        "SELECT seq, at, actor, action, table_name, record_id, detail, prev_hash, hash"
        " FROM audit ORDER BY seq"
    ):
        if prev_hash != prev or _digest(prev, at, actor, action, table, rid, detail) != digest:
            bad.append(seq)
        prev = digest
    return bad


TRIGGERS = ("audit_no_update", "audit_no_delete", "audit_no_replace")


def problems(conn: sqlite3.Connection) -> list[str]:
    """Everything `zhibu check` reports about the audit trail; [] when intact.

    The chain catches an altered or removed row in the middle; the highest
    seq ever issued (sqlite_sequence, AUTOINCREMENT) catches rows cut off the
    end; the triggers must still be there. The chain has no secret key: the
    database owner could rebuild it, so this detects edits behind the app's
    back, it does not prevent them (docs/ARCHITECTURE.md#storage).
    """
    found: list[str] = []
    bad = verify_chain(conn)
    if bad:
        found.append(f"{len(bad)} 条记录被篡改或删除（序号 {', '.join(map(str, bad[:10]))}）")
    last = conn.execute("SELECT max(seq) FROM audit").fetchone()[0] or 0
    issued = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='audit'").fetchone()
    if issued and issued[0] > last:
        found.append(f"末尾 {issued[0] - last} 条记录被删除（最大序号 {last}，曾发到 {issued[0]}）")
    present = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit'"
        )
    }
    missing = [t for t in TRIGGERS if t not in present]
    if missing:
        found.append(f"防改触发器缺失：{', '.join(missing)}")
    return found
