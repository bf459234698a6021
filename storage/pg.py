"""PostgreSQL behind the same Store interface as the SQLite file.

Repositories are written once (storage/sql.py). This module is where the two
engines differ at run time (docs/POSTGRES.md):

- placeholders: SQLite's ``?`` and ``:name`` become psycopg's ``%s`` and
  ``%(name)s`` (``translate``); values are bound client side, so an untyped
  ``?`` (``? IS NULL``) works as it does in SQLite;
- errors: psycopg's exceptions are raised as the sqlite3 DB-API classes, with
  the matching ``sqlite_errorcode``, so storage.db.storage_error() turns them
  into the same Chinese messages (busy, disk full, read-only, conflict);
- the write lock: ``write()`` takes one transaction-scoped advisory lock, the
  equivalent of SQLite's BEGIN IMMEDIATE, waited for in slices so a hang-up
  stops a waiting save and the UI can say 「数据库忙，正在等待」;
- values: bools are stored as 0/1 and NUMERIC results (SUM of bigint) come
  back as int, as SQLite returns them.

Connections are per thread (as with SQLite), opened through SQLAlchemy's
engine (URL parsing, the psycopg dialect) without pooling: a thread keeps its
connection until it ends or the store closes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from storage.errors import ServerUnreachableError, StorageError
from storage.paths import state_dir_for
from storage.sql import Params
from storage.store import ABORTED_MESSAGE, WAIT_SLICE_MS, WRITE_DEADLINE_S, Store, storage_error

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy.engine import Engine

# One key for the whole database: every write transaction takes it, so writes
# are serialised exactly as on SQLite (storage code reads, checks, then writes).
WRITE_LOCK_KEY = 0x7A6869627577  # "zhibuw"
LOCK_TIMEOUT_MS = 15_000


def translate(sql: str, named: bool) -> str:
    """SQLite placeholders -> psycopg's, outside quotes and comments; a literal
    ``%`` is doubled (psycopg reads ``%`` as the start of a placeholder)."""
    return _translate(sql, named)


@lru_cache(maxsize=2048)
def _translate(sql: str, named: bool) -> str:
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:  # '' inside a literal
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1].replace("%", "%%"))
            i = j + 1
        elif ch == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        elif ch == ":" and named and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            if i > 0 and sql[i - 1] == ":":  # a ::cast
                out.append(ch)
                i += 1
                continue
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# -- errors -------------------------------------------------------------------


class PgIntegrityError(sqlite3.IntegrityError):
    """A PostgreSQL constraint or trigger refusal, as sqlite3 raises it."""


class PgOperationalError(sqlite3.OperationalError):
    """Lock waits, a full disk, a lost connection, SQL the server refused."""


class PgDatabaseError(sqlite3.DatabaseError):
    pass


def _as_sqlite_error(exc: Exception) -> sqlite3.Error:
    """The sqlite3 exception storage expects for a psycopg one (chained by the
    caller). sqlite_errorcode carries what storage_error() maps to messages."""
    import psycopg.errors as pe

    state = getattr(exc, "sqlstate", None) or ""
    err: sqlite3.Error
    if isinstance(exc, pe.IntegrityError) or state == "P0001":  # trigger RAISE
        err, code = PgIntegrityError(str(exc).strip()), sqlite3.SQLITE_CONSTRAINT
    elif state in ("55P03", "40P01", "40001", "57014"):  # lock timeout, deadlock, cancel
        err, code = PgOperationalError("database is locked"), sqlite3.SQLITE_BUSY
    elif state.startswith("53"):  # disk_full, out_of_memory, too_many_connections
        err, code = PgOperationalError("database or disk is full"), sqlite3.SQLITE_FULL
    elif state in ("25006", "42501"):  # read-only transaction, no privilege
        err, code = PgOperationalError(f"attempt to write a readonly database: {state}"), (
            sqlite3.SQLITE_READONLY
        )
    elif isinstance(exc, pe.OperationalError) or state.startswith("08"):
        err, code = PgOperationalError(f"数据库服务器连接中断：{exc}"), sqlite3.SQLITE_IOERR
    elif isinstance(exc, pe.ProgrammingError | pe.DataError):
        err, code = PgOperationalError(str(exc).strip()), sqlite3.SQLITE_ERROR
    else:
        err, code = PgDatabaseError(str(exc).strip()), sqlite3.SQLITE_ERROR
    err.sqlite_errorcode = code  # sqlite3 sets it in C on its own errors
    return err


# -- connection ---------------------------------------------------------------


class PgConnection:
    """A psycopg connection that takes storage's SQLite-style SQL."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, parameters: Params = (), /) -> psycopg.ClientCursor[Any]:
        import psycopg

        cur = psycopg.ClientCursor(self.raw)
        named = isinstance(parameters, Mapping)
        try:
            if parameters or named:
                cur.execute(translate(sql, named), _values(parameters))
            else:
                cur.execute(sql)
        except psycopg.Error as e:
            raise _as_sqlite_error(e) from e
        return cur

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> psycopg.ClientCursor[Any]:
        import psycopg

        rows = list(parameters)
        cur = psycopg.ClientCursor(self.raw)
        if not rows:
            return cur
        try:
            cur.executemany(translate(sql, isinstance(rows[0], Mapping)), [_values(r) for r in rows])
        except psycopg.Error as e:
            raise _as_sqlite_error(e) from e
        return cur

    def close(self) -> None:
        self.raw.close()


def _without_password(text: str, url: str) -> str:
    """A server's refusal, cut short; libpq may quote the connection string."""
    from sqlalchemy.engine import make_url

    password = make_url(url).password
    text = text.strip()[:200]
    return text.replace(str(password), "***") if password else text


def _values(parameters: Params) -> Any:
    if isinstance(parameters, Mapping):
        return {k: _value(v) for k, v in parameters.items()}
    return tuple(_value(v) for v in parameters)


def _value(v: Any) -> Any:
    # SQLite stores a bool as 0/1 in an INTEGER column; PostgreSQL would refuse
    # a boolean there.
    return int(v) if isinstance(v, bool) else v


def _configure(raw: psycopg.Connection[Any]) -> None:
    from psycopg.adapt import Loader

    class NumberLoader(Loader):
        """NUMERIC (SUM of bigint, AVG) as SQLite returns it: int or float."""

        def load(self, data: Any) -> int | float:
            d = Decimal(bytes(data).decode())
            return int(d) if d == d.to_integral_value() else float(d)

    raw.adapters.register_loader("numeric", NumberLoader)


# -- store --------------------------------------------------------------------


class PgStore(Store):
    """A PostgreSQL database; a connection per thread; the same safe writes."""

    dialect = "postgresql"

    def __init__(self, url: str, *, actor: str | None = None) -> None:
        super().__init__(actor=actor)
        self.url = url
        self._engine: Engine | None = None
        self._all: list[tuple[threading.Thread, PgConnection]] = []
        from storage.paths import ensure_private_dir

        folder = state_dir_for(url)
        ensure_private_dir(folder)
        self.path = folder / "zhibu.db"  # never a database: sidecars are named after it

    @property
    def target(self) -> str:
        return self.url

    @property
    def label(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    def owner_account(self) -> str | None:
        """The role owning the database (what the file's owner is on SQLite)."""
        found = self.scalar(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        )
        return str(found) if found is not None else None

    def schema_version(self) -> int:
        """The recorded schema version, 0 when the database has no zhibu schema
        (read-only: nothing is created)."""
        if self.scalar("SELECT to_regclass('schema_version')") is None:
            return 0
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM schema_version") or 0)

    def _engine_now(self) -> Engine:
        if self._engine is None:
            from sqlalchemy import create_engine
            from sqlalchemy.engine import make_url
            from sqlalchemy.pool import NullPool

            url = make_url(self.url).set(drivername="postgresql+psycopg")
            self._engine = create_engine(url, poolclass=NullPool)
        return self._engine

    def _connect(self) -> PgConnection:
        import psycopg

        try:
            fairy = self._engine_now().raw_connection()
        except Exception as e:  # noqa: BLE001 - any failure to reach the server
            cause = e.__cause__ if isinstance(e.__cause__, psycopg.Error) else e
            raise ServerUnreachableError(
                f"无法连接数据库服务器 {self.label}：{_without_password(str(cause), self.url)}"
            ) from None
        raw = fairy.driver_connection
        assert isinstance(raw, psycopg.Connection)
        fairy.detach()  # ours until close(): no pool behind it
        raw.autocommit = True  # BEGIN … COMMIT are issued by write()
        _configure(raw)
        conn = PgConnection(raw)
        with self._lock:
            alive = []
            for thread, old in self._all:
                if thread.is_alive():
                    alive.append((thread, old))
                else:
                    old.close()
            alive.append((threading.current_thread(), conn))
            self._all = alive
        return conn

    @property
    def conn(self) -> PgConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.raw.closed:
            conn = self._connect()
            self._local.conn = conn
        assert isinstance(conn, PgConnection)
        return conn

    def close(self) -> None:
        with self._lock:
            for _thread, conn in self._all:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing a dead connection
                    pass
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        conn = self.conn
        if conn.in_transaction:  # nested: join the outer transaction
            yield conn
            return
        self._begin_locked(conn)
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the connection is gone: the server rolled back
            if isinstance(e, sqlite3.Error):
                raise storage_error(e) from e
            raise

    def _begin_locked(self, conn: PgConnection) -> None:
        """BEGIN, then the write lock, waited for in WAIT_SLICE_MS slices
        (lock_timeout), as Store._begin_immediate waits for SQLite's."""
        deadline = time.monotonic() + (getattr(self._local, "patience", None) or WRITE_DEADLINE_S)
        told = False
        last: sqlite3.Error | None = None
        try:
            while True:
                if self._abort.is_set() and last is not None:
                    raise StorageError(ABORTED_MESSAGE)
                left_ms = int((deadline - time.monotonic()) * 1000)
                if left_ms < 1 and last is not None:
                    raise storage_error(last) from last
                slice_ms = max(1, min(left_ms, WAIT_SLICE_MS))
                try:
                    conn.execute("BEGIN")
                    conn.execute(f"SET LOCAL lock_timeout = {slice_ms}")
                    conn.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                    conn.execute(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
                    return
                except sqlite3.OperationalError as e:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    last = e
                    if getattr(e, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
                        raise storage_error(e) from e
                    if not told and self.on_wait is not None:
                        told = True
                        self.on_wait(True)
        finally:
            if told and self.on_wait is not None:
                self.on_wait(False)


def pg_schema_version() -> int:
    """The PostgreSQL schema version this program installs (storage/pg_schema.py)."""
    from storage import pg_schema

    return int(pg_schema.SCHEMA_VERSION)


def open_pg_store(url: str, *, actor: str | None = None, migrate: bool = True) -> PgStore:
    """Connect and bring the schema to the current version (storage/pg_schema.py)."""
    store = PgStore(url, actor=actor)
    try:
        conn = store.conn
        if migrate:
            from storage import pg_schema

            found = pg_schema.current_version(conn.raw)
            if found != pg_schema.SCHEMA_VERSION:
                with store.write() as c:
                    pg_schema.install(c.raw)
    except BaseException:
        store.close()
        raise
    return store
