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


def recent(conn: sqlite3.Connection, record_id: str, limit: int = 20) -> list[dict]:
    cur = conn.execute(
        "SELECT at, actor, action, detail FROM audit WHERE record_id=? ORDER BY seq DESC LIMIT ?",
        (record_id, limit),
    )
    return [dict(zip(("at", "actor", "action", "detail"), r, strict=True)) for r in cur]
