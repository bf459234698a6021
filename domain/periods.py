"""Calendar periods (month, quarter, year) used by compliance, attendance and dues.

A period is a closed date range ``[start, end]``: a meeting held on the last
day of a quarter belongs to that quarter.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "月"
    QUARTER = "季度"
    YEAR = "年"
    CUSTOM = "自定义"


class PeriodParseError(ValueError):
    """Raised with a Chinese message the UI can show as is."""


@dataclass(frozen=True)
class Period:
    """An inclusive date range with a display label.

    A plain dataclass, not a pydantic model: periods are computed, never typed
    in, and the home screen builds dozens of them at start-up.
    """

    start: date
    end: date
    kind: PeriodKind = PeriodKind.CUSTOM
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("结束日期不能早于开始日期")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(
            start=date(year, month, 1),
            end=date(year, month, last),
            kind=PeriodKind.MONTH,
            label=f"{year}年{month}月",
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError("季度只能是 1–4")
        first = 3 * quarter - 2
        last_month = first + 2
        return cls(
            start=date(year, first, 1),
            end=date(year, last_month, calendar.monthrange(year, last_month)[1]),
            kind=PeriodKind.QUARTER,
            label=f"{year}Q{quarter}",
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(
            start=date(year, 1, 1), end=date(year, 12, 31), kind=PeriodKind.YEAR, label=f"{year}年"
        )

    @classmethod
    def between(cls, start: date, end: date, label: str = "") -> Period:
        return cls(start=start, end=end, label=label or f"{start.isoformat()}至{end.isoformat()}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def months(self) -> list[Period]:
        """Calendar months that overlap this period, in order."""
        out: list[Period] = []
        y, m = self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            out.append(Period.month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def quarters(self) -> list[Period]:
        """Calendar quarters that overlap this period, in order."""
        out: list[Period] = []
        for mp in self.months():
            q = quarter_of(mp.start)
            if not out or out[-1] != q:
                out.append(q)
        return out

    def years(self) -> list[Period]:
        return [Period.year(y) for y in range(self.start.year, self.end.year + 1)]

    def __str__(self) -> str:
        return self.label


def month_of(d: date) -> Period:
    return Period.month(d.year, d.month)


def quarter_of(d: date) -> Period:
    return Period.quarter(d.year, (d.month - 1) // 3 + 1)


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """First day of the month *n* months after the month of *d*."""
    idx = d.year * 12 + (d.month - 1) + n
    return date(idx // 12, idx % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from the month of *earlier* to that of *later*."""
    return (later.year - earlier.year) * 12 + (later.month - earlier.month)


_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:年\s*第?\s*([1-4一二三四])\s*季度?|[-\s]?Q([1-4]))$", re.I)
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(text: str) -> Period:
    """Parse 2026Q4 / 2026年第四季度, 2026-11 / 2026年11月, 2026 / 2026年."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise PeriodParseError("请填写期间")
    m = _QUARTER.match(s)
    if m:
        q = m[2] or m[3]
        return Period.quarter(int(m[1]), _CN_DIGITS.get(q) or int(q))
    m = _MONTH.match(s)
    if m:
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodParseError(f"没有{month}月")
        return Period.month(int(m[1]), month)
    m = _YEAR.match(s)
    if m:
        return Period.year(int(m[1]))
    raise PeriodParseError("期间格式不对，可写 2026Q4、2026-11 或 2026")
