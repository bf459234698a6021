"""今日: what is due, 三会一课 per branch, drafts to resume."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from domain.dashboard import DueItem, Urgency
from domain.dates import format_date_cn
from domain.navigation import Place
from screens.drafts import DraftList
from screens.oversight.compliance_table import LEGEND, ComplianceTable
from screens.registry import DRAFT_KINDS, home_keys
from services.home import (
    WORKFLOW_MODULES,
    ComplianceRow,
    compliance_table,
    due_items,
    headline,
)
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import text

if TYPE_CHECKING:
    from services.store import Store

SECTION_ORDER = ("党课", "一人一事", "三会一课", "决议", "补学", "党费")
URGENCY_MARK = {
    Urgency.OVERDUE: ("‼ ", "bold red"),
    Urgency.DUE: ("• ", "yellow"),
    Urgency.INFO: ("· ", ""),
}


# What the workflow screens load on first use (pydantic and the models: ~0.1 s).
WARM_UP_MODULES = WORKFLOW_MODULES


def _import_workflows(freeze: bool) -> None:
    import gc
    import importlib

    for name in WARM_UP_MODULES:
        importlib.import_module(name)
    if freeze:
        # What is alive now (modules, classes, the home screen) lives as long
        # as the app: keep it out of the collector's full passes, which walked
        # ~150,000 objects and stalled a keystroke by 40-60 ms now and then.
        gc.freeze()


def top_per_section(items: list[DueItem], today: date, per_section: int = 3) -> list[DueItem]:
    """A few of each kind, most urgent first, so one kind cannot crowd out the rest."""
    sections: dict[str, list[DueItem]] = {}
    for item in items:
        sections.setdefault(item.section, []).append(item)
    order = sorted(
        sections, key=lambda s: (SECTION_ORDER.index(s) if s in SECTION_ORDER else 99, s)
    )
    out: list[DueItem] = []
    for name in order:
        group = sorted(sections[name], key=lambda i: (-i.urgency, i.due or today))
        out += group[:per_section]
        if len(group) > per_section:
            worst = max(i.urgency for i in group[per_section:])
            out.append(
                DueItem(
                    section=name, text=f"……另有 {len(group) - per_section} 项{name}", urgency=worst
                )
            )
    return out


class HomeScreen(Screen[None]):
    # The workflow keys come from the route registry: footer ones shown,
    # the rest listed in ? help and the palette.
    BINDINGS = [
        # id: the name the config file's [keys] table remaps (the place's value).
        *(Binding(r.key, f"app.go('{r.place.value}')", r.label, show=r.footer, id=r.place.value)
          for r in home_keys() if r.key),
        Binding("d", "drafts", "草稿", id="drafts"),
        Binding("f5", "refresh", "刷新", show=False, id="refresh"),
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="home-head")
        with VerticalScroll(id="home-body"):
            yield Static("待办", classes="section-title")
            yield OptionList(id="due-list", markup=False)
            yield Static("三会一课（本季度至今，Enter 看参加情况）", classes="section-title")
            yield ComplianceTable(id="compliance-table")
            yield Static(LEGEND, classes="muted", id="compliance-legend")
            yield Static("未完成的草稿", classes="section-title", id="draft-title")
            yield DraftList(DRAFT_KINDS, id="draft-list")
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: one load at start-up.
        self.refresh_data()
        self._focus_due()
        if not self._warmed:
            self._warmed = True
            self.call_after_refresh(self._warm_up)

    _warmed = False

    def _focus_due(self) -> None:
        """Enter acts on the first 待办 at once, without a Tab first; coming
        back from a screen keeps the place the user left."""
        lst = self.query_one("#due-list", OptionList)
        if self.focused not in (None, self.query_one("#home-body")) or not lst.option_count:
            return
        lst.focus()
        if lst.highlighted is None:
            lst.highlighted = 0

    def _warm_up(self) -> None:
        """Once the home screen is on the terminal, load the workflow models in
        a thread while the user reads it, so the first m/r/k/f/c opens at once."""
        freeze = zapp(self).freeze_heap_after_warm_up
        self.run_worker(
            partial(_import_workflows, freeze), thread=True, group="warm-up", exit_on_error=False
        )

    def action_refresh(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        app = zapp(self)
        store = app.store
        total, branches = headline(store)
        head = Text.assemble(
            ("今日 ", "bold"),
            format_date_cn(app.today),
            ("   ", ""),
            (f"{branches} 个支部 · {total} 人", "dim"),
        )
        self.query_one("#home-head", Static).update(head)
        rows = compliance_table(store, app.today)
        self._fill_due(store, branches, rows)
        self.query_one(ComplianceTable).show(rows)
        self._fill_drafts()

    def _fill_due(self, store: Store, branches: int, rows: list[ComplianceRow]) -> None:
        lst = self.query_one("#due-list", OptionList)
        lst.clear_options()
        self._due: list[DueItem] = []
        if not branches:
            msg = "还没有组织数据。按 i 导入人员，或在命令行运行 zhibu demo 生成演示数据。"
            lst.add_option(Option(Text(msg)))
            return
        app = zapp(self)
        today = app.today
        found = due_items(store, today, compliance_rows=rows, branch_rules=app.settings.rules.branch)
        items = top_per_section(found, today)
        if not items:
            lst.add_option(Option(Text("今天没有待办事项。", style="dim")))
        # One add_options: each add_option asks for its own layout pass.
        lst.add_options(
            Option(Text.assemble(URGENCY_MARK[item.urgency], text(item.text)), id=f"due{n}")
            for n, item in enumerate(items)
        )
        self._due = items

    @on(OptionList.OptionSelected, "#due-list")
    def _open_due(self, event: OptionList.OptionSelected) -> None:
        opt = event.option.id or ""
        if opt.startswith("due"):
            item = self._due[int(opt[3:])]
            zapp(self).follow(item.action)

    def _fill_drafts(self) -> None:
        keeper = zapp(self).drafts
        items = keeper.listing(zapp(self).today)
        lst = self.query_one("#draft-list", DraftList)
        lst.show(items)
        lst.display = bool(items)
        older = keeper.left_out(zapp(self).today)
        title = "未完成的草稿"
        if older:
            title += f"（另有 {older} 份，按 d 查看全部）"
        self.query_one("#draft-title", Static).update(title)
        self.query_one("#draft-title").display = bool(items or older)

    @on(DraftList.Changed)
    def _drafts_changed(self) -> None:
        self._fill_drafts()

    def action_drafts(self) -> None:
        zapp(self).go(Place.DRAFTS)

    @on(DataTable.RowSelected, "#compliance-table")
    def _open_branch(self, event: DataTable.RowSelected) -> None:
        zapp(self).go(Place.PARTICIPATION, str(event.row_key.value))
