"""Opening the database and running write transactions safely.

Every write goes through ``Store.write()``, which starts with BEGIN IMMEDIATE:
sqlite-utils' deferred ``atomic()`` loses saves when several processes write
(docs/ARCHITECTURE.md#storage). Connections are per thread.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from storage.errors import (
    FileReplacedError,
    NotADatabaseError,
    StorageError,
)
from storage.paths import (
    ensure_private_dir,
    ensure_private_file,
    private_sidecars,
    tighten_existing,
)
from storage.sql import is_database_url
from storage.store import (  # noqa: F401 - the interface, re-exported
    ABORTED_MESSAGE,
    BUSY_MESSAGE,
    BUSY_TIMEOUT_MS,
    FULL_MESSAGE,
    WAIT_SLICE_MS,
    WRITE_DEADLINE_S,
    SqlValue,
    Store,
    _primary_code,
    is_busy,
    is_full,
    storage_error,
)

SQLITE_HEADER = b"SQLite format 3\x00"

if TYPE_CHECKING:
    import sqlite_utils




def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


def wal_path(path: Path) -> Path:
    return Path(str(path) + "-wal")


def maybe_in_use(path: Path) -> bool:
    """A -wal (or a hot rollback -journal) means a connection may be open or
    a crash left work for SQLite's recovery: only SQLite may touch the file."""
    return wal_path(path).exists() or Path(str(path) + "-journal").exists()


def check_file_is_sqlite(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite can touch it.

    Reads the header with a plain open()/close(). Closing any descriptor of a
    database file drops every POSIX lock this process holds on it
    (sqlite.org/howtocorrupt.html §2.2), so callers only do this while no
    connection is open here, i.e. while there is no -wal file.
    """
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
    if page_size and pages and size < page_size * pages and not maybe_in_use(path):
        raise NotADatabaseError(
            f"{path} 已截断（{size} 字节，应有 {page_size * pages}）。程序没有改动它。"
        )


def damaged_message(path: Path, problems: list[str]) -> str:
    first = problems[0] if problems else ""
    return (
        f"{path} 已损坏（完整性检查未通过：{first[:80]}）。程序没有改动它。"
        "请联系管理员用备份恢复（zhibu check 可查看详情）。"
    )


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    from urllib.parse import quote

    return f"file:{quote(str(path.absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing to the file or next to it.

    A database at rest (no -wal) is opened immutable: no locks, no -wal/-shm
    created. A database with a -wal may be in use, so it is opened read-only
    with normal locking (that reuses the existing -wal/-shm).
    """
    at_rest = not maybe_in_use(path)
    conn = sqlite3.connect(_read_only_uri(path, immutable=at_rest), uri=True, timeout=15)
    conn.execute("PRAGMA busy_timeout=15000")
    return conn


def preflight(path: Path) -> None:
    """Header and quick_check of an existing database, writing nothing.

    Runs before the file is opened for writing, on a read-only connection:
    a read-write connection would set WAL mode on a foreign file, and closing
    it would checkpoint a hot -wal into a damaged one. Raises NotADatabaseError.
    """
    if not path.exists():
        return
    if not maybe_in_use(path):
        check_file_is_sqlite(path)
        if path.stat().st_size == 0:
            return  # a new, empty file: SQLite initialises it
    # A stat, not an open: safe while another connection holds locks. With a
    # -wal present (someone is working, or a killed session left it), the main
    # file unchanged since it passed is as trustworthy as at rest; the -wal's
    # frames carry their own checksums.
    stamp = _stamp(path)
    if _marker_text(path) == stamp:
        return  # unchanged since it last passed quick_check: do not rescan
    try:
        conn = open_read_only(path)
    except sqlite3.DatabaseError as e:
        raise NotADatabaseError(f"{path} 无法作为数据库打开：{e}。程序没有改动它。") from None
    try:
        problems = quick_check(conn)
    except sqlite3.DatabaseError as e:
        problems = [str(e)]
    finally:
        conn.close()
    if problems:
        raise NotADatabaseError(damaged_message(path, problems))
    if _stamp(path) == stamp:  # nothing changed the file while it was checked
        _write_marker(path, stamp)


# quick_check reads every page: 0.35 s at 50,000 people, on every start. A
# stamp of the file (size, mtime, inode) taken when it last passed, or when
# this program last closed it cleanly, lets an unchanged file skip the scan;
# anything that touched the file since (another writer, a stray copy, a
# damaged disk) changes the stamp and brings the check back.


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def verified_marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _marker_text(path: Path) -> str | None:
    try:
        return verified_marker(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def mark_verified(path: Path) -> None:
    """Record that *path* at rest is sound, only right after quick_check passed
    (bytes overwritten while the app ran must not be stamped as verified);
    best effort, never raises."""
    if not path.exists() or maybe_in_use(path):
        return  # another connection is open: the file is not at rest
    try:
        stamp = _stamp(path)
        conn = open_read_only(path)
        try:
            problems = quick_check(conn)
        finally:
            conn.close()
    except (OSError, sqlite3.DatabaseError):
        problems = ["unreadable"]
    if problems:
        clear_verified(path)
        return
    try:
        if _stamp(path) == stamp:
            _write_marker(path, stamp)
    except OSError:
        pass


def clear_verified(path: Path) -> None:
    """A damaged page was seen: the next start must check the file again."""
    try:
        verified_marker(path).unlink(missing_ok=True)
    except OSError:
        pass


def _write_marker(path: Path, stamp: str) -> None:
    """Best effort, never raises: a missing marker only costs one more check."""
    marker = verified_marker(path)
    tmp = marker.with_name(marker.name + ".tmp")
    try:
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, stamp.encode("ascii"))
        finally:
            os.close(fd)
        os.replace(tmp, marker)
    except OSError:
        tmp.unlink(missing_ok=True)


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """[] when PRAGMA quick_check is ok, else its complaints."""
    rows = [r[0] for r in conn.execute("PRAGMA quick_check")]
    return [] if rows == ["ok"] else rows


def utils_db(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils on *conn*, leaving the connection as it was opened.

    Imported on first use (it costs ~50 ms at start-up). No PRAGMA
    recursive_triggers (it would change how the counter triggers fire on
    REPLACE) and no plugins. Inside Store.write() its atomic() becomes a
    SAVEPOINT, so BEGIN IMMEDIATE still decides commit or rollback; never
    start a write with it outside Store.write() (its own BEGIN is deferred).
    """
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


class SqliteStore(Store):
    """One SQLite file; a connection per thread; safe write transactions."""

    def __init__(self, path: Path, *, actor: str | None = None) -> None:
        super().__init__(actor=actor)
        self.path = Path(path)
        self._all: list[tuple[threading.Thread, sqlite3.Connection]] = []
        # (device, inode) of the file and its -wal as opened: a -wal deleted or
        # a copy moved over the live file splits sessions onto different files,
        # and saves would vanish, so writes stop when either changes.
        self._identity: tuple[tuple[int, int], tuple[int, int]] | None = None

    # -- connections -------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            # Each connection is used by one thread only (thread-local); the
            # check is off so a finished worker's connection can be closed here.
            check_same_thread=False,
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
            if _primary_code(e) == sqlite3.SQLITE_READONLY:
                raise StorageError(f"{self.path} 只读（没有写入权限），无法打开。") from None
            raise NotADatabaseError(
                f"{self.path} 无法作为数据库打开：{e}。程序没有改动它。"
            ) from None
        private_sidecars(self.path)
        if self._identity is None:
            try:
                self._identity = self._file_ids()
            except FileReplacedError:
                pass  # no -wal yet: the first write records it
        with self._lock:
            # Thread workers come and go (search, export, import): close the
            # connections of threads that have ended, or file handles pile up.
            alive = []
            for thread, old in self._all:
                if thread.is_alive():
                    alive.append((thread, old))
                else:
                    try:
                        old.close()
                    except sqlite3.Error:
                        pass
            alive.append((threading.current_thread(), conn))
            self._all = alive
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on this thread's connection (see utils_db)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = utils_db(self.conn)
        return db

    def close(self) -> None:
        with self._lock:
            for _thread, conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()
        self._identity = None  # the -wal goes with the last connection

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
        self._begin_immediate(conn)
        try:
            self._check_identity()  # under the write lock: nobody commits meanwhile
            yield conn
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite already rolled back (e.g. after SQLITE_FULL)
            if isinstance(e, sqlite3.Error):
                if _primary_code(e) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                    clear_verified(self.path)
                raise storage_error(e) from e
            raise

    def _file_ids(self) -> tuple[tuple[int, int], tuple[int, int]]:
        try:
            main, wal = os.stat(self.path), os.stat(wal_path(self.path))
        except FileNotFoundError:
            raise FileReplacedError(self._replaced_message("不见了")) from None
        return (main.st_dev, main.st_ino), (wal.st_dev, wal.st_ino)

    def _replaced_message(self, what: str) -> str:
        return (
            f"数据库文件 {self.path} 或其 -wal 文件{what}（被替换、移动或删除），"
            "为免数据丢失已停止写入。您的输入已保留在本窗口。请退出后重新打开，并联系管理员。"
        )

    def _check_identity(self) -> None:
        if self.replaced:
            raise FileReplacedError(self.replaced)
        try:
            now = self._file_ids()
        except FileReplacedError as e:
            self.replaced = str(e)
            raise
        if self._identity is None:
            self._identity = now  # the first write: these are the files opened
        elif now != self._identity:
            self.replaced = self._replaced_message("已变")
            raise FileReplacedError(self.replaced)

    def _begin_immediate(self, conn: sqlite3.Connection) -> None:
        """BEGIN IMMEDIATE, waiting for the write lock in slices of at most
        WAIT_SLICE_MS (SQLite may also answer BUSY at once, e.g. WAL recovery
        elsewhere, hence a short pause then). Each wait is cut to the time
        left, so waiting and pausing together never exceed WRITE_DEADLINE_S;
        between slices an abort (hang-up) ends the wait."""
        deadline = time.monotonic() + (getattr(self._local, "patience", None) or WRITE_DEADLINE_S)
        attempt = 0
        told = False
        last: sqlite3.OperationalError | None = None
        try:
            while True:
                if self._abort.is_set() and last is not None:
                    raise StorageError(ABORTED_MESSAGE)
                left_ms = int((deadline - time.monotonic()) * 1000)
                if left_ms < 1 and last is not None:
                    raise storage_error(last) from last
                slice_ms = max(1, min(left_ms, BUSY_TIMEOUT_MS, WAIT_SLICE_MS))
                conn.execute(f"PRAGMA busy_timeout={slice_ms}")
                started = time.monotonic()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as e:
                    attempt += 1
                    last = e
                    if not is_busy(e) or time.monotonic() >= deadline:
                        raise storage_error(e) from e
                    if not told and self.on_wait is not None:
                        told = True
                        self.on_wait(True)
                    if time.monotonic() - started < slice_ms / 2000:
                        pause = min(0.05 * attempt, 0.2)  # answered BUSY at once
                        if time.monotonic() + pause >= deadline:
                            raise storage_error(e) from e
                        time.sleep(pause)
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if told and self.on_wait is not None:
                self.on_wait(False)


def open_store(
    path: Path | str, *, actor: str | None = None, migrate: bool = True
) -> Store:
    """Open (creating privately if missing) and migrate the database: a file
    path for SQLite, a postgresql:// URL for PostgreSQL (storage/pg.py)."""
    if is_database_url(path):
        from storage.pg import open_pg_store

        return open_pg_store(str(path), actor=actor, migrate=migrate)
    return open_sqlite_store(Path(path), actor=actor, migrate=migrate)


def open_sqlite_store(path: Path, *, actor: str | None = None, migrate: bool = True) -> SqliteStore:
    from storage.migrations import migrate as run_migrations

    # A damaged or non-SQLite file is refused before anything can write to it:
    # no -wal/-shm, no migration, no backup copy next to it.
    preflight(path)
    ensure_private_dir(path.parent)
    if not path.exists():
        ensure_private_file(path)
    else:
        tighten_existing(path)
    store = SqliteStore(path, actor=actor)
    try:
        store.conn  # noqa: B018 - connect now so a bad file fails here
        if migrate:
            run_migrations(store)
    except sqlite3.DatabaseError as e:
        store.close()
        raise NotADatabaseError(f"{path} 无法作为数据库打开：{e}。程序没有改动它。") from None
    except BaseException:
        store.close()
        raise
    return store
