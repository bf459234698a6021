"""Drafts: the typed-but-unsaved state of a workflow, as JSON.

A draft belongs to one session (account, terminal, start time), never to an
account alone: on a site server one OS account is often used by several
people at once, and the last writer of a shared row would win. A session
writes and discards only its own rows. A draft of another session is taken
over explicitly (``take_over``); one of a session that has ended (the same
host, its process gone) may be adopted by the account's next session, which
is how a crash or a hang-up loses nothing.

Written on every (debounced) change and on hang-up. Small, single-statement
transactions; a record's save discards its draft inside its own transaction
(``discard_in``), so a kill between the two cannot leave both.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from storage.db import Store, now_iso
from storage.sql import Connection

# Sessions alive in this process (tests run several apps in one process).
_LIVE: set[str] = set()
_COUNTER = itertools.count(1)


@dataclass(frozen=True)
class Session:
    id: str  # host|pid|start_ns|n: unique, and tells whether it still runs
    terminal: str
    started_at: str

    @classmethod
    def start(cls) -> Session:
        sid = f"{socket.gethostname()}|{os.getpid()}|{time.time_ns()}|{next(_COUNTER)}"
        _LIVE.add(sid)
        return cls(sid, _terminal(), now_iso())

    def end(self) -> None:
        _LIVE.discard(self.id)


def _terminal() -> str:
    for fd in (0, 1, 2):
        try:
            return os.ttyname(fd).removeprefix("/dev/")
        except OSError:
            continue
    return os.environ.get("SSH_TTY", "").removeprefix("/dev/") or "无终端"


def session_alive(sid: str) -> bool:
    """False only when the session has surely ended: same host, process gone
    (or, in this process, ended). Another host's session counts as running."""
    if not sid:
        return False  # drafts from before sessions existed
    parts = sid.split("|")
    if len(parts) != 4 or not parts[1].isdigit():
        return True
    host, pid = parts[0], int(parts[1])
    if host != socket.gethostname():
        return True
    if pid == os.getpid():
        return sid in _LIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


@dataclass(frozen=True)
class DraftRef:
    """Which draft row a record's save removes, in the same transaction."""

    owner: str
    session: str
    workflow: str
    key: str


@dataclass(frozen=True)
class DraftInfo:
    workflow: str
    key: str
    title: str
    updated_at: str
    session: str = ""
    terminal: str = ""
    started_at: str = ""

    @property
    def alive(self) -> bool:
        return session_alive(self.session)


def save(
    store: Store,
    workflow: str,
    key: str,
    data: dict[str, Any],
    title: str = "",
    session: Session | None = None,
) -> None:
    payload = json.dumps(data, ensure_ascii=False, default=str)
    sid, term, started = (
        (session.id, session.terminal, session.started_at) if session else ("",) * 3
    )
    with store.write() as c:
        c.execute(
            "INSERT INTO drafts(owner, session, terminal, started_at, workflow, key, title,"
            " data, updated_at) VALUES (?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(owner, session, workflow, key) DO UPDATE SET title=excluded.title,"
            " data=excluded.data, updated_at=excluded.updated_at",
            (store.actor, sid, term, started, workflow, key, title, payload, now_iso()),
        )


def load(
    store: Store, workflow: str, key: str, session: str | None = None
) -> dict[str, Any] | None:
    """The draft of *session*; with no session, the account's newest (for
    inspection and tests; the app always names its session)."""
    if session is None:
        row = store.query_one(
            "SELECT data FROM drafts WHERE owner=? AND workflow=? AND key=?"
            " ORDER BY updated_at DESC LIMIT 1",
            (store.actor, workflow, key),
        )
    else:
        row = store.query_one(
            "SELECT data FROM drafts WHERE owner=? AND session=? AND workflow=? AND key=?",
            (store.actor, session, workflow, key),
        )
    return None if row is None else json.loads(row["data"])


def others(store: Store, workflow: str, key: str, session: str) -> list[DraftInfo]:
    """Drafts of the same record by the account's other sessions, newest first."""
    rows = store.query(
        "SELECT workflow, key, title, updated_at, session, terminal, started_at FROM drafts"
        " WHERE owner=? AND workflow=? AND key=? AND session<>? ORDER BY updated_at DESC",
        (store.actor, workflow, key, session),
    )
    return [DraftInfo(**r) for r in rows]


def take_over(store: Store, workflow: str, key: str, source: str, session: Session) -> bool:
    """Move another session's draft to *session* (replacing this session's own
    draft of that record); False when it is gone meanwhile."""
    with store.write() as c:
        hit = c.execute(
            "SELECT 1 FROM drafts WHERE owner=? AND session=? AND workflow=? AND key=?",
            (store.actor, source, workflow, key),
        ).fetchone()
        if hit is None:
            return False
        c.execute(
            "DELETE FROM drafts WHERE owner=? AND session=? AND workflow=? AND key=?",
            (store.actor, session.id, workflow, key),
        )
        c.execute(
            "UPDATE drafts SET session=?, terminal=?, started_at=?"
            " WHERE owner=? AND session=? AND workflow=? AND key=?",
            (session.id, session.terminal, session.started_at, store.actor, source, workflow, key),
        )
    return True


def discard(store: Store, workflow: str, key: str, session: str | None = None) -> None:
    """Remove *session*'s draft; with no session, every session's (an explicit
    "abandon this record" such as giving up a correction)."""
    with store.write() as c:
        if session is None:
            c.execute(
                "DELETE FROM drafts WHERE owner=? AND workflow=? AND key=?",
                (store.actor, workflow, key),
            )
        else:
            discard_in(c, DraftRef(store.actor, session, workflow, key))


def discard_in(conn: Connection, ref: DraftRef | None) -> None:
    """Remove one draft inside the caller's write transaction."""
    if ref is None:
        return
    conn.execute(
        "DELETE FROM drafts WHERE owner=? AND session=? AND workflow=? AND key=?",
        (ref.owner, ref.session, ref.workflow, ref.key),
    )


def list_mine(store: Store, limit: int | None = 20, *, since: str = "") -> list[DraftInfo]:
    """The account's drafts in every session, newest first; *since*: only those
    written on or after that ISO date; *limit* None: all of them."""
    rows = store.query(
        "SELECT workflow, key, title, updated_at, session, terminal, started_at FROM drafts"
        " WHERE owner=? AND updated_at >= ? ORDER BY updated_at DESC LIMIT ?",
        (store.actor, since, -1 if limit is None else limit),
    )
    return [DraftInfo(**r) for r in rows]


def count_mine(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM drafts WHERE owner=?", (store.actor,)) or 0)


def describe(info: DraftInfo, mine: str) -> str:
    """Who and when, for lists: which session (terminal, start) owns it."""
    if info.session == mine:
        return "本会话"
    if not info.session:
        return ""  # saved without a session (demo data, before sessions existed)
    start = info.started_at[5:16].replace("T", " ")
    where = f"{info.terminal or '未知终端'}，{start} 开始"
    return f"另一会话（{where}）" if info.alive else f"已结束的会话（{where}）"
