"""党费录入: a whole branch's month in one grid, for collection day (主题党日).

Each member's row shows base, band, due and paid. Keys act on the row under
the cursor: space marks it paid in full (cursor moves down), a / Enter sets
the amount paid, b the base (rate and due recomputed by the bands), k the
kind (在职/离退休/学生…), w waives (with the approval note), x clears.
Every change is kept as a draft at once (workflow "dues", one per branch and
month); Ctrl+S saves the month in one transaction and drops the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Select, Static

from domain.dues import (
    DEFAULT_CONFIG,
    NO_BASE,
    DuesConfig,
    DuesError,
    DuesKind,
    DuesRecord,
    base_missing,
    branch_month_summary,
    check_back_payment,
    compute_due,
    format_yuan,
    parse_yuan,
    record_payment,
    waive,
)
from domain.navigation import Place
from domain.people import Person
from domain.periods import add_months, month_start
from screens.oversight.format import band_text, dues_status_text
from services import dues as dues_service
from services import org_lookup
from services.dues import GridRow
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.footer import KeyFooter
from widgets.safe import content, text
from widgets.tables import add_columns

WORKFLOW = "dues"
DEFAULT_METHOD = "现金"
ONLINE_METHOD = "线上缴纳"  # the 缴纳方式 of a payment marked 线上 (o)


# -- record edits (pure) ---------------------------------------------------------


def draft_key(branch_id: str, month: date) -> str:
    return f"{branch_id}:{month.year:04d}-{month.month:02d}"


def parse_draft_key(key: str) -> tuple[str, date]:
    branch_id, _, ym = key.rpartition(":")
    return branch_id, date.fromisoformat(f"{ym}-01")


def pay_in_full(rec: DuesRecord, today: date, config: DuesConfig = DEFAULT_CONFIG) -> DuesRecord:
    if rec.waived:
        raise DuesError("该月党费已免缴，无需缴纳")
    if rec.due_fen == 0:
        raise DuesError("应缴为 0：请先按 b 设置计算基数")
    if rec.owed_fen == 0:
        raise DuesError("已缴足（按 x 可清除后重录）")
    return record_payment(rec, rec.owed_fen, today, rec.method or DEFAULT_METHOD, config)


def set_paid(
    rec: DuesRecord, amount_fen: int, today: date, config: DuesConfig = DEFAULT_CONFIG
) -> DuesRecord:
    """The month's total paid becomes *amount_fen* (0 = not paid)."""
    if amount_fen == 0:
        return rec.model_copy(update={"paid_fen": 0, "paid_on": None})
    if rec.waived:
        raise DuesError("该月党费已免缴，无需缴纳")
    paid_on = rec.paid_on or today
    check_back_payment(rec.month, paid_on, config)
    return rec.model_copy(
        update={"paid_fen": amount_fen, "paid_on": paid_on, "method": rec.method or DEFAULT_METHOD}
    )


def with_base(
    rec: DuesRecord,
    base_fen: int,
    kind: DuesKind | None = None,
    config: DuesConfig = DEFAULT_CONFIG,
) -> DuesRecord:
    """New base (and kind): rate, band and due recomputed by the bands
    (*config*: the configuration's [rules.dues])."""
    due = compute_due(base_fen, kind or rec.kind, config)
    return rec.model_copy(
        update={
            "kind": due.kind,
            "base_fen": base_fen,
            "rate_bp": due.rate_bp,
            "band_label": due.band_label,
            "due_fen": due.amount_fen,
        }
    )


def cleared(rec: DuesRecord) -> DuesRecord:
    return rec.model_copy(
        update={"paid_fen": 0, "paid_on": None, "waived": False, "waiver_note": ""}
    )


# -- the screen ------------------------------------------------------------------


class DuesGridScreen(Screen[None]):
    BINDINGS = [
        Binding("space", "pay_full", "缴足", key_display="空格"),
        Binding("a", "amount", "金额"),
        Binding("b", "base", "基数"),
        Binding("w", "waive", "免缴"),
        Binding("k", "kind", "类别", show=False),
        Binding("o", "online", "线上/线下", show=False),
        Binding("x", "clear", "清除", show=False),
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("left_square_bracket", "month(-1)", "上月", key_display="["),
        Binding("right_square_bracket", "month(1)", "下月", key_display="]"),
        Binding("slash", "find", "查找", key_display="/", show=False),
        Binding("m", "member", "党员档案", show=False),
        Binding("ctrl+d", "discard", "放弃修改", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(
        self,
        branch_id: str | None = None,
        *,
        month: date | None = None,
        focus_person: str | None = None,
    ) -> None:
        super().__init__()
        self._branch_arg = branch_id
        self._month_arg = month_start(month) if month else None
        self._focus = focus_person
        if self._month_arg is not None:
            self.month: date = self._month_arg  # else app.today's month, on mount
        self.rows: dict[str, GridRow] = {}
        self.records: dict[str, DuesRecord] = {}
        self.changed: set[str] = set()
        self.order: list[str] = []
        self._loading = True
        self._saving = False  # a save waiting for the lock: the grid holds still

    @classmethod
    def from_draft_key(cls, key: str) -> DuesGridScreen:
        """Resume a draft listed on the home screen."""
        branch_id, month = parse_draft_key(key)
        return cls(branch_id, month=month)

    def compose(self) -> ComposeResult:
        self._branches = org_lookup.branches(zapp(self).store)
        yield Header()
        with Horizontal(id="dg-top"):
            yield Label("支部")
            yield Select(
                [(text(b.name), b.id) for b in self._branches],
                id="dg-branch",
                prompt="（选择支部）",
                compact=True,
            )
            yield Static(id="dg-month")
        yield Static(id="dg-summary")
        yield DataTable(id="dg-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="dg-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#dg-table", DataTable)
        add_columns(
            table,
            (
                ("", "mark", 1),
                ("姓名", "name", 8),
                ("基数", "base", 9),
                ("档次", "band", 15),
                ("应缴", "due", 7),
                ("实缴", "paid", 7),
                ("状态", "status", 4),
                ("欠缴", "arrears", 5),
            ),
        )
        if self._month_arg is None:
            self.month = month_start(zapp(self).today)
        ids = [b.id for b in self._branches]
        branch = self._branch_arg if self._branch_arg in ids else (ids[0] if ids else None)
        if branch:
            with self.prevent(Select.Changed):
                self.query_one("#dg-branch", Select).value = branch
        self.load()
        table.focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    # -- loading ---------------------------------------------------------------
    @property
    def branch_id(self) -> str | None:
        sel = self.query_one("#dg-branch", Select)
        return None if sel.is_blank() else str(sel.value)

    @property
    def branch_name(self) -> str:
        return next((b.name for b in self._branches if b.id == self.branch_id), "")

    @property
    def _rules(self) -> DuesConfig:
        """The configuration's [rules.dues] (rate bands, back-payment limit)."""
        return zapp(self).settings.rules.dues

    def load(self) -> None:
        table = self.query_one("#dg-table", DataTable)
        table.clear()
        self.rows, self.records, self.changed, self.order = {}, {}, set(), []
        self.query_one("#dg-month", Static).update(
            content(f"  {self.month.year}年{self.month.month}月（[ ] 换月）")
        )
        branch = self.branch_id
        if branch is None:
            self._status("还没有支部。", error=True)
            return
        store = zapp(self).store
        today: date = zapp(self).today
        for row in dues_service.month_grid(store, branch, self.month, today, config=self._rules):
            pid = row.person.id
            self.rows[pid] = row
            self.records[pid] = row.record
            self.order.append(pid)
        draft = zapp(self).drafts.load(WORKFLOW, draft_key(branch, self.month))
        restored = 0
        for pid, data in ((draft or {}).get("records") or {}).items():
            if pid in self.records:
                self.records[pid] = DuesRecord.model_validate(data)
                self.changed.add(pid)
                restored += 1
        for pid in self.order:
            table.add_row(*self._cells(pid), key=pid)
        if self._focus and self._focus in self.records:
            table.move_cursor(row=self.order.index(self._focus))
        self._focus = None
        self._update_summary()
        if restored:
            self.notify(f"已恢复 {restored} 处未保存的录入（Ctrl+D 放弃）", markup=False)
        if not self.order:
            self._status("本支部没有需交党费的党员。")
        else:
            self._describe_current()

    # -- rendering -------------------------------------------------------------
    def _cells(self, pid: str) -> list[Text]:
        row, rec = self.rows[pid], self.records[pid]
        known = row.base_known or pid in self.changed
        run = row.arrears.consecutive_months
        arrears = Text(f"{run}个月" if run else "", style="bold red" if run >= 3 else "yellow")
        if not known or base_missing(rec):
            # Nothing can be computed: not 「已缴 0.00」 but what is missing.
            return [
                Text("*" if pid in self.changed else "", style="bold"),
                text(row.person.name),
                Text(NO_BASE, style="bold yellow"),
                Text(""),
                Text("—", justify="right", style="dim"),
                Text("—", justify="right", style="dim"),
                Text("—", style="dim"),
                arrears,
            ]
        return [
            Text("*" if pid in self.changed else "", style="bold"),
            text(row.person.name),
            Text(format_yuan(rec.base_fen), justify="right"),
            text(band_text(rec.band_label)),
            Text(format_yuan(rec.due_fen), justify="right"),
            Text(format_yuan(rec.paid_fen), justify="right"),
            dues_status_text(rec),
            arrears,
        ]

    def _refresh_row(self, pid: str) -> None:
        table = self.query_one("#dg-table", DataTable)
        keys = [c.key for c in table.columns.values()]
        for key, value in zip(keys, self._cells(pid), strict=True):
            table.update_cell(pid, key, value)

    def _update_summary(self, note: str = "") -> None:
        counted = [r for pid, r in self.records.items() if not self._no_base(pid)]
        s = branch_month_summary(counted, self.month)
        rate = "—" if s.member_rate is None else f"{float(s.member_rate * 100):.1f}%"
        out = Text()
        out.append(
            f"应缴 {s.members_due} 人 · 已缴足 {s.members_paid} 人 · 免缴 {s.members_waived} 人 · "
        )
        out.append(f"应缴 {format_yuan(s.due_fen)} 元 · 实缴 {format_yuan(s.paid_fen)} 元 · ")
        out.append(f"收缴率 {rate}", style="bold")
        missing = sum(1 for pid in self.order if self._no_base(pid))
        if missing:
            out.append(f" · {NO_BASE} {missing} 人（按 b 设置）", style="bold yellow")
        if self.changed:
            out.append(f" · 未保存 {len(self.changed)} 处（Ctrl+S 保存）", style="bold yellow")
        if note:
            out.append(f" · {note}", style="bold green")
        self.query_one("#dg-summary", Static).update(out)

    def _no_base(self, pid: str) -> bool:
        known = self.rows[pid].base_known or pid in self.changed
        return not known or base_missing(self.records[pid])

    def _status(self, message: str, *, error: bool = False) -> None:
        out = Text(message, style="bold red" if error else "")
        self.query_one("#dg-status", Static).update(out)

    def _current(self) -> str | None:
        table = self.query_one("#dg-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _describe_current(self) -> None:
        pid = self._current()
        if pid is None:
            return
        row, rec = self.rows[pid], self.records[pid]
        bits = [row.person.name, rec.kind.value]
        if self._no_base(pid):
            bits.append(f"{NO_BASE}：没有基数记录，按 b 设置")
        else:
            bits.append(band_text(rec.band_label))
        if rec.paid_on:
            bits.append(f"缴于 {rec.paid_on.isoformat()}（{rec.method or '未注明方式'}）")
        if rec.waived:
            bits.append(f"免缴：{rec.waiver_note}")
        a = row.arrears
        if a.alert is not None:
            bits.append(a.alert.message)
        elif a.unpaid_months:
            bits.append("往月未缴：" + "、".join(f"{m.month}月" for m in a.unpaid_months[-6:]))
        self._status(" · ".join(bits), error=a.alert is not None)

    @on(DataTable.RowHighlighted, "#dg-table")
    def _highlighted(self) -> None:
        self._describe_current()

    # -- editing ---------------------------------------------------------------
    def _apply(self, pid: str, new: DuesRecord) -> None:
        self.records[pid] = new
        self.changed.add(pid)
        self._touch_draft()
        self._refresh_row(pid)
        self._update_summary()
        self._describe_current()

    def _touch_draft(self) -> None:
        branch = self.branch_id
        if branch is None:
            return
        data = {"records": {pid: self.records[pid].model_dump(mode="json") for pid in self.changed}}
        title = f"{self.branch_name} {self.month.year}年{self.month.month}月党费"
        zapp(self).drafts.touch(WORKFLOW, draft_key(branch, self.month), title, data)

    def _edit(self, fn: Callable[[DuesRecord], DuesRecord]) -> bool:
        """Run *fn(record)* on the row under the cursor; DuesError is shown."""
        if self._held_back():
            return False
        pid = self._current()
        if pid is None:
            return False
        try:
            new = fn(self.records[pid])
        except DuesError as e:
            self._status(str(e), error=True)
            self.notify(str(e), severity="warning", markup=False)
            return False
        self._apply(pid, new)
        return True

    def action_pay_full(self) -> None:
        today: date = zapp(self).today
        if self._edit(lambda r: pay_in_full(r, today, self._rules)):
            self.query_one("#dg-table", DataTable).action_cursor_down()

    def _prompt(self, title: str, value: str, then: Callable[[str | None], None]) -> None:
        from screens.dialogs import LinePrompt

        self.app.push_screen(LinePrompt(title, value=value, max_length=20), then)

    def action_amount(self) -> None:
        if self._held_back():
            return
        pid = self._current()
        if pid is None:
            return
        rec = self.records[pid]
        today: date = zapp(self).today
        name = self.rows[pid].person.name

        def done(value: str | None) -> None:
            if value is None:
                return
            try:
                amount = parse_yuan(value)
            except DuesError as e:
                self._status(str(e), error=True)
                return
            self._edit(lambda r: set_paid(r, amount, today, self._rules))

        shown = rec.paid_fen or rec.owed_fen
        self._prompt(
            f"{name} {self.month.month}月实缴金额（元，0 为未缴）", format_yuan(shown), done
        )

    @on(DataTable.RowSelected, "#dg-table")
    def _selected(self) -> None:
        self.action_amount()

    def action_base(self) -> None:
        if self._held_back():
            return
        pid = self._current()
        if pid is None:
            return
        rec = self.records[pid]
        known = self.rows[pid].base_known or pid in self.changed

        def done(value: str | None) -> None:
            if value is None:
                return
            try:
                base = parse_yuan(value)
            except DuesError as e:
                self._status(str(e), error=True)
                return
            self._edit(lambda r: with_base(r, base, config=self._rules))

        title = f"{self.rows[pid].person.name} 计算基数（元；在职为税后月工资，离退休为养老金）"
        self._prompt(title, format_yuan(rec.base_fen) if known else "", done)

    def action_kind(self) -> None:
        from screens.dialogs import ChoicePrompt

        if self._held_back():
            return
        pid = self._current()
        if pid is None:
            return

        def done(value: str | None) -> None:
            if value:
                self._edit(lambda r: with_base(r, r.base_fen, DuesKind(value), self._rules))

        choices = [(k.value, k.value) for k in DuesKind]
        self.app.push_screen(ChoicePrompt(f"{self.rows[pid].person.name} 党费类别", choices), done)

    def action_online(self) -> None:
        """Toggle the payment channel (线上缴纳 counts for the 党总支's measure)."""
        if self._held_back():
            return
        pid = self._current()
        if pid is None:
            return
        online = not self.records[pid].online

        def toggled(r: DuesRecord) -> DuesRecord:
            # 缴纳方式 is printed (党费明细): it must not say 现金 for an online payment.
            if online:
                method = ONLINE_METHOD
            else:
                method = DEFAULT_METHOD if r.method in ("", ONLINE_METHOD) else r.method
            return r.model_copy(update={"online": online, "method": method})

        self._edit(toggled)
        self.notify(f"缴纳渠道：{'线上' if online else '线下'}", markup=False)

    def action_waive(self) -> None:
        from screens.dialogs import LinePrompt

        if self._held_back():
            return
        pid = self._current()
        if pid is None:
            return
        if self.records[pid].waived:
            self._edit(lambda r: r.model_copy(update={"waived": False, "waiver_note": ""}))
            self.notify("已取消免缴", markup=False)
            return

        def done(value: str | None) -> None:
            if value:
                self._edit(lambda r: waive(r, value))

        self.app.push_screen(
            LinePrompt(
                f"{self.rows[pid].person.name} 免缴：写明批准情况（如 经党委批准，困难减免）",
                max_length=200,
            ),
            done,
        )

    def action_clear(self) -> None:
        self._edit(cleared)

    def _held_back(self) -> bool:
        """While a save waits for the lock the rows it writes must not change
        under it (the cursor still moves and shows each row)."""
        if not self._saving:
            return False
        self.notify("正在保存（数据库忙时请稍候），完成后再修改", markup=False)
        return True

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.query_one("#dg-branch", Select).disabled = saving  # another branch would reload

    def action_save(self) -> None:
        if self._held_back():
            return  # a second Ctrl+S while the first waits saves nothing twice
        branch = self.branch_id
        if branch is None:
            return
        to_save = [
            self.records[pid]
            for pid in self.order
            if pid in self.changed or (self.records[pid].version == 0 and self.rows[pid].base_known)
        ]
        skipped = sum(
            1
            for pid in self.order
            if self.records[pid].version == 0
            and pid not in self.changed
            and not self.rows[pid].base_known
        )
        if not to_save:
            self._status("没有需要保存的内容。")
            return
        store = zapp(self).store
        key = draft_key(branch, self.month)
        ref = zapp(self).drafts.ref(WORKFLOW, key)
        self._set_saving(True)
        self._status("正在保存…")

        def refused(e: Exception) -> None:
            # Stale (someone saved this month meanwhile; nothing was written)
            # says how to reload; the entries stay as they are.
            self._set_saving(False)
            msg = zapp(self).drafts.refused_message(str(e))
            self._status(msg, error=True)
            self.notify(msg, severity="error", markup=False, timeout=10)

        def done(_saved: list[DuesRecord]) -> None:
            self._set_saving(False)
            zapp(self).drafts.forget(WORKFLOW, key)  # its transaction deleted the row
            keep = self._current()
            self._focus = keep
            self.load()
            msg = f"已保存 {len(to_save)} 条"
            if skipped:
                msg += f"；{skipped} 人没有基数，未建记录（按 b 设置后再保存）"
            self._update_summary(msg)
            self.notify(msg, markup=False)

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        run_save(
            self, store, lambda: dues_service.record_month(store, branch, to_save, draft=ref),
            done, refused,
        )  # fmt: skip

    def action_discard(self) -> None:
        if self._held_back():
            return
        branch = self.branch_id
        if branch is None or not self.changed:
            return
        zapp(self).drafts.discard(WORKFLOW, draft_key(branch, self.month))
        self._focus = self._current()
        self.load()
        self.notify("已放弃未保存的录入", markup=False)

    def action_month(self, n: int) -> None:
        if self._held_back():
            return
        zapp(self).drafts.flush()
        self._focus = self._current()
        self.month = add_months(self.month, int(n))
        self.load()

    @on(Select.Changed, "#dg-branch")
    def _branch_changed(self) -> None:
        if not self._loading:
            zapp(self).drafts.flush()
            self.load()

    def action_find(self) -> None:
        from widgets.person_picker import PickPersonScreen

        def picked(result: object) -> None:
            if not isinstance(result, Person):
                return
            if result.id in self.records:
                self.query_one("#dg-table", DataTable).move_cursor(row=self.order.index(result.id))
                self.query_one("#dg-table", DataTable).focus()
            else:
                self.notify(f"{result.name} 不在本月交费名单中", markup=False)

        self.app.push_screen(
            PickPersonScreen("查找党员", branch_id=self.branch_id, members_only=True), picked
        )

    def action_member(self) -> None:
        if self._held_back():
            return
        pid = self._current()
        if pid is not None:
            zapp(self).go(Place.MEMBER_RECORD, pid)

    def action_back(self) -> None:
        if self._held_back():
            return
        if self.changed:
            zapp(self).drafts.flush()
            self.notify("未保存的录入已存为草稿，下次打开自动恢复", markup=False)
        self.app.pop_screen()
