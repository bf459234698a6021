"""IN (...) lists in SQL: placeholders, and chunks small enough for SQLite's
bound-parameter limit whatever the number of ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

CHUNK = 500


def chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def marks(ids: Sequence[object]) -> str:
    """'?,?,?' for three ids."""
    return ",".join("?" * len(ids))
