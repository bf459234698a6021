"""One lecturer's unavailable dates for the rota wizard (a small modal).

Dates are typed in one line, separated by 、 , ； or spaces; a short form such
as 3-5 means the plan's year, not this year. What is typed goes back to the
wizard on every change (``on_change``) so the wizard's draft keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from domain.dates import DateParseError, parse_date
from widgets.limited_input import LimitedInput
from widgets.safe import content

_SPLIT = re.compile(r"[,，、;；\s]+")


def parse_dates(raw: str, year: int) -> list[date]:
    """Every date in *raw*; raises DateParseError naming the bad one."""
    out: set[date] = set()
    for token in _SPLIT.split(raw.strip()):
        if not token:
            continue
        try:
            out.add(parse_date(token, today=date(year, 1, 1)))
        except DateParseError as e:
            raise DateParseError(f"“{token}”：{e}") from None
    return sorted(out)


def format_dates(days: list[date], year: int) -> str:
    """Short form (3-5) for the plan's year, full form otherwise."""
    return "、".join(f"{d.month}-{d.day}" if d.year == year else d.isoformat() for d in days)


class UnavailableDatesScreen(ModalScreen[list[date] | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "确定", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(
        self,
        lecturer: str,
        year: int,
        text: str,
        *,
        slot_dates: list[date] | None = None,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self._lecturer = lecturer
        self._year = year
        self._text = text
        self._slot_dates = slot_dates or []
        self._on_change = on_change

    def compose(self) -> ComposeResult:
        with Vertical(id="unavail-box"):
            yield Static(content(f"{self._lecturer} 不能授课的日期"), id="unavail-title")
            yield Static(
                content("用空格或、分隔，如 3-5 2027-06-04；Enter 确定，Esc 取消"),
                classes="muted",
            )
            yield LimitedInput(value=self._text, id="unavail-input", max_length=300)
            if self._slot_dates:
                hint = "本期授课日期：" + format_dates(self._slot_dates, self._year)
                yield Static(content(hint), id="unavail-hint", classes="muted")
            yield Static(id="unavail-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed, "#unavail-input")
    def _changed(self, event: Input.Changed) -> None:
        if self._on_change is not None:
            self._on_change(event.value)

    @on(Input.Submitted, "#unavail-input")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        try:
            days = parse_dates(self.query_one(Input).value, self._year)
        except DateParseError as e:
            self.query_one("#unavail-status", Static).update(content(str(e)))
            return
        self.dismiss(days)

    def action_cancel(self) -> None:
        self.dismiss(None)
