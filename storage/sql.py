"""What repositories need of a database connection, on either engine.

Storage SQL is written once, in the dialect both engines share (SQLite's
``?``/``:name`` placeholders, ``ON CONFLICT … DO UPDATE``, ``json_extract``),
and runs on sqlite3 as it is and on PostgreSQL through
``storage.pg.PgConnection``, which translates placeholders and presents
psycopg's errors as the sqlite3 DB-API exceptions, so one ``except
sqlite3.IntegrityError`` serves both. The few real differences are asked of
``dialect_of(conn)`` (docs/POSTGRES.md#dialect).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgresql"]
Params = Mapping[str, Any] | Sequence[Any]


class Cursor(Protocol):
    @property
    def description(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of sqlite3.Connection that storage uses."""

    def execute(self, sql: str, parameters: Params = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Iterable[Params], /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...


def dialect_of(conn: object) -> Dialect:
    """"postgresql" for a storage.pg connection, else "sqlite"."""
    return "postgresql" if getattr(conn, "dialect", None) == "postgresql" else "sqlite"


def is_database_url(target: object) -> bool:
    """A PostgreSQL URL (postgresql://…, postgres://…) rather than a file path."""
    text = str(target)
    return text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


@contextmanager
def savepoint(conn: Connection | None, name: str) -> Iterator[None]:
    """Undo only what the block wrote when it raises, inside the caller's
    transaction; the transaction carries on.

    For code that catches a refusal (an IntegrityError) and continues: SQLite
    undoes just the failed statement, PostgreSQL aborts the whole transaction
    (every later statement fails) unless the attempt ran in a savepoint.
    Outside a transaction (or with no connection: the callee opens its own
    write) nothing is needed; PostgreSQL refuses SAVEPOINT there.
    """
    if not name.isidentifier():
        raise ValueError(f"bad savepoint name: {name!r}")
    if conn is None or not conn.in_transaction:
        yield
        return
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:  # a lost connection has nothing to roll back
            conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            conn.execute(f"RELEASE SAVEPOINT {name}")
        raise
    conn.execute(f"RELEASE SAVEPOINT {name}")
