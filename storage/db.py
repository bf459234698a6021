"""Opening the database and running write transactions safely.

Every write goes through ``Store.write()``, which starts with BEGIN IMMEDIATE:
sqlite-utils' deferred ``atomic()`` loses saves when several processes write
(reliability-security.md §1.3). Connections are per thread.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from storage.errors import DiskFullError, NotADatabaseError, StorageError
from storage.identity import current_actor
from storage.paths import ensure_private_dir, ensure_private_file, private_sidecars

BUSY_TIMEOUT_MS = 15_000
SQLITE_HEADER = b"SQLite format 3\x00"


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


def check_file_is_sqlite(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite can touch it."""
    if not path.exists():
        return
    if path.is_dir():
        raise NotADatabaseError(f"{path} 是文件夹，不是数据库文件。")
    size = path.stat().st_size
    if size == 0:
        return
    with open(path, "rb") as f:
        head = f.read(100)
    if not head.startswith(SQLITE_HEADER):
        raise NotADatabaseError(f"{path} 不是 zhibu 数据库（文件头不对）。程序没有改动它。")
    if len(head) < 100:
        raise NotADatabaseError(f"{path} 已截断或损坏。程序没有改动它。请用备份恢复。")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if page_size and pages and size < page_size * pages and not Path(str(path) + "-wal").exists():
        raise NotADatabaseError(
            f"{path} 已截断（{size} 字节，应有 {page_size * pages}）。程序没有改动它。"
        )


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


class Store:
    """One SQLite file; a connection per thread; safe write transactions."""

    def __init__(self, path: Path, *, actor: str | None = None) -> None:
        self.path = Path(path)
        self.actor = actor or current_actor()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    # -- connections -------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=True,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StorageError(f"无法启用 WAL 模式（{mode}）")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as e:
            conn.close()
            raise NotADatabaseError(
                f"{self.path} 无法作为数据库打开：{e}。程序没有改动它。"
            ) from None
        private_sidecars(self.path)
        with self._lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.db = sqlite_utils.Database(conn)
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        self.conn  # noqa: B018 - ensures the per-thread connection exists
        return self._local.db

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()

    # -- reads -------------------------------------------------------------
    def query(self, sql: str, params: dict | tuple = ()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: dict | tuple = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: dict | tuple = ()) -> object:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- writes ------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, all or nothing.

        busy_timeout applies to BEGIN IMMEDIATE; on top of it we retry a few
        times so a long writer elsewhere never turns into a lost save.
        """
        conn = self.conn
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        for attempt in range(5):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if not is_busy(e) or attempt == 4:
                    raise StorageError(
                        "数据库正忙（其他人正在保存），请稍后再试。您的输入已保留。"
                    ) from e
                time.sleep(0.2 * (attempt + 1))
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError) and is_full(e):
                raise DiskFullError(
                    "磁盘已满，未能保存。草稿仍在，数据库未受影响。请清理空间后重试。"
                ) from e
            raise


def open_store(path: Path, *, actor: str | None = None, migrate: bool = True) -> Store:
    """Open (creating privately if missing) and migrate the database."""
    from storage.migrations import migrate as run_migrations

    path = Path(path)
    check_file_is_sqlite(path)
    ensure_private_dir(path.parent)
    if not path.exists():
        ensure_private_file(path)
    store = Store(path, actor=actor)
    try:
        store.conn  # noqa: B018 - connect now so a bad file fails here
        if migrate:
            run_migrations(store)
    except BaseException:
        store.close()
        raise
    return store
