"""放假安排: type or paste the State Council's yearly 放假安排; Ctrl+S stores it
and the rota planner uses it from then on (docs/RULES.md#holidays)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from services import holidays
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedTextArea
from widgets.safe import plain

MAX_CHARS = 4000  # a year's 放假安排 is about ten lines

TEMPLATE = """\
# {year} 年放假安排：每行「名称 日期」，日期范围写作 开始~结束；调休上班日写在「上班」后
# 元旦 {year}-01-01
# 春节 {year}-02-05~{year}-02-12
# 上班 {year}-02-20
"""


class HolidaysScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "保存"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._saved_text = ""
        self._leave_armed = False

    def compose(self) -> ComposeResult:
        app = zapp(self)
        year = app.today.year + 1  # the arrangement comes out in the winter before
        stored = holidays.stored_text(app.store, year)
        self._year = year
        self._saved_text = stored or TEMPLATE.format(year=year)
        yield Header()
        yield Static(id="hol-sources")
        yield LimitedTextArea(self._saved_text, max_length=MAX_CHARS, id="hol-text")
        yield Static(id="hol-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_sources()
        self.query_one("#hol-text", LimitedTextArea).focus()

    def _show_sources(self) -> None:
        app = zapp(self)
        years = [app.today.year, self._year]
        out = Text()
        for _y, _src, statement in holidays.summary(app.store, years):
            out.append(plain(statement) + "\n", style="dim")
        self.query_one("#hol-sources", Static).update(out)

    def _status(self, message: str, style: str = "") -> None:
        self.query_one("#hol-status", Static).update(Text(plain(message), style=style))

    def action_save(self) -> None:
        app = zapp(self)
        text = self.query_one("#hol-text", LimitedTextArea).text
        try:
            arr = holidays.load_text(app.store, text)
        except DomainError as e:  # the text stays as typed
            self._status(f"未保存：{e}", "bold red")
            return
        self._saved_text = text
        self._leave_armed = False
        self._status(
            f"已保存 {arr.year} 年放假安排：放假 {len(arr.days_off)} 天，"
            f"调休上班 {len(arr.workdays)} 天。之后排党课时使用。",
            "green",
        )
        self._show_sources()

    def action_back(self) -> None:
        text = self.query_one("#hol-text", LimitedTextArea).text
        if text != self._saved_text and not self._leave_armed:
            self._leave_armed = True
            self._status("放假安排尚未保存：Ctrl+S 保存，再按 Esc 放弃修改并返回。", "yellow")
            return
        self.app.pop_screen()
