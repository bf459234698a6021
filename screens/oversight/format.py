"""Oversight formatting helpers shared by participation, the dues grid and
a member's record (kept apart so those screens need not import each other)."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from domain.dues import DuesRecord, DuesStatus
from domain.periods import Period, PeriodKind, add_months, quarter_of


def band_text(label: str) -> str:
    """Band labels without East-Asian ambiguous-width signs (≤ –), which some
    terminals draw two cells wide."""
    return label.replace("≤", "0-").replace("–", "-").replace("元", "")


def dues_status_text(rec: DuesRecord) -> Text:
    status = rec.status
    style = {
        DuesStatus.UNPAID: "bold red",
        DuesStatus.WAIVED: "cyan",
        DuesStatus.BACK_PAID: "yellow",
    }.get(status, "")
    if status is DuesStatus.UNPAID and rec.paid_fen:
        return Text("部分", style=style)
    return Text(status.value, style=style)


def step_period(period: Period, n: int) -> Period:
    """The period *n* steps later (earlier when negative), of the same kind."""
    if period.kind is PeriodKind.MONTH:
        m = add_months(period.start, n)
        return Period.month(m.year, m.month)
    if period.kind is PeriodKind.QUARTER:
        return quarter_of(add_months(period.start, 3 * n))
    if period.kind is PeriodKind.YEAR:
        return Period.year(period.start.year + n)
    shift = timedelta(days=period.days * n)
    return Period.between(period.start + shift, period.end + shift)


def period_text(period: Period) -> str:
    """What the period field shows; parse_period reads it back."""
    if period.kind is PeriodKind.CUSTOM:
        return f"{period.start.isoformat()}至{period.end.isoformat()}"
    return period.label


def rate_text(rate_label: str, below: bool) -> Text:
    return Text(rate_label, style="bold red" if below else "", justify="right")


def num(n: int) -> Text:
    return Text(str(n), justify="right")


