"""党员责任区 / 先锋岗: each member's post, area and public 承诺, and this
quarter's review (兑现 / 未兑现, a note), which feeds the 党员考核 score.

e sets or changes the highlighted member's post and pledge; r reviews it for
the quarter; [ and ] step the quarter; Escape returns.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Select, Static
from textual.widgets.data_table import RowDoesNotExist

from domain.assessment import PostKind
from domain.periods import Period, PeriodKind, quarter_of
from screens.assessment.view import step
from services import assessment as svc
from services import org_lookup
from services.accounts import default_branch
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import content, text
from widgets.tables import add_columns


def _one_line(s: str) -> str:
    # The table crops to the column by display width; keep it to one line.
    return " ".join(s.split())


class PledgesScreen(Screen[None]):
    BINDINGS = [
        Binding("e", "edit", "设岗承诺"),
        Binding("r", "review", "季度评议"),
        Binding("left_square_bracket", "step(-1)", "上一季", key_display="["),
        Binding("right_square_bracket", "step(1)", "下一季", key_display="]"),
        Binding("escape", "back", "返回"),
    ]
    DEFAULT_CSS = """
    PledgesScreen #pl-filters { height: 1; }
    PledgesScreen #pl-filters Label { width: auto; margin: 0 1; }
    PledgesScreen #pl-branch { width: 30; }
    PledgesScreen #pl-table { height: 1fr; }
    PledgesScreen #pl-detail { height: auto; max-height: 5; }
    """

    def __init__(self, branch_id: str | None = None, period: Period | None = None) -> None:
        super().__init__()
        self._branch_arg = branch_id
        self._period_arg = period
        self.period: Period = period or Period.year(2000)
        self.rows: list[svc.PledgeRow] = []
        self._loading = True

    def compose(self) -> ComposeResult:
        self._branches = org_lookup.branches(zapp(self).store)
        yield Header()
        with Horizontal(id="pl-filters"):
            yield Label("支部")
            yield Select(
                [(text(b.name), b.id) for b in self._branches],
                id="pl-branch",
                prompt="（选择支部）",
                compact=True,
            )
            yield Label("", id="pl-period")
        yield Static(id="pl-summary")
        yield DataTable(id="pl-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="pl-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "责任区 · 先锋岗"
        if self._period_arg is None or self._period_arg.kind is not PeriodKind.QUARTER:
            self.period = quarter_of(zapp(self).today)
        add_columns(
            self.query_one("#pl-table", DataTable),
            (
                ("姓名", "name", 8),
                ("先锋岗", "post", 6),
                ("责任区", "area", 14),
                ("公开承诺", "pledge", 20),
                ("本季评议", "review", 8),
            ),
        )
        ids = [b.id for b in self._branches]
        branch = self._branch_arg if self._branch_arg in ids else default_branch(zapp(self).store, ids)
        with self.prevent(Select.Changed):
            if branch:
                self.query_one("#pl-branch", Select).value = branch
        self.reload()
        self.query_one("#pl-table", DataTable).focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    @property
    def branch_id(self) -> str | None:
        sel = self.query_one("#pl-branch", Select)
        return None if sel.is_blank() else str(sel.value)

    def reload(self) -> None:
        self.query_one("#pl-period", Label).update(content(f"季度 {self.period.label}"))
        table = self.query_one("#pl-table", DataTable)
        keep = self.current_person_id()
        table.clear()
        branch = self.branch_id
        self.rows = []
        if branch is None:
            self.query_one("#pl-summary", Static).update(content("还没有支部。"))
            return
        self.rows = svc.pledge_list(zapp(self).store, branch, self.period)
        for r in self.rows:
            p, rv = r.pledge, r.review
            review = (
                Text("—") if p is None
                else Text("未评", style="yellow") if rv is None
                else Text("已兑现") if rv.kept
                else Text("未兑现", style="bold red")
            )  # fmt: skip
            table.add_row(
                text(r.person.name),
                text(p.post.value if p else "（未设）"),
                text(_one_line(p.area) if p else ""),
                text(_one_line(p.pledge) if p else ""),
                review,
                key=r.person.id,
            )
        with_pledge = [r for r in self.rows if r.pledge]
        reviewed = [r for r in with_pledge if r.review]
        kept = [r for r in reviewed if r.review and r.review.kept]
        self.query_one("#pl-summary", Static).update(
            content(
                f"党员 {len(self.rows)} 人 · 已设岗 {len(with_pledge)} · 本季已评 {len(reviewed)}"
                f" · 兑现 {len(kept)} · 未兑现 {len(reviewed) - len(kept)}"
            )
        )
        if keep:
            try:
                table.move_cursor(row=table.get_row_index(keep))
            except RowDoesNotExist:
                pass
        self._show_detail()

    def current_person_id(self) -> str | None:
        table = self.query_one("#pl-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def current(self) -> svc.PledgeRow | None:
        pid = self.current_person_id()
        return next((r for r in self.rows if r.person.id == pid), None)

    def _show_detail(self) -> None:
        row = self.current()
        detail = self.query_one("#pl-detail", Static)
        if row is None or row.pledge is None:
            detail.update(content("按 e 为这名党员设先锋岗、责任区和公开承诺。" if row else ""))
            return
        t = Text()
        t.append(f"{row.person.name}·{row.pledge.post.value}·{row.pledge.area}\n", style="bold")
        t.append(f"承诺：{' '.join(row.pledge.pledge.split())}")
        if row.review:
            t.append(f"\n{self.period.label}：{'已兑现' if row.review.kept else '未兑现'}")
            if row.review.note:
                t.append(f"（{row.review.note}）")
        detail.update(t)

    @on(DataTable.RowHighlighted, "#pl-table")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(Select.Changed, "#pl-branch")
    def _branch_changed(self) -> None:
        if not self._loading:
            self.reload()

    def action_step(self, n: int) -> None:
        target = step(self.period, int(n))
        if target.start > zapp(self).today:
            self.notify(f"{target.label} 尚未开始，还不能评议", markup=False)
            return
        self.period = target
        self.reload()

    def action_edit(self) -> None:
        from screens.assessment.dialogs import PledgeDialog

        row = self.current()
        if row is None:
            return
        store, person, current = zapp(self).store, row.person, row.pledge
        since = self.period.start

        def save(post: PostKind, area: str, pledge: str) -> object:
            return svc.save_pledge(
                store, person.id, post, area, pledge, current=current, since=since
            )

        def done(result: object) -> None:
            if result is not None:
                self.notify(f"已保存 {person.name} 的先锋岗和承诺", markup=False)
                self.reload()

        self.app.push_screen(
            PledgeDialog(
                f"{person.name}：先锋岗、责任区、公开承诺",
                save,
                post=current.post if current else None,
                area=current.area if current else "",
                pledge=current.pledge if current else "",
            ),
            done,
        )

    def action_review(self) -> None:
        from screens.assessment.dialogs import ReviewDialog

        row = self.current()
        if row is None:
            return
        if row.pledge is None:
            self.notify("这名党员还没有设岗承诺：先按 e 设定。", markup=False)
            return
        store, pledge, current, period = zapp(self).store, row.pledge, row.review, self.period
        today = zapp(self).today

        def save(kept: bool, note: str) -> object:
            return svc.review_pledge(store, pledge, period, kept, note, current=current,
                                     today=today)  # fmt: skip

        def done(result: object) -> None:
            if result is not None:
                self.notify(f"已记录 {row.person.name} {period.label} 的承诺评议", markup=False)
                self.reload()

        self.app.push_screen(
            ReviewDialog(
                f"{row.person.name} {period.label} 承诺评议",
                save,
                kept=current.kept if current else True,
                note=current.note if current else "",
            ),
            done,
        )

    def action_back(self) -> None:
        self.app.pop_screen()
