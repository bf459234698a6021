"""Working days: statutory holidays and 调休 from three sources (docs/RULES.md#holidays).

1. 已导入安排 — the State Council's yearly 放假安排, loaded by the user
   (``parse_arrangement``); it wins because the user loaded it on purpose.
2. 法定数据 — the ``chinese_calendar`` package's table for the year (it ships
   one table per year, published each winter).
3. 按规则推算 — for a year neither covers, the days off are computed from the
   全国年节及纪念日放假办法 in force that year: 元旦, 春节 (除夕 from 2025),
   清明 (solar term), 劳动节, 端午, 中秋 (lunar dates via ``lunar_python``)
   and 国庆, plus the customary breaks (``HolidayRules``). 调休 working days
   cannot be computed, so every Saturday and Sunday stays off.

``HolidayCalendar`` is pure: callers pass the imported arrangements in. The
module-level functions use a calendar without imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _cc
from lunar_python import Lunar, Solar
from pydantic import BaseModel, ConfigDict, Field

from domain.dates import WEEKDAYS

# chinese_calendar names holidays in English; the UI needs Chinese.
_HOLIDAY_CN = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# Far enough to cross the longest break (春节 is 8–9 days) plus weekends.
_MAX_SEARCH_DAYS = 60


class HolidaySource(StrEnum):
    PACKAGE = "法定数据"
    COMPUTED = "按规则推算"
    IMPORTED = "已导入安排"


class HolidayRules(BaseModel):
    """Customary breaks around the statutory days; [综合] values, so configurable.

    The 放假办法 fixes the statutory days; how long the break around them is
    comes from each year's 放假安排, which in recent years gave 8 days for
    春节 from 除夕, 5 for 劳动节 and 7 for 国庆 (8 when 中秋 falls next to it).
    """

    model_config = ConfigDict(frozen=True)

    spring_festival_break_days: int = Field(default=8, ge=3, le=12)  # counted from 除夕
    national_day_break_days: int = Field(default=7, ge=3, le=10)  # from 10-01
    labour_day_break_days: int = Field(default=5, ge=1, le=7)  # from 05-01
    # 中秋 within this many days of the 国庆 break joins it into one break one day longer.
    mid_autumn_join_days: int = Field(default=3, ge=0, le=7)


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    holiday: str | None  # Chinese holiday name when the day is off for a statutory holiday
    adjusted_workday: bool  # 调休上班: a weekend day that is a working day
    data_missing: bool  # True when the day was computed from the rules, not a published table
    source: HolidaySource = HolidaySource.PACKAGE


class YearArrangement(BaseModel):
    """One year's 放假安排: named days off and the 调休 working days."""

    model_config = ConfigDict(frozen=True)

    year: int = Field(ge=2000, le=2100)
    days_off: dict[date, str] = Field(default_factory=dict)
    workdays: frozenset[date] = frozenset()


class ArrangementError(ValueError):
    """A 放假安排 text that cannot be read; the message is Chinese and names the line."""


# --- computing a year from the rules --------------------------------------


def _lunar(year: int, month: int, day: int) -> date:
    s = Lunar.fromYmd(year, month, day).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def qingming(year: int) -> date:
    """The 清明 solar term of *year* (April 4 or 5, occasionally 6)."""
    s = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    return date(s.getYear(), s.getMonth(), s.getDay())


def chuxi(year: int) -> date:
    """除夕: the eve of the lunar new year that begins in *year*."""
    return _lunar(year, 1, 1) - timedelta(days=1)


def mid_autumn(year: int) -> date:
    return _lunar(year, 8, 15)


def statutory_days(year: int) -> dict[date, str]:
    """The statutory days off of *year* under the 放假办法 in force that year.

    The 2024 amendment (in force from 2025) added 除夕 and 5-02; before, 春节
    was 初一–初三 and 劳动节 one day (2008–2024 version).
    """
    new_year = _lunar(year, 1, 1)
    spring = [new_year + timedelta(days=k) for k in range(3)]
    labour = [date(year, 5, 1)]
    if year >= 2025:
        spring.insert(0, new_year - timedelta(days=1))
        labour.append(date(year, 5, 2))
    out: dict[date, str] = {date(year, 1, 1): "元旦"}
    out |= dict.fromkeys(spring, "春节")
    out[qingming(year)] = "清明节"
    out |= dict.fromkeys(labour, "劳动节")
    out[_lunar(year, 5, 5)] = "端午节"
    out |= {date(year, 10, k): "国庆节" for k in (1, 2, 3)}
    out[mid_autumn(year)] = "中秋节"  # set last: on 10-01 (2031) the day is named for both
    return out


def computed_days_off(year: int, rules: HolidayRules | None = None) -> dict[date, str]:
    """Statutory days plus the customary 春节 and 国庆 breaks."""
    rules = rules or HolidayRules()
    out = statutory_days(year)
    eve = chuxi(year)
    for k in range(rules.spring_festival_break_days):
        out.setdefault(eve + timedelta(days=k), "春节")
    for k in range(rules.labour_day_break_days):
        out.setdefault(date(year, 5, 1) + timedelta(days=k), "劳动节")
    start, days = date(year, 10, 1), rules.national_day_break_days
    moon = mid_autumn(year)
    end = start + timedelta(days=days - 1)
    if (
        start - timedelta(days=rules.mid_autumn_join_days)
        <= moon
        <= end + timedelta(days=rules.mid_autumn_join_days)
    ):
        # One joint break: from the earlier of 中秋 and 10-01, one day longer.
        start = min(start, moon)
        days += 1
    for k in range(days):
        d = start + timedelta(days=k)
        out.setdefault(d, "中秋节" if d == moon else "国庆节")
    return out


# --- the 放假安排 text format -----------------------------------------------

_WORK_NAMES = frozenset({"上班", "调休上班", "调休"})
_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
_ITEM = re.compile(rf"^({_DATE})(?:\s*[~～至]\s*({_DATE}))?$")


def _date(text: str, line_no: int) -> date:
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return date(y, m, d)
    except ValueError:
        raise ArrangementError(f"第 {line_no} 行：日期 {text} 不存在") from None


def parse_arrangement(text: str) -> YearArrangement:
    """Read a 放假安排: ``名称 日期 [日期~日期 …]`` per line, ``上班`` for 调休.

    Blank lines and lines starting with # are skipped. All dates must be in
    one year. See docs/RULES.md#holidays for an example.
    """
    days_off: dict[date, str] = {}
    workdays: set[date] = set()
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.replace("，", " ").replace(",", " ").split()
        name, items = parts[0], parts[1:]
        if re.match(_DATE, name) or not items:
            raise ArrangementError(
                f"第 {line_no} 行应为「名称 日期」，如「春节 2027-02-05~2027-02-11」"
            )
        days: list[date] = []
        for item in items:
            m = _ITEM.match(item)
            if not m:
                raise ArrangementError(f"第 {line_no} 行：看不懂「{item}」，日期写作 2027-02-05")
            first = _date(m.group(1), line_no)
            last = _date(m.group(2), line_no) if m.group(2) else first
            if last < first or (last - first).days > 31:
                raise ArrangementError(f"第 {line_no} 行：日期范围 {item} 不对")
            days += [first + timedelta(days=k) for k in range((last - first).days + 1)]
        for d in days:
            if name in _WORK_NAMES:
                if d in days_off:
                    raise ArrangementError(f"第 {line_no} 行：{d.isoformat()} 已写为放假")
                workdays.add(d)
            else:
                if d in workdays:
                    raise ArrangementError(f"第 {line_no} 行：{d.isoformat()} 已写为上班")
                days_off[d] = name
    years = {d.year for d in days_off} | {d.year for d in workdays}
    if not years:
        raise ArrangementError("没有读到任何放假或上班日期")
    if len(years) > 1:
        raise ArrangementError(
            f"一份放假安排只能含一个年度，读到 {'、'.join(map(str, sorted(years)))}"
        )
    return YearArrangement(year=years.pop(), days_off=days_off, workdays=frozenset(workdays))


def format_arrangement(arr: YearArrangement) -> str:
    """The text ``parse_arrangement`` reads back to the same arrangement."""
    lines = [f"# {arr.year} 年放假安排"]
    by_name: dict[str, list[date]] = {}
    for d in sorted(arr.days_off):
        by_name.setdefault(arr.days_off[d], []).append(d)
    for name, days in by_name.items():
        lines.append(f"{name} " + " ".join(_ranges(days)))
    if arr.workdays:
        lines.append("上班 " + " ".join(_ranges(sorted(arr.workdays))))
    return "\n".join(lines) + "\n"


def _ranges(days: list[date]) -> list[str]:
    out: list[str] = []
    start = prev = days[0]
    for d in [*days[1:], None]:
        if d is not None and d - prev == timedelta(days=1):
            prev = d
            continue
        out.append(
            start.isoformat() if start == prev else f"{start.isoformat()}~{prev.isoformat()}"
        )
        if d is not None:
            start = prev = d
    return out


# --- the calendar ----------------------------------------------------------


@cache
def covered_years() -> frozenset[int]:
    """Years for which the installed chinese_calendar has holiday data."""
    return frozenset(d.year for d in _cc.holidays) | frozenset(d.year for d in _cc.workdays)


def has_data(year: int) -> bool:
    return year in covered_years()


@cache
def _computed(year: int, rules: HolidayRules) -> dict[date, str]:
    return computed_days_off(year, rules)


class HolidayCalendar:
    """Days off and 调休 by year, from the best source available for the year."""

    def __init__(
        self, arrangements: Iterable[YearArrangement] = (), rules: HolidayRules | None = None
    ) -> None:
        self.arrangements = {a.year: a for a in arrangements}
        self.rules = rules or HolidayRules()

    def source(self, year: int) -> HolidaySource:
        if year in self.arrangements:
            return HolidaySource.IMPORTED
        return HolidaySource.PACKAGE if has_data(year) else HolidaySource.COMPUTED

    def statement(self, year: int) -> str:
        """One Chinese sentence: where *year*'s holidays come from and what that means."""
        src = self.source(year)
        if src is HolidaySource.IMPORTED:
            arr = self.arrangements[year]
            return (
                f"{year} 年节假日取自已导入的放假安排"
                f"（放假 {len(arr.days_off)} 天，调休上班 {len(arr.workdays)} 天）。"
            )
        if src is HolidaySource.PACKAGE:
            return f"{year} 年节假日与调休取自国务院放假安排（chinesecalendar 法定数据）。"
        return (
            f"{year} 年尚无国务院放假安排，节假日按放假办法推算（含除夕），调休上班日未知；"
            "公布后请在「放假安排」录入。"
        )

    def day_info(self, d: date) -> DayInfo:
        weekend = d.weekday() >= 5
        src = self.source(d.year)
        if src is HolidaySource.IMPORTED:
            arr = self.arrangements[d.year]
            name = arr.days_off.get(d)
            worked = d in arr.workdays
            return DayInfo(
                d, name is None and (worked or not weekend), name, weekend and worked, False, src
            )
        if src is HolidaySource.COMPUTED:
            name = _computed(d.year, self.rules).get(d)
            return DayInfo(d, not weekend and name is None, name, False, True, src)
        on_holiday, cc_name = chinese_calendar.get_holiday_detail(d)
        # get_holiday_detail names the holiday also for the 调休 working days, and
        # returns None for ordinary weekends; only a day off gets a holiday name.
        holiday = _HOLIDAY_CN.get(cc_name, cc_name) if on_holiday and cc_name else None
        return DayInfo(d, not on_holiday, holiday, weekend and not on_holiday, False, src)

    def is_working_day(self, d: date) -> bool:
        return self.day_info(d).working

    def is_statutory_holiday(self, d: date) -> bool:
        """Off because of a statutory holiday (not just an ordinary weekend)."""
        return self.day_info(d).holiday is not None

    def describe_day_off(self, d: date) -> str:
        """Why *d* is not a working day, e.g. "国庆节" or "星期六"."""
        return self.day_info(d).holiday or f"星期{WEEKDAYS[d.weekday()]}"

    def next_working_day(self, d: date, *, holidays_only: bool = False) -> tuple[date, str | None]:
        """The first working day on or after *d*, and why it moved (None if it did not).

        ``holidays_only`` keeps ordinary weekends (for shift crews that meet on
        Saturdays) and skips only statutory holidays.
        """

        def off(x: date) -> bool:
            return self.is_statutory_holiday(x) if holidays_only else not self.is_working_day(x)

        if not off(d):
            return d, None
        cur = d
        for _ in range(_MAX_SEARCH_DAYS):
            cur += timedelta(days=1)
            if not off(cur):
                reason = f"{d.isoformat()} 是{self.describe_day_off(d)}，顺延到 {cur.isoformat()}"
                return cur, reason
        raise ValueError(
            f"{d.isoformat()} 之后 {_MAX_SEARCH_DAYS} 天内没有工作日"
        )  # pragma: no cover


DEFAULT_CALENDAR = HolidayCalendar()

_SOURCE_NOTES = {
    HolidaySource.PACKAGE: "{year}年节假日依据国务院放假安排（法定数据）。",
    HolidaySource.IMPORTED: "{year}年节假日依据已导入的国务院放假安排。",
    HolidaySource.COMPUTED: (
        "{year}年节假日按放假办法推算（国务院当年放假安排尚未公布，调休上班日未计入）。"
    ),
}


def source_note(year: int, source: HolidaySource | str) -> str:
    """A sentence for a document (e.g. the 党课计划表's 说明) naming *year*'s source."""
    return _SOURCE_NOTES[HolidaySource(source)].format(year=year)


def missing_data_warning(year: int, calendar: HolidayCalendar | None = None) -> str | None:
    """The source statement for a year computed from the rules, else None."""
    cal = calendar or DEFAULT_CALENDAR
    return cal.statement(year) if cal.source(year) is HolidaySource.COMPUTED else None


def day_info(d: date) -> DayInfo:
    return DEFAULT_CALENDAR.day_info(d)


def is_working_day(d: date) -> bool:
    return DEFAULT_CALENDAR.is_working_day(d)


def is_statutory_holiday(d: date) -> bool:
    return DEFAULT_CALENDAR.is_statutory_holiday(d)


def describe_day_off(d: date) -> str:
    return DEFAULT_CALENDAR.describe_day_off(d)


def next_working_day(d: date, *, holidays_only: bool = False) -> tuple[date, str | None]:
    return DEFAULT_CALENDAR.next_working_day(d, holidays_only=holidays_only)
