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
