"""Dues arrears: the unbroken run of unpaid months, and the alert it raises.

Pure and light (no pydantic): the home screen lists arrears at start-up from
(person, month) rows alone; domain.dues builds MemberArrears on the same
functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from domain.periods import add_months, month_start

# 党费规定: ask for payment after 3 months [常见, configurable in DuesConfig];
# 6 months without good reason is treated as leaving the Party (党章 第九条).
WARN_MONTHS = 3
LAPSE_MONTHS = 6


class ArrearsLevel(StrEnum):
    WARN = "欠缴提醒"
    LAPSE = "连续欠缴6个月"


def run_ending_at(unpaid_months: Iterable[date], cutoff: date) -> int:
    """How many months in a row up to *cutoff* (inclusive) are unpaid.

    A month that is not listed (paid, waived, or no record at all) ends the run.
    """
    unpaid = {month_start(m) for m in unpaid_months}
    run = 0
    m = month_start(cutoff)
    while m in unpaid:
        run += 1
        m = add_months(m, -1)
    return run


def arrears_level(
    months: int, warn: int = WARN_MONTHS, lapse: int = LAPSE_MONTHS
) -> ArrearsLevel | None:
    if months >= lapse:
        return ArrearsLevel.LAPSE
    if months >= warn:
        return ArrearsLevel.WARN
    return None
