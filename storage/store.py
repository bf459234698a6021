"""The engine-neutral part of a database: the Store interface, the write-lock
timings, and how a failed write becomes a message.

storage.db.SqliteStore (a file) and storage.pg.PgStore (PostgreSQL) build on
this; both raise the sqlite3 DB-API exceptions (docs/POSTGRES.md#dialect), so
storage_error() serves both.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from storage.errors import BusyError, DiskFullError, StorageError
from storage.identity import current_actor
from storage.sql import Connection, Dialect, Params

BUSY_TIMEOUT_MS = 15_000
# Upper bound on waiting for the write lock, retries included: saves run on
# the UI thread, so a writer stuck elsewhere must become a message, not a hang.
WRITE_DEADLINE_S = 20.0
# The lock is waited for in slices this long, so a hang-up can stop a waiting
# save at once, and the first slice tells the UI to say 「数据库忙，正在等待」.
WAIT_SLICE_MS = 250

# What a column hands back.
SqlValue = int | float | str | bytes | None


def is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def is_full(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and (code & 0xFF) == sqlite3.SQLITE_FULL:
        return True
    return "full" in str(exc).lower()


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


BUSY_MESSAGE = "数据库正忙（其他人正在保存），请稍后再试。您的输入已保留。"
ABORTED_MESSAGE = "程序正在退出，未能保存。草稿已另行保存，重新打开后可继续。"
FULL_MESSAGE = "磁盘已满，未能保存。草稿仍在，数据库未受影响。请清理空间后重试。"


def storage_error(exc: sqlite3.Error) -> StorageError:
    """A user-facing StorageError for an SQLite failure inside a write.

    Screens catch StorageError around saves and keep the form open, so every
    SQLite failure in a write becomes one (the original is chained).
    """
    code = _primary_code(exc)
    if is_full(exc) and isinstance(exc, sqlite3.OperationalError):
        return DiskFullError(FULL_MESSAGE)
    if is_busy(exc) and isinstance(exc, sqlite3.OperationalError):
        return BusyError(BUSY_MESSAGE)
    if code == sqlite3.SQLITE_READONLY:
        return StorageError("数据库文件只读（权限不足），未能保存。您的输入已保留。")
    if code == sqlite3.SQLITE_IOERR:
        return StorageError("读写数据库时发生磁盘错误，未能保存。您的输入已保留，请联系管理员。")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StorageError("数据库文件已损坏，未能保存。您的输入已保留，请联系管理员用备份恢复。")
    if isinstance(exc, sqlite3.IntegrityError) and "在党委汇总库中只读" in str(exc):
        # A site's record at the 党委 hub (storage/sync_schema.py's triggers):
        # the trigger's own sentence, which names the site on PostgreSQL.
        from storage.errors import SiteRecordReadOnlyError

        line = next(ln for ln in str(exc).splitlines() if "在党委汇总库中只读" in ln)
        return SiteRecordReadOnlyError(line.strip())
    if isinstance(exc, sqlite3.IntegrityError):
        # SQLite's constraint messages name tables and columns, never values.
        return StorageError(f"保存失败：与已有数据冲突（{exc}）。您的输入已保留。")
    return StorageError(f"保存失败（{type(exc).__name__}）。您的输入已保留。")


class Store:
    """A database and who is acting; the engine-neutral part.

    SqliteStore (one file, below) and storage.pg.PgStore (PostgreSQL) give the
    same interface: query/query_one/scalar for reads, write() for one
    all-or-nothing transaction under the database's write lock.
    """

    dialect: Dialect = "sqlite"

    def __init__(self, *, actor: str | None = None) -> None:
        self.actor = actor or current_actor()
        # Where the draft spill and other sidecars go: the file itself for
        # SQLite, a private local folder's name for PostgreSQL.
        self.path = Path()
        self._local = threading.local()
        self._lock = threading.Lock()
        self.replaced: str | None = None
        # Told (from whichever thread writes) when a write starts and stops
        # waiting for another process's lock: True, then False.
        self.on_wait: Callable[[bool], None] | None = None
        self._abort = threading.Event()

    @property
    def label(self) -> str:
        """The database as messages name it."""
        return str(self.path)

    @property
    def target(self) -> Path | str:
        """What open_store() takes to open this database again (another
        process, a second session): the file, or the URL."""
        return self.path

    @property
    def conn(self) -> Connection:
        raise NotImplementedError

    def owner_account(self) -> str | None:
        """Who owns the database: the OS account owning the file (SQLite);
        PgStore answers with the database's owner role. None when unknown."""
        from storage.identity import file_owner

        return file_owner(self.path)

    def close(self) -> None:
        raise NotImplementedError

    def write(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def abort_waits(self) -> None:
        """Hang-up or exit: every write waiting for the lock gives up within
        one WAIT_SLICE_MS, and later ones fail at once (nothing half-written)."""
        self._abort.set()

    def resume_waits(self) -> None:
        self._abort.clear()

    # -- reads -------------------------------------------------------------
    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> SqlValue:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def set_patience_here(self, seconds: float | None) -> None:
        """This thread's writes wait at most *seconds* for the lock from now on
        (None: WRITE_DEADLINE_S). The app sets it for its UI thread."""
        self._local.patience = seconds

    @contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Writes on this thread wait at most *seconds* for the lock (the UI
        thread must not freeze; the spill takes what cannot wait)."""
        old = getattr(self._local, "patience", None)
        self._local.patience = seconds
        try:
            yield
        finally:
            self._local.patience = old
