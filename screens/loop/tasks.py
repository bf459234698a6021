"""党总支任务: the 党总支 assigns tasks to some or all of its branches; each
branch reports progress; q shows the quarterly 工作检查 score per branch.

The scope selector lists each 党总支 (every branch's row of its tasks) and
each branch (that branch's tasks). Late rows say 逾期n天 in text.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from domain.dates import DateParseError, format_date, parse_optional_date
from domain.periods import quarter_of
from domain.tasks import BranchTask, TaskMeasure
from services import org_lookup
from services import tasks as task_service
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.checkbox import TextCheckbox
from widgets.date_input import DateInput
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.safe import content, text
from widgets.tables import add_columns

GENERAL = "g:"
BRANCH = "b:"
NO_MEASURE = "none"


def measure_text(item: BranchTask) -> str:
    t = item.task
    if t.measure is None:
        return "—"
    value = "无数据" if item.measure_value is None else f"{item.measure_value:g}%"
    met = "达标" if item.measure_met else "未达标"
    return f"{value}/{t.threshold_pct:g}% {met}"


class TasksScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "assign", "下达任务"),
        Binding("r", "report", "报告进展"),
        Binding("q", "quarter", "季度检查"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, unit_id: str | None = None) -> None:
        super().__init__()
        self._unit_arg = unit_id
        self._rows: dict[str, BranchTask] = {}

    def compose(self) -> ComposeResult:
        store = zapp(self).store
        self._generals = task_service.generals(store)
        self._branches = org_lookup.branches(store)
        options = [(text(f"党总支：{name}"), f"{GENERAL}{gid}") for gid, name in self._generals]
        options += [(text(b.name), f"{BRANCH}{b.id}") for b in self._branches]
        yield Header()
        yield Select(options, id="tk-scope", prompt="（选择党总支或支部）", compact=True)
        yield Static(id="tk-summary")
        yield DataTable(id="tk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="tk-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "党总支任务"
        add_columns(
            self.query_one("#tk-table", DataTable),
            (
                ("任务", "title", 18),
                ("支部", "branch", 14),
                ("时限", "due", 10),
                ("状态", "state", 10),
                ("指标", "measure", 16),
            ),
        )
        values = {v for _, v in self._options()}
        wanted = None
        if self._unit_arg:
            for prefix in (GENERAL, BRANCH):
                if f"{prefix}{self._unit_arg}" in values:
                    wanted = f"{prefix}{self._unit_arg}"
        if wanted is None and self._generals:
            wanted = f"{GENERAL}{self._generals[0][0]}"
        if wanted:
            with self.prevent(Select.Changed):
                self.query_one("#tk-scope", Select).value = wanted
        self.reload()
        self.query_one("#tk-table", DataTable).focus()

    def _options(self) -> list[tuple[str, str]]:
        return [("", f"{GENERAL}{g}") for g, _ in self._generals] + [
            ("", f"{BRANCH}{b.id}") for b in self._branches
        ]

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def scope(self) -> tuple[str, str] | None:
        sel = self.query_one("#tk-scope", Select)
        if sel.is_blank():
            return None
        value = str(sel.value)
        return value[:2], value[2:]

    @on(Select.Changed, "#tk-scope")
    def _scope_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = zapp(self)
        table = self.query_one("#tk-table", DataTable)
        table.clear()
        self._rows = {}
        scope = self.scope
        summary = self.query_one("#tk-summary", Static)
        if scope is None:
            summary.update(content("请先选择党总支或支部。"))
            return
        kind, unit = scope
        try:
            items = (task_service.branch_tasks(app.store, general_id=unit) if kind == GENERAL
                     else task_service.branch_tasks(app.store, branch_id=unit))  # fmt: skip
        except DomainError as e:
            self.notify(str(e), severity="error", markup=False)
            items = []
        for it in items:
            key = f"{it.task.id}|{it.branch_id}"
            self._rows[key] = it
            late = it.overdue(app.today)
            table.add_row(
                text(it.task.title),
                text(it.branch_name),
                text(format_date(it.task.due)),
                text(it.state(app.today), style="bold" if late else ""),
                text(measure_text(it)),
                key=key,
            )
        late_n = sum(1 for it in items if it.overdue(app.today))
        done_n = sum(1 for it in items if it.done)
        line = f"共 {len(items)} 项（任务×支部），已完成 {done_n} 项"
        line += f"，{late_n} 项逾期" if late_n else ""
        summary.update(content(line + "。"))
        self._detail()

    def _current(self) -> BranchTask | None:
        table = self.query_one("#tk-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key)) if key else None

    @on(DataTable.RowHighlighted, "#tk-table")
    def _moved(self) -> None:
        self._detail()

    def _detail(self, extra: str = "") -> None:
        it = self._current()
        lines = [extra] if extra else []
        if it is not None:
            t = it.task
            lines.append(f"{t.general_name} {format_date(t.assigned_on)} 下达"
                         + (f"，指标：{t.measure_text()}" if t.measure else ""))  # fmt: skip
            if t.detail:
                lines.append(f"要求：{t.detail[:70]}")
            if it.report:
                lines.append(f"进展（{format_date(it.report.reported_on)}）：{it.report.progress[:60]}")
        self.query_one("#tk-detail", Static).update(content("\n".join(lines), multiline=True))

    def _general(self) -> tuple[str, str] | None:
        scope = self.scope
        if scope is None:
            return None
        kind, unit = scope
        if kind == GENERAL:
            return next(((g, n) for g, n in self._generals if g == unit), None)
        b = org_lookup.get_unit(zapp(self).store, unit)
        if b and b.parent_id:
            return next(((g, n) for g, n in self._generals if g == b.parent_id), None)
        return None

    def action_assign(self) -> None:
        general = self._general()
        if general is None:
            self.notify("请先选择党总支", severity="warning", markup=False)
            return
        store = zapp(self).store
        if not task_service.may_assign(store, general[0]):
            self.notify(f"只有{general[1]}（党总支角色）才能下达任务", severity="warning",
                        markup=False)  # fmt: skip
            return
        branches = task_service.branches_of(store, general[0])
        self.app.push_screen(TaskForm(general, branches), lambda _t: self.reload())

    def action_report(self) -> None:
        it = self._current()
        if it is None:
            return
        self.app.push_screen(ReportForm(it), lambda _r: self.reload())

    def action_quarter(self) -> None:
        general = self._general()
        app = zapp(self)
        quarter = quarter_of(app.today)
        try:
            scores = task_service.quarterly_scores(
                app.store, quarter, general_id=general[0] if general else None,
                config=app.settings.rules.tasks,  # the config file's [rules.tasks]
            )
        except DomainError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        if not scores:
            self._detail(f"{quarter.label}：本季度没有到期的任务。")
            return
        parts = [
            f"{s.branch_name} {s.score:g}分" if s.score is not None else f"{s.branch_name} —"
            for s in scores
        ]
        self._detail(f"{quarter.label}工作检查：" + "；".join(parts))

    def action_back(self) -> None:
        self.app.pop_screen()


def _row(label: str, widget: Any) -> ComposeResult:
    with Horizontal(classes="tk-row"):
        yield Label(label, classes="tk-label")
        yield widget


TASK_WORKFLOW = "task"
REPORT_WORKFLOW = "task_report"


class _Drafted(ModalScreen[object]):
    """A form whose typed text is kept as a draft as it is typed: Esc closes
    and keeps it (今日 lists it), Ctrl+D drops it, a save discards it."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "close", "关闭（留草稿）"),
        Binding("ctrl+d", "discard", "放弃"),
    ]
    WORKFLOW = ""
    TITLE_TEXT = ""
    draft_key = ""
    _loading = True

    def values(self) -> dict[str, Any]:
        return {}

    def restore(self, values: dict[str, Any]) -> None:
        """Put a draft's values back into the fields."""

    def _load_draft(self) -> None:
        draft = zapp(self).drafts.load(self.WORKFLOW, self.draft_key)
        if draft and isinstance(draft.get("values"), dict):
            with self.prevent(Input.Changed, Select.Changed, TextCheckbox.Changed):
                self.restore(draft["values"])
            self.notify("已恢复上次未保存的草稿", markup=False)
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextCheckbox.Changed)
    def _changed(self) -> None:
        if not self._loading:
            zapp(self).drafts.touch(self.WORKFLOW, self.draft_key, self.TITLE_TEXT,
                                    {"values": self.values()})  # fmt: skip

    def saved(self, result: object) -> None:
        zapp(self).drafts.discard(self.WORKFLOW, self.draft_key)
        self.dismiss(result)

    def action_close(self) -> None:
        zapp(self).drafts.flush()
        self.dismiss(None)

    def action_discard(self) -> None:
        zapp(self).drafts.discard(self.WORKFLOW, self.draft_key)
        self.dismiss(None)


_TASK_FIELDS = ("title", "detail", "due", "threshold")


class TaskForm(_Drafted):
    """下达任务: title, due date, the branches (all ticked), an optional measure."""

    WORKFLOW = TASK_WORKFLOW
    TITLE_TEXT = "下达任务"

    def __init__(self, general: tuple[str, str], branches: list[tuple[str, str]]) -> None:
        super().__init__()
        self.general = general
        self.branches = branches
        self.draft_key = general[0]

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            f: self.query_one(f"#t-{f}", Input).value for f in _TASK_FIELDS
        }
        out["measure"] = str(self.query_one("#t-measure", Select).value)
        out["branches"] = [
            bid for i, (bid, _n) in enumerate(self.branches)
            if self.query_one(f"#t-b{i}", TextCheckbox).value
        ]  # fmt: skip
        return out

    def restore(self, values: dict[str, Any]) -> None:
        for f in _TASK_FIELDS:
            if isinstance(values.get(f), str):
                self.query_one(f"#t-{f}", Input).value = values[f]
        if values.get("measure") in (NO_MEASURE, *(m.value for m in TaskMeasure)):
            self.query_one("#t-measure", Select).value = values["measure"]
        if isinstance(values.get("branches"), list):
            for i, (bid, _n) in enumerate(self.branches):
                self.query_one(f"#t-b{i}", TextCheckbox).value = bid in values["branches"]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="tk-form"):
            yield Static(content(f"{self.general[1]} 下达任务（Ctrl+S 保存，Esc 关闭并保留草稿）"))
            yield from _row("任务", LimitedInput(id="t-title", max_length=200, compact=True))
            yield from _row("要求", LimitedInput(id="t-detail", max_length=400, compact=True))
            yield from _row("完成时限", DateInput(id="t-due", compact=True))
            yield from _row("考核指标", Select(
                [("无", NO_MEASURE), *((m.value, m.value) for m in TaskMeasure)],
                id="t-measure", allow_blank=False, value=NO_MEASURE, compact=True))  # fmt: skip
            yield from _row("目标值%", LimitedInput(id="t-threshold", max_length=6,
                                                 placeholder="如 95", compact=True))  # fmt: skip
            yield Static(content("下达给（空格勾选/取消）："))
            for i, (_bid, name) in enumerate(self.branches):
                yield TextCheckbox(name, True, id=f"t-b{i}")
            yield Static(id="t-status")

    def on_mount(self) -> None:
        self.query_one("#t-title", Input).focus()
        self._load_draft()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _status(self, msg: str) -> None:
        self.query_one("#t-status", Static).update(content(msg))

    def action_save(self) -> None:
        app = zapp(self)
        try:
            due = parse_optional_date(self.query_one("#t-due", Input).value, today=app.today)
        except DateParseError as e:
            self._status(f"完成时限：{e}")
            return
        if due is None:
            self._status("请填写完成时限")
            return
        measure_value = str(self.query_one("#t-measure", Select).value)
        measure = None if measure_value == NO_MEASURE else TaskMeasure(measure_value)
        threshold: float | None = None
        raw = self.query_one("#t-threshold", Input).value.strip().rstrip("%")
        if measure is not None:
            try:
                threshold = float(raw)
            except ValueError:
                self._status("目标值须为数字（如 95）")
                return
        elif raw:  # a target without its measure would be silently dropped
            self._status("填了目标值，请选择考核指标（或清空目标值）")
            return
        chosen = [
            bid for i, (bid, _n) in enumerate(self.branches)
            if self.query_one(f"#t-b{i}", TextCheckbox).value
        ]  # fmt: skip
        try:
            task = task_service.assign(
                app.store, self.general[0], title=self.query_one("#t-title", Input).value,
                detail=self.query_one("#t-detail", Input).value, due=due, today=app.today,
                branch_ids=chosen, measure=measure, threshold_pct=threshold,
            )  # fmt: skip
        except DomainError as e:
            self._status(str(e))
            return
        self.notify(f"已下达给 {len(task.branch_ids)} 个支部", markup=False)
        self.saved(task)


class ReportForm(_Drafted):
    """A branch reports progress on one task (text, and whether it is done)."""

    WORKFLOW = REPORT_WORKFLOW
    TITLE_TEXT = "报告任务进展"

    def __init__(self, item: BranchTask) -> None:
        super().__init__()
        self.item = item
        self.draft_key = f"{item.task.id}|{item.branch_id}"

    def values(self) -> dict[str, Any]:
        return {
            "progress": self.query_one("#r-progress", Input).value,
            "done": self.query_one("#r-done", TextCheckbox).value,
        }

    def restore(self, values: dict[str, Any]) -> None:
        if isinstance(values.get("progress"), str):
            self.query_one("#r-progress", Input).value = values["progress"]
        if isinstance(values.get("done"), bool):
            self.query_one("#r-done", TextCheckbox).value = values["done"]

    def compose(self) -> ComposeResult:
        it = self.item
        with VerticalScroll(id="tk-report"):
            yield Static(content(f"{it.branch_name} 报告进展：{it.task.title}（Ctrl+S 保存，Esc 留草稿）"))
            yield from _row("进展情况", LimitedInput(it.report.progress if it.report else "",
                                                 id="r-progress", max_length=400,
                                                 compact=True))  # fmt: skip
            yield TextCheckbox("已完成", it.done, id="r-done")
            yield Static(id="r-status")

    def on_mount(self) -> None:
        self.query_one("#r-progress", Input).focus()
        self._load_draft()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        app = zapp(self)
        it = self.item
        try:
            saved = task_service.report(
                app.store, it.task.id, it.branch_id, self.query_one("#r-progress", Input).value,
                done=self.query_one("#r-done", TextCheckbox).value, today=app.today,
            )  # fmt: skip
        except DomainError as e:
            self.query_one("#r-status", Static).update(content(str(e)))
            return
        self.notify("已报告进展", markup=False)
        self.saved(saved)
