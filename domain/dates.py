"""Lenient date parsing for keyboard entry.

Accepts 2026-11-22, 2026/11/22, 2026.11.22, 20261122, 2026年11月22日,
11-22 / 11/22 (this year), 今天 / 明天 / 昨天, with full-width digits.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, time, timedelta

WEEKDAYS = "一二三四五六日"

_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "后天": 2, "昨天": -1, "前天": -2}
_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SHORT = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class DateParseError(ValueError):
    """Raised with a Chinese message the UI can show as is."""


def parse_date(text: str, *, today: date | None = None) -> date:
    today = today or date.today()
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise DateParseError("请填写日期")
    if s in _RELATIVE:
        return today + timedelta(days=_RELATIVE[s])
    for pattern in (_FULL, _COMPACT):
        m = pattern.match(s)
        if m:
            return _make(int(m[1]), int(m[2]), int(m[3]))
    m = _SHORT.match(s)
    if m:
        return _make(today.year, int(m[1]), int(m[2]))
    raise DateParseError("日期格式不对，可写 2026-11-22、20261122、11-22 或 今天")


def parse_optional_date(text: str, *, today: date | None = None) -> date | None:
    return None if not text.strip() else parse_date(text, today=today)


def _make(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateParseError(f"没有这一天：{y}年{m}月{d}日") from None


def format_date(d: date | None) -> str:
    return "" if d is None else d.isoformat()


def format_date_cn(d: date) -> str:
    """2026年11月22日（星期日）"""
    return f"{d.year}年{d.month}月{d.day}日（星期{WEEKDAYS[d.weekday()]}）"


_TIME = re.compile(r"^(\d{1,2})\s*[:：.点时]?\s*(\d{2})?\s*分?$")


def parse_time(text: str) -> time:
    """9:30, 0930, 9点30, ９：３０, 14 → a time; Chinese message otherwise."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise DateParseError("请填写时间")
    if len(s) == 4 and s.isdigit():
        s = f"{s[:2]}:{s[2:]}"
    m = _TIME.match(s)
    if not m:
        raise DateParseError("时间格式不对，可写 9:30、0930 或 14点")
    h, mi = int(m[1]), int(m[2] or 0)
    if h > 23 or mi > 59:
        raise DateParseError(f"没有这个时间：{h}:{mi:02d}")
    return time(h, mi)


def parse_optional_time(text: str) -> time | None:
    return None if not text.strip() else parse_time(text)


def format_time(t: time | None) -> str:
    return "" if t is None else t.strftime("%H:%M")


def add_months(d: date, months: int) -> date:
    """The same day *months* calendar months later, clamped to the month's
    end (1月31日 + 1 → 2月28/29日): probation, terms, follow-up intervals.
    (domain.periods.add_months is another thing: the first of a month.)"""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))

