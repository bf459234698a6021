"""The 放假安排 the user loaded (migration 9), one row per year, as text."""

from __future__ import annotations

from domain.holidays import YearArrangement, format_arrangement, parse_arrangement
from storage.db import Store, now_iso


def save(store: Store, arrangement: YearArrangement) -> None:
    with store.write() as c:
        c.execute(
            "INSERT INTO holiday_arrangements(year, text, loaded_at, loaded_by) VALUES (?,?,?,?)"
            " ON CONFLICT(year) DO UPDATE SET text=excluded.text, loaded_at=excluded.loaded_at,"
            " loaded_by=excluded.loaded_by",
            (arrangement.year, format_arrangement(arrangement), now_iso(), store.actor),
        )


def delete(store: Store, year: int) -> bool:
    with store.write() as c:
        return c.execute("DELETE FROM holiday_arrangements WHERE year=?", (year,)).rowcount > 0


def all_arrangements(store: Store) -> list[YearArrangement]:
    rows = store.query("SELECT text FROM holiday_arrangements ORDER BY year")
    return [parse_arrangement(str(r["text"])) for r in rows]


def text_of(store: Store, year: int) -> str | None:
    v = store.scalar("SELECT text FROM holiday_arrangements WHERE year=?", (year,))
    return None if v is None else str(v)
