"""支部星级排名: the branches of a 党总支 ranked by their members' mean score
for a quarter or a year, with each branch's 星级 and its 五星 members.

Enter opens the branch's assessment; [ and ] step the period; y switches
quarter/year; Escape returns.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Select, Static

from domain.navigation import Place
from domain.org import OrgKind
from domain.periods import Period, PeriodKind, quarter_of
from screens.assessment.view import num, step
from services import assessment as svc
from services import org_lookup
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import content, text
from widgets.tables import add_columns

ALL = "__all__"


class RankingScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "查看支部", show=False),
        Binding("left_square_bracket", "step(-1)", "上一期", key_display="["),
        Binding("right_square_bracket", "step(1)", "下一期", key_display="]"),
        Binding("y", "toggle_year", "季度/全年"),
        Binding("escape", "back", "返回"),
    ]
    DEFAULT_CSS = """
    RankingScreen #rk-filters { height: 1; }
    RankingScreen #rk-filters Label { width: auto; margin: 0 1; }
    RankingScreen #rk-general { width: 34; }
    """

    def __init__(self, general_id: str | None = None, period: Period | None = None) -> None:
        super().__init__()
        self._general_arg = general_id
        self._period_arg = period
        self.period: Period = period or Period.year(2000)
        self.ranked: list[object] = []
        self._loading = True

    def compose(self) -> ComposeResult:
        units = org_lookup.all_units(zapp(self).store)
        self._generals = [u for u in units if u.kind is OrgKind.GENERAL_BRANCH]
        yield Header()
        with Horizontal(id="rk-filters"):
            yield Label("党总支")
            yield Select(
                [(text(g.name), g.id) for g in self._generals] + [(text("全部支部"), ALL)],
                id="rk-general",
                allow_blank=False,
                compact=True,
            )
            yield Label("", id="rk-period")
        yield Static(id="rk-summary")
        yield DataTable(id="rk-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "支部星级排名"
        if self._period_arg is None or self._period_arg.kind not in (
            PeriodKind.QUARTER, PeriodKind.YEAR,
        ):  # fmt: skip
            self.period = quarter_of(zapp(self).today)
        add_columns(
            self.query_one("#rk-table", DataTable),
            (
                ("名次", "rank", 4),
                ("支部", "name", 24),
                ("党员", "members", 4),
                ("平均分", "mean", 6),
                ("星级", "star", 4),
                ("五星党员", "five", 8),
            ),
        )
        ids = [g.id for g in self._generals]
        chosen = self._general_arg if self._general_arg in ids else (ids[0] if ids else ALL)
        with self.prevent(Select.Changed):
            self.query_one("#rk-general", Select).value = chosen
        self.reload()
        self.query_one("#rk-table", DataTable).focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    @property
    def general_id(self) -> str | None:
        value = str(self.query_one("#rk-general", Select).value)
        return None if value == ALL else value

    def reload(self) -> None:
        self.query_one("#rk-period", Label).update(content(f"期间 {self.period.label}"))
        table = self.query_one("#rk-table", DataTable)
        table.clear()
        store, today = zapp(self).store, zapp(self).today
        ranked = svc.ranking(store, self.general_id, self.period, today)
        self.ranked = list(ranked)
        for b in ranked:
            table.add_row(
                num(b.rank if b.rank else "—"),
                text(b.name),
                num(b.members),
                num(b.mean_label, "bold"),
                text(b.star_label),
                num(b.five_star),
                key=b.branch_id,
            )
        low = [b.name for b in ranked if b.star is not None and b.star < 4]
        t = Text(f"{self.period.label}  支部 {len(ranked)} 个")
        if low:
            t.append(f" · 未达四星：{'、'.join(low)}", style="bold")
        self.query_one("#rk-summary", Static).update(t)

    @on(Select.Changed, "#rk-general")
    def _general_changed(self) -> None:
        if not self._loading:
            self.reload()

    @on(DataTable.RowSelected, "#rk-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        zapp(self).go(Place.ASSESSMENT, str(event.row_key.value), period=self.period)

    def action_open(self) -> None:
        table = self.query_one("#rk-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            zapp(self).go(Place.ASSESSMENT, str(key), period=self.period)

    def action_step(self, n: int) -> None:
        self.period = step(self.period, int(n))
        self.reload()

    def action_toggle_year(self) -> None:
        if self.period.kind is PeriodKind.YEAR:
            today = zapp(self).today
            year = self.period.start.year
            self.period = quarter_of(today) if today.year == year else Period.quarter(year, 4)
        else:
            self.period = Period.year(self.period.start.year)
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
