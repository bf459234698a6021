"""Append-only audit trail with a hash chain.

Rows are written in the same transaction as the change they describe.
Triggers refuse UPDATE/DELETE; the chain lets ``zhibu check`` detect a row
altered with the triggers dropped. Details name fields, never their values
(follow-up notes are sensitive personal information).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

from storage.db import now_iso
from storage.sql import Connection, Cursor, dialect_of

GENESIS = "0" * 64


def _digest(
    prev: str,
    at: str,
    actor: str,
    action: str,
    table: str,
    rid: str,
    detail: str,
    content: str = "",
) -> str:
    fields = (prev, at, actor, action, table, rid, detail) + ((content,) if content else ())
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


# Columns a record's content hash leaves out: bookkeeping, and flags that later
# transactions set without a change of content (superseded, closed).
# rowid: PostgreSQL's stand-in for SQLite's implicit one (storage/pg_schema.py),
# so a record hashes alike on both engines.
NOT_CONTENT = frozenset({"created_at", "updated_at", "updated_by", "version", "superseded",
                         "closed_at", "rowid"})  # fmt: skip


def content_hash(conn: Connection, table: str, record_id: str) -> str:
    """The hash of a record's current content; "deleted" when it is gone."""
    cur = conn.execute(f'SELECT * FROM "{table}" WHERE id=?', (record_id,))
    row = cur.fetchone()
    if row is None:
        return "deleted"
    cols = [d[0] for d in cur.description]
    body = {c: v for c, v in zip(cols, row, strict=True) if c not in NOT_CONTENT}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _has_content(conn: Connection) -> bool:
    if dialect_of(conn) == "postgresql":
        return True  # a PostgreSQL database starts at the current schema
    return any(r[1] == "content_hash" for r in conn.execute("PRAGMA table_info(audit)"))


def _last(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the chain's head. On PostgreSQL the one-row audit_head is
    locked until commit (FOR UPDATE), so concurrent writers queue for the
    head instead of forking the chain; on SQLite BEGIN IMMEDIATE already
    serialises every writer."""
    if dialect_of(conn) == "postgresql":
        seq, digest = conn.execute("SELECT seq, hash FROM audit_head WHERE id=1 FOR UPDATE").fetchone()
        return int(seq), str(digest)
    row = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def append(
    conn: Connection,
    actor: str,
    action: str,
    table: str,
    record_id: str,
    detail: str = "",
    *,
    content: str = "",
) -> None:
    """*content*: the record's content_hash after the change, so `zhibu check`
    notices a record edited behind the app's back (storage.records.save_row)."""
    last_seq, prev = _last(conn)
    at = now_iso()
    if content and not _has_content(conn):
        content = ""  # a file before migration 7 (a migration itself writing)
    digest = _digest(prev, at, actor, action, table, record_id, detail, content)
    cols = ["at", "actor", "action", "table_name", "record_id", "detail", "prev_hash", "hash"]
    values: list[object] = [at, actor, action, table, record_id, detail, prev, digest]
    if content:
        cols.append("content_hash")
        values.append(content)
    pg = dialect_of(conn) == "postgresql"
    if pg:  # no sequence there: it would leave gaps on rollback, read as tampering
        cols.append("seq")
        values.append(last_seq + 1)
    conn.execute(
        f"INSERT INTO audit({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values
    )
    if pg:
        conn.execute("UPDATE audit_head SET seq=?, hash=? WHERE id=1", (last_seq + 1, digest))


def _rows(conn: Connection) -> Cursor:
    content = "content_hash" if _has_content(conn) else "''"
    return conn.execute(
        "SELECT seq, at, actor, action, table_name, record_id, detail, prev_hash, hash,"
        f" {content} FROM audit ORDER BY seq"
    )


def verify_chain(conn: Connection) -> list[int]:
    """Return the seq numbers whose hash does not match; [] when intact."""
    bad: list[int] = []
    prev = GENESIS
    for seq, at, actor, action, table, rid, detail, prev_hash, digest, content in _rows(conn):
        if (
            prev_hash != prev
            or _digest(prev, at, actor, action, table, rid, detail, content or "") != digest
        ):
            bad.append(seq)
        prev = digest
    return bad


def head(conn: Connection) -> tuple[int, str]:
    """(rows, hash of the last row): written on paper, it catches a rebuilt chain."""
    n = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    row = conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return int(n), row[0] if row else GENESIS


def gaps(conn: Connection) -> list[int]:
    """Sequence numbers missing between 1 and the highest (AUTOINCREMENT never
    leaves a gap: a rolled-back insert also rolls back the counter)."""
    missing: list[int] = []
    expected = 1
    for (seq,) in conn.execute("SELECT seq FROM audit ORDER BY seq"):
        missing.extend(range(expected, seq))
        expected = seq + 1
    return missing


def content_mismatches(conn: Connection) -> list[tuple[str, str]]:
    """(table, id) of records whose content differs from their last audit row."""
    if not _has_content(conn):
        return []
    if conn.in_transaction:
        return _mismatches(conn)
    # One snapshot: others may be saving; a record and its audit row are
    # committed together, so within one read transaction they agree.
    pg = dialect_of(conn) == "postgresql"
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if pg else "BEGIN")
    try:
        return _mismatches(conn)
    finally:
        conn.execute("COMMIT")


def _mismatches(conn: Connection) -> list[tuple[str, str]]:
    last: dict[tuple[str, str], str] = {}
    for table, rid, content in conn.execute(
        "SELECT table_name, record_id, content_hash FROM audit ORDER BY seq"
    ):
        last[(table, rid)] = content or ""
    bad: list[tuple[str, str]] = []
    for (table, rid), content in last.items():
        if not content:
            continue  # a row that records no content (import, supersede…)
        try:
            now = content_hash(conn, table, rid)
        except sqlite3.Error:
            continue
        if now != content:
            bad.append((table, rid))
    return bad


TRIGGERS = ("audit_no_update", "audit_no_delete", "audit_no_replace")


def problems(conn: Connection) -> list[str]:
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
    pg = dialect_of(conn) == "postgresql"
    issued = conn.execute(
        "SELECT seq FROM audit_head WHERE id=1"
        if pg
        else "SELECT seq FROM sqlite_sequence WHERE name='audit'"
    ).fetchone()
    if issued and issued[0] > last:
        found.append(f"末尾 {issued[0] - last} 条记录被删除（最大序号 {last}，曾发到 {issued[0]}）")
    missing = gaps(conn)
    if missing:
        found.append(f"序号缺失 {len(missing)} 个（{', '.join(map(str, missing[:10]))}）")
    changed = content_mismatches(conn)
    if changed:
        shown = ", ".join(f"{t}/{r}" for t, r in changed[:10])
        found.append(f"{len(changed)} 条数据与其最后一条审计记录不符（被绕过程序改动）：{shown}")
    present = {
        r[0]
        for r in conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit'::regclass AND NOT tgisinternal"
            if pg
            else "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit'"
        )
    }
    absent = [t for t in TRIGGERS if t not in present]
    if absent:
        found.append(f"防改触发器缺失：{', '.join(absent)}")
    return found
