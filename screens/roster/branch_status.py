"""支部换届与设置: each branch's term and the size rules it meets or breaks
(docs/RULES.md#branch-term-and-size). Read-only; the dates are set with
`zhibu branch term` or by finishing a 换届选举 meeting."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from domain.branch_rules import Level, TermState
from services import branch_term
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import content, plain

_TERM_STYLE = {
    TermState.EXPIRED: "bold red",
    TermState.DUE_SOON: "yellow",
    TermState.UNKNOWN: "dim",
    TermState.IN_TERM: "",
}
_LEVEL_STYLE = {Level.PROBLEM: "bold red", Level.ADVICE: "yellow", Level.OK: "green"}
_LEVEL_MARK = {Level.PROBLEM: "✗", Level.ADVICE: "⚠", Level.OK: "✓"}


class BranchStatusScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "返回")]

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__()
        self.branch_id = branch_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(content("支部换届与设置"), id="bs-title")
        with VerticalScroll(id="bs-scroll"):
            yield Static(id="bs-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        app = zapp(self)
        rows = branch_term.statuses(
            app.store, app.today, self.branch_id, config=app.settings.rules.branch
        )
        out = Text()
        for s in rows:
            out.append(plain(s.facts.branch_name) + "\n", style="bold")
            out.append("  " + plain(s.term.message) + "\n", style=_TERM_STYLE[s.term.state])
            for f in s.size:
                line = f"  {_LEVEL_MARK[f.level]} {f.level.value}：{f.text}"
                out.append(plain(line) + "\n", style=_LEVEL_STYLE[f.level])
        if not rows:
            out.append("还没有党支部。", style="dim")
        self.query_one("#bs-body", Static).update(out)
        self.query_one("#bs-scroll", VerticalScroll).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
