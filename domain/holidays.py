"""Working days from the ``chinese_calendar`` data (statutory holidays and 调休).

The package ships one table per year, published each winter by the State
Council; for a year it does not cover it raises NotImplementedError. We then
fall back to Monday–Friday minus the fixed solar-date holidays of the
全国年节及纪念日放假办法 (元旦, 劳动节, 国庆节; the lunar ones cannot be known
without the table) and say so (``missing_data_warning``) rather than crash or
silently pretend the dates were checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from chinese_calendar import constants as _cc

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

# Fixed-date statutory days off (放假办法 as amended 2024, in force 2025).
_FIXED_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

# Far enough to cross the longest break (春节 is 8–9 days) plus weekends.
_MAX_SEARCH_DAYS = 60


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    holiday: str | None  # Chinese holiday name when the day is off for a statutory holiday
    adjusted_workday: bool  # 调休上班: a weekend day that is a working day
    data_missing: bool  # True when the year is outside chinese_calendar's data


@cache
def covered_years() -> frozenset[int]:
    """Years for which the installed chinese_calendar has holiday data."""
    return frozenset(d.year for d in _cc.holidays) | frozenset(d.year for d in _cc.workdays)


def has_data(year: int) -> bool:
    return year in covered_years()


def missing_data_warning(year: int) -> str | None:
    """A Chinese warning for a year without holiday data, else None."""
    if has_data(year):
        return None
    years = sorted(covered_years())
    span = f"{years[0]}–{years[-1]}" if years else "无"
    return (
        f"缺少 {year} 年的法定节假日数据（已安装的 chinesecalendar 只含 {span} 年），"
        "已按周一至周五（除元旦、劳动节、国庆节的固定假日）作为工作日排期，"
        "春节等农历节日和调休未计入，请人工核对。"
    )


def day_info(d: date) -> DayInfo:
    weekend = d.weekday() >= 5
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        fixed = _FIXED_HOLIDAYS.get((d.month, d.day))
        return DayInfo(d, not weekend and fixed is None, fixed, False, True)
    # get_holiday_detail names the holiday also for the 调休 working days, and
    # returns None for ordinary weekends; only a day off gets a holiday name.
    holiday = _HOLIDAY_CN.get(name, name) if on_holiday and name else None
    return DayInfo(d, not on_holiday, holiday, weekend and not on_holiday, False)


def is_working_day(d: date) -> bool:
    return day_info(d).working


def is_statutory_holiday(d: date) -> bool:
    """Off because of a statutory holiday (not just an ordinary weekend)."""
    return day_info(d).holiday is not None


def describe_day_off(d: date) -> str:
    """Why *d* is not a working day, e.g. "国庆节" or "星期六"."""
    info = day_info(d)
    return info.holiday or f"星期{WEEKDAYS[d.weekday()]}"


def next_working_day(d: date, *, holidays_only: bool = False) -> tuple[date, str | None]:
    """The first working day on or after *d*, and why it moved (None if it did not).

    ``holidays_only`` keeps ordinary weekends (for shift crews that meet on
    Saturdays) and skips only statutory holidays.
    """

    def off(x: date) -> bool:
        return is_statutory_holiday(x) if holidays_only else not is_working_day(x)

    if not off(d):
        return d, None
    cur = d
    for _ in range(_MAX_SEARCH_DAYS):
        cur += timedelta(days=1)
        if not off(cur):
            return cur, f"{d.isoformat()} 是{describe_day_off(d)}，顺延到 {cur.isoformat()}"
    raise ValueError(f"{d.isoformat()} 之后 {_MAX_SEARCH_DAYS} 天内没有工作日")  # pragma: no cover
