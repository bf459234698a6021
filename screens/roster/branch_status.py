"""支部换届与设置: each branch's term and the size rules it meets or breaks
(docs/RULES.md#branch-term-and-size). The last election date is set here
(Ctrl+S, saved in the background like the other forms), with
`zhibu branch term`, or by finishing a 换届选举 meeting."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Label, Select, Static

from domain.branch_rules import Level, TermState
from domain.dates import DateParseError
from services import branch_term
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.date_input import DateInput
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
    BINDINGS = [
        Binding("ctrl+s", "save", "保存换届日期"),
        Binding("escape", "back", "返回"),
    ]

    DEFAULT_CSS = """
    BranchStatusScreen .bs-row { height: 1; }
    BranchStatusScreen .bs-row Label { width: 14; }
    BranchStatusScreen #bs-branch { width: 30; }
    BranchStatusScreen #bs-last { width: 24; }
    BranchStatusScreen #bs-error { color: $error; }
    """

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__()
        self.branch_id = branch_id  # None: every branch is shown
        self._saving = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(content("支部换届与设置"), id="bs-title")
        with VerticalScroll(id="bs-scroll"):
            yield Static(id="bs-body")
            if self.branch_id is None:
                with Horizontal(classes="bs-row"):
                    yield Label("支部")
                    yield Select[str]([], id="bs-branch", prompt="（选择支部）", compact=True)
            with Horizontal(classes="bs-row"):
                yield Label("上次换届日期")
                yield DateInput(id="bs-last", compact=True)
            yield Static(id="bs-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        rows = self._reload()
        if self.branch_id is None and rows:
            sel = self.query_one("#bs-branch", Select)
            sel.set_options([(s.facts.branch_name, s.facts.branch_id) for s in rows])
            sel.value = rows[0].facts.branch_id
        self._fill_date()
        self.query_one("#bs-last", DateInput).focus()

    def _target(self) -> str | None:
        """The branch whose date the field edits."""
        if self.branch_id is not None:
            return self.branch_id
        sel = self.query_one("#bs-branch", Select)
        return None if sel.is_blank() else str(sel.value)

    def _reload(self) -> list[branch_term.BranchStatus]:
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
        return rows

    def _fill_date(self) -> None:
        """The field shows the chosen branch's date as stored (empty: none yet)."""
        target = self._target()
        app = zapp(self)
        rows = branch_term.statuses(app.store, app.today, target) if target else []
        last = rows[0].term.last_election if rows else None
        self.query_one("#bs-last", DateInput).value = last.isoformat() if last else ""

    @on(Select.Changed, "#bs-branch")
    def _branch_changed(self) -> None:
        self.query_one("#bs-error", Static).update("")
        self._fill_date()

    def _error(self, message: str) -> None:
        self.query_one("#bs-error", Static).update(content(message))

    def action_save(self) -> None:
        if self._saving:
            return  # one save at a time; the next Ctrl+S waits for this one
        target = self._target()
        if target is None:
            self._error("未保存：还没有党支部")
            return
        field = self.query_one("#bs-last", DateInput)
        try:
            day = field.date_value
        except DateParseError as e:
            self._error(f"未保存：{e}")
            return
        if day is None:
            self._error("未保存：请填写上次换届日期")
            return
        app = zapp(self)
        store, today, rules = app.store, app.today, app.settings.rules.branch
        self._saving = True

        def done(saved: branch_term.BranchStatus) -> None:
            self._saving = False
            self._error("")
            self._reload()
            self.app.notify(
                f"已保存：{saved.facts.branch_name} 上次换届 {day.isoformat()}", markup=False
            )

        def refused(e: Exception) -> None:
            self._saving = False
            self._error(f"未保存：{e}")

        run_save(
            self, store,
            lambda: branch_term.set_last_election(store, target, day, today=today, config=rules),
            done, refused,
        )  # fmt: skip

    def action_back(self) -> None:
        self.app.pop_screen()
