"""Holiday sources for planning: the user's loaded 放假安排 over the package data
and the computed rules (docs/RULES.md#holidays)."""

from __future__ import annotations

from pathlib import Path

from domain.holidays import (
    ArrangementError,
    HolidayCalendar,
    HolidayRules,
    HolidaySource,
    YearArrangement,
    parse_arrangement,
)
from services.errors import InputMissing, InvalidInput, service
from services.store import Store
from storage import holidays as repo


@service
def calendar(store: Store, rules: HolidayRules | None = None) -> HolidayCalendar:
    """The calendar the planners should use: imported arrangements first;
    *rules* (the configuration's [rules.holidays]) for computed years."""
    return HolidayCalendar(repo.all_arrangements(store), rules)


def parse(text: str) -> YearArrangement:
    try:
        return parse_arrangement(text)
    except ArrangementError as e:
        raise InvalidInput(str(e)) from None


@service
def load_text(store: Store, text: str) -> YearArrangement:
    """Store the 放假安排 typed or read from a file; replaces that year's."""
    arrangement = parse(text)
    repo.save(store, arrangement)
    return arrangement


def load_file(store: Store, path: Path) -> YearArrangement:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputMissing(f"找不到文件：{path}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} 不是 UTF-8 文本文件") from None
    except OSError as e:
        raise InputMissing(f"读不了 {path}：{e.strerror or e}") from None
    return load_text(store, text)


@service
def remove(store: Store, year: int) -> bool:
    return repo.delete(store, year)


@service
def summary(store: Store, years: list[int]) -> list[tuple[int, HolidaySource, str]]:
    """For each year: its source and the sentence saying what that means."""
    cal = calendar(store)
    return [(y, cal.source(y), cal.statement(y)) for y in years]


@service
def stored_text(store: Store, year: int) -> str | None:
    """The loaded 放假安排 of *year* as text (what ``load_text`` reads), if any."""
    return repo.text_of(store, year)
